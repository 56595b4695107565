"""Call cards: each voice call's screen pop and routing facts, kept in Redis from the dial on,
so an answered call reaches an agent in one Redis round trip.

A card (hash `acuerdo:call:{attempt}`) is built when the call is placed (the worker), at
start-up for calls in flight (`warm`), or on first need. `route` runs one Lua script that checks
the card, reserves the campaign's ready agent (the same rules as `state.reserve`), sets it on
the call, stores its work, publishes the offer and the supervisors' frame, and appends the
database write to the `acuerdo:routes` stream. The webhook answers, then `record_route` writes
the attempt and deletes the entry; entries a crash left behind are written by `replay_routes`
(the scheduler), idempotently.
"""

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis as SyncRedis
from redis.asyncio import Redis
from redis.exceptions import NoScriptError
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements.negotiation_scripts import load_script, script_kinds
from campaigns.db import read_scope, session_scope
from campaigns.models import Attempt, AttemptEvent, AttemptStatus, Channel, utcnow
from console.agents.state import ACTIVITY_STREAM, ACTIVITY_STREAM_LENGTH, ALLOCATION_KEY
from console.route_info import RouteInfo, route_info_of
from console.screen import build_screen
from telephony.recording import RecordingPlan
from telephony.statuses import TERMINAL
from telephony.voice import conference_twiml, record_route_write

log = logging.getLogger(__name__)

ROUTES_STREAM = "acuerdo:routes"
CARD_TTL_SECONDS = 3600
# The agent's name is put into the screen by the script when the agent is known.
AGENT_NAME_TOKEN = "AGENTNAMEa9c4e1"
IN_FLIGHT = (
    AttemptStatus.DISPATCHING,
    AttemptStatus.QUEUED,
    AttemptStatus.RINGING,
    AttemptStatus.IN_PROGRESS,
)
REPLAY_AFTER_MS = 10_000
WARM_LOCK = "acuerdo:call-cards:warming"

_ROUTE = """
local card = KEYS[1]
if redis.call('EXISTS', card) == 0 then return {'nocard'} end
local f = redis.call('HMGET', card, 'campaign', 'owner', 'sid', 'agent', 'twiml', 'direction')
local campaign, owner, sid, routed, twiml, direction = f[1], f[2], f[3], f[4], f[5], f[6]
if ARGV[3] ~= '' and sid ~= '' and sid ~= ARGV[3] then return {'slow'} end
if routed then return {'routed', routed, twiml} end
local agent = false
local reserved_already = false
if owner ~= '' then
  local o = redis.call('HMGET', 'acuerdo:agent:' .. owner, 'state', 'attempt_id')
  if o[1] == 'reserved' and o[2] == ARGV[1] then
    agent = owner
    reserved_already = true
  end
end
if not agent then
  if campaign == '' then return {'slow'} end
  local ready_key = 'acuerdo:ready:' .. campaign
  if owner ~= '' then
    if not redis.call('ZSCORE', ready_key, owner) then return {'none'} end
    agent = owner
  else
    local ready = redis.call('ZRANGE', ready_key, 0, -1)
    if #ready == 0 then return {'none'} end
    agent = ready[1]
    for _, candidate in ipairs(ready) do
      if redis.call('HGET', KEYS[4], candidate) == campaign then
        agent = candidate
        break
      end
    end
  end
end
local akey = 'acuerdo:agent:' .. agent
for _, c in ipairs(redis.call('SMEMBERS', akey .. ':campaigns')) do
  redis.call('ZREM', 'acuerdo:ready:' .. c, agent)
end
redis.call('ZREM', 'acuerdo:wrapups', agent)
if not reserved_already then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'agent', agent, 'state', 'reserved',
             'reason', '', 'attempt', ARGV[1], 'at', ARGV[2])
end
redis.call('HSET', akey, 'state', 'on_call', 'since', ARGV[2], 'attempt_id', ARGV[1],
           'reason', '')
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'agent', agent, 'state', 'on_call',
           'reason', '', 'attempt', ARGV[1], 'at', ARGV[2])
redis.call('SET', akey .. ':work',
           '{"attempt_id": ' .. ARGV[1] .. ', "call_status": "connected"}')
redis.call('HSET', card, 'agent', agent)
local name = redis.call('HGET', akey, 'name') or ''
local escaped = string.sub(cjson.encode(name), 2, -2)
local screen = string.gsub(redis.call('HGET', card, 'screen'), ARGV[6],
                           function() return escaped end)
local seq = redis.call('INCR', akey .. ':seq')
redis.call('PUBLISH', 'agent:' .. agent, '{"v": 1, "seq": ' .. seq ..
           ', "type": "offer", "attempt_id": ' .. ARGV[1] .. ', "direction": "' .. direction ..
           '", "screen": ' .. screen .. '}')
redis.call('PUBLISH', 'supervisors', '{"v": 1, "type": "agent", "agent_id": ' .. agent ..
           ', "state": "on_call", "attempt_id": ' .. ARGV[1] .. '}')
local entry = redis.call('XADD', KEYS[3], '*', 'attempt', ARGV[1], 'agent', agent,
                         'answered_by', ARGV[5], 'at', ARGV[2])
return {'new', agent, twiml, entry}
"""


def card_key(attempt_id: int) -> str:
    return f"acuerdo:call:{attempt_id}"


@dataclass(frozen=True)
class Routed:
    """What the Lua script did: `new` (routed now), `routed` (already, earlier), `none` (no
    ready agent), `nocard`, or `slow` (a case only the general path handles)."""

    kind: str
    agent_id: int | None = None
    twiml: str = ""
    entry_id: str = ""
    attempt_id: int = 0
    answered_by: str = ""
    at: float = 0.0


def _card(session: Session, attempt: Attempt, now: datetime) -> dict[str, str] | None:
    """The card's fields for an attempt's call (None when it is not a call in flight)."""
    if attempt.channel != Channel.VOICE or attempt.status in TERMINAL or attempt.ended_at:
        return None
    info = route_info_of(session, attempt)
    screen = build_screen(
        session,
        account_id=attempt.account_id,
        verified=False,
        now=now,
        campaign_id=attempt.campaign_id,
        agent_name=AGENT_NAME_TOKEN,
    )
    screen["direction"] = str(attempt.direction)
    return {
        "campaign": "" if info.campaign_id is None else str(info.campaign_id),
        "owner": "" if info.owner_agent_id is None else str(info.owner_agent_id),
        "sid": attempt.provider_sid or "",
        "direction": "inbound" if info.inbound else "outbound",
        "twiml": conference_twiml(attempt.id, recording=info.recording, locale=info.locale),
        "info": json.dumps(asdict(info)),
        "screen": json.dumps(screen, default=str),
    }


def _store(redis: SyncRedis, attempt_id: int, fields: dict[str, str]) -> None:
    pipe = redis.pipeline()
    pipe.delete(card_key(attempt_id))
    pipe.hset(card_key(attempt_id), mapping={name: value for name, value in fields.items()})
    pipe.expire(card_key(attempt_id), CARD_TTL_SECONDS)
    pipe.execute()


def prepare(redis: SyncRedis, attempt_id: int, now: datetime | None = None) -> bool:
    """Build and keep the call's card (when the call is placed, or on first need)."""
    with read_scope() as session:
        attempt = session.get(Attempt, attempt_id)
        fields = _card(session, attempt, now or utcnow()) if attempt else None
    if fields is None:
        return False
    _store(redis, attempt_id, fields)
    return True


def warm(redis: SyncRedis, now: datetime) -> int:
    """At start-up: load every script, and build the cards of the calls in flight without one
    (one process builds them; the others only warm their own caches). How many were built."""
    for kind in script_kinds():
        load_script(kind)
    built = 0
    with read_scope() as session:
        session.get(Attempt, 0)  # the statements of the write after an answer, compiled once
        session.scalar(select(AttemptEvent.id).where(AttemptEvent.attempt_id == 0))
        if not redis.set(WARM_LOCK, 1, nx=True, ex=60):
            attempt = session.scalars(select(Attempt).order_by(Attempt.id.desc()).limit(1)).first()
            if attempt is not None:  # one screen warms YAML, Jinja, Babel and the wording check
                build_screen(session, account_id=attempt.account_id, verified=False, now=now)
            return 0
        attempts = session.scalars(
            select(Attempt).where(
                Attempt.channel == Channel.VOICE,
                Attempt.status.in_(IN_FLIGHT),
                Attempt.ended_at.is_(None),
                Attempt.created_at >= now - timedelta(seconds=CARD_TTL_SECONDS),
            )
        ).all()
        for attempt in attempts:
            if redis.exists(card_key(attempt.id)):
                continue
            fields = _card(session, attempt, now)
            if fields is not None:
                _store(redis, attempt.id, fields)
                built += 1
    redis.delete(WARM_LOCK)
    return built


async def forget(redis: Redis, attempt_id: int) -> None:
    """The call is over: its card goes."""
    await redis.delete(card_key(attempt_id))


async def load_script_sha(redis: Redis) -> str:
    """Load the routing script into Redis (at start-up, so the first call needs no load)."""
    return str(await redis.script_load(_ROUTE))


_ROUTE_SHA = hashlib.sha1(_ROUTE.encode()).hexdigest()


async def route(redis: Redis, *, attempt_id: int, call_sid: str, answered_by: str | None) -> Routed:
    """Route an answered call to a ready agent of its campaign, in one Redis round trip."""
    now = time.time()
    try:
        reply = await _run_route(redis, _ROUTE_SHA, attempt_id, call_sid, answered_by, now)
    except NoScriptError:  # Redis restarted since start-up: load the script again
        await load_script_sha(redis)
        reply = await _run_route(redis, _ROUTE_SHA, attempt_id, call_sid, answered_by, now)
    kind = _text(reply[0])
    if kind == "new":
        return Routed(
            kind,
            agent_id=int(_text(reply[1])),
            twiml=_text(reply[2]),
            entry_id=_text(reply[3]),
            attempt_id=attempt_id,
            answered_by=answered_by or "",
            at=now,
        )
    if kind == "routed":
        return Routed(kind, agent_id=int(_text(reply[1])), twiml=_text(reply[2]))
    return Routed(kind)


async def _run_route(
    redis: Redis, sha: str, attempt_id: int, call_sid: str, answered_by: str | None, now: float
) -> Any:
    return await redis.evalsha(
        sha,
        4,
        card_key(attempt_id),
        ACTIVITY_STREAM,
        ROUTES_STREAM,
        ALLOCATION_KEY,
        attempt_id,
        now,
        call_sid,
        ACTIVITY_STREAM_LENGTH,
        answered_by or "",
        AGENT_NAME_TOKEN,
    )


async def route_facts(redis: Redis, attempt_id: int) -> dict[str, Any] | None:
    """The routing facts kept on the card (what `route_info` would read from the database)."""
    raw = await redis.hget(card_key(attempt_id), "info")
    return json.loads(raw) if raw else None


def route_info_from(facts: dict[str, Any]) -> RouteInfo:
    """The card's routing facts as a `RouteInfo`."""
    plan = facts.get("recording")
    return RouteInfo(**{**facts, "recording": RecordingPlan(**plan) if plan else None})


def record_route(redis: SyncRedis, routed: Routed) -> None:
    """Write the routed call to the database, then drop its stream entry."""
    with session_scope() as session:
        record_route_write(
            session,
            attempt_id=routed.attempt_id,
            agent_id=routed.agent_id or 0,
            answered_by=routed.answered_by,
            now=datetime.fromtimestamp(routed.at, UTC),
        )
    redis.xdel(ROUTES_STREAM, routed.entry_id)


def replay_routes(redis: SyncRedis, now: float | None = None) -> int:
    """Write the routed calls whose web process stopped before writing them (entries older
    than `REPLAY_AFTER_MS`); how many entries were written."""
    newest = int((now or time.time()) * 1000) - REPLAY_AFTER_MS
    entries: Any = redis.xrange(ROUTES_STREAM, "-", str(newest), count=500)
    for entry_id, fields in entries:
        data = {_text(k): _text(v) for k, v in fields.items()}
        record_route(
            redis,
            Routed(
                "new",
                agent_id=int(data["agent"]),
                entry_id=_text(entry_id),
                attempt_id=int(data["attempt"]),
                answered_by=data.get("answered_by", ""),
                at=float(data["at"]),
            ),
        )
    if entries:
        log.info("routed calls written after their web process stopped: %d", len(entries))
    return len(entries)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
