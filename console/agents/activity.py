"""Recording the agents' state changes: the Redis stream the console writes with every change is
read by a consumer group and stored as the agent activity history (campaigns/agent_activity.py).

Entries are acknowledged only after their rows commit, so a recorder that dies leaves them
pending; the next one claims entries pending for more than a minute and records them first
(rows are keyed by the entry id, so recording twice stores once).
"""

import logging
import os
import socket
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from redis.exceptions import ResponseError

from campaigns.agent_activity import StateChange, record_changes
from campaigns.db import session_scope
from console.agents.state import ACTIVITY_STREAM

log = logging.getLogger(__name__)
GROUP = "recorder"
CLAIM_IDLE_MS = 60_000
BATCH = 2000


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _change(entry_id: bytes | str, fields: dict[bytes, bytes]) -> StateChange:
    data = {_text(k): _text(v) for k, v in fields.items()}
    return StateChange(
        event_id=_text(entry_id),
        agent_id=int(data["agent"]),
        state=data["state"],
        reason=data.get("reason", ""),
        attempt_id=int(data["attempt"]) if data.get("attempt") else None,
        at=datetime.fromtimestamp(float(data["at"]), UTC),
    )


def _ensure_group(redis: Redis) -> None:
    try:
        redis.xgroup_create(ACTIVITY_STREAM, GROUP, id="0", mkstream=True)
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


def record_activity(redis: Redis, *, consumer: str | None = None) -> int:
    """Store the state changes written since the last call; how many rows were new."""
    consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
    _ensure_group(redis)
    reply: Any = redis.xautoclaim(
        ACTIVITY_STREAM, GROUP, consumer, min_idle_time=CLAIM_IDLE_MS, count=BATCH
    )
    claimed: list[Any] = reply[1]
    fresh: Any = redis.xreadgroup(GROUP, consumer, {ACTIVITY_STREAM: ">"}, count=BATCH)
    entries = list(claimed) + [entry for _, stream_entries in fresh for entry in stream_entries]
    entries = [(entry_id, fields) for entry_id, fields in entries if fields]
    if not entries:
        return 0
    changes = sorted(
        (_change(entry_id, fields) for entry_id, fields in entries),
        key=lambda c: tuple(int(part) for part in c.event_id.split("-")),
    )
    with session_scope() as session:
        stored = record_changes(session, changes=changes)
    ids = [entry_id for entry_id, _ in entries]
    redis.xack(ACTIVITY_STREAM, GROUP, *ids)
    redis.xdel(ACTIVITY_STREAM, *ids)
    log.info("agent activity: %d state changes recorded", stored)
    return stored
