"""The day's evidence that the rules were applied: contacts refused per rule
(report_refusal_days) and how many debtors got 1, 2, 3... attempts (report_debtor_contact_days)."""

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.models import Account, Attempt, ContactRefusal
from campaigns.reports.daily.merged import NOT_PLACED, Row, of_clients
from campaigns.reports.days import const, day_bounds


def refusal_rows(
    session: Session, day: date, *, client_ids: Collection[int] | None = None
) -> list[Row]:
    """Contacts the compliance check refused in the day, per rule (of `client_ids` only, when
    given)."""
    bounds = day_bounds(day)
    dims = (
        ContactRefusal.client_id,
        Account.portfolio_id,
        ContactRefusal.campaign_id,
        func.coalesce(ContactRefusal.channel, const("")),
        ContactRefusal.rule,
    )
    rows = session.execute(
        select(*dims, func.count(ContactRefusal.id))
        .join(Account, Account.id == ContactRefusal.account_id)
        .where(
            ContactRefusal.checked_at >= bounds.start,
            ContactRefusal.checked_at < bounds.end,
            *of_clients(ContactRefusal.client_id, client_ids),
        )
        .group_by(*dims)
    )
    names = ("client_id", "portfolio_id", "campaign_id", "channel", "rule", "refusals")
    return [{"day": day, **dict(zip(names, row, strict=True))} for row in rows]


def debtor_contact_rows(
    session: Session, day: date, *, client_ids: Collection[int] | None = None
) -> list[Row]:
    """How many debtors got 1, 2, 3... placed attempts on each channel in the day (of
    `client_ids` only, when given)."""
    bounds = day_bounds(day)
    per_debtor = (
        select(
            Attempt.client_id,
            Attempt.channel,
            Account.debtor_id,
            func.count(Attempt.id).label("contacts"),
        )
        .join(Account, Account.id == Attempt.account_id)
        .where(
            Attempt.created_at >= bounds.start,
            Attempt.created_at < bounds.end,
            Attempt.status.not_in(NOT_PLACED),
            *of_clients(Attempt.client_id, client_ids),
        )
        .group_by(Attempt.client_id, Attempt.channel, Account.debtor_id)
        .subquery()
    )
    rows = session.execute(
        select(
            per_debtor.c.client_id,
            per_debtor.c.channel,
            per_debtor.c.contacts,
            func.count(),
        ).group_by(per_debtor.c.client_id, per_debtor.c.channel, per_debtor.c.contacts)
    )
    names = ("client_id", "channel", "contacts", "debtors")
    return [{"day": day, **dict(zip(names, row, strict=True))} for row in rows]
