"""The dialing loop asks the pacer and launches that many calls from the eligible set."""

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Attempt, Callback, Campaign, Channel, Outcome, Role, User
from campaigns.redis_conn import redis_url
from console.agents import state
from console.agents.state import AgentState
from console.dialer import dial_callbacks, dial_once
from tests.factories import make_account, make_campaign, make_client, make_user

NOON_MEXICO = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def run_async(coroutine: Coroutine[Any, Any, list[int]]) -> list[int]:
    """Run a coroutine on its own loop in a thread (the browser tests keep a loop in this one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _run(
    agent_states: dict[int, AgentState], campaign_id: int, seconds: int = 1
) -> list[int]:
    """Run the loop for a few seconds; how many calls the pacer asked for each second."""
    redis = Redis.from_url(redis_url())
    try:
        for agent_id, agent_state in agent_states.items():
            await state.register(redis, agent_id=agent_id, name="A", campaign_ids=[campaign_id])
            await state.set_state(redis, agent_id, agent_state)
        asked = []
        for second in range(seconds):
            decisions = await dial_once(redis, NOON_MEXICO.replace(second=second))
            asked.append(decisions[campaign_id].calls if campaign_id in decisions else -1)
        return asked
    finally:
        await redis.aclose()


@pytest.mark.parametrize(
    ("mode", "states", "per_second"),
    [
        ("progressive", [AgentState.READY, AgentState.READY, AgentState.PAUSED], [1, 1, 0]),
        ("progressive", [AgentState.PAUSED, AgentState.ON_CALL], [0, 0, 0]),
        ("predictive", [AgentState.READY], [1, 0, 0]),
    ],
)
def test_loop_launches_one_call_per_ready_agent_within_the_cps(
    session: Session, mode: str, states: list[AgentState], per_second: list[int]
) -> None:
    """Twilio's default 1 call per second: two ready agents get their calls over two seconds."""
    client = make_client(session)
    agents = [
        make_user(session, username=f"agente{n}", role=Role.AGENT, access=[client])
        for n in range(len(states))
    ]
    campaign = make_campaign(session, client=client, agents=agents, mode=mode)
    for n in range(6):
        make_account(
            session,
            client=client,
            phone=f"+5255123450{n:02d}",
            ref=f"R-{n}",
            today=NOON_MEXICO.date(),
        )
    session.commit()
    asked = run_async(
        _run({a.id: s for a, s in zip(agents, states, strict=True)}, campaign.id, seconds=3)
    )
    assert asked == per_second
    session.rollback()
    calls = session.scalars(select(Attempt).where(Attempt.channel == Channel.VOICE)).all()
    assert len(calls) == sum(per_second)
    assert all(c.campaign_id == campaign.id for c in calls)


def test_preview_campaigns_are_not_paced(session: Session) -> None:
    client = make_client(session)
    agent = make_user(session, role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent], mode="preview")
    make_account(session, client=client, today=NOON_MEXICO.date())
    session.commit()
    assert run_async(_run({agent.id: AgentState.READY}, campaign.id)) == [-1]
    session.rollback()
    assert session.scalars(select(Attempt)).all() == []


def _callback(session: Session, *, owner: User | None, due: datetime) -> tuple[Campaign, int]:
    client = make_client(session)
    agent = owner or make_user(session, username="agente5", role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent])
    account = make_account(session, client=client, today=NOON_MEXICO.date())
    attempt = Attempt(
        client_id=client.id,
        account_id=account.id,
        campaign_id=campaign.id,
        channel=Channel.VOICE,
        status="completed",
        agent_id=agent.id,
        created_at=NOON_MEXICO - timedelta(days=3),
    )
    session.add(attempt)
    session.flush()
    outcome = Outcome(
        client_id=client.id,
        account_id=account.id,
        attempt_id=attempt.id,
        agent_id=agent.id,
        disposition="callback",
        created_at=NOON_MEXICO - timedelta(days=3),
    )
    session.add(outcome)
    session.flush()
    callback = Callback(
        client_id=client.id,
        account_id=account.id,
        outcome_id=outcome.id,
        owner_agent_id=owner.id if owner else None,
        due_at=due,
        created_at=NOON_MEXICO - timedelta(days=3),
    )
    session.add(callback)
    session.commit()
    return campaign, callback.id


async def _callbacks_with(agent_id: int, agent_state: AgentState, campaign_id: int) -> list[int]:
    redis = Redis.from_url(redis_url())
    try:
        await state.register(redis, agent_id=agent_id, name="A", campaign_ids=[campaign_id])
        await state.set_state(redis, agent_id, agent_state)
        placed = await dial_callbacks(redis, NOON_MEXICO)
        after = await state.status(redis, agent_id)
        return [*placed, -1 if after.state != AgentState.RESERVED else after.attempt_id or 0]
    finally:
        await redis.aclose()


def test_personal_callback_waits_for_its_agent_then_rings_for_them(session: Session) -> None:
    client = make_client(session, name="Callbacks")
    owner = make_user(session, username="duena", role=Role.AGENT, access=[client])
    session.commit()
    campaign, callback_id = _callback(session, owner=owner, due=NOON_MEXICO)
    busy = run_async(_callbacks_with(owner.id, AgentState.ON_CALL, campaign.id))
    assert busy == [-1]
    ready = run_async(_callbacks_with(owner.id, AgentState.READY, campaign.id))
    attempt_id = ready[0]
    assert ready == [attempt_id, attempt_id]
    session.rollback()
    attempt = session.get_one(Attempt, attempt_id)
    assert attempt.agent_id == owner.id and attempt.dedup_key == f"callback:{callback_id}"
    assert session.get_one(Callback, callback_id).status == "done"


def test_callback_not_yet_due_is_left_alone(session: Session) -> None:
    campaign, callback_id = _callback(session, owner=None, due=NOON_MEXICO.replace(hour=23))
    agent_id = session.scalars(select(User.id)).first() or 0
    assert run_async(_callbacks_with(agent_id, AgentState.READY, campaign.id)) == [-1]
    session.rollback()
    assert session.get_one(Callback, callback_id).status == "pending"
