"""What an agent is working on, kept in Redis so a reconnect restores it: call, step, draft."""

import json
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis


@dataclass
class Work:
    """The call an agent is on (or wrapping up), the script step, the unsaved form."""

    attempt_id: int | None = None
    script_step: str | None = None
    draft: dict[str, Any] = field(default_factory=dict)
    verified: bool = False
    wrap_up_deadline: float | None = None
    call_status: str | None = None
    preview: dict[str, Any] | None = None


def _key(agent_id: int) -> str:
    return f"acuerdo:agent:{agent_id}:work"


async def load(redis: Redis, agent_id: int) -> Work:
    """The agent's current work (empty when idle)."""
    raw = await redis.get(_key(agent_id))
    return Work(**json.loads(raw)) if raw else Work()


async def save(redis: Redis, agent_id: int, work: Work) -> None:
    """Store the agent's current work."""
    await redis.set(_key(agent_id), json.dumps(work.__dict__))


async def clear(redis: Redis, agent_id: int) -> None:
    """Forget the agent's work once its outcome is recorded."""
    await redis.delete(_key(agent_id))
