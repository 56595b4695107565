"""Dialer report: calls per hour, abandon rate against the cap per day and over 30 days, and the
wait from a person answering to an agent taking the call (docs/reports.md, "Dialer")."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.i18n import _
from campaigns.models import (
    Campaign,
    Channel,
    ReportAgentDay,
    ReportAgentStateDay,
    ReportContactDay,
)
from campaigns.reports import daily
from campaigns.reports.days import days_between
from campaigns.reports.source import Figures, ratio
from campaigns.reports.table import Chart, Column, Report, ReportFilter, Section

ROLLING_DAYS = 30
DEFAULT_CAP_PCT = Decimal("3.00")
VOICE_MEASURES = ("attempts", "connected", "abandoned", "answer_wait_seconds", "answer_waits")


def dialer_report(session: Session, report_filter: ReportFilter) -> Report:
    """Calls, abandons against the cap and answer-to-agent waits, day by day."""
    figures = Figures(session, report_filter)
    return Report(key="dialer", title=_("Dialer"), sections=(dialer_section(session, figures),))


def abandon_cap(session: Session, report_filter: ReportFilter) -> float:
    """The strictest abandon cap of the campaigns reported on, as a fraction."""
    query = select(func.min(Campaign.abandon_target_pct)).where(
        Campaign.client_id.in_(sorted(report_filter.client_ids))
    )
    if report_filter.campaign_id is not None:
        query = query.where(Campaign.id == report_filter.campaign_id)
    cap = session.scalar(query)
    return float((cap if cap is not None else DEFAULT_CAP_PCT) / 100)


def dialer_section(session: Session, figures: Figures) -> Section:
    """One row per day of the range (the rolling rate looks 29 days further back)."""
    report_filter = figures.filter
    first = report_filter.date_from - timedelta(days=ROLLING_DAYS - 1)
    voice: dict[date, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(VOICE_MEASURES, 0))
    for row in figures.summed(
        ReportContactDay,
        daily.contact_rows,
        by=("day", "channel"),
        measures=VOICE_MEASURES,
        days=days_between(first, report_filter.date_to),
    ):
        if row["channel"] == Channel.VOICE:
            for name in VOICE_MEASURES:
                voice[row["day"]][name] += row[name]
    logged_in = _logged_in_hours(figures)
    cap = abandon_cap(session, report_filter)
    rows = []
    for day in figures.days:
        today = voice.get(day, dict.fromkeys(VOICE_MEASURES, 0))
        window = [
            voice[d]
            for d in days_between(day - timedelta(days=ROLLING_DAYS - 1), day)
            if d in voice
        ]
        abandoned_30 = sum(v["abandoned"] for v in window)
        connected_30 = sum(v["connected"] for v in window)
        hours = logged_in.get(day, 0.0)
        rows.append(
            {
                "day": day,
                "calls": int(today["attempts"]),
                "logged_in_hours": hours,
                "calls_per_hour": today["attempts"] / hours if hours else None,
                "connected": int(today["connected"]),
                "abandoned": int(today["abandoned"]),
                "abandon_rate": ratio(today["abandoned"], today["connected"]),
                "abandon_rate_30_days": ratio(abandoned_30, connected_30),
                "abandon_cap": cap,
                "answer_to_agent_seconds": today["answer_wait_seconds"] / today["answer_waits"]
                if today["answer_waits"]
                else None,
            }
        )
    return Section(
        key="dialer",
        title=_("Dialer, day by day"),
        columns=(
            Column("day", _("Day"), "date"),
            Column("calls", _("Calls placed"), "int"),
            Column("logged_in_hours", _("Agent hours logged in"), "number"),
            Column("calls_per_hour", _("Calls per agent hour"), "number"),
            Column("connected", _("Answered by a person"), "int"),
            Column("abandoned", _("Abandoned"), "int"),
            Column("abandon_rate", _("Abandon rate"), "pct"),
            Column("abandon_rate_30_days", _("Abandon rate, last 30 days"), "pct"),
            Column("abandon_cap", _("Abandon cap"), "pct"),
            Column("answer_to_agent_seconds", _("Answered to agent"), "seconds"),
        ),
        rows=tuple(rows),
        charts=(
            Chart("bar", _("Calls per agent hour"), "day", ("calls_per_hour",)),
            Chart(
                "line",
                _("Abandon rate against the cap"),
                "day",
                ("abandon_rate", "abandon_rate_30_days", "abandon_cap"),
            ),
        ),
    )


def _logged_in_hours(figures: Figures) -> dict[date, float]:
    """Hours logged in (any state but offline) per day, of the agents who worked the creditors'
    campaigns that day (handled a call of theirs)."""
    worked = figures.summed(
        ReportAgentDay, daily.agent_rows, by=("day", "agent_id"), measures=("handled",)
    )
    agents_by_day = defaultdict(set)
    for row in worked:
        if row["handled"]:
            agents_by_day[row["day"]].add(row["agent_id"])
    hours: dict[date, float] = defaultdict(float)
    for row in figures.summed(
        ReportAgentStateDay,
        daily.agent_state_rows,
        by=("day", "agent_id", "state"),
        measures=("seconds",),
    ):
        if row["state"] != "offline" and row["agent_id"] in agents_by_day[row["day"]]:
            hours[row["day"]] += float(row["seconds"]) / 3600
    return hours
