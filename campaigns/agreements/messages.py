"""Courteous SMS about agreements: confirmations, reminders and thanks.

Each message is a translated msgid rendered in the creditor's language, checked by the one
compliance check (purpose: reminder, so a promise in force does not hold it), stored as a pending
SMS Attempt with a deterministic dedup key (a second try finds the first) and dispatched by
telephony's job once the transaction commits.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.compliance import Purpose, can_receive, check_account_contact
from campaigns.dispatch_queue import enqueue_attempt_after_commit
from campaigns.i18n import _, translate
from campaigns.local_formats import greeting
from campaigns.local_formats import long_date as long_date
from campaigns.local_formats import money as money
from campaigns.models import (
    Account,
    Attempt,
    AttemptStatus,
    Channel,
    Client,
    ContactPoint,
)
from campaigns.settings import get_settings

log = logging.getLogger(__name__)

OPT_OUT = _("Reply BAJA to stop these messages.")

PROMISE_CONFIRMATION = _(
    "{greeting} {first_name}, thank you for your agreement with {creditor}: a payment of {amount} "
    "on {date}. Questions: {phone}. {agency}. {opt_out}"
)
PLAN_CONFIRMATION = _(
    "{greeting} {first_name}, thank you for your payment plan with {creditor}: a down payment of "
    "{amount} on {date}, then {count} instalments from {first_date}. Questions: {phone}. "
    "{agency}. {opt_out}"
)
PROMISE_REMINDER = _(
    "{greeting} {first_name}, a friendly reminder: your payment of {amount} to {creditor} is due "
    "tomorrow, {date}. Thank you! {agency}. {opt_out}"
)
INSTALLMENT_REMINDER = _(
    "{greeting} {first_name}, a friendly reminder: payment {number} of your plan with {creditor}, "
    "{amount}, is due tomorrow, {date}. Thank you! {agency}. {opt_out}"
)
THANK_YOU = _(
    "{greeting} {first_name}, we received your payment to {creditor}. Thank you for keeping your "
    "agreement! {agency}. {opt_out}"
)


@dataclass(frozen=True)
class Courtesy:
    """A message that may be sent: the contact point the compliance check allowed."""

    account_id: int
    contact_point_id: int
    at: datetime


def sms_point(
    session: Session, *, account: Account, preferred_id: int | None = None
) -> ContactPoint | None:
    """The contact point to text: the preferred one if it can take SMS, else the debtor's first."""
    points = session.scalars(
        select(ContactPoint)
        .where(ContactPoint.debtor_id == account.debtor_id)
        .order_by(ContactPoint.priority, ContactPoint.id)
    ).all()
    usable = [p for p in points if not p.invalid and can_receive(p, Channel.SMS)]
    preferred = [p for p in usable if p.id == preferred_id]
    chosen = preferred or usable
    return chosen[0] if chosen else None


def may_text(
    session: Session,
    *,
    account: Account,
    now: datetime,
    context: str,
    preferred_id: int | None = None,
) -> Courtesy | None:
    """Ask the compliance check whether the debtor may get an SMS now; refusals are stored."""
    point = sms_point(session, account=account, preferred_id=preferred_id)
    decision = check_account_contact(
        session,
        account_id=account.id,
        channel=Channel.SMS,
        contact_point_id=point.id if point else None,
        now=now,
        context=context,
        purpose=Purpose.REMINDER,
    )
    if not decision.allowed or point is None:
        log.info("%s SMS for account %s refused: %s", context, account.id, decision.rule)
        return None
    return Courtesy(account.id, point.id, now)


def message_fields(session: Session, account: Account) -> dict[str, Any]:
    """The values every agreement message shows."""
    client = session.get_one(Client, account.client_id)
    return {
        "first_name": account.debtor.name.split()[0] if account.debtor.name.split() else "",
        "creditor": client.name,
        "agency": get_settings().agency_name,
        "phone": client.callback_number or "",
        "opt_out": translate(client.locale, OPT_OUT),
    }


def queue_sms(
    session: Session,
    *,
    courtesy: Courtesy,
    message: str,
    dedup_key: str,
    now: datetime,
    purpose: Purpose = Purpose.REMINDER,
    **params: Any,
) -> Attempt:
    """Store the SMS as a pending Attempt made at `now` and dispatch it after commit (once per
    dedup key).

    The purpose goes with the attempt: the send-time check applies that purpose's rules.
    """
    existing = session.scalar(select(Attempt).where(Attempt.dedup_key == dedup_key))
    if existing is not None:
        return existing
    account = session.get_one(Account, courtesy.account_id)
    client = session.get_one(Client, account.client_id)
    greet = greeting(courtesy.at, account.debtor.timezone, client.locale)
    fields = {**message_fields(session, account), "greeting": greet, **params}
    attempt = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        contact_point_id=courtesy.contact_point_id,
        channel=Channel.SMS,
        status=AttemptStatus.PENDING,
        dedup_key=dedup_key,
        purpose=purpose,
        body=translate(client.locale, message, **fields),
        created_at=now,
    )
    session.add(attempt)
    session.flush()
    enqueue_attempt_after_commit(session, attempt.id)
    return attempt
