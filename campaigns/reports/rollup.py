"""The rollup: a closed operating day's figures computed once into the summary tables.

Idempotent: a day is deleted and inserted again as a whole, so running it twice leaves the same
rows, and any range can be rebuilt (late payments or outcomes change past days). The nightly run
re-rolls the last `NIGHTLY_DAYS` closed days; today is never rolled up (reports compute it live).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from campaigns.errors import Invalid
from campaigns.i18n import _
from campaigns.models import (
    ReportAgentDay,
    ReportAgentStateDay,
    ReportContactDay,
    ReportDebtorContactDay,
    ReportPortfolioDay,
    ReportProvisionalDay,
    ReportRefusalDay,
    ReportRolledDay,
    ReportRollMonth,
)
from campaigns.operating_day import operating_day
from campaigns.reports import daily
from campaigns.reports.days import days_between, is_month_end, month_start

NIGHTLY_DAYS = 7

DAY_TABLES: tuple[tuple[Any, Any], ...] = (
    (ReportContactDay, daily.contact_rows),
    (ReportAgentDay, daily.agent_rows),
    (ReportAgentStateDay, daily.agent_state_rows),
    (ReportPortfolioDay, daily.portfolio_rows),
    (ReportRefusalDay, daily.refusal_rows),
    (ReportDebtorContactDay, daily.debtor_contact_rows),
)


class OpenDayRollup(Invalid):
    """Only closed days are rolled up: today is still changing."""


@dataclass(frozen=True)
class RollupSummary:
    """What a rollup did: the days rolled up and the rows written."""

    days: int
    rows: int

    def as_json(self) -> dict[str, int]:
        return {"days": self.days, "rows": self.rows}


def rollup(session: Session, *, date_from: date, date_to: date, now: datetime) -> RollupSummary:
    """Compute the figures of every closed operating day from `date_from` to `date_to`."""
    today = operating_day(now).date
    if date_to >= today:
        raise OpenDayRollup(
            _("Only days before today ({today}) can be rolled up; pick an earlier end date."),
            today=today.isoformat(),
        )
    if date_from > date_to:
        raise Invalid(_("The start date must not be after the end date."))
    rows = 0
    for day in days_between(date_from, date_to):
        rows += rollup_day(session, day=day, now=now)
    return RollupSummary(days=(date_to - date_from).days + 1, rows=rows)


def rollup_day(session: Session, *, day: date, now: datetime) -> int:
    """Replace one day's rows in every summary table (and its month's roll rates on a month's
    last day); the number of rows written."""
    written = 0
    for model, compute in DAY_TABLES:
        session.execute(delete(model).where(model.day == day))
        rows = compute(session, day)
        if rows:
            session.execute(insert(model), rows)
        written += len(rows)
    if is_month_end(day):
        session.execute(delete(ReportRollMonth).where(ReportRollMonth.month == month_start(day)))
        rows = daily.roll_rows(session, day)
        if rows:
            session.execute(insert(ReportRollMonth), rows)
        written += len(rows)
    session.execute(delete(ReportProvisionalDay).where(ReportProvisionalDay.day == day))
    marker = session.get(ReportRolledDay, day)
    if marker is None:
        session.add(ReportRolledDay(day=day, rolled_up_at=now))
    else:
        marker.rolled_up_at = now
    session.flush()
    return written


def snapshot_today(session: Session, *, now: datetime) -> int:
    """Store today's portfolio snapshot (and its month's roll rates on a month's last day) ahead
    of the close: scanning every account is what a report cannot afford live on a large
    portfolio. Reports read it instead of computing the day's portfolio; the day's other figures
    stay live. The rows written."""
    day = operating_day(now).date
    written = 0
    session.execute(delete(ReportPortfolioDay).where(ReportPortfolioDay.day == day))
    rows = daily.portfolio_rows(session, day)
    if rows:
        session.execute(insert(ReportPortfolioDay), rows)
    written += len(rows)
    if is_month_end(day):
        session.execute(delete(ReportRollMonth).where(ReportRollMonth.month == month_start(day)))
        rows = daily.roll_rows(session, day)
        if rows:
            session.execute(insert(ReportRollMonth), rows)
        written += len(rows)
    marker = session.get(ReportProvisionalDay, day)
    if marker is None:
        session.add(ReportProvisionalDay(day=day, computed_at=now))
    else:
        marker.computed_at = now
    session.flush()
    return written


def provisional_days(session: Session, *, date_from: date, date_to: date) -> set[date]:
    """The open days of a range whose portfolio snapshot is stored ahead of the close."""
    return set(
        session.scalars(
            select(ReportProvisionalDay.day).where(
                ReportProvisionalDay.day >= date_from, ReportProvisionalDay.day <= date_to
            )
        )
    )


# What `snapshot_today` stores: reports do not compute these for a day it stored.
SNAPSHOT_COMPUTES = (daily.portfolio_rows, daily.month_end_roll_rows)


def nightly_rollup(session: Session, *, now: datetime) -> RollupSummary:
    """Roll up the last NIGHTLY_DAYS closed days (late payments and verdicts land in them)."""
    yesterday = operating_day(now).date - timedelta(days=1)
    return rollup(
        session, date_from=yesterday - timedelta(days=NIGHTLY_DAYS - 1), date_to=yesterday, now=now
    )


def rolled_days(session: Session, *, date_from: date, date_to: date) -> set[date]:
    """The days of a range whose figures are in the summary tables."""
    return set(
        session.scalars(
            select(ReportRolledDay.day).where(
                ReportRolledDay.day >= date_from, ReportRolledDay.day <= date_to
            )
        )
    )
