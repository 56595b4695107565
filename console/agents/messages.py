"""Messages to agents and supervisors, published on Redis so any process's socket delivers them."""

import json
import time
from typing import Any

from redis.asyncio import Redis

from campaigns.channels import SUPERVISORS_CHANNEL
from console.agents.state import next_seq

PROTOCOL_VERSION = 1
# The latest `pacing` message of each campaign (hash campaign id -> JSON), for snapshots.
PACING_KEY = "acuerdo:pacing:latest"

# Every message type of protocol version 1 (docs/websocket-protocol.md; a test compares them).
AGENT_REQUESTS = frozenset(
    {
        "heartbeat",
        "set_state",
        "resync",
        "script_step",
        "draft",
        "verify_party",
        "submit_outcome",
        "preview_call",
        "preview_skip",
        "hang_up",
        "hold",
        "resume",
        "mute",
        "unmute",
        "transfer_targets",
        "transfer",
        "transfer_complete",
        "transfer_cancel",
        "redial",
        "wrap_up_more",
    }
)
AGENT_MESSAGES = frozenset(
    {
        "snapshot",
        "state",
        "offer",
        "call",
        "wrap_up",
        "screen",
        "outcome_ack",
        "preview",
        "error",
        "heartbeat_ack",
        "transfer_targets",
        "supervisor_monitor",
    }
)
SUPERVISOR_REQUESTS = frozenset({"resync", "monitor", "monitor_stop"})
SUPERVISOR_MESSAGES = frozenset(
    {"snapshot", "agent", "live", "pacing", "campaign", "campaign_paused", "monitor", "error"}
)

__all__ = [
    "AGENT_MESSAGES",
    "AGENT_REQUESTS",
    "PROTOCOL_VERSION",
    "SUPERVISORS_CHANNEL",
    "SUPERVISOR_MESSAGES",
    "SUPERVISOR_REQUESTS",
    "agent_channel",
    "send_to_agent",
    "send_to_supervisors",
]


def agent_channel(agent_id: int) -> str:
    """The Redis channel of one agent's messages."""
    return f"agent:{agent_id}"


async def send_to_agent(redis: Redis, agent_id: int, message: dict[str, Any]) -> int:
    """Publish a message to an agent with its next sequence number; returns the number."""
    if message.get("type") not in AGENT_MESSAGES:
        raise ValueError(f"not an agent message of protocol {PROTOCOL_VERSION}: {message}")
    seq = await next_seq(redis, agent_id)
    payload = {"v": PROTOCOL_VERSION, "seq": seq, **message}
    await redis.publish(agent_channel(agent_id), json.dumps(payload, default=str))
    return seq


async def send_to_supervisors(redis: Redis, message: dict[str, Any]) -> None:
    """Publish a message to every supervisor's feed."""
    if message.get("type") not in SUPERVISOR_MESSAGES:
        raise ValueError(f"not a supervisor message of protocol {PROTOCOL_VERSION}: {message}")
    if message["type"] == "pacing":
        latest = json.dumps({**message, "at": time.time()}, default=str)
        await redis.hset(PACING_KEY, str(message["campaign_id"]), latest)
    await redis.publish(
        SUPERVISORS_CHANNEL, json.dumps({"v": PROTOCOL_VERSION, **message}, default=str)
    )
