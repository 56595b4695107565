"""Debtors calling the creditor's number: the sandbox places the call, the web processes answer
with the IVR, the queue gives it to a ready agent over a real websocket, or a callback is left."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.compliance import effective_profile
from campaigns.compliance.windows import next_open
from campaigns.dispatch_queue import enqueue_attempt
from campaigns.models import (
    Account,
    Attempt,
    AttemptEvent,
    AuditEvent,
    Callback,
    Client,
    Disposition,
    MessageDirection,
    Outcome,
    Role,
)
from campaigns.self_service import LINK_PATH, Purpose, read_token
from campaigns.timeline import account_timeline
from tests.agent_socket import go_ready, open_socket, receive, sign_in
from tests.factories import make_account, make_call_attempt, make_campaign, make_client, make_user
from tests.processes import run_worker, web_server
from tests.telephony.conftest import SandboxServer, wait_until

pytestmark = pytest.mark.slow
PHONE = "+525512349101"
STRANGER = "+525512349199"
DOCUMENT = "GOMJ800101HDFRRN4321"


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    with web_server() as first, web_server() as second:
        yield first, second


def zone_where_it_is(hour: int) -> str:
    """A fixed-offset zone where the local hour is now `hour` (the processes read the clock)."""
    offset = (hour - datetime.now(UTC).hour + 12) % 24 - 12
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def creditor(session: Session, *, hour: int, offer_seconds: int = 120) -> Client:
    client = make_client(session, timezone=zone_where_it_is(hour))
    client.inbound_callback_offer_seconds = offer_seconds
    return client


def debtor_account(session: Session, client: Client, *, phone: str = PHONE) -> Account:
    account = make_account(
        session,
        client=client,
        phone=phone,
        balance="1500.00",
        timezone=client.timezone,
        today=datetime.now(UTC).date(),
    )
    account.debtor.national_id = DOCUMENT
    return account


def reset(sandbox: SandboxServer, webhooks: str, **world: object) -> None:
    sandbox.reset(
        {"play_seconds": 60, **world},
        voice_inbound_url=f"{webhooks}/twilio/voice/inbound",
        voice_status_url=f"{webhooks}/twilio/voice/status",
    )


def said(sandbox: SandboxServer, sid: str) -> list[str]:
    return [h["text"] for h in sandbox.call(sid)["heard"] if h["verb"] == "Say"]


def test_inbound_call_waits_in_line_then_reaches_a_ready_agent_with_the_account_popped(
    session: Session, sandbox: SandboxServer, servers: tuple[str, str]
) -> None:
    agent_server, webhook_server = servers
    reset(sandbox, webhook_server)
    client = creditor(session, hour=12)
    agent = make_user(session, username="agente-in", role=Role.AGENT, access=[client])
    make_campaign(session, client=client, agents=[agent])
    account = debtor_account(session, client)
    session.commit()

    cookie = sign_in(agent_server, "agente-in")
    with open_socket(agent_server, cookie) as socket:
        receive(socket, "snapshot")
        call = sandbox.inbound_call(
            from_number=PHONE, to="+525555550100", answers=["1"], patience_seconds=3600
        )
        assert call["direction"] == "inbound"
        wait_until(lambda: any(h["verb"] == "Play" for h in sandbox.call(call["sid"])["heard"]))
        heard = said(sandbox, call["sid"])
        assert "Gracias por llamar a Cablevisión Norte." in heard
        assert any("número 1 en la fila" in text for text in heard)
        spoken = [h for h in sandbox.call(call["sid"])["heard"] if h["verb"] == "Say"]
        assert {h["language"] for h in spoken} == {"es-MX"}

        socket.send(json.dumps({"type": "set_state", "state": "ready"}))
        assert receive(socket, "state")["state"] == "ready"
        offer = receive(socket, "offer", timeout=30)
        assert offer["direction"] == "inbound"
        assert offer["screen"]["direction"] == "inbound"
        assert offer["screen"]["account"]["id"] == account.id
        assert offer["screen"]["account"]["balance"] == "1500.00"
        assert offer["screen"]["script"]["steps"]
        assert "promise_to_pay" in offer["screen"]["dispositions"]
        promise_date = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
        outcome = {"disposition": "promise_to_pay", "amount": "1500.00", "due_date": promise_date}
        socket.send(
            json.dumps(
                {
                    "type": "submit_outcome",
                    "attempt_id": offer["attempt_id"],
                    "key": "inbound-outcome-1",
                    "outcome": outcome,
                }
            )
        )
        assert receive(socket, "outcome_ack")["key"] == "inbound-outcome-1"

    session.rollback()
    attempt = session.get_one(Attempt, offer["attempt_id"])
    assert attempt.direction == MessageDirection.INBOUND
    assert attempt.account_id == account.id and attempt.agent_id == agent.id
    assert attempt.provider_sid == call["sid"]
    wait_until(lambda: sandbox.call(call["sid"])["conference"] is not None, timeout=20)
    directions = [
        e.summary["direction"]
        for e in account_timeline(session, account_id=account.id)
        if e.kind == "attempt"
    ]
    assert directions.count("inbound") == 1
    recorded = session.scalars(select(Outcome).where(Outcome.attempt_id == attempt.id)).one()
    assert recorded.disposition == Disposition.PROMISE_TO_PAY and recorded.agent_id == agent.id


def test_the_caller_who_waits_too_long_is_offered_a_callback_and_takes_it(
    session: Session, sandbox: SandboxServer, servers: tuple[str, str]
) -> None:
    _, webhook_server = servers
    reset(sandbox, webhook_server)
    client = creditor(session, hour=12, offer_seconds=1)
    account = debtor_account(session, client)
    session.commit()

    call = sandbox.inbound_call(
        from_number=PHONE, to="+525555550100", answers=["1", "1"], patience_seconds=3600
    )
    wait_until(lambda: sandbox.call(call["sid"])["status"] == "completed", timeout=30)
    heard = said(sandbox, call["sid"])
    assert any("le devuelva la llamada" in text for text in heard)
    assert any(text.startswith("Un asesor le llamará hoy a las") for text in heard)
    session.rollback()
    callback = session.scalars(select(Callback).where(Callback.account_id == account.id)).one()
    outcome = session.get_one(Outcome, callback.outcome_id)
    assert outcome.disposition == Disposition.CALLBACK
    now = datetime.now(UTC)
    assert callback.due_at.replace(tzinfo=UTC) - now < timedelta(minutes=1)


def test_after_hours_the_caller_hears_the_opening_hours_and_leaves_a_callback(
    session: Session, sandbox: SandboxServer, servers: tuple[str, str]
) -> None:
    _, webhook_server = servers
    reset(sandbox, webhook_server)
    client = creditor(session, hour=3)
    account = debtor_account(session, client)
    session.commit()

    call = sandbox.inbound_call(from_number=PHONE, to="+525555550100", answers=["1"])
    wait_until(lambda: sandbox.call(call["sid"])["status"] == "completed", timeout=30)
    heard = said(sandbox, call["sid"])
    assert any("Nuestros asesores no están disponibles" in text for text in heard)
    assert any("hoy de 07:00 a 22:00" in text for text in heard)
    session.rollback()
    callback = session.scalars(select(Callback).where(Callback.account_id == account.id)).one()
    stored = session.get_one(Client, client.id)
    expected = next_open(
        effective_profile(stored),
        (account.debtor.timezone,),
        "MX",
        datetime.now(UTC),
    )
    assert expected is not None
    assert callback.due_at.replace(tzinfo=UTC) == expected
    attempt = session.scalars(select(Attempt).where(Attempt.provider_sid == call["sid"])).one()
    assert attempt.direction == MessageDirection.INBOUND and attempt.status == "completed"
    assert any("Un asesor le llamará" in text for text in heard)


def test_an_unknown_caller_types_the_account_number_then_hears_the_balance_after_verifying(
    session: Session, sandbox: SandboxServer, servers: tuple[str, str]
) -> None:
    _, webhook_server = servers
    reset(sandbox, webhook_server)
    client = creditor(session, hour=12)
    account = debtor_account(session, client)
    account.account_ref = "778899"
    session.commit()

    call = sandbox.inbound_call(
        from_number=STRANGER,
        to="+525555550100",
        answers=["778899", "2", "9999", "2", "4321"],
        patience_seconds=120,
    )
    wait_until(lambda: sandbox.call(call["sid"])["status"] == "completed", timeout=60)
    heard = said(sandbox, call["sid"])
    assert any("número de cuenta" in text for text in heard)
    assert "Los dígitos no coinciden con nuestros registros." in heard
    assert "Su saldo es $1,500.00." in heard
    assert heard.index("Los dígitos no coinciden con nuestros registros.") < heard.index(
        "Su saldo es $1,500.00."
    )
    session.rollback()
    attempt = session.scalars(select(Attempt).where(Attempt.provider_sid == call["sid"])).one()
    assert attempt.account_id == account.id and attempt.contact_point_id is None
    failures = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "inbound_call.verification_failed")
    ).all()
    assert [f.account_id for f in failures] == [account.id]
    steps = session.scalars(
        select(AttemptEvent.status).where(AttemptEvent.attempt_id == attempt.id)
    ).all()
    assert "ivr:balance" in steps and "ivr:verification_failed" in steps
    (entry,) = [e for e in account_timeline(session, account_id=account.id) if e.kind == "attempt"]
    assert entry.summary["direction"] == "inbound"
    assert entry.summary["ivr"][:4] == ["identified", "verification_failed", "balance", "queued"]


def test_a_forged_inbound_call_webhook_is_refused(
    session: Session, servers: tuple[str, str]
) -> None:
    _, webhook_server = servers
    client = creditor(session, hour=12)
    debtor_account(session, client)
    session.commit()
    form = {"CallSid": "CA" + "0" * 32, "From": PHONE, "To": "+525555550100"}
    forged = httpx.post(
        f"{webhook_server}/twilio/voice/inbound",
        data=form,
        headers={"X-Twilio-Signature": "bm90LWEtc2lnbmF0dXJl"},
    )
    unsigned = httpx.post(f"{webhook_server}/twilio/voice/inbound/menu?attempt=1", data=form)
    assert forged.status_code == 403 and unsigned.status_code == 403
    session.rollback()
    assert session.scalars(select(Attempt)).all() == []


def test_a_callback_an_inbound_caller_left_reaches_any_ready_agent_of_the_creditor(
    session: Session, sandbox: SandboxServer, servers: tuple[str, str]
) -> None:
    agent_server, webhook_server = servers
    sandbox.reset(
        {"numbers": [{"number": PHONE, "call": "human", "ring_seconds": 2, "talk_seconds": 900}]}
    )
    client = creditor(session, hour=12)
    agent = make_user(session, username="agente-cb", role=Role.AGENT, access=[client])
    make_campaign(session, client=client, agents=[agent])
    account = debtor_account(session, client)
    callback_call = make_call_attempt(session, account=account, dedup_key="callback:test")
    session.commit()

    cookie = sign_in(agent_server, "agente-cb")
    with open_socket(agent_server, cookie) as socket:
        assert go_ready(socket)["state"] == "ready"
        enqueue_attempt(callback_call.id)
        run_worker(webhook_server)
        offer = receive(socket, "offer", timeout=30)
    assert offer["attempt_id"] == callback_call.id
    assert offer["direction"] == "outbound"


def test_the_caller_asks_for_the_link_and_gets_it_by_sms(
    session: Session, sandbox: SandboxServer, servers: tuple[str, str]
) -> None:
    _, webhook_server = servers
    reset(sandbox, webhook_server)
    client = creditor(session, hour=12)
    account = debtor_account(session, client)
    account.account_ref = "CV 0042"
    session.commit()

    call = sandbox.inbound_call(
        from_number=PHONE, to="+525555550100", answers=["3"], patience_seconds=60
    )
    wait_until(lambda: sandbox.call(call["sid"])["status"] == "completed", timeout=30)
    assert "Le enviamos un mensaje de texto. Gracias." in said(sandbox, call["sid"])
    run_worker(webhook_server)
    (sms,) = [m for m in sandbox.messages() if m["to"] == PHONE]
    opening = "Cablevisión Norte: para consultar y arreglar su cuenta CV 0042, abra "
    assert sms["body"].startswith(opening)
    link = sms["body"].removeprefix(opening)
    address, token = link.rsplit(LINK_PATH, 1)
    assert address == webhook_server.rstrip("/")
    assert read_token(Purpose.LINK, token, datetime.now(UTC)) == account.id
