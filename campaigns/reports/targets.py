"""The creditor's contract targets (recovery rate, kept rate) beside the BPO's figures for a
month, day by day and for the month as a whole (the creditor's portal).

Typed periods: a day's row carries its "date" (a `date` column) and no "month"; the month's row
carries its "month" (the first day, a `month` column) and no "date"; pages and exports format
them by kind, in the reader's locale. The chart runs over the days only.
"""

import calendar
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from campaigns.errors import NotFound
from campaigns.i18n import _
from campaigns.models import Client, ReportContactDay, ReportPortfolioDay
from campaigns.reports import daily
from campaigns.reports.names import currency_of
from campaigns.reports.source import Figures, money, ratio
from campaigns.reports.table import Chart, Column, ReportFilter, Section

MONTH = "month"


def targets_vs_actuals(
    session: Session, client_id: int, month: date, *, now: datetime | None = None
) -> Section:
    """Recovery and kept rates of each day of `month` and of the month, beside the targets the
    creditor's contract sets (recovery = collected / assigned at the period's end; kept = kept /
    (kept + broken) of the promises falling due)."""
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(_("No creditor with id {id}."), id=client_id)
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    figures = Figures(
        session,
        ReportFilter(client_ids=frozenset({client_id}), date_from=first, date_to=last, now=now),
    )
    per_day: dict[date, dict[str, Any]] = defaultdict(
        lambda: {"assigned": 0, "collected": 0, "kept": 0, "broken": 0}
    )
    for row in figures.summed(
        ReportPortfolioDay, daily.portfolio_rows, by=("day",), measures=("assigned", "collected")
    ):
        per_day[row["day"]]["assigned"] += row["assigned"]
        per_day[row["day"]]["collected"] += row["collected"]
    for row in figures.summed(
        ReportContactDay,
        daily.contact_rows,
        by=("day",),
        measures=("promises_kept", "promises_broken"),
    ):
        per_day[row["day"]]["kept"] += row["promises_kept"]
        per_day[row["day"]]["broken"] += row["promises_broken"]
    recovery_target = (
        float(client.recovery_target_pct / 100) if client.recovery_target_pct else None
    )
    kept_target = float(client.kept_rate_target_pct / 100) if client.kept_rate_target_pct else None
    rows = []
    for day in sorted(per_day):
        figures_of_day = per_day[day]
        rows.append(_row(figures_of_day, recovery_target, kept_target, day=day))
    if per_day:
        last_day = max(per_day)
        month_total = {
            "assigned": per_day[last_day]["assigned"],
            "collected": sum(f["collected"] for f in per_day.values()),
            "kept": sum(f["kept"] for f in per_day.values()),
            "broken": sum(f["broken"] for f in per_day.values()),
        }
        rows.append(_row(month_total, recovery_target, kept_target, month=first))
    return Section(
        key="targets",
        title=_("Targets against actuals"),
        columns=(
            Column("date", _("Day"), "date"),
            Column("month", _("Month"), "month"),
            Column("collected", _("Amount collected"), "money"),
            Column("assigned", _("Amount assigned"), "money"),
            Column("recovery_rate", _("Recovery rate"), "pct"),
            Column("recovery_target", _("Recovery target"), "pct"),
            Column("kept_rate", _("Kept rate"), "pct"),
            Column("kept_rate_target", _("Kept rate target"), "pct"),
        ),
        rows=tuple(rows),
        charts=(
            Chart(
                "line",
                _("Kept rate against the target"),
                "date",
                ("kept_rate", "kept_rate_target"),
            ),
        ),
        currency=currency_of(session, [client_id]),
    )


def _row(
    values: dict[str, Any],
    recovery_target: float | None,
    kept_target: float | None,
    *,
    day: date | None = None,
    month: date | None = None,
) -> dict[str, object]:
    """A day's row (its "date", no "month") or the month's row (its "month": the first day)."""
    return {
        "date": day,
        "month": month,
        "collected": money(values["collected"]),
        "assigned": money(values["assigned"]),
        "recovery_rate": ratio(values["collected"], values["assigned"]),
        "recovery_target": recovery_target,
        "kept_rate": ratio(values["kept"], values["kept"] + values["broken"]),
        "kept_rate_target": kept_target,
    }
