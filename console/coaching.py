"""Live coaching from the wallboard: a supervisor of the call's creditor listens (muted),
whispers (coaches the agent: only the agent hears) or barges in (everyone hears), through the
conference that carries the call; the agent's console is told who is doing what.

Requests on the supervisor's socket: `monitor` {attempt_id, mode} and `monitor_stop`
{attempt_id}; the agent gets `supervisor_monitor` {attempt_id, supervisor_id, supervisor, mode}
(mode null when the supervisor left).
"""

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from campaigns.audit import record
from campaigns.db import read_scope, session_scope
from campaigns.errors import Invalid, NotFound
from campaigns.i18n import _
from campaigns.models import Attempt, User, utcnow
from campaigns.tenancy import viewer_for
from console.agents import state
from console.agents.messages import send_to_agent
from console.agents.state import AgentState
from console.route_info import route_info
from telephony import conference_control

MODES = ("listen", "whisper", "barge")
# Who is on a call now (hash supervisor id -> JSON {supervisor_id, supervisor, mode}), so the
# agent's snapshot after a reconnect still shows the banner.
MONITORS_KEY = "acuerdo:monitors:{attempt_id}"
MONITORS_TTL_SECONDS = 4 * 3600
REQUESTS = ("monitor", "monitor_stop")


@dataclass(frozen=True)
class LiveCall:
    attempt_id: int
    agent_id: int
    caller_id: str
    supervisor: str


def _live_call(attempt_id: int, supervisor_id: int) -> LiveCall:
    """The call if this supervisor may monitor it (one of its creditors'), else NotFound."""
    with read_scope() as session:
        supervisor = session.get_one(User, supervisor_id)
        attempt = session.get(Attempt, attempt_id)
        viewer = viewer_for(session, supervisor)
        if (
            attempt is None
            or not viewer.may_see(attempt.client_id)
            or attempt.agent_id is None
            or attempt.ended_at is not None
        ):
            raise NotFound(_("That call is not live on a floor you supervise."))
        agent_id, supervisor_name = attempt.agent_id, supervisor.full_name
    info = route_info(attempt_id)
    return LiveCall(
        attempt_id=attempt_id,
        agent_id=agent_id,
        caller_id=info.caller_id if info else "",
        supervisor=supervisor_name,
    )


def _audit(attempt_id: int, supervisor_id: int, mode: str | None) -> None:
    """Who listened to, coached or joined which call, and when they left (mode None)."""
    with session_scope() as session:
        attempt = session.get_one(Attempt, attempt_id)
        supervisor = session.get_one(User, supervisor_id)
        record(
            session,
            action="call.monitored",
            entity=attempt,
            actor_label=supervisor.username,
            actor_id=supervisor.id,
            at=utcnow(),
            data={"agent_id": attempt.agent_id, "mode": mode},
        )


async def handle(redis: Redis, supervisor_id: int, message: dict[str, Any]) -> dict[str, Any]:
    """Apply a supervisor's `monitor` or `monitor_stop`; the reply for the supervisor."""
    attempt_id = message.get("attempt_id")
    if not isinstance(attempt_id, int) or isinstance(attempt_id, bool):
        raise Invalid(_("Choose a live call."))
    mode = message.get("mode") if message.get("type") == "monitor" else None
    if message.get("type") == "monitor" and mode not in MODES:
        raise Invalid(_("Choose listen, whisper or barge."))
    call = await asyncio.to_thread(_live_call, attempt_id, supervisor_id)
    current = await state.status(redis, call.agent_id)
    if current.state != AgentState.ON_CALL or current.attempt_id != attempt_id:
        raise NotFound(_("That call is not live on a floor you supervise."))
    if mode is None:
        await asyncio.to_thread(
            conference_control.stop_monitoring, attempt_id=attempt_id, supervisor_id=supervisor_id
        )
    else:
        await asyncio.to_thread(
            conference_control.monitor_call,
            attempt_id=attempt_id,
            agent_id=call.agent_id,
            supervisor_id=supervisor_id,
            mode=str(mode),
            caller_id=call.caller_id,
        )
    await asyncio.to_thread(_audit, attempt_id, supervisor_id, mode)
    told = {"supervisor_id": supervisor_id, "supervisor": call.supervisor, "mode": mode}
    key = MONITORS_KEY.format(attempt_id=attempt_id)
    if mode is None:
        await redis.hdel(key, str(supervisor_id))
    else:
        await redis.hset(key, str(supervisor_id), json.dumps(told))
        await redis.expire(key, MONITORS_TTL_SECONDS)
    await send_to_agent(
        redis,
        call.agent_id,
        {"type": "supervisor_monitor", "attempt_id": attempt_id, **told},
    )
    return {"type": "monitor", "attempt_id": attempt_id, "agent_id": call.agent_id, "mode": mode}


async def monitors(redis: Redis, attempt_id: int) -> list[dict[str, Any]]:
    """The supervisors on a call now, with their mode (for the agent's snapshot)."""
    raw = await redis.hgetall(MONITORS_KEY.format(attempt_id=attempt_id))
    return [json.loads(value) for value in raw.values()]
