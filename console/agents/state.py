"""Agent states in Redis: the same truth for every web process and host.

Keys (prefix `acuerdo:`): `agent:{id}` hash (state, since, reason, attempt_id, name);
`agent:{id}:campaigns` set; `ready:{campaign}` sorted set of ready agents scored by the time they
became ready (longest idle first); `presence` sorted set of agents scored by their last heartbeat
(0 until the first), so the sweep reads only those past the grace;
`wrapups` sorted set of wrap-up deadlines; `agents` set of every agent seen; `allocation` hash
of ready agent -> the campaign the dialing loop split it to this second; `activity` stream of
every state change, in order, written with the change itself and recorded in the database by the
scheduler (console/agents/activity.py). The stream also carries `on_hold` (the debtor put on hold)
and back to `on_call` within a call: an activity-history state only, the live state stays
`on_call`, so talk and hold time are summed apart (`record_hold`).
"""

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from redis.asyncio import Redis

from campaigns.settings import get_settings


class AgentState(StrEnum):
    OFFLINE = "offline"
    READY = "ready"
    RESERVED = "reserved"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


# In the activity history only: the agent is on a call whose debtor is on hold.
ON_HOLD_ACTIVITY = "on_hold"


ALLOCATION_KEY = "acuerdo:allocation"
PRESENCE_KEY = "acuerdo:presence"
ACTIVITY_STREAM = "acuerdo:activity"
ACTIVITY_STREAM_LENGTH = 200_000
ALLOCATION_TTL_SECONDS = 10

PAUSE_REASONS = ("break", "lunch", "training", "meeting", "technical", "coaching")

_RESERVE = """
local agent
if ARGV[2] ~= '' then
  if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return false end
  agent = ARGV[2]
else
  local ready = redis.call('ZRANGE', KEYS[1], 0, -1)
  if #ready == 0 then return false end
  agent = ready[1]
  for _, candidate in ipairs(ready) do
    if redis.call('HGET', KEYS[2], candidate) == ARGV[4] then
      agent = candidate
      break
    end
  end
end
for _, c in ipairs(redis.call('SMEMBERS', 'acuerdo:agent:' .. agent .. ':campaigns')) do
  redis.call('ZREM', 'acuerdo:ready:' .. c, agent)
end
redis.call('ZREM', KEYS[1], agent)
redis.call('HSET', 'acuerdo:agent:' .. agent, 'state', 'reserved', 'since', ARGV[1],
           'attempt_id', ARGV[3], 'reason', '')
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'agent', agent, 'state', 'reserved',
           'reason', '', 'attempt', ARGV[3], 'at', ARGV[1])
return agent
"""


@dataclass(frozen=True)
class AgentStatus:
    """One agent's live state."""

    agent_id: int
    state: AgentState
    since: float
    reason: str
    attempt_id: int | None
    name: str

    def as_message(self) -> dict[str, Any]:
        """The state as protocol fields."""
        return {
            "state": str(self.state),
            "since": self.since,
            "reason": self.reason or None,
            "attempt_id": self.attempt_id,
        }


def _text(value: bytes | str) -> str:
    """A Redis reply as text (the client returns bytes)."""
    return value.decode() if isinstance(value, bytes) else value


def _agent_key(agent_id: int) -> str:
    return f"acuerdo:agent:{agent_id}"


async def status(redis: Redis, agent_id: int) -> AgentStatus:
    """The agent's current state (offline when never seen)."""
    data = await redis.hgetall(_agent_key(agent_id))
    if not data:
        return AgentStatus(agent_id, AgentState.OFFLINE, time.time(), "", None, "")
    attempt = _text(data.get(b"attempt_id", b""))
    return AgentStatus(
        agent_id=agent_id,
        state=AgentState(_text(data[b"state"])),
        since=float(_text(data.get(b"since", b"0"))),
        reason=_text(data.get(b"reason", b"")),
        attempt_id=int(attempt) if attempt else None,
        name=_text(data.get(b"name", b"")),
    )


async def register(redis: Redis, *, agent_id: int, name: str, campaign_ids: list[int]) -> None:
    """Record an agent's name and campaigns when it connects."""
    key = f"acuerdo:agent:{agent_id}:campaigns"
    pipe = redis.pipeline()
    pipe.sadd("acuerdo:agents", agent_id)
    pipe.zadd(PRESENCE_KEY, {str(agent_id): 0}, nx=True)
    pipe.hsetnx(_agent_key(agent_id), "state", str(AgentState.OFFLINE))
    pipe.hset(_agent_key(agent_id), "name", name)
    pipe.delete(key)
    if campaign_ids:
        pipe.sadd(key, *campaign_ids)
    await pipe.execute()


async def touch(redis: Redis, agent_id: int) -> None:
    """Note a heartbeat: the agent is present for the grace period."""
    await redis.zadd(PRESENCE_KEY, {str(agent_id): time.time()})


async def is_present(redis: Redis, agent_id: int) -> bool:
    """Whether a heartbeat arrived within the grace period."""
    seen = await redis.zscore(PRESENCE_KEY, str(agent_id))
    return seen is not None and seen > time.time() - get_settings().heartbeat_grace_seconds


async def absent_agents(redis: Redis, now: float) -> list[int]:
    """Agents whose last heartbeat is older than the grace (or who never sent one)."""
    members = await redis.zrangebyscore(
        PRESENCE_KEY, "-inf", f"({now - get_settings().heartbeat_grace_seconds}"
    )
    return [int(_text(cast(bytes, member))) for member in members]


async def forget_presence(redis: Redis, agent_id: int) -> None:
    """An offline agent needs no presence check until it connects again."""
    await redis.zrem(PRESENCE_KEY, str(agent_id))


async def set_state(
    redis: Redis,
    agent_id: int,
    state: AgentState,
    *,
    reason: str = "",
    attempt_id: int | None = None,
) -> AgentStatus:
    """Move the agent to a state; ready agents join their campaigns' ready queues."""
    now = time.time()
    campaigns = await redis.smembers(f"acuerdo:agent:{agent_id}:campaigns")
    pipe = redis.pipeline()
    pipe.hset(
        _agent_key(agent_id),
        mapping={
            "state": str(state),
            "since": now,
            "reason": reason,
            "attempt_id": "" if attempt_id is None else attempt_id,
        },
    )
    for campaign in campaigns:
        ready_key = f"acuerdo:ready:{_text(campaign)}"
        if state == AgentState.READY:
            pipe.zadd(ready_key, {str(agent_id): now})
        else:
            pipe.zrem(ready_key, str(agent_id))
    if state != AgentState.WRAP_UP:
        pipe.zrem("acuerdo:wrapups", str(agent_id))
    pipe.xadd(
        ACTIVITY_STREAM,
        {
            "agent": agent_id,
            "state": str(state),
            "reason": reason,
            "attempt": "" if attempt_id is None else attempt_id,
            "at": now,
        },
        maxlen=ACTIVITY_STREAM_LENGTH,
        approximate=True,
    )
    await pipe.execute()
    return await status(redis, agent_id)


async def reserve(
    redis: Redis, *, campaign_id: int, attempt_id: int, preferred_agent: int | None = None
) -> int | None:
    """Atomically take the longest-idle ready agent of the campaign (or the preferred one),
    first among those the dialing loop allocated to the campaign."""
    agent = await redis.eval(
        _RESERVE,
        3,
        f"acuerdo:ready:{campaign_id}",
        ALLOCATION_KEY,
        ACTIVITY_STREAM,
        time.time(),
        "" if preferred_agent is None else str(preferred_agent),
        attempt_id,
        campaign_id,
        ACTIVITY_STREAM_LENGTH,
    )
    return int(agent) if agent else None


async def reserve_longest_ready(
    redis: Redis, *, campaign_ids: list[int], attempt_id: int, tries: int = 3
) -> int | None:
    """Atomically take the agent ready the longest across campaigns (a creditor's, for a call
    the debtor made); None when none of them has a ready agent."""
    for _ in range(tries):
        best: tuple[float, int, int] | None = None
        for campaign_id in campaign_ids:
            head = await redis.zrange(f"acuerdo:ready:{campaign_id}", 0, 0, withscores=True)
            if head:
                member, score = cast(tuple[bytes, float], head[0])
                if best is None or score < best[0]:
                    best = (score, int(_text(member)), campaign_id)
        if best is None:
            return None
        _, agent_id, campaign_id = best
        reserved = await reserve(
            redis, campaign_id=campaign_id, attempt_id=attempt_id, preferred_agent=agent_id
        )
        if reserved is not None:
            return reserved
    return None


_RESERVE_AGENT = """
local key = 'acuerdo:agent:' .. ARGV[1]
if redis.call('HGET', key, 'state') ~= 'ready' then return false end
for _, c in ipairs(redis.call('SMEMBERS', key .. ':campaigns')) do
  redis.call('ZREM', 'acuerdo:ready:' .. c, ARGV[1])
end
redis.call('HSET', key, 'state', 'reserved', 'since', ARGV[2], 'attempt_id', ARGV[3], 'reason', '')
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'agent', ARGV[1], 'state', 'reserved',
           'reason', '', 'attempt', ARGV[3], 'at', ARGV[2])
return 1
"""


async def reserve_agent(redis: Redis, *, agent_id: int, attempt_id: int) -> bool:
    """Atomically take this ready agent (or supervisor in the console) for a call, whatever its
    campaigns (a transfer); False when it is not ready."""
    taken = await redis.eval(
        _RESERVE_AGENT,
        1,
        ACTIVITY_STREAM,
        agent_id,
        time.time(),
        attempt_id,
        ACTIVITY_STREAM_LENGTH,
    )
    return bool(taken)


_RECORD_HOLD = """
local key = 'acuerdo:agent:' .. ARGV[1]
if redis.call('HGET', key, 'state') ~= 'on_call' then return 0 end
if redis.call('HGET', key, 'attempt_id') ~= ARGV[2] then return 0 end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], '*', 'agent', ARGV[1], 'state', ARGV[3],
           'reason', '', 'attempt', ARGV[2], 'at', ARGV[4])
return 1
"""


async def record_hold(redis: Redis, agent_id: int, attempt_id: int, *, on_hold: bool) -> bool:
    """Note in the activity history that the agent's call went on hold (`on_hold`) or came off
    it (`on_call`), so hold time is summed apart from talk time; the live state stays `on_call`.
    Nothing is noted (False) unless the agent is on this call."""
    noted = await redis.eval(
        _RECORD_HOLD,
        1,
        ACTIVITY_STREAM,
        agent_id,
        attempt_id,
        ON_HOLD_ACTIVITY if on_hold else str(AgentState.ON_CALL),
        time.time(),
        ACTIVITY_STREAM_LENGTH,
    )
    return bool(noted)


async def publish_allocation(redis: Redis, owner_of: dict[int, int]) -> None:
    """Record which campaign each ready agent works for this second (the dialing loop's split),
    so an answered call takes an agent its campaign dialed for before one lent to another."""
    pipe = redis.pipeline(transaction=True)
    pipe.delete(ALLOCATION_KEY)
    if owner_of:
        pipe.hset(ALLOCATION_KEY, mapping={str(a): str(c) for a, c in owner_of.items()})
        pipe.expire(ALLOCATION_KEY, ALLOCATION_TTL_SECONDS)
    await pipe.execute()


async def start_wrap_up(redis: Redis, agent_id: int, attempt_id: int, *, seconds: int) -> float:
    """Put the agent in wrap-up; returns the deadline (epoch seconds) the server enforces."""
    deadline = time.time() + seconds
    await set_state(redis, agent_id, AgentState.WRAP_UP, attempt_id=attempt_id)
    await redis.zadd("acuerdo:wrapups", {str(agent_id): deadline})
    return deadline


async def extend_wrap_up(redis: Redis, agent_id: int, deadline: float) -> None:
    """Move the agent's wrap-up deadline (the agent asked for more time)."""
    await redis.zadd("acuerdo:wrapups", {str(agent_id): deadline}, xx=True)


async def expired_wrap_ups(redis: Redis, now: float) -> list[int]:
    """Agents whose wrap-up time ran out."""
    members = await redis.zrangebyscore("acuerdo:wrapups", 0, now)
    return [int(_text(cast(bytes, member))) for member in members]


async def known_agents(redis: Redis) -> list[int]:
    """Every agent that ever connected."""
    return sorted(int(a) for a in await redis.smembers("acuerdo:agents"))


async def next_seq(redis: Redis, agent_id: int) -> int:
    """The next sequence number of the agent's messages."""
    return int(await redis.incr(f"acuerdo:agent:{agent_id}:seq"))


async def current_seq(redis: Redis, agent_id: int) -> int:
    """The sequence number of the agent's last message."""
    return int(await redis.get(f"acuerdo:agent:{agent_id}:seq") or 0)
