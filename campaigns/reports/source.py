"""Where reports read their figures: the summary tables for days rolled up, and the same
computation as the rollup (campaigns/reports/daily/) for days not rolled up yet (today).

`Figures.summed` adds measures up by the dimensions a report asks for, with the report's filter
applied the same way to stored and to live rows.
"""

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.operating_day import operating_day
from campaigns.reports import daily
from campaigns.reports.days import days_between, is_month_end, month_start
from campaigns.reports.rollup import SNAPSHOT_COMPUTES, provisional_days, rolled_days
from campaigns.reports.table import ReportFilter

Row = dict[str, Any]
# A day's computation (campaigns/reports/daily): (session, day, *, client_ids) -> rows.
Compute = Callable[..., list[Row]]

# ReportFilter field -> the summary column it narrows (the first one a table has).
FILTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "portfolio_id": ("portfolio_id",),
    "campaign_id": ("campaign_id",),
    "agent_id": ("agent_id",),
    "aging_bucket": ("aging_bucket", "from_bucket"),
    "product": ("product",),
    "region": ("region",),
}


class Figures:
    """One report's reading of the daily figures over its filter's range."""

    def __init__(self, session: Session, report_filter: ReportFilter) -> None:
        self.session = session
        self.filter = report_filter
        last = report_filter.date_to
        if report_filter.now is not None:
            last = min(last, operating_day(report_filter.now).date)
        rolled = rolled_days(session, date_from=report_filter.date_from, date_to=last)
        self.days = list(days_between(report_filter.date_from, report_filter.date_to))
        self.live_days = [
            day for day in days_between(report_filter.date_from, last) if day not in rolled
        ]
        # Today's portfolio snapshot, when the scheduler stored it, is read like a closed day.
        self.snapshot_days = provisional_days(
            session, date_from=report_filter.date_from, date_to=last
        )
        self._live: dict[tuple[Compute, date, frozenset[str], bool], list[Row]] = {}

    def summed(
        self,
        model: Any,
        compute: Compute,
        *,
        by: tuple[str, ...],
        measures: tuple[str, ...],
        days: Iterable[date] | None = None,
        day_column: str = "day",
        filtered: tuple[str, ...] = tuple(FILTER_COLUMNS),
    ) -> list[Row]:
        """Each measure summed per value of the `by` columns over the days (the filter's range
        unless given), stored and live rows together."""
        wanted = sorted(set(days if days is not None else self.days))
        if not wanted:
            return []
        day_col = getattr(model, day_column)
        query = (
            select(
                *(getattr(model, c) for c in by), *(func.sum(getattr(model, m)) for m in measures)
            )
            .where(day_col >= wanted[0], day_col <= wanted[-1])
            .group_by(*(getattr(model, c) for c in by))
        )
        if len(wanted) != (wanted[-1] - wanted[0]).days + 1:
            query = query.where(day_col.in_(wanted))
        for condition in self._conditions(model, filtered):
            query = query.where(condition)
        totals: dict[tuple[Any, ...], Row] = {}
        for stored in self.session.execute(query):
            key = tuple(stored[: len(by)])
            totals[key] = dict(zip(by, key, strict=True)) | {
                m: stored[len(by) + i] or 0 for i, m in enumerate(measures)
            }
        for day in self._live_days_for(set(wanted), day_column):
            for row in self._live_rows(
                compute, day, frozenset(measures), self._by_account(by, model, filtered)
            ):
                if not self._matches(row, model, filtered):
                    continue
                key = tuple(row[c] for c in by)
                total = totals.setdefault(
                    key, dict(zip(by, key, strict=True)) | dict.fromkeys(measures, 0)
                )
                for m in measures:
                    total[m] += row[m]
        return list(totals.values())

    def _live_days_for(self, wanted: set[date], day_column: str) -> list[date]:
        if day_column == "day":
            return [day for day in self.live_days if day in wanted]
        # Monthly rows (roll rates) are computed on the month's last day.
        return [day for day in self.live_days if is_month_end(day) and month_start(day) in wanted]

    def _by_account(self, by: tuple[str, ...], model: Any, filtered: tuple[str, ...]) -> bool:
        """Whether the rows must carry the account dimensions: grouped or filtered by one."""
        used = set(by) | {column for _, column in self._filter_columns(model, filtered)}
        return bool(used & daily.ACCOUNT_DIMS)

    def _live_rows(
        self, compute: Compute, day: date, measures: frozenset[str], by_account: bool
    ) -> list[Row]:
        if compute in SNAPSHOT_COMPUTES and day in self.snapshot_days:
            return []  # stored: the query over the summary table has it already
        # Today's contact and agent figures run only the queries giving the measures asked for
        # (the compliance report needs the opt-outs, not the promises falling due); contact
        # rows are joined to the accounts only when grouped or filtered by an account
        # dimension; the other computations give every measure at once. Only the creditors
        # reported on are read: a creditor's page never computes the other creditors' day.
        clients = self.filter.client_ids
        if compute is daily.contact_rows:
            key: tuple[Compute, date, frozenset[str], bool] = (compute, day, measures, by_account)
            if key not in self._live:
                self._live[key] = daily.contact_rows(
                    self.session, day, measures, by_account=by_account, client_ids=clients
                )
        elif compute is daily.agent_rows:
            key = (compute, day, measures, True)
            if key not in self._live:
                self._live[key] = daily.agent_rows(self.session, day, measures, client_ids=clients)
        else:
            key = (compute, day, frozenset(), True)
            if key not in self._live:
                self._live[key] = compute(self.session, day, client_ids=clients)
        return self._live[key]

    def _conditions(self, model: Any, filtered: tuple[str, ...]) -> list[Any]:
        conditions = []
        if hasattr(model, "client_id"):
            conditions.append(model.client_id.in_(sorted(self.filter.client_ids)))
        for field, column in self._filter_columns(model, filtered):
            conditions.append(getattr(model, column) == getattr(self.filter, field))
        return conditions

    def _matches(self, row: Row, model: Any, filtered: tuple[str, ...]) -> bool:
        if "client_id" in row and row["client_id"] not in self.filter.client_ids:
            return False
        return all(
            row[column] == getattr(self.filter, field)
            for field, column in self._filter_columns(model, filtered)
        )

    def _filter_columns(self, model: Any, filtered: tuple[str, ...]) -> list[tuple[str, str]]:
        pairs = []
        for field in filtered:
            if getattr(self.filter, field) is None:
                continue
            column = next((c for c in FILTER_COLUMNS[field] if hasattr(model, c)), None)
            if column is not None:
                pairs.append((field, column))
        return pairs


def ratio(numerator: Any, denominator: Any) -> float | None:
    """numerator / denominator as a fraction (0.25 is 25%), None when nothing to divide by."""
    if not denominator:
        return None
    return float(Decimal(numerator) / Decimal(denominator))


def money(value: Any) -> Decimal:
    """An amount as a Decimal with cents."""
    return Decimal(value or 0).quantize(Decimal("0.01"))
