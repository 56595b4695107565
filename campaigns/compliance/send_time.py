"""The contact check at the moment of sending, and what a refusal does to the attempt.

Every attempt that reaches a debtor (campaign call or message, reminder, confirmation, thanks,
callback, preview call) runs `check_before_send` immediately before the provider request, with
the same rules and the same data as the scheduler's selection. What follows a refusal:

- the debtor's window is closed (hours, weekday, holiday) for a message: the attempt waits,
  pending, until the window next opens (`hold_until`); the dispatch job is scheduled for then
  (a payment reminder, which says "due tomorrow", is refused instead when that is another day);
- the window is closed for a call: the attempt is refused and the account returns to its
  campaign (a call placed hours later would find no agent); a callback is due again;
- opt-out, do-not-contact, an unusable contact point or no consent: cancelled for good;
- anything else (account state, dispute, promise in force, 90-day scope, caps): refused; the
  account returns to the campaign when the rule allows.
A refused or cancelled attempt frees its dedup key, so the same step, reminder or callback can be
tried again later. Every refusal is stored with its rule (context "dispatch").
"""

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from campaigns.compliance.check import Decision, Purpose, Rule, check_contact
from campaigns.compliance.overrides import effective_profile
from campaigns.compliance.service import check_account_contact, load_contact
from campaigns.compliance.windows import local_time, next_open
from campaigns.debtor_zones import debtor_zones
from campaigns.models import (
    Account,
    Attempt,
    AttemptEvent,
    AttemptStatus,
    Callback,
    CallbackStatus,
    Channel,
    Client,
    Debtor,
)

WAIT_RULES = frozenset({Rule.OUTSIDE_HOURS, Rule.HOLIDAY, Rule.DAY_NOT_ALLOWED})
FINAL_RULES = frozenset(
    {
        Rule.OPTED_OUT,
        Rule.DO_NOT_CONTACT,
        Rule.INVALID_CONTACT_POINT,
        Rule.NO_CONSENT,
        Rule.NO_CONSENT_WHATSAPP,
    }
)
CHECKED = (AttemptStatus.PENDING, AttemptStatus.DISPATCHING)
_CALLBACK_KEY = re.compile(r"^callback:(\d+)$")
REMINDER_KEY_PREFIX = "reminder-"


class Verdict(StrEnum):
    """What the send-time check decided for one attempt."""

    SEND = "send"
    HELD = "held"
    REFUSED = "refused"
    CANCELED = "canceled"
    GONE = "gone"


@dataclass(frozen=True)
class SendDecision:
    """The verdict, the rule behind a refusal and, for a held message, when to try again."""

    verdict: Verdict
    rule: str | None = None
    hold_until: datetime | None = None


def debtor_zone(debtor: Debtor) -> str:
    """The debtor's primary time zone: the one their local date is read in (the contact window
    itself must be open in every candidate zone, `debtor_zones`)."""
    return debtor.timezone


@dataclass(frozen=True)
class Sending:
    """The attempt about to go out, as its dispatch claimed it."""

    attempt_id: int
    account_id: int
    channel: Channel
    contact_point_id: int | None
    campaign_id: int | None
    purpose: Purpose


def may_send(db: Session | Connection, *, sending: Sending, now: datetime) -> bool:
    """Read-only: whether the check allows the attempt now, and it is still pending or
    dispatching (nothing is written; two queries).

    The common case, an allowed contact, then needs no write transaction; a refusal is decided
    again and applied by `check_before_send`.
    """
    loaded = load_contact(
        db,
        account_id=sending.account_id,
        channel=sending.channel,
        contact_point_id=sending.contact_point_id,
        now=now,
        purpose=sending.purpose,
        sending=sending.attempt_id,
    )
    if loaded is None or loaded.sending_status not in CHECKED:
        return False
    return check_contact(loaded.context).allowed


def _check(session: Session, attempt: Attempt, now: datetime) -> Decision:
    """The one contact check for this attempt as it is about to go out."""
    return check_account_contact(
        session,
        account_id=attempt.account_id,
        channel=Channel(attempt.channel),
        contact_point_id=attempt.contact_point_id,
        now=now,
        context="dispatch",
        campaign_id=attempt.campaign_id,
        purpose=Purpose(attempt.purpose),
        sending=attempt.id,
    )


def check_before_send(session: Session, *, attempt_id: int, now: datetime) -> SendDecision:
    """Run the one contact check for an attempt about to go out; apply a refusal to it."""
    attempt = session.get(Attempt, attempt_id, with_for_update=True)
    if attempt is None or attempt.status not in CHECKED:
        return SendDecision(Verdict.GONE)
    decision = _check(session, attempt, now)
    if decision.allowed:
        attempt.hold_until = None
        return SendDecision(Verdict.SEND)
    rule = decision.rule or ""
    if rule in WAIT_RULES and attempt.channel != Channel.VOICE:
        account = session.get_one(Account, attempt.account_id)
        client = session.get_one(Client, account.client_id)
        debtor = account.debtor
        zone = debtor_zone(debtor)
        when = next_open(effective_profile(client), debtor_zones(debtor), debtor.country, now)
        if when is not None and not _reminder_for_another_day(attempt, when, zone):
            attempt.status = AttemptStatus.PENDING
            attempt.hold_until = when
            _event(session, attempt, f"held:{rule}", now, until=when.isoformat())
            return SendDecision(Verdict.HELD, rule, when)
    final = rule in FINAL_RULES
    status = AttemptStatus.CANCELED if final else AttemptStatus.REFUSED
    attempt.status = status
    attempt.hold_until = None
    attempt.ended_at = now
    attempt.error_message = f"{rule}: {decision.detail()}"[:300]
    _free_dedup_key(session, attempt)
    _event(session, attempt, str(status), now, rule=rule)
    return SendDecision(Verdict.CANCELED if final else Verdict.REFUSED, rule)


def _reminder_for_another_day(attempt: Attempt, when: datetime, zone: str) -> bool:
    """A reminder ("due tomorrow") is only sent on the local date it was queued for."""
    if not (attempt.dedup_key or "").startswith(REMINDER_KEY_PREFIX):
        return False
    return local_time(when, zone).date() != local_time(attempt.created_at, zone).date()


def _free_dedup_key(session: Session, attempt: Attempt) -> None:
    key = attempt.dedup_key
    if key is None:
        return
    callback = _CALLBACK_KEY.match(key)
    if callback is not None and attempt.status == AttemptStatus.REFUSED:
        row = session.get(Callback, int(callback.group(1)))
        if row is not None and row.status == CallbackStatus.DONE:
            row.status = CallbackStatus.PENDING
    attempt.dedup_key = f"{key}~{attempt.status}-{attempt.id}"[-120:]


def _event(session: Session, attempt: Attempt, status: str, now: datetime, **data: str) -> None:
    session.add(AttemptEvent.on(attempt, status[:30], now, source="send_check", data=data))
