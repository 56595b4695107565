"""Jobs that reach a debtor retry on Twilio 429/5xx and network errors, send once, and end failed
with their reason when the retries are used up: a real rq worker and the real sandbox."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from campaigns.agreements import parse_outcome, record_outcome
from campaigns.dispatch_queue import enqueue_attempt
from campaigns.models import Attempt, AttemptStatus
from campaigns.settings import get_settings
from tests.campaigns.agreements_helpers import answered_call, sms_attempts
from tests.factories import make_account, make_call_attempt, reachable_now
from tests.processes import run_worker
from tests.telephony.conftest import Receiver, SandboxServer, free_port

pytestmark = pytest.mark.slow

PHONE = "+525512345678"


def promise_confirmation(session: Session) -> Attempt:
    """A promise recorded on a call; its confirmation SMS is enqueued when the outcome commits."""
    account = make_account(session, phone=PHONE, **reachable_now())
    now = datetime.now(UTC)  # the worker sends on the real clock
    due = (now.date() + timedelta(days=7)).isoformat()
    record_outcome(
        session,
        account_id=account.id,
        attempt_id=answered_call(session, account, now=now).id,
        agent_id=None,
        outcome=parse_outcome(
            {"disposition": "promise_to_pay", "amount": "1200.00", "due_date": due}
        ),
        submission_key="k1",
        now=now,
    )
    session.commit()
    [sms] = sms_attempts(session, account)
    return sms


def reloaded(session: Session, attempt_id: int) -> Attempt:
    session.rollback()
    return session.get_one(Attempt, attempt_id)


def texts_to(sandbox: SandboxServer, phone: str) -> list[dict[str, object]]:
    return [m for m in sandbox.messages() if m.get("to") == phone]


def test_a_confirmation_throttled_then_failed_on_twilio_side_is_sent_exactly_once(
    session: Session, sandbox: SandboxServer, receiver: Receiver
) -> None:
    sandbox.reset({"numbers": [{"number": PHONE, "sms": "delivered", "api_errors": [429, 500]}]})
    sms = promise_confirmation(session)
    run_worker(receiver.url)
    attempt = reloaded(session, sms.id)
    [sent] = texts_to(sandbox, PHONE)
    assert attempt.provider_sid == sent["sid"]
    assert attempt.status not in (AttemptStatus.PENDING, AttemptStatus.DISPATCHING)
    assert attempt.status != AttemptStatus.FAILED
    assert attempt.dispatch_tries == 3


def test_a_call_throttled_once_is_placed_exactly_once(
    session: Session, sandbox: SandboxServer, receiver: Receiver
) -> None:
    sandbox.reset({"numbers": [{"number": PHONE, "call": "busy", "api_errors": [429]}]})
    account = make_account(session, phone=PHONE, **reachable_now())
    call = make_call_attempt(session, account=account)
    session.commit()
    enqueue_attempt(call.id)
    run_worker(receiver.url)
    attempt = reloaded(session, call.id)
    [placed] = sandbox.calls()
    assert attempt.provider_sid == placed["sid"] and attempt.dispatch_tries == 2


def test_twilio_down_for_good_ends_the_attempt_failed_with_its_reason_and_sends_nothing(
    session: Session, sandbox: SandboxServer, receiver: Receiver
) -> None:
    sandbox.reset({"numbers": [{"number": PHONE, "api_errors": [500], "api_errors_repeat": True}]})
    sms = promise_confirmation(session)
    run_worker(receiver.url)
    attempt = reloaded(session, sms.id)
    assert attempt.status == AttemptStatus.FAILED and attempt.ended_at is not None
    assert attempt.error_message == "gave up: twilio 500 code 20500"
    assert attempt.dispatch_tries == 1 + len(get_settings().dispatch_retry_seconds)
    assert texts_to(sandbox, PHONE) == []


def test_an_unreachable_provider_ends_the_attempt_failed_after_its_retries(
    session: Session, sandbox: SandboxServer, receiver: Receiver
) -> None:
    sms = promise_confirmation(session)
    run_worker(receiver.url, ACUERDO_SANDBOX_URL=f"http://127.0.0.1:{free_port()}")
    attempt = reloaded(session, sms.id)
    assert attempt.status == AttemptStatus.FAILED
    assert attempt.error_message == "gave up: provider unreachable: ConnectionError"
    assert texts_to(sandbox, PHONE) == []
