"""The contact check against the database: load the facts, decide, record a refusal."""

from datetime import date, datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from campaigns.compliance.check import (
    AccountFacts,
    ContactContext,
    Decision,
    PointFacts,
    Purpose,
    check_contact,
)
from campaigns.compliance.history import contact_history, history_since, record_refusal
from campaigns.compliance.overrides import effective_profile
from campaigns.compliance.preferences import load_preference
from campaigns.compliance.windows import local_dates
from campaigns.debtor_zones import debtor_zones
from campaigns.errors import NotFound
from campaigns.i18n import _
from campaigns.models import (
    Account,
    Channel,
    ChannelPermission,
    Client,
    ContactKind,
    ContactPoint,
    Dispute,
    DisputeStatus,
    DoNotContact,
    LineType,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)


class AccountNotFound(NotFound):
    """No account with that id."""


def check_account_contact(
    session: Session,
    *,
    account_id: int,
    channel: Channel,
    contact_point_id: int | None,
    now: datetime,
    context: str,
    campaign_id: int | None = None,
    purpose: Purpose = Purpose.COLLECTION,
    sending: int | None = None,
    record: bool = True,
) -> Decision:
    """Whether this account may be contacted now on this channel and point; refusals are stored.

    The debtor's stored candidate zones are read here, so every caller checks all of them.
    `sending` is the id of the attempt about to go out when the check runs at the moment of
    sending (its own row does not count towards the caps). With `record=False` nothing is
    written (a read-only look before the check that records).
    """
    account = session.get(Account, account_id)
    if account is None:
        raise AccountNotFound(_("No account with id {id}."), id=account_id)
    debtor = account.debtor
    client = session.get(Client, account.client_id)
    if client is None:
        raise AccountNotFound(_("No account with id {id}."), id=account_id)
    profile = effective_profile(client)
    zones = debtor_zones(debtor)
    today, _latest = local_dates(now, zones)
    point = session.get(ContactPoint, contact_point_id) if contact_point_id else None
    if point is not None and point.debtor_id != debtor.id:
        point = None
    ctx = ContactContext(
        profile=profile,
        timezone=debtor.timezone,
        zones=zones,
        country=debtor.country,
        now=now,
        channel=Channel(channel),
        account=AccountFacts(
            status=account.status,
            balance=account.balance,
            due_date=account.due_date,
            open_dispute=_open_dispute(session, account.id),
            promise_in_force=_promise_in_force(session, account.id, today),
        ),
        point=_point_facts(session, point, Channel(channel)) if point else None,
        history=contact_history(
            session,
            debtor_id=debtor.id,
            since=history_since(profile, now, zones),
            sending=sending,
        ),
        do_not_contact=_on_do_not_contact(session, client.id, debtor.id, point),
        purpose=purpose,
        preference=load_preference(session, debtor.id),
    )
    decision = check_contact(ctx)
    if not decision.allowed and record:
        record_refusal(
            session,
            account=account,
            campaign_id=campaign_id,
            channel=Channel(channel),
            decision=decision,
            context=context,
            at=now,
        )
    return decision


def _open_dispute(session: Session, account_id: int) -> bool:
    query = select(Dispute.id).where(
        Dispute.account_id == account_id, Dispute.status == DisputeStatus.OPEN
    )
    return bool(session.scalar(select(exists(query))))


def _promise_in_force(session: Session, account_id: int, today: date) -> bool:
    promise = select(PromiseToPay.id).where(
        PromiseToPay.account_id == account_id,
        PromiseToPay.status == PromiseStatus.PENDING,
        PromiseToPay.due_date >= today,
    )
    plan = select(PaymentPlan.id).where(
        PaymentPlan.account_id == account_id, PaymentPlan.status == PlanStatus.ACTIVE
    )
    return bool(session.scalar(select(or_(exists(promise), exists(plan)))))


def _on_do_not_contact(
    session: Session, client_id: int, debtor_id: int, point: ContactPoint | None
) -> bool:
    matches = [DoNotContact.debtor_id == debtor_id]
    if point is not None:
        matches.append(DoNotContact.value == point.value)
    query = select(DoNotContact.id).where(
        or_(DoNotContact.client_id.is_(None), DoNotContact.client_id == client_id), or_(*matches)
    )
    return bool(session.scalar(select(exists(query))))


def can_receive(point: ContactPoint, channel: Channel) -> bool:
    """Whether the contact point's kind and line type can carry the channel."""
    if channel == Channel.EMAIL:
        return point.kind == ContactKind.EMAIL
    if point.kind != ContactKind.PHONE:
        return False
    return channel == Channel.VOICE or point.line_type != LineType.FIXED_LINE


def _point_facts(session: Session, point: ContactPoint, channel: Channel) -> PointFacts:
    permission = session.scalar(
        select(ChannelPermission).where(
            ChannelPermission.contact_point_id == point.id, ChannelPermission.channel == channel
        )
    )
    opted_out = False
    consented = False
    if permission is not None:
        out, opt_in = permission.opted_out_at, permission.opted_in_at
        opted_out = out is not None and (opt_in is None or out >= opt_in)
        consented = opt_in is not None and not opted_out
    return PointFacts(
        invalid=point.invalid,
        opted_out=opted_out,
        consented=consented,
        can_receive=can_receive(point, channel),
    )
