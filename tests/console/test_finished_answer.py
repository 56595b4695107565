"""An answer webhook for a call that already ended is refused: hang up, route nobody."""

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from campaigns.models import ROUTED, Attempt, AttemptEvent, AttemptStatus, Role
from campaigns.redis_conn import redis_url
from campaigns.settings import get_settings
from console.agents import state
from console.agents.state import AgentState
from tests.factories import make_account, make_call_attempt, make_campaign, make_client, make_user

PUBLIC = "http://127.0.0.1:8000"
SID = "CA" + "7" * 32
T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def make_ready(agent_id: int, campaign_id: int) -> None:
    redis = Redis.from_url(redis_url())
    try:
        await state.register(redis, agent_id=agent_id, name="A", campaign_ids=[campaign_id])
        await state.touch(redis, agent_id)  # present, so the presence sweep keeps it ready
        await state.set_state(redis, agent_id, AgentState.READY)
    finally:
        await redis.aclose()


async def state_of(agent_id: int) -> AgentState:
    redis = Redis.from_url(redis_url())
    try:
        return AgentState((await state.status(redis, agent_id)).state)
    finally:
        await redis.aclose()


def answer(web: TestClient, attempt_id: int, call_sid: str = SID) -> httpx.Response:
    path = f"/twilio/voice/answer?attempt={attempt_id}"
    params = {
        "CallSid": call_sid,
        "CallStatus": "in-progress",
        "AnsweredBy": "human",
        "AccountSid": get_settings().account_sid,
        "From": "+525550000100",
        "To": "+525512345678",
    }
    signature = RequestValidator(get_settings().auth_token).compute_signature(PUBLIC + path, params)
    return web.post(
        path,
        content=urlencode(params),
        headers={
            "X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )


def call_with_a_ready_agent(session: Session, status: AttemptStatus) -> tuple[int, int]:
    client = make_client(session)
    agent = make_user(session, username="agente3", role=Role.AGENT, client=client)
    campaign = make_campaign(session, client=client, agents=[agent])
    account = make_account(session, client=client)
    attempt = make_call_attempt(
        session, account=account, campaign=campaign, status=status, provider_sid=SID
    )
    if status == AttemptStatus.COMPLETED:
        attempt.ended_at = datetime.now(UTC)
        attempt.duration_seconds = 95
    session.commit()
    run_async(make_ready(agent.id, campaign.id))
    return attempt.id, agent.id


def routed(session: Session, attempt_id: int) -> bool:
    session.rollback()
    return (
        session.scalar(
            select(AttemptEvent.id).where(
                AttemptEvent.attempt_id == attempt_id, AttemptEvent.status == ROUTED
            )
        )
        is not None
    )


def test_a_replayed_answer_for_a_completed_call_hangs_up_and_routes_nobody(
    web: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    attempt_id, agent_id = call_with_a_ready_agent(session, AttemptStatus.COMPLETED)
    response = answer(web, attempt_id)
    assert response.status_code == 200
    assert "<Hangup" in response.text and "<Conference" not in response.text
    assert "<Say" not in response.text
    assert not routed(session, attempt_id)
    assert run_async(state_of(agent_id)) == AgentState.READY
    stored = session.get_one(Attempt, attempt_id)
    assert stored.abandoned is False and stored.answered_at is None
    assert "already ended" in caplog.text


def test_an_answer_carrying_another_calls_sid_is_refused(web: TestClient, session: Session) -> None:
    attempt_id, agent_id = call_with_a_ready_agent(session, AttemptStatus.RINGING)
    response = answer(web, attempt_id, call_sid="CA" + "8" * 32)
    assert "<Hangup" in response.text and "<Conference" not in response.text
    assert not routed(session, attempt_id)
    assert run_async(state_of(agent_id)) == AgentState.READY


def test_the_live_call_is_still_routed_to_the_ready_agent(
    web: TestClient, session: Session
) -> None:
    attempt_id, agent_id = call_with_a_ready_agent(session, AttemptStatus.RINGING)
    response = answer(web, attempt_id)
    assert f"acuerdo-attempt-{attempt_id}</Conference>" in response.text
    assert routed(session, attempt_id)
    assert run_async(state_of(agent_id)) == AgentState.ON_CALL
