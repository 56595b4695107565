"""The supervisor's live picture: agents, calls and today's campaign figures."""

import asyncio
import json
import time
from dataclasses import asdict
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from campaigns.db import read_scope
from campaigns.kpis import todays_figures
from campaigns.models import User, utcnow
from campaigns.operating_day import operating_day
from campaigns.redis_conn import get_redis
from campaigns.tenancy import scope_session, viewer_for
from campaigns.wallboard import campaign_floor, live_calls, occupancy
from console.agents import state, work
from console.agents.messages import PACING_KEY, PROTOCOL_VERSION
from console.agents.state import AgentState
from console.hub import Connection
from console.resilience import forever


def supervisor_view(user_id: int, now: datetime) -> dict[str, Any]:
    """Live calls and each campaign's figures for the operating day of `now`, as this user may
    see them (tenant-scoped), with the floor's occupancy and each campaign's latest pacing."""
    with read_scope() as session:
        scope_session(session, viewer_for(session, session.get_one(User, user_id)))
        figures = todays_figures(session, now=now)
        floor = campaign_floor(session, figures=figures, now=now)
        pacing = latest_pacing()
        return {
            "campaigns": [
                {
                    **f.as_dict(),
                    **asdict(floor[f.campaign_id]),
                    "pacing": pacing.get(f.campaign_id),
                }
                for f in figures
            ],
            "calls": live_calls(session, now=now),
            "occupancy": occupancy(session, campaign_ids=[f.campaign_id for f in figures], now=now),
            "operating_day": operating_day(now).date.isoformat(),
        }


def latest_pacing() -> dict[int, dict[str, Any]]:
    """Each campaign's latest pacing decision, as the dialing loop recorded it."""
    raw = get_redis().hgetall(PACING_KEY)
    return {int(k): json.loads(v) for k, v in raw.items()}


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
