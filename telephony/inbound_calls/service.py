"""What an inbound call does to the accounts: its attempt, the IVR's actions, callbacks.

Every inbound call about a known account is an attempt (direction inbound) in the account's
timeline; what the caller chose in the IVR is an event of that attempt, and a callback they
asked for is an outcome with a callback row that the callback machinery dials when it is due.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns import audit
from campaigns.compliance import effective_profile
from campaigns.compliance.windows import closed_rule, local_time, next_open
from campaigns.debtor_zones import debtor_zones
from campaigns.dispatch_queue import enqueue_attempt_after_commit
from campaigns.errors import NotFound
from campaigns.i18n import _, translate
from campaigns.local_formats import long_date, money
from campaigns.models import (
    Account,
    Attempt,
    AttemptEvent,
    AttemptStatus,
    AuditEvent,
    Callback,
    Channel,
    Client,
    ContactKind,
    ContactPoint,
    Disposition,
    MessageDirection,
    Outcome,
)
from campaigns.self_service import self_service_link
from telephony.inbound_calls.callers import caller_e164, digits

VERIFY_FAILED = "inbound_call.verification_failed"
# Failed document checks an account allows per day before the IVR stops asking (an agent can
# still help the caller).
MAX_VERIFY_FAILURES = 3
VERIFY_MEMORY = timedelta(hours=24)


class NotThisCall(NotFound):
    """An IVR step for an attempt that is not the calling one (a replay or another call)."""


@dataclass(frozen=True)
class CallContext:
    """What the IVR needs to speak about an inbound call's account."""

    attempt_id: int
    account_id: int
    client_id: int
    creditor: str
    locale: str
    after_hours: bool
    callback_offer_seconds: int


def is_after_hours(client: Client, now: datetime) -> bool:
    """Whether `now` is outside the creditor's calling window (its profile, in its own zone)."""
    return closed_rule(effective_profile(client), client.timezone, client.country, now) is not None


def opening_hours(client: Client, now: datetime) -> str:
    """When the creditor's advisors answer next, as the IVR says it (weekday and hours)."""
    profile = effective_profile(client)
    opens = next_open(profile, (client.timezone,), client.country, now)
    if opens is None:
        return translate(client.locale, _("on the next working day"))
    local = local_time(opens, client.timezone)
    hours = profile.hours_on(local.weekday())
    end = hours.end.strftime("%H:%M") if hours else ""
    today = local_time(now, client.timezone).date()
    if local.date() == today:
        day = translate(client.locale, _("today"))
    elif local.date() == today + timedelta(days=1):
        day = translate(client.locale, _("tomorrow"))
    else:
        day = translate(client.locale, WEEKDAYS[local.weekday()])
    return translate(
        client.locale,
        _("{day} from {start} to {end}"),
        day=day,
        start=local.strftime("%H:%M"),
        end=end,
    )


WEEKDAYS = (
    _("on Monday"),
    _("on Tuesday"),
    _("on Wednesday"),
    _("on Thursday"),
    _("on Friday"),
    _("on Saturday"),
    _("on Sunday"),
)


def _caller_point(session: Session, account: Account, caller: str) -> ContactPoint | None:
    client = session.get_one(Client, account.client_id)
    return session.scalar(
        select(ContactPoint).where(
            ContactPoint.debtor_id == account.debtor_id,
            ContactPoint.kind == ContactKind.PHONE,
            ContactPoint.value == caller_e164(caller, country=client.country),
        )
    )


def start_call(
    session: Session, *, account_id: int, call_sid: str, caller: str, now: datetime
) -> CallContext:
    """The inbound call's attempt on the account (one per call: a repeated webhook reuses it)."""
    attempt = session.scalar(select(Attempt).where(Attempt.provider_sid == call_sid))
    if attempt is None:
        account = session.get_one(Account, account_id)
        point = _caller_point(session, account, caller)
        attempt = Attempt(
            client_id=account.client_id,
            account_id=account.id,
            contact_point_id=point.id if point else None,
            channel=Channel.VOICE,
            status=AttemptStatus.IN_PROGRESS,
            direction=MessageDirection.INBOUND,
            provider_sid=call_sid,
            answered_by="human",
            answered_at=now,
            dispatched_at=now,
            created_at=now,
        )
        session.add(attempt)
        session.flush()
        record_step(session, attempt=attempt, step="identified", now=now)
    return context(session, attempt_id=attempt.id, call_sid=call_sid, now=now)


def context(session: Session, *, attempt_id: int, call_sid: str, now: datetime) -> CallContext:
    """The context of an IVR step, refused unless the attempt is this call's inbound attempt."""
    attempt = session.get(Attempt, attempt_id)
    if (
        attempt is None
        or attempt.direction != MessageDirection.INBOUND
        or attempt.provider_sid != call_sid
    ):
        raise NotThisCall(_("This step does not belong to the call."))
    client = session.get_one(Client, attempt.client_id)
    return CallContext(
        attempt_id=attempt.id,
        account_id=attempt.account_id,
        client_id=client.id,
        creditor=client.name,
        locale=client.locale,
        after_hours=is_after_hours(client, now),
        callback_offer_seconds=client.inbound_callback_offer_seconds,
    )


def record_step(session: Session, *, attempt: Attempt, step: str, now: datetime) -> None:
    """Note what the caller did in the IVR on the call's attempt (shown in its history)."""
    session.add(AttemptEvent.on(attempt, f"ivr:{step}", now))


def step(session: Session, *, call: CallContext, name: str, now: datetime) -> None:
    """Record an IVR step of the call."""
    record_step(session, attempt=session.get_one(Attempt, call.attempt_id), step=name, now=now)


@dataclass(frozen=True)
class Verification:
    """The result of checking the document's last digits."""

    verified: bool
    locked: bool
    balance_text: str = ""


def verify_document(
    session: Session, *, call: CallContext, typed: str, now: datetime
) -> Verification:
    """Check the last 4 digits of the holder's document; failures are audited and throttled."""
    account = session.get_one(Account, call.account_id)
    failures = session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == VERIFY_FAILED,
            AuditEvent.account_id == account.id,
            AuditEvent.created_at > now - VERIFY_MEMORY,
        )
    )
    if (failures or 0) >= MAX_VERIFY_FAILURES:
        step(session, call=call, name="verification_locked", now=now)
        return Verification(verified=False, locked=True)
    document = digits(account.debtor.national_id)
    if len(document) >= 4 and len(typed) == 4 and document[-4:] == typed:
        step(session, call=call, name="balance", now=now)
        return Verification(
            verified=True,
            locked=False,
            balance_text=money(account.balance, account.currency, call.locale),
        )
    audit.record(
        session,
        action=VERIFY_FAILED,
        entity=account,
        actor_label="inbound call",
        at=now,
        data={"attempt_id": call.attempt_id},
    )
    step(session, call=call, name="verification_failed", now=now)
    return Verification(verified=False, locked=(failures or 0) + 1 >= MAX_VERIFY_FAILURES)


def send_link(session: Session, *, call: CallContext, now: datetime) -> bool:
    """Queue an SMS to the caller's number with the self-service link; False when the caller's
    number is not on file for the account."""
    attempt = session.get_one(Attempt, call.attempt_id)
    if attempt.contact_point_id is None:
        return False
    account = session.get_one(Account, call.account_id)
    body = translate(
        call.locale,
        _("{creditor}: to see and settle your account {reference}, open {link}"),
        creditor=call.creditor,
        reference=account.account_ref,
        link=self_service_link(account, now),
    )
    message = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        contact_point_id=attempt.contact_point_id,
        channel=Channel.SMS,
        status=AttemptStatus.PENDING,
        body=body,
        purpose="reminder",
        dedup_key=f"inbound-link:{attempt.id}",
        created_at=now,
    )
    if session.scalar(select(Attempt.id).where(Attempt.dedup_key == message.dedup_key)):
        return True
    session.add(message)
    session.flush()
    step(session, call=call, name="sms_link", now=now)
    enqueue_attempt_after_commit(session, message.id)
    return True


def request_callback(session: Session, *, call: CallContext, now: datetime) -> datetime | None:
    """A callback at the next moment the debtor may be called (the caller asked for it): the
    call's outcome and a callback row for the callback machinery; its time, or None if the
    contact rules leave no moment in the next two weeks."""
    attempt = session.get_one(Attempt, call.attempt_id, with_for_update=True)
    existing = session.scalar(select(Outcome).where(Outcome.attempt_id == attempt.id))
    if existing is not None:
        callback = session.scalar(select(Callback).where(Callback.outcome_id == existing.id))
        return callback.due_at if callback else None
    account = session.get_one(Account, attempt.account_id)
    client = session.get_one(Client, account.client_id)
    debtor = account.debtor
    due_at = next_open(effective_profile(client), debtor_zones(debtor), debtor.country, now)
    if due_at is None:
        return None
    outcome = Outcome(
        client_id=account.client_id,
        account_id=account.id,
        attempt_id=attempt.id,
        disposition=Disposition.CALLBACK,
        # Matched by caller ID or typed digits, not verified by an agent: not a right-party contact.
        right_party=False,
        notes=translate(client.locale, _("Callback asked for in the inbound call's menu.")),
        created_at=now,
    )
    session.add(outcome)
    session.flush()
    session.add(
        Callback(
            client_id=account.client_id,
            account_id=account.id,
            outcome_id=outcome.id,
            contact_point_id=attempt.contact_point_id,
            due_at=due_at,
            created_at=now,
        )
    )
    step(session, call=call, name="callback", now=now)
    return due_at


def callback_time_text(
    session: Session, *, call: CallContext, due_at: datetime, now: datetime
) -> str:
    """The callback's time as the caller hears it, in their own zone (with the date unless
    it is today)."""
    account = session.get_one(Account, call.account_id)
    zone = debtor_zones(account.debtor)[0]
    local = local_time(due_at, zone)
    hour = local.strftime("%H:%M")
    if local.date() == local_time(now, zone).date():
        return translate(call.locale, _("today at {time}"), time=hour)
    return translate(
        call.locale, _("{day} at {time}"), day=long_date(local.date(), call.locale), time=hour
    )
