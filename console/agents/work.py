"""What an agent is working on, kept in Redis so a reconnect restores it: call, step, draft."""

import json
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis


@dataclass
class Work:
    """The call an agent is on (or wrapping up), the script step, the unsaved form, and the
    call's controls: debtor on hold, agent muted, a warm transfer's consulted agent."""

    attempt_id: int | None = None
    script_step: str | None = None
    draft: dict[str, Any] = field(default_factory=dict)
    verified: bool = False
    wrap_up_deadline: float | None = None
    call_status: str | None = None
    preview: dict[str, Any] | None = None
    outcome_saved: bool = False
    on_hold: bool = False
    muted: bool = False
    consulting: int | None = None
    transferred_from: int | None = None
    wrap_up_seconds: int = 60
    wrap_up_most: float | None = None
    wrap_up_default: str = "unrecorded"
    wrap_up_extended: bool = False

    def wrap_up_message(self) -> dict[str, Any]:
        """The `wrap_up` message: the deadline, and the latest it may be extended to."""
        return {
            "type": "wrap_up",
            "attempt_id": self.attempt_id,
            "deadline": self.wrap_up_deadline,
            "most": self.wrap_up_most,
            "extended": self.wrap_up_extended,
        }

    def call_message(self) -> dict[str, Any]:
        """The `call` message describing a connected call's controls."""
        return {
            "type": "call",
            "attempt_id": self.attempt_id,
            "status": self.call_status,
            "on_hold": self.on_hold,
            "muted": self.muted,
            "consulting": self.consulting,
            "transferred_from": self.transferred_from,
            "outcome_saved": self.outcome_saved,
        }


def _key(agent_id: int) -> str:
    return f"acuerdo:agent:{agent_id}:work"


async def load(redis: Redis, agent_id: int) -> Work:
    """The agent's current work (empty when idle)."""
    raw = await redis.get(_key(agent_id))
    return Work(**json.loads(raw)) if raw else Work()


# Write the work only while the stored one is for the same call ('' for none): an update read
# before the call ended must not bring back work the end of the call cleared.
_UPDATE = """
local stored = redis.call('GET', KEYS[1])
local current = ''
if stored then
  local id = cjson.decode(stored).attempt_id
  if type(id) == 'number' then current = string.format('%d', id) end
end
if current ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""


async def start(redis: Redis, agent_id: int, work: Work) -> None:
    """Give the agent new work (a call routed, dialed or transferred to it), replacing any."""
    await redis.set(_key(agent_id), json.dumps(work.__dict__))


async def save(redis: Redis, agent_id: int, work: Work) -> bool:
    """Update the agent's current work; False (nothing written) when the agent is no longer on
    that call, for instance because it ended while the update was being made."""
    expected = "" if work.attempt_id is None else str(work.attempt_id)
    return bool(await redis.eval(_UPDATE, 1, _key(agent_id), json.dumps(work.__dict__), expected))


async def clear(redis: Redis, agent_id: int) -> None:
    """Forget the agent's work once its outcome is recorded."""
    await redis.delete(_key(agent_id))
