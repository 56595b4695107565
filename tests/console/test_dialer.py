"""The dialing loop asks the pacer and launches that many calls from the eligible set."""

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Attempt, Channel, Role
from campaigns.redis_conn import redis_url
from console.agents import state
from console.agents.state import AgentState
from console.dialer import dial_once
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
