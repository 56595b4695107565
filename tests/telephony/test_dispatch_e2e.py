"""Calls and messages end to end: rq workers, the sandbox over HTTP, the app under uvicorn."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.dispatch_queue import enqueue_attempt
from campaigns.models import (
    Attempt,
    AttemptStatus,
    Channel,
    ChannelPermission,
    Client,
    ContactPoint,
    utcnow,
)
from telephony.client import twilio_client
from telephony.jobs import requeue_stuck
from tests.factories import make_account, make_call_attempt, make_client, reachable_now
from tests.processes import (
    eventually,
    kill_worker,
    run_worker,
    start_worker,
    wait_seconds,
    web_server,
)
from tests.telephony.conftest import SandboxServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with web_server() as url:
        yield url


def attempt_for(
    session: Session, phone: str, channel: Channel = Channel.VOICE, body: str | None = None
) -> int:
    client = session.scalars(select(Client)).first() or make_client(session)
    account = make_account(session, client=client, phone=phone, **reachable_now())
    point = session.scalars(select(ContactPoint).where(ContactPoint.value == phone)).one()
    attempt = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        contact_point_id=point.id,
        channel=channel,
        body=body,
        created_at=datetime.now(UTC),
    )
    session.add(attempt)
    session.commit()
    return attempt.id


def final(session: Session, attempt_id: int) -> Attempt:
    def done() -> Attempt | None:
        session.rollback()
        attempt = session.get_one(Attempt, attempt_id)
        return attempt if attempt.ended_at is not None else None

    return eventually(done, timeout=30)


def world(rule: dict[str, object], **extra: object) -> dict[str, object]:
    return {"numbers": [rule], **extra}


def test_human_answer_with_no_agent_hears_the_abandon_message(
    session: Session, sandbox: SandboxServer, app_url: str
) -> None:
    sandbox.reset(world({"number": "+525512340001", "call": "human", "ring_seconds": 2}))
    attempt_id = attempt_for(session, "+525512340001")
    enqueue_attempt(attempt_id)
    run_worker(app_url)
    attempt = final(session, attempt_id)
    assert attempt.status == AttemptStatus.COMPLETED
    assert attempt.answered_by == "human" and attempt.abandoned is True
    calls = sandbox.calls()
    assert len(calls) == 1 and calls[0]["sid"] == attempt.provider_sid


@pytest.mark.parametrize(
    ("outcome", "status", "answered_by"),
    [
        ("machine", AttemptStatus.COMPLETED, "machine_start"),
        ("busy", AttemptStatus.BUSY, None),
        ("no-answer", AttemptStatus.NO_ANSWER, None),
    ],
)
def test_machine_busy_and_no_answer(
    session: Session,
    sandbox: SandboxServer,
    app_url: str,
    outcome: str,
    status: AttemptStatus,
    answered_by: str | None,
) -> None:
    sandbox.reset(world({"number": "+525512340002", "call": outcome}))
    attempt_id = attempt_for(session, "+525512340002")
    enqueue_attempt(attempt_id)
    run_worker(app_url)
    attempt = final(session, attempt_id)
    assert attempt.status == status
    assert attempt.answered_by == answered_by
    assert attempt.abandoned is False


def test_invalid_number_marks_the_contact_point(
    session: Session, sandbox: SandboxServer, app_url: str
) -> None:
    sandbox.reset(world({"number": "+525512340003", "call": "invalid"}))
    attempt_id = attempt_for(session, "+525512340003")
    enqueue_attempt(attempt_id)
    run_worker(app_url)
    session.rollback()
    attempt = session.get_one(Attempt, attempt_id)
    assert attempt.status == AttemptStatus.FAILED and attempt.error_code == 21211
    assert session.get_one(ContactPoint, attempt.contact_point_id).invalid is True
    assert sandbox.calls() == []


def test_sms_delivered_and_failed(session: Session, sandbox: SandboxServer, app_url: str) -> None:
    sandbox.reset(
        {
            "numbers": [
                {"number": "+525512340004", "sms": "delivered"},
                {"number": "+525512340005", "sms": "failed"},
            ]
        }
    )
    ok = attempt_for(session, "+525512340004", Channel.SMS, body="Recordatorio de pago")
    bad = attempt_for(session, "+525512340005", Channel.SMS, body="Recordatorio de pago")
    enqueue_attempt(ok)
    enqueue_attempt(bad)
    run_worker(app_url)
    assert final(session, ok).status == AttemptStatus.DELIVERED
    assert final(session, bad).status == AttemptStatus.FAILED
    assert len(sandbox.messages()) == 2


def test_stop_reply_opts_out_over_the_real_webhook(
    session: Session, sandbox: SandboxServer, app_url: str
) -> None:
    sandbox.reset(sms_inbound_url=f"{app_url}/twilio/sms/inbound")
    make_account(session, phone="+525512340006")
    session.commit()
    sandbox.inbound(from_number="+525512340006", to="+525550000200", body="BAJA")

    def opted_out() -> bool:
        session.rollback()
        permission = session.scalars(select(ChannelPermission)).first()
        return permission is not None and permission.opted_out_at is not None

    eventually(opted_out)
    confirmations = [m for m in sandbox.messages() if m.get("to") == "+525512340006"]
    assert len(confirmations) <= 1


def test_opted_out_recipient_21610_opts_the_channel_out(
    session: Session, sandbox: SandboxServer, app_url: str
) -> None:
    sandbox.reset(world({"number": "+525512340007", "call": "opted-out"}))
    attempt_id = attempt_for(session, "+525512340007", Channel.SMS, body="Hola")
    enqueue_attempt(attempt_id)
    run_worker(app_url)
    session.rollback()
    attempt = session.get_one(Attempt, attempt_id)
    assert attempt.status == AttemptStatus.FAILED and attempt.error_code == 21610
    permission = session.scalars(select(ChannelPermission)).one()
    assert permission.channel == Channel.SMS and permission.opted_out_at is not None


def test_worker_killed_mid_request_places_exactly_one_call(
    session: Session, sandbox: SandboxServer, app_url: str
) -> None:
    sandbox.reset(world({"number": "+525512340008", "call": "busy"}, api_delay_seconds=3))
    attempt_id = attempt_for(session, "+525512340008")
    enqueue_attempt(attempt_id)
    worker = start_worker(app_url, burst=False, ACUERDO_DISPATCH_LOCK_SECONDS="2")
    eventually(lambda: len(sandbox.calls()) == 1, timeout=30)
    kill_worker(worker)
    wait_seconds(2.5)
    requeue_stuck()
    enqueue_attempt(attempt_id)
    run_worker(app_url, ACUERDO_DISPATCH_LOCK_SECONDS="2")
    attempt = final(session, attempt_id)
    calls = sandbox.calls()
    assert len(calls) == 1
    assert attempt.provider_sid == calls[0]["sid"]
    assert attempt.status == AttemptStatus.BUSY


def test_retry_after_a_lost_response_reconciles_instead_of_calling_again(
    session: Session, sandbox: SandboxServer, app_url: str
) -> None:
    sandbox.reset(world({"number": "+525512340009", "call": "busy"}))
    attempt_id = attempt_for(session, "+525512340009")
    lost = twilio_client().calls.create(
        to="+525512340009", from_="+525550000100", twiml="<Response><Hangup/></Response>"
    )
    attempt = session.get_one(Attempt, attempt_id)
    attempt.status = AttemptStatus.DISPATCHING
    attempt.dispatching_at = utcnow()
    session.commit()
    enqueue_attempt(attempt_id)
    run_worker(app_url)
    session.rollback()
    assert session.get_one(Attempt, attempt_id).provider_sid == lost.sid
    assert len(sandbox.calls()) == 1


def test_call_rate_is_held_across_two_workers(
    session: Session, sandbox: SandboxServer, app_url: str
) -> None:
    sandbox.reset({"numbers": [{"match": "+5255123401*", "call": "busy"}], "calls_per_second": 100})
    client = make_client(session)
    ids = []
    for n in range(6):
        account = make_account(session, client=client, phone=f"+52551234010{n}", **reachable_now())
        ids.append(make_call_attempt(session, account=account).id)
    session.commit()
    for attempt_id in ids:
        enqueue_attempt(attempt_id)
    workers = [start_worker(app_url, ACUERDO_CALLS_PER_SECOND="2") for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=60) == 0
    created = sorted(datetime.fromisoformat(c["created_at"]) for c in sandbox.calls())
    assert len(created) == 6
    gaps = [(b - a).total_seconds() for a, b in zip(created, created[1:], strict=False)]
    achieved = (len(created) - 1) / (created[-1] - created[0]).total_seconds()
    assert achieved <= 2.0 * 1.05, (achieved, gaps)
    assert min(gaps) >= 0.3, gaps
