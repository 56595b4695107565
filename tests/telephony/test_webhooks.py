"""Twilio webhooks: signatures, idempotent forward-only statuses, keywords, answered calls."""

from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from campaigns.models import (
    Account,
    Attempt,
    AttemptEvent,
    AttemptStatus,
    Channel,
    ChannelPermission,
    ContactPoint,
    InboundMessage,
)
from campaigns.settings import get_settings
from console.app import create_app
from telephony.voice import mark_routed
from tests.factories import make_account, make_user

PUBLIC = "http://127.0.0.1:8000"


@pytest.fixture
def web() -> Iterator[TestClient]:
    with TestClient(create_app(), base_url="https://testserver") as client:
        yield client


def post_signed(web: TestClient, path: str, params: dict[str, str], token: str | None = None):
    signature = RequestValidator(token or get_settings().auth_token).compute_signature(
        PUBLIC + path, params
    )
    return web.post(
        path,
        content=urlencode(params),
        headers={
            "X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )


def make_attempt(
    session: Session, channel: Channel = Channel.VOICE, sid: str = "CA" + "1" * 32
) -> Attempt:
    account = make_account(session)
    point = session.scalars(select(ContactPoint)).one()
    attempt = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        contact_point_id=point.id,
        channel=channel,
        status=AttemptStatus.QUEUED,
        provider_sid=sid,
        created_at=datetime.now(UTC),
    )
    session.add(attempt)
    session.commit()
    return attempt


def call_status(sid: str, status: str, **extra: str) -> dict[str, str]:
    return {
        "CallSid": sid,
        "CallStatus": status,
        "AccountSid": get_settings().account_sid,
        "From": "+525550000100",
        "To": "+525512345678",
        "Direction": "outbound-api",
        **extra,
    }


def test_forged_or_missing_signature_is_refused(web: TestClient, session: Session) -> None:
    attempt = make_attempt(session)
    path = f"/twilio/voice/status?attempt={attempt.id}"
    params = call_status(attempt.provider_sid or "", "completed")
    assert post_signed(web, path, params, token="not-the-token").status_code == 403
    assert web.post(path, data=params).status_code == 403
    session.rollback()
    assert session.get_one(Attempt, attempt.id).status == AttemptStatus.QUEUED


def test_statuses_apply_once_and_only_forward(web: TestClient, session: Session) -> None:
    attempt = make_attempt(session)
    sid = attempt.provider_sid or ""
    path = f"/twilio/voice/status?attempt={attempt.id}"
    assert post_signed(web, path, call_status(sid, "ringing")).status_code == 204
    assert (
        post_signed(web, path, call_status(sid, "completed", CallDuration="42")).status_code == 204
    )
    assert (
        post_signed(web, path, call_status(sid, "completed", CallDuration="42")).status_code == 204
    )
    assert post_signed(web, path, call_status(sid, "ringing")).status_code == 204
    session.rollback()
    stored = session.get_one(Attempt, attempt.id)
    assert stored.status == AttemptStatus.COMPLETED and stored.duration_seconds == 42
    events = session.scalars(
        select(AttemptEvent.status).where(AttemptEvent.provider_sid == sid)
    ).all()
    assert sorted(events) == ["completed", "ringing"]


def test_message_failure_21610_opts_the_channel_out(web: TestClient, session: Session) -> None:
    sid = "SM" + "2" * 32
    attempt = make_attempt(session, Channel.SMS, sid)
    params = {
        "MessageSid": sid,
        "MessageStatus": "failed",
        "ErrorCode": "21610",
        "AccountSid": get_settings().account_sid,
    }
    assert (
        post_signed(web, f"/twilio/messages/status?attempt={attempt.id}", params).status_code == 204
    )
    session.rollback()
    permission = session.scalars(select(ChannelPermission)).one()
    assert permission.channel == Channel.SMS and permission.opted_out_at is not None
    assert session.get_one(Attempt, attempt.id).error_code == 21610


def inbound(web: TestClient, body: str, sid: str, sender: str = "+525512345678"):
    params = {
        "MessageSid": sid,
        "From": sender,
        "To": "+525550000200",
        "Body": body,
        "AccountSid": get_settings().account_sid,
    }
    return post_signed(web, "/twilio/sms/inbound", params)


@pytest.mark.parametrize("word", ["STOP", "baja", "Baja.", "ALTO", "cancelar", "No más", "stopall"])
def test_opt_out_keywords_stop_sms_at_once(web: TestClient, session: Session, word: str) -> None:
    make_account(session)
    session.commit()
    response = inbound(web, word, "SM" + "3" * 32)
    assert response.status_code == 200
    assert "ya no recibirá mensajes" in response.text
    session.rollback()
    permission = session.scalars(select(ChannelPermission)).one()
    assert permission.channel == Channel.SMS and permission.opted_out_at is not None


def test_opt_out_is_confirmed_once_and_start_opts_back_in(
    web: TestClient, session: Session
) -> None:
    make_account(session)
    session.commit()
    assert "ya no recibirá" in inbound(web, "BAJA", "SM" + "4" * 32).text
    second = inbound(web, "STOP", "SM" + "5" * 32)
    assert "<Message>" not in second.text
    duplicate = inbound(web, "BAJA", "SM" + "4" * 32)
    assert "<Message>" not in duplicate.text
    assert "se reactivaron" in inbound(web, "alta", "SM" + "6" * 32).text
    session.rollback()
    assert session.scalars(select(ChannelPermission)).one().opted_out_at is None
    assert session.scalar(select(func.count(InboundMessage.id))) == 3


def test_free_text_reply_lands_on_the_account(web: TestClient, session: Session) -> None:
    account = make_account(session)
    session.commit()
    response = inbound(web, "Sí, pago el viernes", "SM" + "7" * 32)
    assert response.status_code == 200 and "<Message>" not in response.text
    session.rollback()
    message = session.scalars(select(InboundMessage)).one()
    assert message.account_id == account.id and message.handled_as == "reply"
    assert session.scalars(select(ChannelPermission)).all() == []


def test_machine_gets_a_courteous_voicemail_without_debt_details(
    web: TestClient, session: Session
) -> None:
    attempt = make_attempt(session)
    params = call_status(attempt.provider_sid or "", "in-progress", AnsweredBy="machine_start")
    response = post_signed(web, f"/twilio/voice/answer?attempt={attempt.id}", params)
    assert response.status_code == 200
    assert "Cablevisión Norte" in response.text and "<Hangup" in response.text
    assert "1200" not in response.text and "saldo" not in response.text.lower()
    session.rollback()
    assert session.get_one(Attempt, attempt.id).abandoned is False


def test_human_with_no_agent_hears_the_abandon_message_and_counts(
    web: TestClient, session: Session
) -> None:
    attempt = make_attempt(session)
    params = call_status(attempt.provider_sid or "", "in-progress", AnsweredBy="human")
    response = post_signed(web, f"/twilio/voice/answer?attempt={attempt.id}", params)
    assert "no hay un asesor disponible" in response.text
    session.rollback()
    stored = session.get_one(Attempt, attempt.id)
    assert stored.abandoned is True and stored.answered_by == "human"
    assert stored.answered_at is not None and stored.answered_at <= datetime.now(UTC)
    assert session.get_one(Account, attempt.account_id).status == "active"


def test_a_repeated_answer_for_a_bridged_call_returns_the_same_bridge(
    web: TestClient, session: Session
) -> None:
    attempt = make_attempt(session)
    agent = make_user(session, username="agente7")
    mark_routed(session, attempt_id=attempt.id, agent_id=agent.id, now=datetime.now(UTC))
    session.commit()
    params = call_status(attempt.provider_sid or "", "in-progress", AnsweredBy="human")
    response = post_signed(web, f"/twilio/voice/answer?attempt={attempt.id}", params)
    assert f"acuerdo-attempt-{attempt.id}</Conference>" in response.text
    session.rollback()
    assert session.get_one(Attempt, attempt.id).abandoned is False


def test_a_reply_with_nul_and_control_characters_is_stored_without_them(
    web: TestClient, session: Session
) -> None:
    make_account(session)
    session.commit()
    response = inbound(web, "Pago\x00 el\x1b viernes", "SM" + "8" * 32)
    assert response.status_code == 200
    session.rollback()
    assert session.scalars(select(InboundMessage)).one().body == "Pago el viernes"
