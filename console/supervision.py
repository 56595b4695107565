"""The supervisor's live picture: agents, calls and today's campaign figures."""

import asyncio
import time
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import select

from campaigns.db import read_scope
from campaigns.kpis import todays_figures
from campaigns.models import Attempt, AttemptStatus, User, utcnow
from campaigns.tenancy import scope_session, viewer_for
from console.agents import state, work
from console.agents.messages import PROTOCOL_VERSION
from console.agents.state import AgentState
from console.hub import Connection
from console.resilience import forever

LIVE = (AttemptStatus.QUEUED, AttemptStatus.RINGING, AttemptStatus.IN_PROGRESS)


def supervisor_view(user_id: int, now: datetime) -> dict[str, Any]:
    """Live calls and each campaign's figures for the operating day of `now`, as this user may
    see them (tenant-scoped)."""
    with read_scope() as session:
        scope_session(session, viewer_for(session, session.get_one(User, user_id)))
        calls = session.execute(
            select(Attempt.id, Attempt.campaign_id, Attempt.status, Attempt.agent_id).where(
                Attempt.status.in_(LIVE), Attempt.channel == "voice"
            )
        ).all()
        return {
            "campaigns": [f.as_dict() for f in todays_figures(session, now=now)],
            "calls": [
                {
                    "attempt_id": c.id,
                    "campaign_id": c.campaign_id,
                    "status": str(c.status),
                    "agent_id": c.agent_id,
                }
                for c in calls
            ],
        }


LIVE_SECONDS = 3.0


async def push_live_figures(connection: Connection, user_id: int) -> None:
    """Every few seconds, push this supervisor's calls and campaign figures (tenant-scoped)."""

    async def push() -> None:
        view = await asyncio.to_thread(supervisor_view, user_id, utcnow())
        await connection.send_now({"v": PROTOCOL_VERSION, "type": "live", **view})

    await asyncio.sleep(LIVE_SECONDS)
    await forever("supervisor live figures", push, LIVE_SECONDS)


async def supervisor_snapshot(redis: Redis, user_id: int) -> dict[str, Any]:
    """Agents with state and time in state, live calls and per-campaign figures for today."""
    now = time.time()
    agents = []
    for agent_id in await state.known_agents(redis):
        current = await state.status(redis, agent_id)
        wrap_up = {}
        if current.state == AgentState.WRAP_UP:
            saved = await work.load(redis, agent_id)
            wrap_up = {
                "wrap_up_deadline": saved.wrap_up_deadline,
                "extended": saved.wrap_up_extended,
            }
        agents.append(
            {
                "agent_id": agent_id,
                "name": current.name,
                "seconds_in_state": round(now - current.since),
                **current.as_message(),
                **wrap_up,
            }
        )
    view = await asyncio.to_thread(supervisor_view, user_id, utcnow())
    return {"v": PROTOCOL_VERSION, "type": "snapshot", "agents": agents, **view}
