"""Everything known about one account, gathered once for its page and its evidence pack."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from campaigns.compliance.windows import local_time
from campaigns.debtor_zones import debtor_zones
from campaigns.errors import NotFound
from campaigns.i18n import _
from campaigns.models import (
    Account,
    AgingBucket,
    Attempt,
    AuditEvent,
    Callback,
    Campaign,
    Channel,
    ChannelPermission,
    Client,
    ContactPoint,
    ContactRefusal,
    Debtor,
    Dispute,
    DoNotContact,
    Payment,
    PaymentPlan,
    PromiseToPay,
)
from campaigns.timeline import TimelineEntry, account_timeline

TIMELINE_LIMIT = 500


class AccountMissing(NotFound):
    """No account with that id among the creditors the reader works."""


@dataclass(frozen=True)
class ChannelState:
    """Consent and opt-out of one channel of a contact point."""

    channel: Channel
    opted_in_at: datetime | None
    opt_in_source: str | None
    opted_out_at: datetime | None
    opt_out_source: str | None


@dataclass(frozen=True)
class PointFile:
    """A phone or e-mail of the debtor, with its state on each channel."""

    point: ContactPoint
    channels: tuple[ChannelState, ...]
    do_not_contact: bool


@dataclass(frozen=True)
class AccountFile:
    """One account, its debtor and creditor, and its whole history."""

    account: Account
    debtor: Debtor
    client: Client
    zones: tuple[str, ...]
    days_overdue: int
    aging: AgingBucket
    points: tuple[PointFile, ...]
    debtor_do_not_contact: tuple[DoNotContact, ...]
    timeline: tuple[TimelineEntry, ...]
    promises: tuple[PromiseToPay, ...]
    plans: tuple[PaymentPlan, ...]
    disputes: tuple[Dispute, ...]
    callbacks: tuple[Callback, ...]
    payments: tuple[Payment, ...]
    refusals: tuple[ContactRefusal, ...]
    campaign_names: dict[int, str]


def load_account(session: Session, account_id: int) -> Account:
    """The account, if the session's reader may see it (404 otherwise, whoever owns it)."""
    account = session.scalar(select(Account).where(Account.id == account_id))
    if account is None:
        raise AccountMissing(_("No account with id {id}."), id=account_id)
    return account


def account_file(session: Session, *, account_id: int, now: datetime) -> AccountFile:
    """The account's page: identity, balance, aging, contact points, timeline and agreements."""
    account = load_account(session, account_id)
    debtor = session.get_one(Debtor, account.debtor_id)
    client = session.get_one(Client, account.client_id)
    zones = debtor_zones(debtor)
    today = local_time(now, zones[0]).date()
    listed = session.scalars(
        select(DoNotContact).where(
            or_(DoNotContact.client_id.is_(None), DoNotContact.client_id == client.id),
            or_(
                DoNotContact.debtor_id == debtor.id,
                DoNotContact.value.in_([p.value for p in debtor.contact_points]),
            ),
        )
    ).all()
    refusals = tuple(
        session.scalars(
            select(ContactRefusal)
            .where(ContactRefusal.account_id == account.id)
            .order_by(ContactRefusal.checked_at.desc(), ContactRefusal.id.desc())
        )
    )
    timeline = account_timeline(session, account_id=account.id, limit=TIMELINE_LIMIT)
    campaign_ids = {r.campaign_id for r in refusals if r.campaign_id} | set(
        session.scalars(
            select(Attempt.campaign_id).where(
                Attempt.account_id == account.id, Attempt.campaign_id.is_not(None)
            )
        )
    )
    names = {
        cid: name
        for cid, name in session.execute(
            select(Campaign.id, Campaign.name).where(Campaign.id.in_(campaign_ids))
        )
    }
    refusal_entries = [
        TimelineEntry(
            r.checked_at,
            "refusal",
            str(r.channel) if r.channel else None,
            {"rule": r.rule, "campaign": names.get(r.campaign_id or 0), "context": r.context},
            zones,
        )
        for r in refusals
    ]
    action_entries = [
        TimelineEntry(
            e.created_at, "action", None, {"action": e.action, "actor": e.actor_label}, zones
        )
        for e in session.scalars(select(AuditEvent).where(AuditEvent.account_id == account.id))
    ]
    merged = sorted(
        [*timeline, *refusal_entries, *action_entries], key=lambda e: e.at, reverse=True
    )
    return AccountFile(
        account=account,
        debtor=debtor,
        client=client,
        zones=zones,
        days_overdue=account.days_overdue(today),
        aging=account.aging_bucket(today),
        points=tuple(_point_file(session, point, listed) for point in debtor.contact_points),
        debtor_do_not_contact=tuple(d for d in listed if d.debtor_id == debtor.id),
        timeline=tuple(merged[:TIMELINE_LIMIT]),
        promises=_rows(session, PromiseToPay, account.id),
        plans=_rows(session, PaymentPlan, account.id),
        disputes=_rows(session, Dispute, account.id),
        callbacks=_rows(session, Callback, account.id),
        payments=tuple(
            session.scalars(
                select(Payment)
                .where(Payment.account_id == account.id)
                .order_by(Payment.paid_on.desc(), Payment.id.desc())
            )
        ),
        refusals=refusals,
        campaign_names=names,
    )


def _rows(session: Session, model: Any, account_id: int) -> tuple[Any, ...]:
    return tuple(
        session.scalars(
            select(model)
            .where(model.account_id == account_id)
            .order_by(model.created_at.desc(), model.id.desc())
        )
    )


def _point_file(session: Session, point: ContactPoint, listed: Any) -> PointFile:
    permissions = session.scalars(
        select(ChannelPermission)
        .where(ChannelPermission.contact_point_id == point.id)
        .order_by(ChannelPermission.channel)
    ).all()
    return PointFile(
        point=point,
        channels=tuple(
            ChannelState(
                channel=Channel(p.channel),
                opted_in_at=p.opted_in_at,
                opt_in_source=p.opt_in_source,
                opted_out_at=p.opted_out_at,
                opt_out_source=p.opt_out_source,
            )
            for p in permissions
        ),
        do_not_contact=any(d.value == point.value for d in listed),
    )
