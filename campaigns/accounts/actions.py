"""What a manager or supervisor does on an account page; every action is audited.

Each function takes the acting user's id and label, and `now`; none commits.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.accounts.account_file import AccountMissing, load_account
from campaigns.agreements.contact import cancel_pending_contact, set_status
from campaigns.agreements.notes import check_notes
from campaigns.audit import record
from campaigns.compliance import check_account_contact
from campaigns.contact_points import mark_invalid
from campaigns.debtor_zones import refresh_debtor_zones
from campaigns.errors import Conflict, Invalid, NotFound
from campaigns.i18n import _
from campaigns.models import (
    Account,
    AccountStatus,
    Callback,
    Channel,
    ContactKind,
    ContactPoint,
    Debtor,
    Dispute,
    DisputeStatus,
    DoNotContact,
)
from campaigns.portfolio_import.values import ValueProblem, parse_phone

MAX_CALLBACK_AHEAD = timedelta(days=30)
MAX_NOTE = 2000
CORRECTED = "corrected"  # the invalid reason of a phone replaced by a corrected number


@dataclass(frozen=True)
class Actor:
    """Who acts: the user's id and how the audit trail names them."""

    user_id: int | None
    label: str


class ActionRefused(Invalid):
    """An account action with a value that cannot be used; the message says which."""


class AlreadyDone(Conflict):
    """The action was already taken (a resolved dispute, a number already listed)."""


def reveal_identity(session: Session, *, account_id: int, actor: Actor, now: datetime) -> Account:
    """Record that the actor saw the debtor's full name, document and numbers."""
    account = load_account(session, account_id)
    record(
        session,
        action="account.identity_revealed",
        entity=account,
        actor_label=actor.label,
        actor_id=actor.user_id,
        at=now,
    )
    return account


def _point_of(session: Session, account: Account, contact_point_id: int) -> ContactPoint:
    point = session.scalar(select(ContactPoint).where(ContactPoint.id == contact_point_id))
    if point is None or point.debtor_id != account.debtor_id:
        raise NotFound(_("This account has no such phone or address."))
    return point


def add_do_not_contact(
    session: Session,
    *,
    account_id: int,
    contact_point_id: int | None,
    reason: str,
    actor: Actor,
    now: datetime,
) -> DoNotContact:
    """List the debtor (or one of its numbers) as not to be contacted by this creditor."""
    account = load_account(session, account_id)
    why = check_notes(" ".join(reason.split()))[:200]
    if not why:
        raise ActionRefused(_("Say why the debtor must not be contacted."))
    point = _point_of(session, account, contact_point_id) if contact_point_id else None
    existing = session.scalar(
        select(DoNotContact).where(
            DoNotContact.client_id == account.client_id,
            DoNotContact.value == point.value
            if point is not None
            else DoNotContact.debtor_id == account.debtor_id,
        )
    )
    if existing is not None:
        raise AlreadyDone(_("This is already on the do-not-contact list."))
    listed = DoNotContact(
        client_id=account.client_id,
        debtor_id=None if point is not None else account.debtor_id,
        value=point.value if point is not None else None,
        reason=why,
        source=f"account page: {actor.label}"[:80],
        created_at=now,
    )
    session.add(listed)
    session.flush()
    cancel_pending_contact(
        session,
        account_id=account.id,
        now=now,
        reason="do not contact",
        contact_point_id=point.id if point is not None else None,
    )
    record(
        session,
        action="account.do_not_contact_added",
        entity=account,
        actor_label=actor.label,
        actor_id=actor.user_id,
        at=now,
        data={
            "do_not_contact_id": listed.id,
            "contact_point_id": point.id if point is not None else None,
            "reason": why,
        },
    )
    return listed


def correct_phone(
    session: Session,
    *,
    account_id: int,
    contact_point_id: int,
    value: str,
    actor: Actor,
    now: datetime,
) -> ContactPoint:
    """Replace a wrong phone: the new number is added, the old one kept and marked invalid."""
    account = load_account(session, account_id)
    old = _point_of(session, account, contact_point_id)
    if old.kind != ContactKind.PHONE:
        raise ActionRefused(_("Only phone numbers can be corrected here."))
    debtor = session.get_one(Debtor, account.debtor_id)
    try:
        phone = parse_phone(value, region=debtor.country)
    except ValueProblem as error:
        raise ActionRefused(error.message, **error.params) from error
    taken = session.scalar(
        select(ContactPoint.id).where(
            ContactPoint.debtor_id == debtor.id,
            ContactPoint.kind == ContactKind.PHONE,
            ContactPoint.value == phone.e164,
        )
    )
    if taken is not None:
        raise AlreadyDone(_("The debtor already has the number {phone}."), phone=phone.e164)
    new = ContactPoint(
        client_id=old.client_id,
        debtor_id=debtor.id,
        kind=ContactKind.PHONE,
        value=phone.e164,
        line_type=phone.line_type,
        priority=old.priority,
        source_column="corrected",
        created_at=now,
    )
    session.add(new)
    session.flush()
    mark_invalid(
        session,
        contact_point=old,
        reason=CORRECTED,
        source=actor.label,
        at=now,
    )
    cancel_pending_contact(
        session,
        account_id=account.id,
        now=now,
        reason="phone corrected",
        contact_point_id=old.id,
    )
    refresh_debtor_zones(session, debtor=debtor)
    record(
        session,
        action="account.phone_corrected",
        entity=account,
        actor_label=actor.label,
        actor_id=actor.user_id,
        at=now,
        data={"old_point_id": old.id, "new_point_id": new.id, "new_ending": phone.e164[-4:]},
    )
    return new


def schedule_callback(
    session: Session,
    *,
    account_id: int,
    contact_point_id: int,
    due_at: datetime,
    owner_agent_id: int | None,
    actor: Actor,
    now: datetime,
) -> Callback:
    """A call back at a time the contact check allows (hours, holidays, holds, opt-outs)."""
    account = load_account(session, account_id)
    point = _point_of(session, account, contact_point_id)
    if not now < due_at <= now + MAX_CALLBACK_AHEAD:
        raise ActionRefused(
            _("A callback must be in the next {days} days; choose another time."),
            days=MAX_CALLBACK_AHEAD.days,
        )
    decision = check_account_contact(
        session,
        account_id=account.id,
        channel=Channel.VOICE,
        contact_point_id=point.id,
        now=due_at,
        context="callback",
        record=False,
    )
    if not decision.allowed:
        raise CallbackNotAllowed(decision.message or "", **dict(decision.params))
    callback = Callback(
        client_id=account.client_id,
        account_id=account.id,
        contact_point_id=point.id,
        owner_agent_id=owner_agent_id,
        due_at=due_at,
        created_at=now,
    )
    session.add(callback)
    session.flush()
    record(
        session,
        action="account.callback_scheduled",
        entity=callback,
        actor_label=actor.label,
        actor_id=actor.user_id,
        at=now,
        data={"due_at": due_at.isoformat(), "contact_point_id": point.id},
    )
    return callback


class CallbackNotAllowed(ActionRefused):
    """The contact check refuses a call at the chosen time; its message says which rule."""


def open_dispute(
    session: Session, *, account_id: int, reason: str, actor: Actor, now: datetime
) -> Dispute:
    """Open a dispute: contact holds (pending calls and messages are cancelled) until resolved."""
    account = load_account(session, account_id)
    text = check_notes(reason.strip())[:MAX_NOTE]
    if not text:
        raise ActionRefused(_("Write what the debtor disputes."))
    dispute = Dispute(
        client_id=account.client_id, account_id=account.id, reason=text, created_at=now
    )
    session.add(dispute)
    set_status(account, AccountStatus.DISPUTED, now)
    cancel_pending_contact(session, account_id=account.id, now=now, reason="dispute opened")
    session.flush()
    record(
        session,
        action="dispute.opened",
        entity=dispute,
        actor_label=actor.label,
        actor_id=actor.user_id,
        at=now,
    )
    return dispute


def resolve_dispute(
    session: Session, *, account_id: int, dispute_id: int, note: str, actor: Actor, now: datetime
) -> Dispute:
    """Resolve an open dispute with a note; with no other open dispute, contact may resume."""
    account = load_account(session, account_id)
    dispute = session.scalar(
        select(Dispute).where(Dispute.id == dispute_id, Dispute.account_id == account.id)
    )
    if dispute is None:
        raise AccountMissing(_("This account has no such dispute."))
    if dispute.status == DisputeStatus.RESOLVED:
        raise AlreadyDone(_("This dispute is already resolved."))
    text = check_notes(note.strip())[:MAX_NOTE]
    if not text:
        raise ActionRefused(_("Write how the dispute was resolved."))
    dispute.status = DisputeStatus.RESOLVED
    dispute.resolved_at = now
    dispute.resolved_by_id = actor.user_id
    dispute.resolution_note = text
    still_open = session.scalar(
        select(Dispute.id).where(
            Dispute.account_id == account.id,
            Dispute.status == DisputeStatus.OPEN,
            Dispute.id != dispute.id,
        )
    )
    if still_open is None and account.status == AccountStatus.DISPUTED:
        set_status(account, AccountStatus.ACTIVE, now)
    record(
        session,
        action="dispute.resolved",
        entity=dispute,
        actor_label=actor.label,
        actor_id=actor.user_id,
        at=now,
        data={"note": text},
    )
    return dispute
