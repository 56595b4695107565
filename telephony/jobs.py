"""rq jobs that reach debtors: one call, SMS or WhatsApp message per Attempt id.

The Attempt row is the truth, not rq's job status. A Redis lock keeps two runs of the same attempt
from overlapping; a run that finds the attempt already dispatching (its earlier run died) first
asks the provider whether that run's request went through, and only sends when it did not.
"""

import logging
from collections.abc import Iterable
from datetime import datetime

from redis.exceptions import LockNotOwnedError
from rq import get_current_job
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client as TwilioClient

from campaigns.db import session_scope
from campaigns.dispatch_queue import enqueue_attempt
from campaigns.models import Channel, utcnow
from campaigns.redis_conn import get_redis
from campaigns.settings import get_settings
from telephony import dispatch
from telephony.client import twilio_client
from telephony.ratelimit import wait_for_slot
from telephony.reconcile import Taken, find_own

log = logging.getLogger(__name__)


class ProviderBusy(Exception):
    """Twilio throttled us, failed on its side or could not be reached; rq retries the job."""


def last_try() -> bool:
    """Whether rq will not retry the running job if it fails (its retries are used up)."""
    job = get_current_job()
    return job is None or not job.retries_left


def dispatch_attempt(attempt_id: int) -> str:
    """Place the call or send the message of one attempt, exactly once."""
    lock = get_redis().lock(
        f"acuerdo:dispatch-lock:{attempt_id}", timeout=get_settings().dispatch_lock_seconds
    )
    if not lock.acquire(blocking=False):
        return "in flight elsewhere"
    try:
        return _dispatch(attempt_id)
    finally:
        try:
            lock.release()
        except LockNotOwnedError:
            log.warning("dispatch of attempt %s outlived its lock", attempt_id)


def _dispatch(attempt_id: int) -> str:
    with session_scope() as session:
        outbound = dispatch.claim(session, attempt_id=attempt_id, now=utcnow())
    if outbound is None:
        return "nothing to do"
    client = twilio_client()
    try:
        if outbound.reconcile_since is not None:
            found = find_own(client, outbound, _taken_elsewhere(attempt_id))
            if found is not None:
                with session_scope() as session:
                    dispatch.record_sent(
                        session,
                        attempt_id=attempt_id,
                        sid=found[0],
                        provider_status=found[1],
                        now=utcnow(),
                    )
                return "reconciled"
        wait_for_slot(get_redis(), key=outbound.rate_key, per_second=outbound.per_second)
        sid, status = _send(client, outbound)
    except TwilioRestException as error:
        return _handle_refusal(attempt_id, error)
    except OSError as error:  # requests' connection errors and timeouts
        return _retry_or_give_up(
            attempt_id, f"provider unreachable: {type(error).__name__}", reconcile=True
        )
    with session_scope() as session:
        dispatch.record_sent(
            session, attempt_id=attempt_id, sid=sid, provider_status=status, now=utcnow()
        )
    return "sent"


def _send(client: TwilioClient, outbound: dispatch.Outbound) -> tuple[str, str]:
    if outbound.channel == Channel.VOICE:
        call = client.calls.create(
            to=outbound.to,
            from_=outbound.sender,
            url=outbound.answer_url,
            status_callback=outbound.status_callback,
            status_callback_event=["initiated", "ringing", "answered", "completed"],
            timeout=get_settings().ring_timeout_seconds,
            machine_detection="Enable",
        )
        return str(call.sid), str(call.status)
    if outbound.content_sid:
        message = client.messages.create(
            to=outbound.to,
            from_=outbound.sender,
            content_sid=outbound.content_sid,
            content_variables=outbound.content_variables,
            status_callback=outbound.status_callback,
        )
    else:
        message = client.messages.create(
            to=outbound.to,
            from_=outbound.sender,
            body=outbound.body,
            status_callback=outbound.status_callback,
        )
    return str(message.sid), str(message.status)


def _taken_elsewhere(attempt_id: int) -> Taken:
    def taken(sids: Iterable[str]) -> set[str]:
        with session_scope() as session:
            return dispatch.sids_of_other_attempts(session, attempt_id=attempt_id, sids=list(sids))

    return taken


def _retry_or_give_up(attempt_id: int, reason: str, *, reconcile: bool) -> str:
    """Raise for rq to retry; on the last try end the attempt failed with the reason instead."""
    now = utcnow()
    with session_scope() as session:
        if last_try():
            dispatch.give_up(session, attempt_id=attempt_id, reason=f"gave up: {reason}", now=now)
            log.warning("attempt %s failed for good: %s", attempt_id, reason)
            return f"failed: {reason}"
        dispatch.release_for_retry(
            session, attempt_id=attempt_id, reason=reason, now=now, reconcile=reconcile
        )
    raise ProviderBusy(f"attempt {attempt_id}: {reason}")


def _handle_refusal(attempt_id: int, error: TwilioRestException) -> str:
    now = utcnow()
    throttled = error.status == 429 or error.code == dispatch.TOO_MANY_REQUESTS
    if throttled or error.status >= 500:
        return _retry_or_give_up(
            attempt_id,
            f"twilio {error.status} code {error.code}",
            reconcile=not throttled,
        )
    with session_scope() as session:
        dispatch.record_provider_error(
            session, attempt_id=attempt_id, code=error.code, message=str(error.msg), now=now
        )
    log.info("attempt %s refused by provider with code %s", attempt_id, error.code)
    return f"refused {error.code}"


def requeue_stuck(now: datetime | None = None) -> int:
    """Re-enqueue attempts whose dispatch died mid-way; their retry reconciles first."""
    with session_scope() as session:
        ids = dispatch.stuck_attempt_ids(session, now=now or utcnow())
    for attempt_id in ids:
        enqueue_attempt(attempt_id)
    return len(ids)
