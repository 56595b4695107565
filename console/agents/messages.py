"""Messages to agents and supervisors, published on Redis so any process's socket delivers them."""

import json
from typing import Any

from redis.asyncio import Redis

from console.agents.state import next_seq

PROTOCOL_VERSION = 1
SUPERVISORS_CHANNEL = "supervisors"


def agent_channel(agent_id: int) -> str:
    """The Redis channel of one agent's messages."""
    return f"agent:{agent_id}"


async def send_to_agent(redis: Redis, agent_id: int, message: dict[str, Any]) -> int:
    """Publish a message to an agent with its next sequence number; returns the number."""
    seq = await next_seq(redis, agent_id)
    payload = {"v": PROTOCOL_VERSION, "seq": seq, **message}
    await redis.publish(agent_channel(agent_id), json.dumps(payload, default=str))
    return seq


async def send_to_supervisors(redis: Redis, message: dict[str, Any]) -> None:
    """Publish a message to every supervisor's feed."""
    await redis.publish(
        SUPERVISORS_CHANNEL, json.dumps({"v": PROTOCOL_VERSION, **message}, default=str)
    )
