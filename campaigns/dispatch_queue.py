"""Enqueueing an attempt's dispatch: the one place that knows its job, id, queue, retries, timeout.

Every attempt that reaches a debtor (scheduler tick, dialing loop, preview call, callback,
agreement confirmation and reminder, and any re-dispatch by a sweeper) goes through here, so each
gets the same deterministic job id (a second enqueue of a waiting job is a no-op) and the same rq
retry policy with backoff. The job is named by its dotted path: campaigns never imports telephony.
"""

from collections.abc import Iterable
from datetime import datetime

from rq import Retry
from rq.exceptions import DuplicateJobError
from rq.job import JobStatus
from sqlalchemy.orm import Session

from campaigns.events import DISPATCH_QUEUE, after_commit, get_queue
from campaigns.settings import get_settings

DISPATCH_JOB = "telephony.jobs.dispatch_attempt"
WAITING = frozenset({JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED})


def dispatch_job_id(attempt_id: int) -> str:
    """The deterministic rq job id of an attempt's dispatch."""
    return f"dispatch-attempt-{attempt_id}"


def retry_policy() -> Retry:
    """rq's retries of a dispatch that raised (provider throttled or down, network error)."""
    intervals = get_settings().dispatch_retry_seconds
    return Retry(max=len(intervals), interval=intervals)


def enqueue_attempt(attempt_id: int) -> bool:
    """Enqueue an attempt's dispatch now unless its job is already waiting; whether it did.

    A job that ran (finished, failed, stopped) or whose worker died while it ran is replaced,
    with its retries renewed: the attempt row, the dispatch lock and reconciliation keep a second
    run from sending twice. Use it from a sweeper; inside a transaction use
    `enqueue_attempt_after_commit`.
    """
    queue = get_queue(DISPATCH_QUEUE)
    job_id = dispatch_job_id(attempt_id)
    job = queue.fetch_job(job_id)
    if job is not None and job.get_status(refresh=False) in WAITING:
        return False
    options = {
        "job_id": job_id,
        "retry": retry_policy(),
        "job_timeout": get_settings().dispatch_lock_seconds,
        "description": f"dispatch attempt {attempt_id}",
    }
    if job is not None:
        queue.enqueue(DISPATCH_JOB, attempt_id, **options)
        return True
    try:
        queue.enqueue(DISPATCH_JOB, attempt_id, unique=True, **options)
    except DuplicateJobError:
        return False
    return True


def enqueue_attempt_after_commit(session: Session, attempt_id: int) -> None:
    """Enqueue an attempt's dispatch once the session's transaction commits."""
    after_commit(session, lambda: enqueue_attempt(attempt_id))


def enqueue_attempts_after_commit(session: Session, attempt_ids: Iterable[int]) -> None:
    """Enqueue the dispatch of each attempt once the session's transaction commits."""
    for attempt_id in attempt_ids:
        enqueue_attempt_after_commit(session, attempt_id)


def schedule_attempt(attempt_id: int, at: datetime) -> None:
    """Enqueue a held attempt's dispatch for the moment its debtor's window opens (rq's
    scheduler, which `acuerdo worker` runs, moves it to the queue then)."""
    get_queue(DISPATCH_QUEUE).enqueue_at(
        at,
        DISPATCH_JOB,
        attempt_id,
        job_id=f"{dispatch_job_id(attempt_id)}-at-{int(at.timestamp())}",
        retry=retry_policy(),
        job_timeout=get_settings().dispatch_lock_seconds,
        description=f"dispatch attempt {attempt_id} when its window opens",
    )
