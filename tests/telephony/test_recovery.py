"""The recovery sweep's telephony steps against the real sandbox, Redis, rq and database: a lost
dispatch job is enqueued again (once), and a lost final callback is fetched from the provider."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from rq.job import Job
from sqlalchemy.orm import Session

from campaigns.dispatch_queue import dispatch_job_id as job_id
from campaigns.models import Attempt, AttemptEvent, AttemptStatus, Channel, utcnow
from campaigns.redis_conn import get_redis
from telephony.client import twilio_client
from telephony.jobs import requeue_stuck
from telephony.provider_status import reconcile_unconfirmed
from telephony.recovery import UNKNOWN_TO_PROVIDER
from tests.processes import eventually, run_worker, web_server
from tests.telephony.conftest import SandboxServer
from tests.telephony.test_dispatch_e2e import attempt_for, world

pytestmark = pytest.mark.slow
LONG_AGO = timedelta(hours=1)


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with web_server() as url:
        yield url


def _age(session: Session, attempt_id: int, **fields: object) -> Attempt:
    attempt = session.get_one(Attempt, attempt_id)
    attempt.created_at = utcnow() - LONG_AGO
    for name, value in fields.items():
        setattr(attempt, name, value)
    session.commit()
    return attempt


def test_a_pending_attempt_whose_job_was_lost_is_sent_exactly_once(
    session: Session, sandbox: SandboxServer, app_url: str
) -> None:
    sandbox.reset(world({"number": "+525512349001", "sms": "delivered"}))
    attempt_id = attempt_for(session, "+525512349001", Channel.SMS, body="Hola")
    _age(session, attempt_id)
    fresh = attempt_for(session, "+525512349002", Channel.SMS, body="Hola")

    assert requeue_stuck() == 1, "only the attempt pending past the bound"
    assert requeue_stuck() == 0, "its job already waits in the queue"
    assert Job.exists(job_id(attempt_id), connection=get_redis())
    assert not Job.exists(job_id(fresh), connection=get_redis())
    run_worker(app_url)

    session.rollback()
    attempt = session.get_one(Attempt, attempt_id)
    assert attempt.provider_sid is not None
    sent = [m for m in sandbox.messages() if m["to"] == "+525512349001"]
    assert len(sent) == 1
    assert requeue_stuck() == 0


def test_a_lost_final_call_callback_is_fetched_from_the_provider(
    session: Session, sandbox: SandboxServer
) -> None:
    sandbox.reset(world({"number": "+525512349003", "call": "busy"}))
    attempt_id = attempt_for(session, "+525512349003")
    call = twilio_client().calls.create(
        to="+525512349003", from_="+525550000100", twiml="<Response><Hangup/></Response>"
    )
    _age(
        session,
        attempt_id,
        status=AttemptStatus.QUEUED,
        provider_sid=call.sid,
        dispatched_at=utcnow() - LONG_AGO,
    )
    eventually(lambda: sandbox.call(str(call.sid))["status"] == "busy", timeout=30)

    changes = reconcile_unconfirmed(utcnow())

    assert [(c.attempt_id, c.status, c.final) for c in changes] == [
        (attempt_id, AttemptStatus.BUSY, True)
    ]
    session.rollback()
    attempt = session.get_one(Attempt, attempt_id)
    assert attempt.status == AttemptStatus.BUSY and attempt.ended_at is not None
    events = session.query(AttemptEvent).filter_by(attempt_id=attempt_id, status="busy").all()
    assert len(events) == 1, "stored once, as the webhook would have stored it"
    assert reconcile_unconfirmed(utcnow()) == []


def test_a_message_left_sent_is_reconciled_and_an_unknown_one_ends_failed(
    session: Session, sandbox: SandboxServer
) -> None:
    sandbox.reset(world({"number": "+525512349004", "sms": "delivered"}))
    delivered = attempt_for(session, "+525512349004", Channel.SMS, body="Hola")
    message = twilio_client().messages.create(
        to="+525512349004", from_="+525550000200", body="Hola"
    )
    _age(
        session,
        delivered,
        status=AttemptStatus.SENT,
        provider_sid=message.sid,
        dispatched_at=utcnow() - LONG_AGO,
    )
    unknown = attempt_for(session, "+525512349005", Channel.SMS, body="Hola")
    _age(
        session,
        unknown,
        status=AttemptStatus.QUEUED,
        provider_sid="SM" + "0" * 32,
        dispatched_at=utcnow() - LONG_AGO,
    )
    eventually(
        lambda: any(
            m["sid"] == message.sid and m["status"] == "delivered" for m in sandbox.messages()
        ),
        timeout=30,
    )

    reconcile_unconfirmed(utcnow())

    session.rollback()
    assert session.get_one(Attempt, delivered).status == AttemptStatus.DELIVERED
    lost = session.get_one(Attempt, unknown)
    assert lost.status == AttemptStatus.FAILED
    assert lost.error_message == UNKNOWN_TO_PROVIDER and lost.ended_at is not None
