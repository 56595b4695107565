"""What a verified debtor can do, each through the service agents use for the same thing.

Promises, plans, the early-payment discount, disputes and callbacks are outcomes recorded by
`record_outcome` (the agent console's service), so the policy checks, the hold on contact, the
cancelled queue, the confirmation SMS and the audit event are the same; the actor is the debtor.
Contact preferences, opt-outs and following the payment link are audited as `self_service.*`.
"""

from datetime import date, datetime, time

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements.negotiation import Frequency, Policy, discounted_balance, min_down_payment
from campaigns.agreements.outcomes import record_outcome
from campaigns.agreements.schemas import OutcomeIn, parse_outcome
from campaigns.audit import record
from campaigns.contact_points import stop_channels
from campaigns.errors import Invalid, NotFound
from campaigns.i18n import _
from campaigns.models import (
    Account,
    Channel,
    Client,
    ContactPoint,
    ContactPreference,
    Disposition,
    Outcome,
)
from campaigns.self_service.overview import PHONE_CHANNELS, payment_link

ACTOR = "debtor:self_service"
DISPUTE_REASONS = {
    "not_mine": _("This debt is not mine"),
    "already_paid": _("I already paid"),
    "wrong_amount": _("The amount is wrong"),
    "other": _("Another reason"),
}


def _record(
    session: Session, account: Account, data: dict[str, object], nonce: str, now: datetime
) -> Outcome:
    try:
        outcome: OutcomeIn = parse_outcome(data)
    except ValidationError as error:
        raise Invalid(_("Check the date and the other values and try again.")) from error
    return record_outcome(
        session,
        account_id=account.id,
        attempt_id=None,
        agent_id=None,
        outcome=outcome,
        submission_key=f"self-service:{account.id}:{nonce}"[:64],
        now=now,
        actor_label=ACTOR,
    )


def _policy(session: Session, account: Account) -> Policy:
    return Policy.of(session.get_one(Client, account.client_id))


def promise(
    session: Session,
    *,
    account_id: int,
    due_date: date,
    with_discount: bool,
    nonce: str,
    now: datetime,
) -> Outcome:
    """Promise to pay the balance (or, with the discount, the discounted balance) by a date."""
    account = session.get_one(Account, account_id)
    policy = _policy(session, account)
    amount = discounted_balance(policy, account.balance) if with_discount else account.balance
    data: dict[str, object] = {
        "disposition": Disposition.PROMISE_TO_PAY,
        "amount": str(amount),
        "due_date": due_date.isoformat(),
        "notes": "self-service" + (" (early-payment discount)" if with_discount else ""),
    }
    return _record(session, account, data, nonce, now)


def plan(
    session: Session,
    *,
    account_id: int,
    installments: int,
    first_due_date: date,
    nonce: str,
    now: datetime,
) -> Outcome:
    """Choose a monthly plan with the policy's minimum down payment on the first date."""
    account = session.get_one(Account, account_id)
    down = min_down_payment(_policy(session, account), account.balance)
    data: dict[str, object] = {
        "disposition": Disposition.PAYMENT_PLAN,
        "down_payment": str(down),
        "installments": installments,
        "first_due_date": first_due_date.isoformat(),
        "frequency": Frequency.MONTHLY,
        "notes": "self-service",
    }
    return _record(session, account, data, nonce, now)


def dispute(
    session: Session, *, account_id: int, reason: str, text: str, nonce: str, now: datetime
) -> Outcome:
    """Open a dispute with a reason and the debtor's words; contact holds until it is resolved."""
    if reason not in DISPUTE_REASONS:
        raise Invalid(_("Choose a reason for the dispute."))
    account = session.get_one(Account, account_id)
    words = text.strip()
    data: dict[str, object] = {
        "disposition": Disposition.DISPUTE,
        "reason": f"[{reason}] {words}" if words else f"[{reason}]",
        "notes": "self-service",
    }
    return _record(session, account, data, nonce, now)


def callback(
    session: Session, *, account_id: int, day: date, at: time, nonce: str, now: datetime
) -> Outcome:
    """Ask for a call at a local time; the contact window check refuses one outside it."""
    account = session.get_one(Account, account_id)
    data: dict[str, object] = {
        "disposition": Disposition.CALLBACK,
        "callback_at": datetime.combine(day, at).isoformat(),
        "notes": "self-service",
    }
    return _record(session, account, data, nonce, now)


def _minute(text: str) -> int | None:
    if not text.strip():
        return None
    try:
        parsed = time.fromisoformat(text.strip())
    except ValueError as error:
        raise Invalid(_("Write the hours as HH:MM, for example 09:00.")) from error
    return parsed.hour * 60 + parsed.minute


def set_preference(
    session: Session,
    *,
    account_id: int,
    channels: set[Channel],
    earliest: str,
    latest: str,
    now: datetime,
) -> ContactPreference:
    """Store the channels and local hours the debtor accepts (the law's limits still apply)."""
    account = session.get_one(Account, account_id)
    start, end = _minute(earliest), _minute(latest)
    if (start is None) != (end is None) or (start is not None and end is not None and start >= end):
        raise Invalid(_("Choose both hours, the first one earlier than the second."))
    row = session.scalar(
        select(ContactPreference).where(ContactPreference.debtor_id == account.debtor_id)
    )
    if row is None:
        row = ContactPreference(
            client_id=account.client_id, debtor_id=account.debtor_id, created_at=now
        )
        session.add(row)
    row.accepts_voice = Channel.VOICE in channels
    row.accepts_sms = Channel.SMS in channels
    row.accepts_whatsapp = Channel.WHATSAPP in channels
    row.earliest_minute, row.latest_minute = start, end
    row.updated_at = now
    session.flush()
    record(
        session,
        action="self_service.preferences",
        entity=account,
        actor_label=ACTOR,
        at=now,
        data={
            "channels": sorted(str(c) for c in channels),
            "earliest_minute": start,
            "latest_minute": end,
        },
    )
    return row


def opt_out(
    session: Session, *, account_id: int, contact_point_id: int, channel: Channel, now: datetime
) -> None:
    """Stop one channel of one of the debtor's numbers (and what is queued to it)."""
    account = session.get_one(Account, account_id)
    point = session.get(ContactPoint, contact_point_id)
    if point is None or point.debtor_id != account.debtor_id or channel not in PHONE_CHANNELS:
        raise NotFound(_("Choose one of your own numbers."))
    stop_channels(session, contact_point=point, channels=[channel], source=ACTOR, at=now)
    record(
        session,
        action="self_service.opt_out",
        entity=account,
        actor_label=ACTOR,
        at=now,
        data={"contact_point_id": point.id, "channel": str(channel)},
    )


def follow_payment_link(session: Session, *, account_id: int, now: datetime) -> str:
    """The creditor's payment page for the account; the visit is audited."""
    account = session.get_one(Account, account_id)
    link = payment_link(session.get_one(Client, account.client_id), account)
    if link is None:
        raise NotFound(_("This creditor has no online payment page; call them to pay."))
    record(session, action="self_service.payment_link", entity=account, actor_label=ACTOR, at=now)
    return link
