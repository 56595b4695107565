"""A crash-retried dispatch adopts its own record at the provider, never another creditor's."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.dispatch_queue import enqueue_attempt
from campaigns.models import Attempt, AttemptStatus, Channel, Client, ContactPoint, utcnow
from campaigns.settings import get_settings
from telephony.client import twilio_client
from tests.factories import make_account, make_client, reachable_now
from tests.processes import run_worker
from tests.telephony.conftest import Receiver, SandboxServer

pytestmark = pytest.mark.slow

DEBTOR = "+525512340077"


def sms_attempt(session: Session, client: Client, body: str) -> Attempt:
    account = make_account(
        session, client=client, phone=DEBTOR, ref=f"{client.id}-1", **reachable_now()
    )
    point = session.scalars(
        select(ContactPoint).where(ContactPoint.debtor_id == account.debtor_id)
    ).one()
    attempt = Attempt(
        client_id=client.id,
        account_id=account.id,
        contact_point_id=point.id,
        channel=Channel.SMS,
        body=body,
        created_at=datetime.now(UTC),
    )
    session.add(attempt)
    session.flush()
    return attempt


def two_creditors(session: Session) -> tuple[int, int]:
    """Two creditors about to text the same debtor from the agency's shared SMS number."""
    cable = make_client(session, name="Cablevisión Norte")
    internet = make_client(session, name="Internet del Sur")
    mine = sms_attempt(session, cable, "Hola Juana, Cablevisión Norte le recuerda su pago.")
    other = sms_attempt(session, internet, "Hola Juana, Internet del Sur le recuerda su pago.")
    session.commit()
    return mine.id, other.id


def crash_after_dispatching(session: Session, attempt_id: int) -> Attempt:
    """As a worker that committed `dispatching` and then died leaves the attempt."""
    attempt = session.get_one(Attempt, attempt_id)
    attempt.status = AttemptStatus.DISPATCHING
    attempt.dispatching_at = utcnow()
    attempt.dispatch_tries = 1
    session.commit()
    return attempt


def dispatch(receiver: Receiver, attempt_id: int) -> None:
    enqueue_attempt(attempt_id)
    run_worker(receiver.url)


def sid_of(session: Session, attempt_id: int) -> str | None:
    session.rollback()
    return session.get_one(Attempt, attempt_id).provider_sid


def test_a_retry_adopts_its_own_message_not_the_other_creditors_sent_after_it(
    session: Session, sandbox: SandboxServer, receiver: Receiver
) -> None:
    mine, other = two_creditors(session)
    attempt = crash_after_dispatching(session, mine)
    lost = twilio_client().messages.create(
        to=DEBTOR, from_=get_settings().default_sms_sender, body=attempt.body
    )
    dispatch(receiver, other)
    dispatch(receiver, mine)

    assert sid_of(session, mine) == lost.sid
    assert sid_of(session, other) not in (None, lost.sid)
    assert len(sandbox.messages()) == 2


def test_a_retry_whose_request_never_arrived_sends_its_own_message(
    session: Session, sandbox: SandboxServer, receiver: Receiver
) -> None:
    mine, other = two_creditors(session)
    crash_after_dispatching(session, mine)
    dispatch(receiver, other)
    dispatch(receiver, mine)

    texts = {m["body"]: m["sid"] for m in sandbox.messages()}
    assert len(texts) == 2
    assert sid_of(session, mine) == texts["Hola Juana, Cablevisión Norte le recuerda su pago."]
    assert sid_of(session, other) == texts["Hola Juana, Internet del Sur le recuerda su pago."]


def test_a_retried_call_never_adopts_the_other_creditors_call_to_the_same_debtor(
    session: Session, sandbox: SandboxServer, receiver: Receiver
) -> None:
    sandbox.reset({"numbers": [{"number": DEBTOR, "call": "busy"}]})
    mine, other = two_creditors(session)
    for attempt_id in (mine, other):
        session.get_one(Attempt, attempt_id).channel = Channel.VOICE
    session.commit()
    crash_after_dispatching(session, mine)
    dispatch(receiver, other)
    dispatch(receiver, mine)

    calls = [c["sid"] for c in sandbox.calls()]
    assert len(calls) == 2
    assert {sid_of(session, mine), sid_of(session, other)} == set(calls)
