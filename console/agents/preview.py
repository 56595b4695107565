"""Preview mode: the agent sees the next eligible account, then calls it or skips it.

An account shown to one agent is locked in Redis so no other agent previews it at once; a skipped
account is not shown to the same agent again for the rest of the shift. While previewing, the agent
is reserved (no paced call reaches it); "call" passes the compliance check again before dialing.
"""

import asyncio
from typing import Any

from redis.asyncio import Redis

from campaigns.db import read_scope, session_scope
from campaigns.errors import Invalid
from campaigns.i18n import _
from campaigns.models import User, utcnow
from campaigns.scheduler.agent_calls import ContactNotAllowed
from campaigns.scheduler.preview_dialing import (
    PreviewCandidate,
    preview_campaign_ids,
    preview_candidates,
    skip_preview,
    start_preview_call,
)
from console.agents import state, work
from console.agents.messages import send_to_agent
from console.agents.state import AgentState
from console.screen import build_screen

LOCK_SECONDS = 600
SKIP_SECONDS = 12 * 3600


def _candidates(agent_id: int) -> list[PreviewCandidate]:
    now = utcnow()
    with read_scope() as session:
        found: list[PreviewCandidate] = []
        for campaign_id in preview_campaign_ids(session, agent_id=agent_id):
            found.extend(preview_candidates(session, campaign_id=campaign_id, now=now))
        return found


def preview_screen(candidate: PreviewCandidate, agent_id: int) -> dict[str, Any]:
    """The masked screen of a previewed account, its script greeting as this agent."""
    with read_scope() as session:
        agent = session.get(User, agent_id)
        return build_screen(
            session,
            account_id=candidate.account_id,
            verified=False,
            now=utcnow(),
            campaign_id=candidate.campaign_id,
            agent_name=agent.full_name if agent else "",
        )


async def has_preview_work(agent_id: int) -> bool:
    """Whether the agent works any active preview campaign."""

    def check() -> bool:
        with read_scope() as session:
            return bool(preview_campaign_ids(session, agent_id=agent_id))

    return await asyncio.to_thread(check)


async def offer_next(redis: Redis, agent_id: int) -> bool:
    """Show the agent the next account to call; False when there is none right now."""
    skipped = {int(a) for a in await redis.smembers(f"acuerdo:preview-skip:{agent_id}")}
    for candidate in await asyncio.to_thread(_candidates, agent_id):
        if candidate.account_id in skipped:
            continue
        if not await redis.set(
            f"acuerdo:preview-lock:{candidate.account_id}", agent_id, nx=True, ex=LOCK_SECONDS
        ):
            continue
        await state.set_state(redis, agent_id, AgentState.RESERVED)
        saved = await work.load(redis, agent_id)
        saved.preview = candidate.as_dict()
        await work.save(redis, agent_id, saved)
        screen = await asyncio.to_thread(preview_screen, candidate, agent_id)
        await send_to_agent(
            redis,
            agent_id,
            {
                "type": "preview",
                "account_id": candidate.account_id,
                "campaign_id": candidate.campaign_id,
                "screen": screen,
            },
        )
        return True
    return False


async def _current(redis: Redis, agent_id: int, message: dict[str, Any]) -> PreviewCandidate:
    saved = await work.load(redis, agent_id)
    if not saved.preview or saved.preview["account_id"] != message.get("account_id"):
        raise Invalid(_("That account is no longer on your preview; wait for the next one."))
    return PreviewCandidate(**saved.preview)


async def _release(redis: Redis, agent_id: int, candidate: PreviewCandidate) -> None:
    await redis.delete(f"acuerdo:preview-lock:{candidate.account_id}")
    saved = await work.load(redis, agent_id)
    saved.preview = None
    await work.save(redis, agent_id, saved)


async def release_abandoned(redis: Redis, agent_id: int) -> None:
    """The agent left while previewing (browser closed past the grace): the account goes back
    to the campaign for other agents, and will be shown to this one again."""
    saved = await work.load(redis, agent_id)
    if saved.preview is not None:
        await _release(redis, agent_id, PreviewCandidate(**saved.preview))


async def _forget(redis: Redis, agent_id: int, candidate: PreviewCandidate) -> None:
    """Do not show this account to this agent again this shift."""
    await redis.sadd(f"acuerdo:preview-skip:{agent_id}", candidate.account_id)
    await redis.expire(f"acuerdo:preview-skip:{agent_id}", SKIP_SECONDS)
    await _release(redis, agent_id, candidate)


async def call(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """The agent calls the previewed account (after the compliance check passes again)."""
    candidate = await _current(redis, agent_id, message)

    def start() -> int:
        with session_scope() as session:
            return start_preview_call(session, candidate=candidate, agent_id=agent_id, now=utcnow())

    try:
        attempt_id = await asyncio.to_thread(start)
    except ContactNotAllowed:
        await _forget(redis, agent_id, candidate)
        if not await offer_next(redis, agent_id):
            await state.set_state(redis, agent_id, AgentState.READY)
        raise
    await _release(redis, agent_id, candidate)
    await work.start(redis, agent_id, work.Work(attempt_id=attempt_id, call_status="dialing"))
    await state.set_state(redis, agent_id, AgentState.RESERVED, attempt_id=attempt_id)
    await send_to_agent(
        redis, agent_id, {"type": "call", "attempt_id": attempt_id, "status": "dialing"}
    )


async def skip(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """The agent skips the previewed account; the next one is shown."""
    candidate = await _current(redis, agent_id, message)
    reason = str(message.get("reason") or "")

    def record() -> None:
        with session_scope() as session:
            skip_preview(
                session, candidate=candidate, agent_id=agent_id, reason=reason, now=utcnow()
            )

    await asyncio.to_thread(record)
    await _forget(redis, agent_id, candidate)
    if not await offer_next(redis, agent_id):
        await state.set_state(redis, agent_id, AgentState.READY)
