"""Agents report: handled calls, time in each state, handle time, occupancy and results per hour,
from the agent activity history (docs/reports.md, "Agents")."""

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from campaigns.i18n import _
from campaigns.models import ReportAgentDay, ReportAgentStateDay
from campaigns.reports import daily
from campaigns.reports.names import agent_names, currency_of
from campaigns.reports.source import Figures, money, ratio
from campaigns.reports.table import Chart, Column, Report, ReportFilter, Section

WORK = ("handled", "talk_seconds", "right_party", "promises", "amount_promised", "amount_kept")
OFFLINE = "offline"
TALK, HOLD, WRAP_UP, PAUSED = "on_call", "on_hold", "wrap_up", "paused"


def agents_report(session: Session, report_filter: ReportFilter) -> Report:
    """Per agent over the range: calls, time, handle time, occupancy, results per hour."""
    figures = Figures(session, report_filter)
    work = figures.summed(ReportAgentDay, daily.agent_rows, by=("agent_id",), measures=WORK)
    agents = {row["agent_id"]: row for row in work}
    states = figures.summed(
        ReportAgentStateDay, daily.agent_state_rows, by=("agent_id", "state"), measures=("seconds",)
    )
    time: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in states:
        if row["agent_id"] in agents:
            time[row["agent_id"]][row["state"]] += float(row["seconds"])
    names = agent_names(session, agents)
    currency = currency_of(session, report_filter.client_ids)
    return Report(
        key="agents",
        title=_("Agents"),
        sections=(
            productivity_section(agents, time, names, currency),
            pause_section(time, names),
        ),
    )


def productivity_section(
    agents: dict[int, dict[str, Any]],
    time: dict[int, dict[str, float]],
    names: dict[int, str],
    currency: str | None,
) -> Section:
    """One row per agent who worked the creditors' campaigns in the range."""
    rows = []
    for agent_id, work in sorted(agents.items(), key=lambda item: names.get(item[0], "")):
        states = time.get(agent_id, {})
        talk, hold = states.get(TALK, 0.0), states.get(HOLD, 0.0)
        wrap_up = states.get(WRAP_UP, 0.0)
        handling = talk + hold + wrap_up
        paused = sum(s for key, s in states.items() if key.split(":")[0] == PAUSED)
        logged_in = sum(s for key, s in states.items() if key != OFFLINE)
        hours = logged_in / 3600
        rows.append(
            {
                "agent": names.get(agent_id, str(agent_id)),
                "handled": int(work["handled"]),
                "talk_seconds": talk,
                "hold_seconds": hold,
                "wrap_up_seconds": wrap_up,
                "paused_seconds": paused,
                "logged_in_seconds": logged_in,
                "average_handle_seconds": handling / work["handled"] if work["handled"] else None,
                "occupancy": ratio(handling, logged_in),
                "right_party": int(work["right_party"]),
                "right_party_per_hour": work["right_party"] / hours if hours else None,
                "promises": int(work["promises"]),
                "promises_per_hour": work["promises"] / hours if hours else None,
                "amount_promised": money(work["amount_promised"]),
                "amount_kept": money(work["amount_kept"]),
            }
        )
    return Section(
        key="agents",
        title=_("Agent productivity"),
        columns=(
            Column("agent", _("Agent"), "text"),
            Column("handled", _("Handled calls"), "int"),
            Column("talk_seconds", _("Talk time"), "seconds"),
            Column("hold_seconds", _("Hold time"), "seconds"),
            Column("wrap_up_seconds", _("Wrap-up time"), "seconds"),
            Column("paused_seconds", _("Pause time"), "seconds"),
            Column("logged_in_seconds", _("Logged-in time"), "seconds"),
            Column("average_handle_seconds", _("Average handle time"), "seconds"),
            Column("occupancy", _("Occupancy"), "pct"),
            Column("right_party", _("Right-party contacts"), "int"),
            Column("right_party_per_hour", _("Right-party contacts per hour"), "number"),
            Column("promises", _("Promises"), "int"),
            Column("promises_per_hour", _("Promises per hour"), "number"),
            Column("amount_promised", _("Amount promised"), "money"),
            Column("amount_kept", _("Amount kept"), "money"),
        ),
        rows=tuple(rows),
        charts=(
            Chart("bar", _("Occupancy per agent"), "agent", ("occupancy",)),
            Chart(
                "bar",
                _("Promises per hour"),
                "agent",
                ("right_party_per_hour", "promises_per_hour"),
            ),
        ),
        currency=currency,
    )


def pause_section(time: dict[int, dict[str, float]], names: dict[int, str]) -> Section:
    """Pause time per agent and reason."""
    rows = [
        {
            "agent": names.get(agent_id, str(agent_id)),
            "reason": key.partition(":")[2],
            "seconds": seconds,
        }
        for agent_id, states in sorted(time.items(), key=lambda item: names.get(item[0], ""))
        for key, seconds in sorted(states.items())
        if key.split(":")[0] == PAUSED
    ]
    return Section(
        key="pauses",
        title=_("Pause time by reason"),
        columns=(
            Column("agent", _("Agent"), "text"),
            Column("reason", _("Pause reason"), "text"),
            Column("seconds", _("Pause time"), "seconds"),
        ),
        rows=tuple(rows),
    )
