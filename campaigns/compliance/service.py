"""The contact check against the database: load the facts, decide, record a refusal.

The facts come from two queries whatever the caller: one row with the account, debtor, creditor,
contact point, its permission for the channel, the debtor's preference and the yes/no facts
(dispute, agreements, do-not-contact), then the debtor's contact history since the earliest moment
a cap of the creditor's profile looks back to.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, bindparam, exists, func, or_, select
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
from campaigns.compliance.preferences import Preference
from campaigns.compliance.windows import local_dates
from campaigns.debtor_zones import debtor_zones
from campaigns.errors import NotFound
from campaigns.i18n import _
from campaigns.models import (
    Account,
    Attempt,
    Channel,
    ChannelPermission,
    Client,
    ContactKind,
    ContactPoint,
    ContactPreference,
    Debtor,
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


@dataclass(frozen=True)
class LoadedContact:
    """The facts of one contact and what recording a refusal needs."""

    context: ContactContext
    account_id: int
    client_id: int
    # The status of the attempt about to go out (`sending`), when one was named.
    sending_status: str | None

    @property
    def id(self) -> int:
        """The account's id (what `record_refusal` reads)."""
        return self.account_id


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
    loaded = load_contact(
        session,
        account_id=account_id,
        channel=channel,
        contact_point_id=contact_point_id,
        now=now,
        purpose=purpose,
        sending=sending,
    )
    if loaded is None:
        raise AccountNotFound(_("No account with id {id}."), id=account_id)
    decision = check_contact(loaded.context)
    if not decision.allowed and record:
        record_refusal(
            session,
            account=loaded,
            campaign_id=campaign_id,
            channel=Channel(channel),
            decision=decision,
            context=context,
            at=now,
        )
    return decision


def load_contact(
    db: Session | Connection,
    *,
    account_id: int,
    channel: Channel,
    contact_point_id: int | None,
    now: datetime,
    purpose: Purpose = Purpose.COLLECTION,
    sending: int | None = None,
) -> LoadedContact | None:
    """Every fact the check needs, in two queries (None when the account is gone)."""
    channel = Channel(channel)
    params = {
        "account_id": account_id,
        "channel": channel,
        "contact_point_id": contact_point_id,
        "sending": sending,
    }
    row = db.execute(FACTS, params).first()
    if row is None:
        return None
    profile = effective_profile(row)
    zones = debtor_zones(row)
    today, _latest = local_dates(now, zones)
    promise_in_force = row.active_plan or (
        row.latest_promise_due is not None and row.latest_promise_due >= today
    )
    context = ContactContext(
        profile=profile,
        timezone=row.timezone,
        zones=zones,
        country=row.country,
        now=now,
        channel=channel,
        account=AccountFacts(
            status=row.status,
            balance=row.balance,
            due_date=row.due_date,
            open_dispute=bool(row.open_dispute),
            promise_in_force=bool(promise_in_force),
        ),
        point=_point_facts(row, channel) if row.point_id is not None else None,
        history=contact_history(
            db,
            debtor_id=row.debtor_id,
            since=history_since(profile, now, zones),
            sending=sending,
        ),
        do_not_contact=bool(row.do_not_contact),
        purpose=purpose,
        preference=Preference.of(row) if row.preference_id is not None else None,
    )
    return LoadedContact(context, row.account_id, row.client_id, row.sending_status)


def _facts_query() -> Select[*tuple[Any, ...]]:
    """One row: the account, its debtor and creditor, the point (only the debtor's own), its
    permission for the channel, the debtor's preference, the yes/no facts and the status of the
    attempt being sent (parameters: account_id, channel, contact_point_id, sending)."""
    dispute = select(Dispute.id).where(
        Dispute.account_id == Account.id, Dispute.status == DisputeStatus.OPEN
    )
    latest_promise_due = (
        select(func.max(PromiseToPay.due_date))
        .where(PromiseToPay.account_id == Account.id, PromiseToPay.status == PromiseStatus.PENDING)
        .scalar_subquery()
    )
    plan = select(PaymentPlan.id).where(
        PaymentPlan.account_id == Account.id, PaymentPlan.status == PlanStatus.ACTIVE
    )
    listed = select(DoNotContact.id).where(
        or_(DoNotContact.client_id.is_(None), DoNotContact.client_id == Account.client_id),
        or_(DoNotContact.debtor_id == Debtor.id, DoNotContact.value == ContactPoint.value),
    )
    sending_status = select(Attempt.status).where(Attempt.id == bindparam("sending"))
    return (
        select(
            Account.id.label("account_id"),
            Account.client_id,
            Account.status,
            Account.balance,
            Account.due_date,
            Debtor.id.label("debtor_id"),
            Debtor.timezone,
            Debtor.timezones,
            Debtor.country,
            Client.compliance_profile,
            Client.compliance_overrides,
            ContactPoint.id.label("point_id"),
            ContactPoint.kind,
            ContactPoint.line_type,
            ContactPoint.invalid,
            ChannelPermission.opted_in_at,
            ChannelPermission.opted_out_at,
            ContactPreference.id.label("preference_id"),
            ContactPreference.accepts_voice,
            ContactPreference.accepts_sms,
            ContactPreference.accepts_whatsapp,
            ContactPreference.earliest_minute,
            ContactPreference.latest_minute,
            exists(dispute).label("open_dispute"),
            latest_promise_due.label("latest_promise_due"),
            exists(plan).label("active_plan"),
            exists(listed).label("do_not_contact"),
            sending_status.scalar_subquery().label("sending_status"),
        )
        .join(Debtor, Debtor.id == Account.debtor_id)
        .join(Client, Client.id == Account.client_id)
        .outerjoin(
            ContactPoint,
            and_(
                ContactPoint.id == bindparam("contact_point_id"),
                ContactPoint.debtor_id == Debtor.id,
            ),
        )
        .outerjoin(
            ChannelPermission,
            and_(
                ChannelPermission.contact_point_id == ContactPoint.id,
                ChannelPermission.channel == bindparam("channel"),
            ),
        )
        .outerjoin(ContactPreference, ContactPreference.debtor_id == Debtor.id)
        .where(Account.id == bindparam("account_id"))
    )


FACTS = _facts_query()


def can_receive(point: ContactPoint, channel: Channel) -> bool:
    """Whether the contact point's kind and line type can carry the channel."""
    return _can_receive(point.kind, point.line_type, channel)


def _can_receive(kind: str, line_type: str | None, channel: Channel) -> bool:
    if channel == Channel.EMAIL:
        return kind == ContactKind.EMAIL
    if kind != ContactKind.PHONE:
        return False
    return channel == Channel.VOICE or line_type != LineType.FIXED_LINE


def _point_facts(row: Row[Any], channel: Channel) -> PointFacts:
    out, opt_in = row.opted_out_at, row.opted_in_at
    opted_out = out is not None and (opt_in is None or out >= opt_in)
    consented = opt_in is not None and not opted_out
    return PointFacts(
        invalid=row.invalid,
        opted_out=opted_out,
        consented=consented,
        can_receive=_can_receive(row.kind, row.line_type, channel),
    )
