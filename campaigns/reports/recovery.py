"""Recovery report: amount assigned and collected, recovery rate and CEI per portfolio, and
promised against paid day by day (docs/reports.md, "Recovery")."""

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from campaigns.i18n import _
from campaigns.models import ReportContactDay, ReportPortfolioDay
from campaigns.reports import daily
from campaigns.reports.days import CURRENT, PAID
from campaigns.reports.names import currency_of, portfolio_names
from campaigns.reports.source import Figures, money, ratio
from campaigns.reports.table import Chart, Column, Report, ReportFilter, Section


def recovery_report(session: Session, report_filter: ReportFilter) -> Report:
    """Recovery and CEI per portfolio, collections and promises day by day."""
    figures = Figures(session, report_filter)
    currency = currency_of(session, report_filter.client_ids)
    return Report(
        key="recovery",
        title=_("Recovery"),
        sections=(
            recovery_section(session, figures, currency),
            collected_by_day_section(figures, currency),
        ),
    )


def recovery_section(session: Session, figures: Figures, currency: str | None) -> Section:
    """Per portfolio: assigned at the end of the range, collected in the range, recovery rate,
    and CEI = (assigned - outstanding) / (assigned - not yet due) at the end of the range."""
    at_end = figures.summed(
        ReportPortfolioDay,
        daily.portfolio_rows,
        by=("portfolio_id", "aging_bucket"),
        measures=("assigned", "balance"),
        days=[figures.filter.date_to],
    )
    collected = figures.summed(
        ReportPortfolioDay,
        daily.portfolio_rows,
        by=("portfolio_id",),
        measures=("collected",),
    )
    per: dict[int | None, dict[str, Any]] = defaultdict(
        lambda: {"assigned": 0, "outstanding": 0, "not_yet_due": 0, "collected": 0}
    )
    for row in at_end:
        entry = per[row["portfolio_id"]]
        entry["assigned"] += row["assigned"]
        if row["aging_bucket"] != PAID:
            entry["outstanding"] += row["balance"]
        if row["aging_bucket"] == CURRENT:
            entry["not_yet_due"] += row["balance"]
    for row in collected:
        per[row["portfolio_id"]]["collected"] += row["collected"]
    names = portfolio_names(session, per)
    rows = []
    for pid, entry in sorted(per.items(), key=lambda item: names.get(item[0], "")):
        rows.append(
            {
                "portfolio": names.get(pid, ""),
                "assigned": money(entry["assigned"]),
                "collected": money(entry["collected"]),
                "recovery_rate": ratio(entry["collected"], entry["assigned"]),
                "outstanding": money(entry["outstanding"]),
                "not_yet_due": money(entry["not_yet_due"]),
                "cei": ratio(
                    entry["assigned"] - entry["outstanding"],
                    entry["assigned"] - entry["not_yet_due"],
                ),
            }
        )
    return Section(
        key="recovery",
        title=_("Recovery per portfolio"),
        columns=(
            Column("portfolio", _("Portfolio"), "text"),
            Column("assigned", _("Amount assigned"), "money"),
            Column("collected", _("Amount collected"), "money"),
            Column("recovery_rate", _("Recovery rate"), "pct"),
            Column("outstanding", _("Still outstanding"), "money"),
            Column("not_yet_due", _("Not yet due"), "money"),
            Column("cei", _("Collection effectiveness index"), "pct"),
        ),
        rows=tuple(rows),
        charts=(Chart("bar", _("Recovery rate per portfolio"), "portfolio", ("recovery_rate",)),),
        currency=currency,
    )


def collected_by_day_section(figures: Figures, currency: str | None) -> Section:
    """Payments received, amount of promises falling due and amount of those kept, per day."""
    collected = figures.summed(
        ReportPortfolioDay, daily.portfolio_rows, by=("day",), measures=("collected",)
    )
    promised = figures.summed(
        ReportContactDay,
        daily.contact_rows,
        by=("day",),
        measures=("amount_due", "amount_kept"),
    )
    per_day: dict[Any, dict[str, Any]] = defaultdict(
        lambda: {"collected": 0, "amount_due": 0, "amount_kept": 0}
    )
    for row in collected:
        per_day[row["day"]]["collected"] += row["collected"]
    for row in promised:
        per_day[row["day"]]["amount_due"] += row["amount_due"]
        per_day[row["day"]]["amount_kept"] += row["amount_kept"]
    return Section(
        key="collected_by_day",
        title=_("Collected and promised against paid, day by day"),
        columns=(
            Column("day", _("Day"), "date"),
            Column("collected", _("Amount collected"), "money"),
            Column("amount_due", _("Amount promised, falling due"), "money"),
            Column("amount_kept", _("Amount of promises kept"), "money"),
        ),
        rows=tuple(
            {"day": day} | {key: money(value) for key, value in per_day[day].items()}
            for day in sorted(per_day)
        ),
        charts=(
            Chart("bar", _("Amount collected"), "day", ("collected",)),
            Chart("line", _("Promised against paid"), "day", ("amount_due", "amount_kept")),
        ),
        currency=currency,
    )
