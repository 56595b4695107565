"""What the database already holds for a batch's references: accounts, debtors, contact points
and WhatsApp consents, each read in one set-based lookup (see `bulk.rows_matching`)."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import QueryableAttribute, Session

from campaigns.models import Account, Channel, ChannelPermission, ContactKind, ContactPoint, Debtor
from campaigns.portfolio_import.writing.bulk import rows_matching
from campaigns.portfolio_import.writing.plans import DebtorPlan, PointPlan


def existing_accounts(session: Session, client_id: int, refs: list[str]) -> dict[str, Any]:
    """The creditor's accounts among `refs`, by account ref."""
    query = select(
        Account.id,
        Account.account_ref,
        Account.debtor_id,
        Account.product,
        Account.balance,
        Account.currency,
        Account.due_date,
        Account.status,
    ).where(Account.client_id == client_id)
    return {a.account_ref: a for a in rows_matching(session, query, Account.account_ref, refs)}


def existing_debtors(
    session: Session, client_id: int, values: list[Any], *, by_id: bool, refreshed: set[int]
) -> list[DebtorPlan]:
    """The creditor's debtors whose id (or national id) is among `values`, as plans.

    A debtor in `refreshed` was already refreshed by an earlier batch of the same file.
    """
    query = select(
        Debtor.id,
        Debtor.name,
        Debtor.national_id,
        Debtor.region,
        Debtor.stated_timezone,
        Debtor.timezone,
        Debtor.timezones,
    ).where(Debtor.client_id == client_id)
    column: QueryableAttribute[Any] = Debtor.id if by_id else Debtor.national_id
    plans: list[DebtorPlan] = []
    for d in rows_matching(session, query, column, values):
        plan = DebtorPlan(d.id, d.name, d.national_id, d.region, d.stated_timezone)
        plan.timezone, plan.timezones = d.timezone, d.timezones
        plan.refreshed = d.id in refreshed
        plans.append(plan)
    return plans


def load_points(session: Session, debtors: list[DebtorPlan]) -> None:
    """Add each stored debtor's contact points and WhatsApp consents to its plan."""
    by_id = {d.id: d for d in debtors if d.id is not None}
    point_owner: dict[int, PointPlan] = {}
    query = select(
        ContactPoint.id,
        ContactPoint.debtor_id,
        ContactPoint.kind,
        ContactPoint.value,
        ContactPoint.priority,
        ContactPoint.invalid,
    )
    found = list(rows_matching(session, query, ContactPoint.debtor_id, sorted(by_id)))
    for p in sorted(found, key=lambda p: (p.priority, p.id)):
        debtor = by_id[p.debtor_id]
        if p.kind == ContactKind.PHONE and not p.invalid:
            debtor.phones.append(p.value)
        plan = PointPlan(p.id)
        debtor.points[(p.kind, p.value)] = plan
        debtor.next_priority = max(debtor.next_priority, p.priority + 1)
        point_owner[p.id] = plan
    permissions = select(
        ChannelPermission.id,
        ChannelPermission.contact_point_id,
        ChannelPermission.opted_in_at,
        ChannelPermission.opted_out_at,
    ).where(ChannelPermission.channel == Channel.WHATSAPP)
    column = ChannelPermission.contact_point_id
    for perm in rows_matching(session, permissions, column, sorted(point_owner)):
        plan = point_owner[perm.contact_point_id]
        plan.whatsapp_permission_id = perm.id
        plan.whatsapp = (
            "opted_out" if perm.opted_out_at else "opted_in" if perm.opted_in_at else "pending"
        )
