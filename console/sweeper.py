"""The recovery sweep, run every `recovery_sweep_seconds` inside `acuerdo scheduler`.

Each sweep (whichever scheduler holds the lock; a second scheduler is harmless, every step is
idempotent):
1. dispatches again attempts left pending or dispatching past their bound
   (`telephony.jobs.requeue_stuck`);
2. fetches from the provider calls and messages whose last callback never came and applies
   their status forward (`telephony.provider_status`); an agent on a call found over goes to
   wrap-up;
3. releases agents `on_call` or `reserved` for a call that is over (wrap-up when the call was
   theirs to record, ready otherwise).
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis

from campaigns.db import read_scope
from campaigns.models import AttemptStatus, utcnow
from campaigns.settings import get_settings
from console.agents import state, work
from console.agents.messages import send_to_agent, send_to_supervisors
from console.agents.state import AgentState
from console.resilience import forever
from console.routing import Routing
from telephony.jobs import requeue_stuck
from telephony.provider_status import reconcile_unconfirmed
from telephony.recovery import finished_attempts

log = logging.getLogger(__name__)
LOCK_KEY = "acuerdo:recovery-sweep"
BUSY_STATES = (AgentState.ON_CALL, AgentState.RESERVED)


@dataclass(frozen=True)
class SweepSummary:
    """What one sweep mended."""

    requeued: int
    reconciled: int
    released: int


def _finished(attempt_ids: list[int], now: datetime) -> dict[int, AttemptStatus | None]:
    with read_scope() as session:
        return finished_attempts(session, attempt_ids=attempt_ids, now=now)


async def busy_agents(redis: Redis) -> list[tuple[int, int]]:
    """(agent, attempt) for every agent on a call or reserved for one."""
    busy = []
    for agent_id in await state.known_agents(redis):
        current = await state.status(redis, agent_id)
        if current.state in BUSY_STATES and current.attempt_id is not None:
            busy.append((agent_id, current.attempt_id))
    return busy


async def stuck_agents(redis: Redis, now: datetime) -> list[tuple[int, int, bool]]:
    """(agent, attempt, attempt exists) for agents held by a call that is over."""
    busy = await busy_agents(redis)
    over = await asyncio.to_thread(_finished, [attempt for _, attempt in busy], now)
    return [
        (agent_id, attempt_id, over[attempt_id] is not None)
        for agent_id, attempt_id in busy
        if attempt_id in over
    ]


async def release_agents(redis: Redis, routing: Routing, now: datetime) -> int:
    """Release agents whose call is over; returns how many."""
    released = 0
    for agent_id, attempt_id, exists in await stuck_agents(redis, now):
        log.warning("releasing agent %s held by finished attempt %s", agent_id, attempt_id)
        if exists:
            await routing.ended(attempt_id, agent_id)
        else:
            await work.clear(redis, agent_id)
            ready = await state.set_state(redis, agent_id, AgentState.READY)
            await send_to_agent(redis, agent_id, {"type": "state", **ready.as_message()})
            await send_to_supervisors(
                redis, {"type": "agent", "agent_id": agent_id, **ready.as_message()}
            )
        released += 1
    return released


async def sweep_once(redis: Redis, routing: Routing, now: datetime | None = None) -> SweepSummary:
    """One recovery sweep (see the module's docstring)."""
    now = now or utcnow()
    requeued = await asyncio.to_thread(requeue_stuck, now)
    changes = await asyncio.to_thread(reconcile_unconfirmed, now)
    for change in changes:
        if change.final:
            await routing.finished(change.attempt_id)
        if change.final and change.agent_id:
            await routing.ended(change.attempt_id, change.agent_id)
    released = await release_agents(redis, routing, utcnow())
    return SweepSummary(requeued=requeued, reconciled=len(changes), released=released)


async def sweep_forever(redis: Redis) -> None:
    """Sweep every `recovery_sweep_seconds` until cancelled; any failure is logged and retried."""
    interval = get_settings().recovery_sweep_seconds
    routing = Routing()
    routing.attach(redis)

    async def step() -> None:
        if await redis.set(LOCK_KEY, 1, nx=True, px=max(1, int(interval * 900))):
            summary = await sweep_once(redis, routing)
            if summary.requeued or summary.reconciled or summary.released:
                log.info("recovery sweep: %s", summary)

    await forever("recovery sweep", step, interval)
