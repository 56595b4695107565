"""Announcing an agent's state, and sending it back to ready (with its next preview)."""

from redis.asyncio import Redis

from console.agents import preview, state
from console.agents.messages import send_to_agent, send_to_supervisors
from console.agents.state import AgentState


async def announce_state(redis: Redis, agent_id: int, new: state.AgentStatus) -> None:
    """Tell the agent's console and the supervisors' feed the agent's new state."""
    await send_to_agent(redis, agent_id, {"type": "state", **new.as_message()})
    await send_to_supervisors(redis, {"type": "agent", "agent_id": agent_id, **new.as_message()})


async def next_preview(redis: Redis, agent_id: int) -> None:
    """A ready agent of a preview campaign is shown the next account to call or skip."""
    if await preview.has_preview_work(agent_id) and await preview.offer_next(redis, agent_id):
        await announce_state(redis, agent_id, await state.status(redis, agent_id))


async def back_to_ready(redis: Redis, agent_id: int) -> None:
    """The agent's call and outcome are done: ready again, and the next preview if any."""
    new = await state.set_state(redis, agent_id, AgentState.READY)
    await announce_state(redis, agent_id, new)
    await next_preview(redis, agent_id)
