"""Contact funnel report: attempts by channel down to promises kept (docs/reports.md,
"Contact funnel")."""

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from campaigns.i18n import _
from campaigns.models import ReportContactDay
from campaigns.reports import daily
from campaigns.reports.source import Figures, ratio
from campaigns.reports.table import Chart, Column, Report, ReportFilter, Section

COUNTS = (
    "attempts",
    "connected",
    "right_party",
    "promises",
    "promises_kept",
    "promises_broken",
    "delivered",
    "replied",
    "disputes_opened",
    "disputes_resolved",
    "opt_outs",
)
ALL_CHANNELS = "all"


def funnel_report(session: Session, report_filter: ReportFilter) -> Report:
    """The funnel per channel over the range, and its rates day by day."""
    figures = Figures(session, report_filter)
    return Report(
        key="funnel",
        title=_("Contact funnel"),
        sections=(channel_section(figures), funnel_by_day_section(figures)),
    )


def _rates(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "connect_rate": ratio(row["connected"], row["attempts"]),
        "right_party_rate": ratio(row["right_party"], row["attempts"]),
        "promise_rate": ratio(row["promises"], row["right_party"]),
        "kept_rate": ratio(row["promises_kept"], row["promises_kept"] + row["promises_broken"]),
    }


COUNT_COLUMNS = (
    Column("attempts", _("Attempts"), "int"),
    Column("connected", _("Answered by a person"), "int"),
    Column("connect_rate", _("Connect rate"), "pct"),
    Column("right_party", _("Right-party contacts"), "int"),
    Column("right_party_rate", _("Right-party contact rate"), "pct"),
    Column("promises", _("Promises"), "int"),
    Column("promise_rate", _("Promise rate per right-party contact"), "pct"),
    Column("promises_kept", _("Promises kept"), "int"),
    Column("promises_broken", _("Promises broken"), "int"),
    Column("kept_rate", _("Promise kept rate"), "pct"),
    Column("delivered", _("Messages delivered"), "int"),
    Column("replied", _("Messages replied"), "int"),
    Column("disputes_opened", _("Disputes opened"), "int"),
    Column("disputes_resolved", _("Disputes resolved"), "int"),
    Column("opt_outs", _("Opt-outs"), "int"),
)


def channel_section(figures: Figures) -> Section:
    """The funnel per channel over the range, with a row for every channel together."""
    rows = figures.summed(ReportContactDay, daily.contact_rows, by=("channel",), measures=COUNTS)
    total: dict[str, Any] = dict.fromkeys(COUNTS, 0)
    table = []
    for row in sorted(rows, key=lambda r: r["channel"]):
        counts = {name: int(row[name]) for name in COUNTS}
        for name in COUNTS:
            total[name] += counts[name]
        table.append({"channel": row["channel"], **counts, **_rates(counts)})
    table.append({"channel": ALL_CHANNELS, **total, **_rates(total)})
    return Section(
        key="funnel",
        title=_("Contact funnel by channel"),
        columns=(Column("channel", _("Channel"), "text"), *COUNT_COLUMNS),
        rows=tuple(table),
        charts=(Chart("bar", _("Attempts by channel"), "channel", ("attempts", "connected")),),
    )


def funnel_by_day_section(figures: Figures) -> Section:
    """The funnel of every day of the range, all channels together."""
    rows = figures.summed(ReportContactDay, daily.contact_rows, by=("day",), measures=COUNTS)
    per_day: dict[Any, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for row in rows:
        for name in COUNTS:
            per_day[row["day"]][name] += int(row[name])
    return Section(
        key="funnel_by_day",
        title=_("Contact funnel, day by day"),
        columns=(Column("day", _("Day"), "date"), *COUNT_COLUMNS),
        rows=tuple({"day": day, **per_day[day], **_rates(per_day[day])} for day in sorted(per_day)),
        charts=(
            Chart(
                "bar", _("Attempts and contacts"), "day", ("attempts", "connected", "right_party")
            ),
            Chart(
                "line", _("Contact rates"), "day", ("connect_rate", "right_party_rate", "kept_rate")
            ),
        ),
    )
