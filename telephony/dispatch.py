"""Outbound dispatch of one attempt, in steps that each commit, so a crash loses nothing.

1. `telephony.dispatch_statements.claim_pending` moves a pending call or SMS to dispatching and
   says what to send, in one statement (committed before any provider request). Anything else
   goes through `claim`: an attempt already dispatching asks for reconciliation (the earlier run
   may have reached the provider before it died), a WhatsApp message passes its template
   policy, an attempt without a contact point is refused.
2. The job reconciles, runs the one contact check against the database
   (`campaigns.compliance.send_time`: a message outside the debtor's window is held for the next
   window, any other refusal ends the attempt), waits for its rate slot and only then sends.
3. `dispatch_statements.record_sent` (one statement), `record_provider_error` or
   `release_for_retry` store the result.
"""

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
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
    session.add(AttemptEvent.on(attempt, "dispatching", now))
    return outbound


class AttemptFields(Protocol):
    """What an Outbound takes from its attempt, such as an Attempt row or a claim's row."""

    @property
    def id(self) -> int: ...
    @property
    def channel(self) -> str: ...
    @property
    def body(self) -> str | None: ...
    @property
    def account_id(self) -> int: ...
    @property
    def contact_point_id(self) -> int | None: ...
    @property
    def campaign_id(self) -> int | None: ...
    @property
    def purpose(self) -> str: ...
    @property
    def provider_sid(self) -> str | None: ...


def outbound_of(
    attempt: AttemptFields,
    *,
    to: str,
    sender: str | None,
    caller_ids: tuple[str | None, ...] = (),
    reconcile_since: datetime | None = None,
) -> Outbound:
    """What the attempt sends: a call from the first caller id set (else the default), a
    message from `sender` (else the default SMS sender)."""
    settings = get_settings()
    base = settings.public_base_url.rstrip("/")
    voice = attempt.channel == Channel.VOICE
    if voice:
        sender = next((one for one in caller_ids if one), settings.default_caller_id)
    else:
        sender = sender or settings.default_sms_sender
    kind = "voice" if voice else "messages"
    return Outbound(
        attempt_id=attempt.id,
        channel=Channel(attempt.channel),
        to=to,
        sender=sender,
        body=None if voice else attempt.body,
        content_sid=None,
        content_variables=None,
        status_callback=f"{base}/twilio/{kind}/status?attempt={attempt.id}",
        answer_url=f"{base}/twilio/voice/answer?attempt={attempt.id}" if voice else None,
        reconcile_since=reconcile_since,
        account_id=attempt.account_id,
        contact_point_id=attempt.contact_point_id,
        campaign_id=attempt.campaign_id,
        purpose=attempt.purpose,
        provider_sid=attempt.provider_sid,
    )


def _outbound(
    session: Session,
    attempt: Attempt,
    point: ContactPoint,
    client: Client,
    campaign: Campaign | None,
    reconcile_since: datetime | None,
    now: datetime,
) -> Outbound | None:
    if attempt.channel != Channel.WHATSAPP:
        return outbound_of(
            attempt,
            to=point.value,
            sender=client.sms_sender,
            caller_ids=(campaign.caller_id if campaign else None, client.caller_id),
            reconcile_since=reconcile_since,
        )
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
    outbound = outbound_of(
        attempt,
        to=f"whatsapp:{point.value}",
        sender=f"whatsapp:{client.whatsapp_sender}",
        reconcile_since=reconcile_since,
    )
    if content_sid is None:
        return outbound
    return replace(
        outbound,
        body=None,
        content_sid=content_sid,
        content_variables=_content_variables(session, attempt, now),
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
        session.add(AttemptEvent.on(attempt, "retry", now))


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
    session.add(AttemptEvent.on(attempt, str(status), now))
