"""One function enqueues an attempt's dispatch: same job, id, queue, retries and timeout for all."""

from datetime import timedelta

from rq import SimpleWorker
from rq.job import Job, JobStatus
from sqlalchemy.orm import Session

from campaigns.agreements import parse_outcome, record_outcome
from campaigns.dispatch_queue import (
    DISPATCH_JOB,
    dispatch_job_id,
    enqueue_attempt,
    enqueue_attempt_after_commit,
)
from campaigns.events import DISPATCH_QUEUE, get_queue
from campaigns.models import Channel
from campaigns.redis_conn import get_redis
from campaigns.scheduler import run_tick
from campaigns.settings import get_settings
from tests.campaigns.agreements_helpers import NOW, TODAY, answered_call, sms_attempts
from tests.campaigns.test_scheduler_eligibility import NOW as TICK_NOW
from tests.campaigns.test_scheduler_eligibility import account, make_campaign
from tests.factories import make_account, make_client


def job_of(attempt_id: int) -> Job:
    job = get_queue(DISPATCH_QUEUE).fetch_job(dispatch_job_id(attempt_id))
    assert job is not None
    return job


def assert_dispatch_job(attempt_id: int) -> None:
    job = job_of(attempt_id)
    settings = get_settings()
    assert job.func_name == DISPATCH_JOB and job.args == (attempt_id,)
    assert job.origin == DISPATCH_QUEUE
    assert job.retries_left == len(settings.dispatch_retry_seconds)
    assert job.retry_intervals == settings.dispatch_retry_seconds
    assert job.timeout == settings.dispatch_lock_seconds


def test_a_waiting_job_is_enqueued_once_and_a_finished_one_again_with_fresh_retries() -> None:
    queue = get_queue(DISPATCH_QUEUE)
    assert enqueue_attempt(404) is True
    assert enqueue_attempt(404) is False
    assert queue.job_ids == [dispatch_job_id(404)]
    assert_dispatch_job(404)

    SimpleWorker([queue], connection=get_redis()).work(burst=True)
    assert job_of(404).get_status() == JobStatus.FINISHED
    assert job_of(404).return_value() == "nothing to do"  # no such attempt
    assert enqueue_attempt(404) is True
    assert queue.job_ids == [dispatch_job_id(404)]
    assert_dispatch_job(404)


def test_nothing_is_enqueued_after_a_rollback(session: Session) -> None:
    make_client(session)
    enqueue_attempt_after_commit(session, 405)
    session.rollback()
    assert get_queue(DISPATCH_QUEUE).job_ids == []


def test_ticks_and_agreement_messages_enqueue_through_the_same_policy(session: Session) -> None:
    client = make_client(session)
    account(session, client, "T1")
    make_campaign(session, client)
    run_tick(session, now=TICK_NOW)

    other = make_account(session, client=client, phone="+525512349999", ref="A1")
    due = (TODAY + timedelta(days=7)).isoformat()
    record_outcome(
        session,
        account_id=other.id,
        attempt_id=answered_call(session, other).id,
        agent_id=None,
        outcome=parse_outcome(
            {"disposition": "promise_to_pay", "amount": "1200.00", "due_date": due}
        ),
        submission_key="k",
        now=NOW,
    )
    session.commit()
    [confirmation] = sms_attempts(session, other)
    assert confirmation.channel == Channel.SMS
    job_ids = get_queue(DISPATCH_QUEUE).job_ids
    assert len(job_ids) == 2 and dispatch_job_id(confirmation.id) in job_ids
    for job_id in job_ids:
        assert_dispatch_job(int(job_id.rsplit("-", 1)[1]))
