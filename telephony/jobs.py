"""rq jobs that reach debtors: one call, SMS or WhatsApp message per Attempt id.

The Attempt row is the truth, not rq's job status. A Redis lock keeps two runs of the same attempt
from overlapping; a run that finds the attempt already dispatching (its earlier run died) first
asks the provider whether that run's request went through (its own record only), and only sends
when it did not. Just before its rate-limit slot (and again after it when the slot made it wait
more than a second) the job runs the one contact check against the database; a message that
finds the debtor's window closed is scheduled again for when it opens (workers run with rq's
scheduler, `acuerdo worker`), any other refusal ends the attempt with its rule. A throttled,
failing or unreachable provider makes the job raise so rq retries it with backoff; on the last
try the attempt ends failed with its reason.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from redis.exceptions import LockNotOwnedError
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from sqlalchemy import Connection
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client as TwilioClient

from campaigns.compliance.send_time import SendDecision, Verdict, check_before_send, may_send
from campaigns.db import autocommit_connection, session_scope
from campaigns.dispatch_queue import dispatch_job_id, enqueue_attempt, schedule_attempt
from campaigns.models import Channel, utcnow
from campaigns.redis_conn import get_redis
from campaigns.settings import get_settings
from telephony import dispatch, dispatch_statements, recovery
from telephony.client import twilio_client
from telephony.ratelimit import rate_limited
from telephony.reconcile import Taken, find_own

log = logging.getLogger(__name__)
# Run with the attempt id once its call is placed; the composition root (`acuerdo worker`) adds
# the building of the call's screen pop, so it waits in Redis before the debtor answers.
CALL_PLACED: list[Callable[[int], object]] = []


# The contact check runs before the rate limit's wait, so a place in its window is held only for
# the request; a wait longer than this checks again (the debtor's window may have closed).
RECHECK_AFTER_WAIT = 1.0


class ProviderBusy(Exception):
    """Twilio throttled us, failed on its side or could not be reached; rq retries the job."""


def last_try() -> bool:
    """Whether rq will not retry the running job if it fails (its retries are used up)."""
    job = get_current_job()
    return job is None or not job.retries_left


def dispatch_attempt(attempt_id: int, now: str | None = None) -> str:
    """Place the call or send the message of one attempt, exactly once, if the rules allow it.

    `now` (ISO 8601, with offset) fixes the moment the job takes as now; by default the clock.
    """
    lock = get_redis().lock(
        f"acuerdo:dispatch-lock:{attempt_id}", timeout=get_settings().dispatch_lock_seconds
    )
    if not lock.acquire(blocking=False):
        return "in flight elsewhere"
    fixed = datetime.fromisoformat(now).astimezone(UTC) if now else None
    try:
        return _dispatch(attempt_id, lambda: fixed or utcnow())
    finally:
        try:
            lock.release()
        except LockNotOwnedError:
            log.warning("dispatch of attempt %s outlived its lock", attempt_id)


def _dispatch(attempt_id: int, clock: Callable[[], datetime]) -> str:
    with autocommit_connection() as conn:
        with conn.begin():
            outbound = dispatch_statements.claim_pending(conn, attempt_id=attempt_id, now=clock())
        if outbound is None:
            with session_scope() as session:
                outbound = dispatch.claim(session, attempt_id=attempt_id, now=clock())
        if outbound is None:
            return "nothing to do"
        return _reconcile_check_send(conn, outbound, clock)


def _reconcile_check_send(
    conn: Connection, outbound: dispatch.Outbound, clock: Callable[[], datetime]
) -> str:
    attempt_id = outbound.attempt_id
    client = twilio_client()
    try:
        if outbound.reconcile_since is not None:
            found = find_own(client, outbound, _taken_elsewhere(attempt_id))
            if found is not None:
                with conn.begin():
                    dispatch_statements.record_sent(
                        conn,
                        attempt_id=attempt_id,
                        sid=found[0],
                        provider_status=found[1],
                        now=clock(),
                    )
                return "reconciled"
        refused = _refusal(conn, outbound, clock())
        if refused is not None:
            return _not_sent(attempt_id, refused)
        with rate_limited(
            get_redis(), key=outbound.rate_key, per_second=outbound.per_second
        ) as place:
            if place.waited > RECHECK_AFTER_WAIT:
                refused = _refusal(conn, outbound, clock())
            if refused is not None:
                place.give_back()
                return _not_sent(attempt_id, refused)
            sid, status = _send(client, outbound)
    except TwilioRestException as error:
        return _handle_refusal(attempt_id, error, clock())
    except OSError as error:  # requests' connection errors and timeouts
        return _retry_or_give_up(
            attempt_id, f"provider unreachable: {type(error).__name__}", clock(), reconcile=True
        )
    with conn.begin():
        dispatch_statements.record_sent(
            conn, attempt_id=attempt_id, sid=sid, provider_status=status, now=clock()
        )
    if outbound.channel == Channel.VOICE:
        _call_placed(attempt_id)
    return "sent"


def _call_placed(attempt_id: int) -> None:
    for hook in CALL_PLACED:
        try:
            hook(attempt_id)
        except Exception:  # the answer builds what is missing: never fail a placed call
            log.exception("after placing attempt %s's call", attempt_id)


def _refusal(conn: Connection, outbound: dispatch.Outbound, now: datetime) -> SendDecision | None:
    """The contact check at the moment of sending: None when the rules allow it."""
    with conn.begin():
        if may_send(conn, sending=outbound.sending, now=now):
            return None
    with session_scope() as session:
        decision = check_before_send(session, attempt_id=outbound.attempt_id, now=now)
    return None if decision.verdict == Verdict.SEND else decision


def _not_sent(attempt_id: int, decision: SendDecision) -> str:
    if decision.verdict == Verdict.HELD and decision.hold_until is not None:
        schedule_attempt(attempt_id, decision.hold_until)
        return f"held until {decision.hold_until.isoformat()} ({decision.rule})"
    if decision.rule:
        return f"{decision.verdict} ({decision.rule})"
    return str(decision.verdict)


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


def _retry_or_give_up(attempt_id: int, reason: str, now: datetime, *, reconcile: bool) -> str:
    """Raise for rq to retry; on the last try end the attempt failed with the reason instead."""
    with session_scope() as session:
        if last_try():
            dispatch.give_up(session, attempt_id=attempt_id, reason=f"gave up: {reason}", now=now)
            log.warning("attempt %s failed for good: %s", attempt_id, reason)
            return f"failed: {reason}"
        dispatch.release_for_retry(
            session, attempt_id=attempt_id, reason=reason, now=now, reconcile=reconcile
        )
    raise ProviderBusy(f"attempt {attempt_id}: {reason}")


def _handle_refusal(attempt_id: int, error: TwilioRestException, now: datetime) -> str:
    throttled = error.status == 429 or error.code == dispatch.TOO_MANY_REQUESTS
    if throttled or error.status >= 500:
        return _retry_or_give_up(
            attempt_id,
            f"twilio {error.status} code {error.code}",
            now,
            reconcile=not throttled,
        )
    with session_scope() as session:
        dispatch.record_provider_error(
            session, attempt_id=attempt_id, code=error.code, message=str(error.msg), now=now
        )
    log.info("attempt %s refused by provider with code %s", attempt_id, error.code)
    return f"refused {error.code}"


OVERDUE = timedelta(minutes=2)


def _job_waits(attempt_id: int) -> bool:
    """Whether the attempt's job will run or is running: queued, scheduled (a retry with backoff,
    not overdue), or started within the dispatch lock's time (a run that outlived it died)."""
    redis = get_redis()
    try:
        job = Job.fetch(dispatch_job_id(attempt_id), connection=redis)
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    if status == JobStatus.FAILED:
        FailedJobRegistry(job.origin, connection=redis).remove(job.id)
    if status == JobStatus.SCHEDULED:
        try:
            due = ScheduledJobRegistry(job.origin, connection=redis).get_scheduled_time(job)  # type: ignore[no-untyped-call]
        except NoSuchJobError:
            return False
        return due.replace(tzinfo=due.tzinfo or UTC) > utcnow() - OVERDUE
    if status == JobStatus.STARTED and job.started_at is not None:
        started = job.started_at.replace(tzinfo=job.started_at.tzinfo or UTC)
        running_for = utcnow() - started
        return running_for < timedelta(seconds=get_settings().dispatch_lock_seconds)
    return status in (JobStatus.QUEUED, JobStatus.DEFERRED)


def requeue(attempt_id: int) -> bool:
    """Dispatch a stuck attempt again unless its job already waits to run; True if enqueued."""
    if _job_waits(attempt_id):
        return False
    return enqueue_attempt(attempt_id)


def requeue_stuck(now: datetime | None = None) -> int:
    """Re-enqueue attempts whose dispatch job was lost or died; their retry reconciles first."""
    with session_scope() as session:
        ids = recovery.undispatched_ids(session, now=now or utcnow())
    return sum(requeue(attempt_id) for attempt_id in ids)
