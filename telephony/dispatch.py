"""Outbound dispatch of one attempt, in steps that each commit, so a crash loses nothing.

1. `claim_pending` moves a pending call or SMS to dispatching and says what to send, in one
   statement (committed before any provider request). Anything else goes through `claim`: an
   attempt already dispatching asks for reconciliation (the earlier run may have reached the
   provider before it died), a WhatsApp message passes its template policy, an attempt without a
   contact point is refused.
2. The job reconciles, runs the one contact check against the database
   (`campaigns.compliance.send_time`: a message outside the debtor's window is held for the next
   window, any other refusal ends the attempt), waits for its rate slot and only then sends.
3. `record_sent` (one statement), `record_provider_error` or `release_for_retry` store the result.

Each one-statement step writes the attempt's event in the same statement on PostgreSQL (a
data-modifying CTE); SQLite has none, so there the step's caller runs it in one transaction.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    FromClause,
    Insert,
    Row,
    Select,
    String,
    Update,
    bindparam,
    case,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from campaigns import contact_points, whatsapp_policy
from campaigns.compliance.check import Purpose
from campaigns.compliance.send_time import Sending
from campaigns.local_formats import long_date, money
from campaigns.models import (
    Account,
    Attempt,
    AttemptEvent,
    AttemptStatus,
    Campaign,
    Channel,
    Client,
    ContactPoint,
)
from campaigns.models.base import UTCDateTime
from campaigns.self_service import self_service_link
from campaigns.settings import get_settings

OPTED_OUT = 21610
INVALID_NUMBER = 21211
NOT_MOBILE = 21614
TOO_MANY_REQUESTS = 20429


@dataclass(frozen=True)
class Outbound:
    """What a claimed attempt sends, computed inside the claim's transaction."""

    attempt_id: int
    channel: Channel
    to: str
    sender: str
    body: str | None
    content_sid: str | None
    content_variables: str | None
    status_callback: str
    answer_url: str | None
    reconcile_since: datetime | None
    account_id: int
    contact_point_id: int | None
    campaign_id: int | None
    purpose: str
    provider_sid: str | None = None

    @property
    def sending(self) -> Sending:
        """The attempt as the contact check at the moment of sending reads it."""
        return Sending(
            attempt_id=self.attempt_id,
            account_id=self.account_id,
            channel=self.channel,
            contact_point_id=self.contact_point_id,
            campaign_id=self.campaign_id,
            purpose=Purpose(self.purpose),
        )

    @property
    def rate_key(self) -> str:
        """The rate-limited resource this send uses."""
        return "calls" if self.channel == Channel.VOICE else f"messages:{self.sender}"

    @property
    def per_second(self) -> float:
        """The resource's configured rate."""
        settings = get_settings()
        if self.channel == Channel.VOICE:
            return settings.calls_per_second
        if self.channel == Channel.WHATSAPP:
            return settings.whatsapp_per_second
        return settings.messages_per_second


CLAIMED = (
    Attempt.id,
    Attempt.client_id,
    Attempt.account_id,
    Attempt.campaign_id,
    Attempt.contact_point_id,
    Attempt.channel,
    Attempt.body,
    Attempt.purpose,
    Attempt.provider_sid,
)
NOW = bindparam("now", type_=UTCDateTime())
# A pending call or SMS with a contact point becomes dispatching (WhatsApp has its template
# policy to pass; `claim` handles it and every other case).
CLAIM_PENDING = (
    update(Attempt)
    .where(
        Attempt.id == bindparam("attempt_id"),
        Attempt.status == AttemptStatus.PENDING,
        Attempt.channel.in_((Channel.SMS, Channel.VOICE)),
        Attempt.contact_point_id.is_not(None),
    )
    .values(
        status=AttemptStatus.DISPATCHING,
        hold_until=None,
        dispatch_tries=Attempt.dispatch_tries + 1,
        dispatching_at=NOW,
    )
    .returning(*CLAIMED)
)


def _destination(attempts: FromClause) -> Select[Any]:
    """The claimed attempt's columns with where and from whom it goes."""
    return (
        select(
            *(attempts.c[column.key] for column in CLAIMED),
            ContactPoint.value.label("to"),
            Client.sms_sender,
            Client.caller_id.label("client_caller_id"),
            Campaign.caller_id.label("campaign_caller_id"),
        )
        .join(ContactPoint, ContactPoint.id == attempts.c.contact_point_id)
        .join(Client, Client.id == attempts.c.client_id)
        .outerjoin(Campaign, Campaign.id == attempts.c.campaign_id)
    )


def claim_pending(conn: Connection, *, attempt_id: int, now: datetime) -> Outbound | None:
    """The common claim in one statement: a pending call or SMS with a contact point becomes
    dispatching (with its event) and the statement returns what to send. None when the attempt
    is not that case: `claim` then decides."""
    row = _logged(
        conn,
        CLAIM_PENDING,
        {"attempt_id": attempt_id, "now": now},
        event="dispatching",
        then=_destination,
    )
    return None if row is None else _fast_outbound(row)


def _fast_outbound(row: Row[Any]) -> Outbound:
    base = get_settings().public_base_url.rstrip("/")
    settings = get_settings()
    voice = row.channel == Channel.VOICE
    kind = "voice" if voice else "messages"
    return Outbound(
        attempt_id=row.id,
        channel=Channel(row.channel),
        to=row.to,
        sender=(
            (row.campaign_caller_id or row.client_caller_id or settings.default_caller_id)
            if voice
            else (row.sms_sender or settings.default_sms_sender)
        ),
        body=None if voice else row.body,
        content_sid=None,
        content_variables=None,
        status_callback=f"{base}/twilio/{kind}/status?attempt={row.id}",
        answer_url=f"{base}/twilio/voice/answer?attempt={row.id}" if voice else None,
        reconcile_since=None,
        account_id=row.account_id,
        contact_point_id=row.contact_point_id,
        campaign_id=row.campaign_id,
        purpose=row.purpose,
        provider_sid=row.provider_sid,
    )


def claim(session: Session, *, attempt_id: int, now: datetime) -> Outbound | None:
    """Mark the attempt dispatching and say what to send; None when there is nothing to do.

    Every case, through the ORM: the job uses it when `claim_pending` did not apply."""
    attempt = session.get(Attempt, attempt_id, with_for_update=True)
    if attempt is None or attempt.status not in (AttemptStatus.PENDING, AttemptStatus.DISPATCHING):
        return None
    point = (
        session.get(ContactPoint, attempt.contact_point_id) if attempt.contact_point_id else None
    )
    if point is None:
        _finish(session, attempt, AttemptStatus.REFUSED, now, message="no contact point")
        return None
    reconcile_since = (
        attempt.dispatching_at if attempt.status == AttemptStatus.DISPATCHING else None
    )
    client = session.get_one(Client, attempt.client_id)
    campaign = session.get(Campaign, attempt.campaign_id) if attempt.campaign_id else None
    outbound = _outbound(session, attempt, point, client, campaign, reconcile_since, now)
    if outbound is None:
        return None
    attempt.status = AttemptStatus.DISPATCHING
    attempt.hold_until = None
    attempt.dispatch_tries += 1
    if reconcile_since is None:
        attempt.dispatching_at = now
    _event(session, attempt, "dispatching", now)
    return outbound


def _outbound(
    session: Session,
    attempt: Attempt,
    point: ContactPoint,
    client: Client,
    campaign: Campaign | None,
    reconcile_since: datetime | None,
    now: datetime,
) -> Outbound | None:
    base = get_settings().public_base_url.rstrip("/")
    settings = get_settings()
    if attempt.channel == Channel.VOICE:
        return Outbound(
            attempt_id=attempt.id,
            channel=Channel.VOICE,
            to=point.value,
            sender=(campaign.caller_id if campaign else None)
            or client.caller_id
            or settings.default_caller_id,
            body=None,
            content_sid=None,
            content_variables=None,
            status_callback=f"{base}/twilio/voice/status?attempt={attempt.id}",
            answer_url=f"{base}/twilio/voice/answer?attempt={attempt.id}",
            reconcile_since=reconcile_since,
            account_id=attempt.account_id,
            contact_point_id=attempt.contact_point_id,
            campaign_id=attempt.campaign_id,
            purpose=attempt.purpose,
            provider_sid=attempt.provider_sid,
        )
    content_sid = None
    sender = client.sms_sender or settings.default_sms_sender
    to = point.value
    if attempt.channel == Channel.WHATSAPP:
        try:
            content_sid = whatsapp_policy.check_message(
                session,
                client=client,
                contact_point=point,
                template_key=attempt.template_key,
                free_text=attempt.template_key is None,
                now=now,
            )
        except whatsapp_policy.WhatsAppNotAllowed as refusal:
            _finish(session, attempt, AttemptStatus.REFUSED, now, message=str(refusal))
            return None
        sender, to = f"whatsapp:{client.whatsapp_sender}", f"whatsapp:{point.value}"
    return Outbound(
        attempt_id=attempt.id,
        channel=Channel(attempt.channel),
        to=to,
        sender=sender,
        body=attempt.body if content_sid is None else None,
        content_sid=content_sid,
        content_variables=_content_variables(session, attempt, now) if content_sid else None,
        status_callback=f"{base}/twilio/messages/status?attempt={attempt.id}",
        answer_url=None,
        reconcile_since=reconcile_since,
        account_id=attempt.account_id,
        contact_point_id=attempt.contact_point_id,
        campaign_id=attempt.campaign_id,
        purpose=attempt.purpose,
        provider_sid=attempt.provider_sid,
    )


def _content_variables(session: Session, attempt: Attempt, now: datetime) -> str:
    """An approved WhatsApp template's variables: 1 first name, 2 balance, 3 due date, 4 the
    self-service link."""
    account = session.get_one(Account, attempt.account_id)
    locale = session.get_one(Client, attempt.client_id).locale
    return json.dumps(
        {
            "1": account.debtor.name.split()[0],
            "2": money(account.balance, account.currency, locale),
            "3": long_date(account.due_date, locale),
            "4": self_service_link(account, now),
        },
        ensure_ascii=False,
    )


# The provider took the request. An attempt cancelled while its request was in flight (an
# opt-out) went out: it counts as sent.
_IN_FLIGHT = Attempt.status.in_((AttemptStatus.DISPATCHING, AttemptStatus.CANCELED))
RECORD_SENT = (
    update(Attempt)
    .where(Attempt.id == bindparam("attempt_id"))
    .values(
        provider_sid=func.coalesce(Attempt.provider_sid, bindparam("sid")),
        dispatched_at=func.coalesce(Attempt.dispatched_at, NOW),
        status=case((_IN_FLIGHT, AttemptStatus.QUEUED), else_=Attempt.status),
        ended_at=case((_IN_FLIGHT, None), else_=Attempt.ended_at),
    )
    .returning(Attempt.id, Attempt.client_id)
)


def record_sent(
    conn: Connection, *, attempt_id: int, sid: str, provider_status: str, now: datetime
) -> None:
    """Store the provider's id for the attempt the request created, in one statement."""
    _logged(
        conn,
        RECORD_SENT,
        {"attempt_id": attempt_id, "sid": sid, "now": now},
        event=f"sent:{provider_status}",
    )


def _logged(
    conn: Connection,
    change: Update,
    params: dict[str, Any],
    *,
    event: str,
    then: Callable[[FromClause], Select[Any]] | None = None,
) -> Row[Any] | None:
    """Run an UPDATE ... RETURNING (id, client_id, ...) of one attempt and add its event; return
    the changed row (joined by `then`, if given), or None when nothing changed.

    PostgreSQL runs it all as one statement (data-modifying CTEs). SQLite has no such thing, so
    there it is up to three statements, which the caller's transaction keeps together."""
    params = {**params, "event": event[:30]}
    if conn.dialect.name == "postgresql":
        return conn.execute(_with_event(change, then), params).first()
    row = conn.execute(change, params).first()
    if row is None:
        return None
    conn.execute(_event_insert(select(Attempt).where(Attempt.id == row.id).subquery()), params)
    if then is None:
        return row
    return conn.execute(then(Attempt.__table__).where(Attempt.id == row.id)).first()


@cache
def _with_event(change: Update, then: Callable[[FromClause], Select[Any]] | None) -> Select[Any]:
    """The change, its event and its result as one statement (built once per change)."""
    changed = change.cte("changed")
    logged = _event_insert(changed).cte("logged")
    return (then(changed) if then else select(changed)).add_cte(logged)


def _event_insert(changed: FromClause) -> Insert:
    """INSERT ... SELECT of the event of each changed attempt."""
    return insert(AttemptEvent).from_select(
        ["client_id", "attempt_id", "status", "source", "data", "occurred_at"],
        select(
            changed.c.client_id,
            changed.c.id,
            bindparam("event", type_=String()),
            literal("acuerdo"),
            literal({}, AttemptEvent.__table__.c.data.type),
            NOW,
        ),
    )


def release_for_retry(
    session: Session, *, attempt_id: int, reason: str, now: datetime, reconcile: bool = False
) -> None:
    """The provider refused for now (throttled, down): the attempt waits for the next try.

    With `reconcile` (a 5xx or a lost answer: the request may have gone through) it stays
    dispatching, so the next try asks the provider first; else it goes back to pending.
    """
    attempt = session.get_one(Attempt, attempt_id, with_for_update=True)
    if attempt.status == AttemptStatus.DISPATCHING:
        if not reconcile:
            attempt.status = AttemptStatus.PENDING
        attempt.error_message = reason[:300]
        _event(session, attempt, "retry", now)


def give_up(session: Session, *, attempt_id: int, reason: str, now: datetime) -> bool:
    """The last try failed for a passing reason: the attempt ends failed with it; whether it did."""
    attempt = session.get_one(Attempt, attempt_id, with_for_update=True)
    if attempt.status not in (AttemptStatus.PENDING, AttemptStatus.DISPATCHING):
        return False
    _finish(session, attempt, AttemptStatus.FAILED, now, message=reason)
    return True


def record_provider_error(
    session: Session, *, attempt_id: int, code: int | None, message: str, now: datetime
) -> None:
    """A final refusal: opted out, invalid number, or anything else recorded with its code."""
    attempt = session.get_one(Attempt, attempt_id, with_for_update=True)
    point = (
        session.get(ContactPoint, attempt.contact_point_id) if attempt.contact_point_id else None
    )
    if point is not None and code == OPTED_OUT:
        contact_points.opt_out(
            session,
            contact_point=point,
            channel=Channel(attempt.channel),
            source="twilio:21610",
            at=now,
        )
    elif point is not None and code in (INVALID_NUMBER, NOT_MOBILE):
        contact_points.mark_invalid(
            session, contact_point=point, reason=f"twilio:{code}", source="twilio", at=now
        )
    attempt.error_code = code
    _finish(session, attempt, AttemptStatus.FAILED, now, message=message)


def sids_of_other_attempts(session: Session, *, attempt_id: int, sids: list[str]) -> set[str]:
    """Which of these provider ids already belong to another attempt."""
    if not sids:
        return set()
    return set(
        session.scalars(
            select(Attempt.provider_sid).where(
                Attempt.provider_sid.in_(sids), Attempt.id != attempt_id
            )
        )
    )


def _finish(
    session: Session, attempt: Attempt, status: AttemptStatus, now: datetime, *, message: str
) -> None:
    attempt.status = status
    attempt.error_message = message[:300]
    attempt.ended_at = now
    _event(session, attempt, str(status), now)


def _event(session: Session, attempt: Attempt, status: str, now: datetime) -> None:
    session.add(
        AttemptEvent(
            client_id=attempt.client_id,
            attempt_id=attempt.id,
            status=status,
            source="acuerdo",
            occurred_at=now,
        )
    )
