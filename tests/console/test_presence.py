"""Presence: an agent whose heartbeats stopped past the grace goes offline and holds nothing."""

import time
from datetime import UTC, datetime

from redis.asyncio import Redis
from sqlalchemy.orm import Session

from campaigns.models import Role
from campaigns.redis_conn import redis_url
from console import ws
from console.agents import preview, state, work
from console.agents.state import AgentState
from console.hub import Hub
from tests.console.test_dialer import run_async
from tests.factories import (
    make_account,
    make_campaign,
    make_client,
    make_user,
    zone_where_it_is_midday,
)


async def _preview_then_sweep(
    agent_id: int, campaign_id: int, *, present: bool
) -> dict[str, object]:
    redis = Redis.from_url(redis_url())
    try:
        await state.register(redis, agent_id=agent_id, name="A", campaign_ids=[campaign_id])
        await state.set_state(redis, agent_id, AgentState.READY)
        assert await preview.offer_next(redis, agent_id), "the account is shown"
        shown = (await work.load(redis, agent_id)).preview or {}
        if present:
            await state.touch(redis, agent_id)
        await ws.sweep(Hub(redis), time.time())
        return {
            "state": (await state.status(redis, agent_id)).state,
            "locked": await redis.exists(f"acuerdo:preview-lock:{shown['account_id']}"),
            "preview": (await work.load(redis, agent_id)).preview,
        }
    finally:
        await redis.aclose()


def _preview_floor(session: Session) -> tuple[int, int]:
    client = make_client(session, country="US", timezone="UTC")
    agent = make_user(session, username="agente7", role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent], mode="preview")
    make_account(
        session,
        client=client,
        phone="+525512349811",
        timezone=zone_where_it_is_midday(),
        today=datetime.now(UTC).date(),
    )
    session.commit()
    return agent.id, campaign.id


def test_an_agent_who_closed_the_browser_while_previewing_gives_the_account_back(
    session: Session,
) -> None:
    agent_id, campaign_id = _preview_floor(session)
    after = run_async(_preview_then_sweep(agent_id, campaign_id, present=False))
    assert after == {"state": AgentState.OFFLINE, "locked": 0, "preview": None}


def test_a_present_agent_keeps_its_preview(session: Session) -> None:
    agent_id, campaign_id = _preview_floor(session)
    after = run_async(_preview_then_sweep(agent_id, campaign_id, present=True))
    assert after["state"] == AgentState.RESERVED and after["locked"] == 1
    assert after["preview"] is not None
