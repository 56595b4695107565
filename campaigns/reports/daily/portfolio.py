"""The portfolio at the end of a day: accounts, balance and payments per aging bucket
(report_portfolio_days), and on a month's last day the month's roll rates (report_roll_months)."""

from collections.abc import Collection
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from campaigns.models import Account, AccountStatus, Debtor, Payment
from campaigns.reports.daily.merged import Merged, Row, of_clients
from campaigns.reports.days import PAID, bucket_on, const, day_bounds, is_month_end, month_start

PORTFOLIO_DIMS = ("client_id", "portfolio_id", "product", "region", "aging_bucket")
PORTFOLIO_MEASURES = ("accounts", "balance", "assigned", "collected", "escalated")


def _balance_on(day: date) -> Any:
    """Each account's payments after `day` (added back to today's balance gives the balance at
    the end of `day`)."""
    return (
        select(Payment.account_id, func.sum(Payment.amount).label("later"))
        .where(Payment.paid_on > day)
        .group_by(Payment.account_id)
        .subquery()
    )


def portfolio_rows(
    session: Session, day: date, *, client_ids: Collection[int] | None = None
) -> list[Row]:
    """The portfolio at the end of the day: accounts and balance per aging bucket, the amount
    assigned so far, escalated accounts and the day's payments (of `client_ids` only, when
    given)."""
    end = day_bounds(day).end
    later = _balance_on(day)
    balance = Account.balance + func.coalesce(later.c.later, 0)
    bucket = case((balance <= 0, const(PAID)), else_=bucket_on(day, Account.due_date))
    dims = [
        Account.client_id,
        Account.portfolio_id,
        func.coalesce(Account.product, const("")).label("product"),
        func.coalesce(Debtor.region, const("")).label("region"),
        bucket.label("aging_bucket"),
    ]
    escalated = and_(Account.status == AccountStatus.ESCALATED, Account.status_changed_at < end)
    merged = Merged(PORTFOLIO_DIMS, PORTFOLIO_MEASURES)
    rows = session.execute(
        select(
            *dims,
            func.count(Account.id),
            func.sum(balance),
            func.sum(Account.original_balance),
            func.sum(case((escalated, 1), else_=0)),
        )
        .join(Debtor, Debtor.id == Account.debtor_id)
        .outerjoin(later, later.c.account_id == Account.id)
        .where(Account.created_at < end, *of_clients(Account.client_id, client_ids))
        .group_by(*dims)
    )
    for row in rows:
        values = list(row)
        key = dict(zip(PORTFOLIO_DIMS, values[:5], strict=True))
        merged.add(
            key, accounts=values[5], balance=values[6], assigned=values[7], escalated=values[8]
        )
    collected = session.execute(
        select(*dims, func.sum(Payment.amount))
        .join(Account, Account.id == Payment.account_id)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .outerjoin(later, later.c.account_id == Account.id)
        .where(Payment.paid_on == day, *of_clients(Payment.client_id, client_ids))
        .group_by(*dims)
    )
    for row in collected:
        values = list(row)
        merged.add(dict(zip(PORTFOLIO_DIMS, values[:5], strict=True)), collected=values[5])
    return merged.result(day)


def roll_rows(
    session: Session, month_end: date, *, client_ids: Collection[int] | None = None
) -> list[Row]:
    """Balance per bucket at the previous month's end and the bucket the same accounts are in at
    `month_end` (the month's last day), of `client_ids` only when given."""
    previous_end = month_start(month_end) - timedelta(days=1)
    before, after = _balance_on(previous_end), _balance_on(month_end)
    balance_before = Account.balance + func.coalesce(before.c.later, 0)
    balance_after = Account.balance + func.coalesce(after.c.later, 0)
    from_bucket = case(
        (balance_before <= 0, const(PAID)), else_=bucket_on(previous_end, Account.due_date)
    )
    to_bucket = case(
        (balance_after <= 0, const(PAID)), else_=bucket_on(month_end, Account.due_date)
    )
    dims = [
        Account.client_id,
        Account.portfolio_id,
        func.coalesce(Account.product, const("")),
        func.coalesce(Debtor.region, const("")),
        from_bucket,
        to_bucket,
    ]
    rows = session.execute(
        select(*dims, func.count(Account.id), func.sum(balance_before))
        .join(Debtor, Debtor.id == Account.debtor_id)
        .outerjoin(before, before.c.account_id == Account.id)
        .outerjoin(after, after.c.account_id == Account.id)
        .where(
            Account.created_at < day_bounds(previous_end).end,
            *of_clients(Account.client_id, client_ids),
        )
        .group_by(*dims)
    )
    names = ("client_id", "portfolio_id", "product", "region", "from_bucket", "to_bucket")
    return [
        {
            "month": month_start(month_end),
            **dict(zip(names, row[:6], strict=True)),
            "accounts": row[6],
            "balance": row[7] or Decimal("0"),
        }
        for row in rows
    ]


def month_end_roll_rows(
    session: Session, day: date, *, client_ids: Collection[int] | None = None
) -> list[Row]:
    """The roll rates of the month ending on `day` (nothing on other days), of `client_ids`
    only when given."""
    return roll_rows(session, day, client_ids=client_ids) if is_month_end(day) else []
