"""What an agent's messages do. Each handler checks the agent may do it now."""

import asyncio
import json
import time
from typing import Any

from redis.asyncio import Redis

from campaigns.agreements import check_free_text
from campaigns.errors import AcuerdoError, Forbidden, Invalid
from campaigns.i18n import _
from campaigns.settings import get_settings
from console.agents import call_control, preview, state, work
from console.agents.messages import send_to_agent, send_to_supervisors
from console.agents.outcomes import recorded_for_attempt, recorded_with_key, submit_outcome
from console.agents.ready import announce_state, back_to_ready, next_preview
from console.agents.state import PAUSE_REASONS, AgentState
from console.screen import screen_for_attempt

IDLE_STATES = (AgentState.OFFLINE, AgentState.READY, AgentState.PAUSED)


class WrongState(AcuerdoError):
    status_code = 409


async def handle(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """Carry out one message from an agent's console."""
    kind = message.get("type")
    handler = HANDLERS.get(str(kind))
    if handler is None:
        raise Invalid(_("Unknown message type {kind}."), kind=str(kind))
    await handler(redis, agent_id, message)


async def _set_state(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    target = message.get("state")
    current = await state.status(redis, agent_id)
    if target not in (AgentState.READY, AgentState.PAUSED):
        raise Invalid(_("You can only choose ready or paused."))
    if current.state not in IDLE_STATES:
        raise WrongState(_("Finish the current call and its outcome before changing state."))
    reason = str(message.get("reason") or "")
    if target == AgentState.PAUSED and reason not in PAUSE_REASONS:
        raise Invalid(_("Choose a pause reason."))
    new = await state.set_state(redis, agent_id, AgentState(target), reason=reason)
    await announce_state(redis, agent_id, new)
    if new.state == AgentState.READY:
        await next_preview(redis, agent_id)


async def _current_work(redis: Redis, agent_id: int, message: dict[str, Any]) -> work.Work:
    saved = await work.load(redis, agent_id)
    if saved.attempt_id is None or saved.attempt_id != message.get("attempt_id"):
        raise Forbidden(_("This call is not yours to work on."))
    return saved


async def _draft(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    saved = await _current_work(redis, agent_id, message)
    form = message.get("form")
    if not isinstance(form, dict):
        raise Invalid(_("The form could not be read."))
    limit = get_settings().draft_max_bytes
    if len(json.dumps(form, ensure_ascii=False).encode()) > limit:
        raise Invalid(
            _("The draft is larger than {limit} bytes; shorten the notes."),
            limit=limit,
        )
    check_free_text(form)
    saved.draft = form
    await work.save(redis, agent_id, saved)


async def _script_step(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    saved = await _current_work(redis, agent_id, message)
    saved.script_step = str(message.get("step") or "")
    await work.save(redis, agent_id, saved)


async def _verify_party(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    saved = await _current_work(redis, agent_id, message)
    saved.verified = True
    await work.save(redis, agent_id, saved)
    screen = await asyncio.to_thread(screen_for_attempt, saved.attempt_id or 0, True)
    await send_to_agent(
        redis, agent_id, {"type": "screen", "attempt_id": saved.attempt_id, "screen": screen}
    )


async def _submit(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    key = str(message.get("key") or "")
    outcome = message.get("outcome")
    if not key or not isinstance(outcome, dict):
        raise Invalid(_("The outcome needs a key and a form."))
    already = await asyncio.to_thread(recorded_with_key, agent_id=agent_id, key=key)
    if already is not None:
        await send_to_agent(redis, agent_id, {"type": "outcome_ack", "key": key, **already})
        return
    try:
        saved = await _current_work(redis, agent_id, message)
    except Forbidden:
        # Another tab of this agent recorded the call's outcome first: answer with that one.
        attempt_id = message.get("attempt_id")
        first = (
            await asyncio.to_thread(recorded_for_attempt, agent_id=agent_id, attempt_id=attempt_id)
            if isinstance(attempt_id, int)
            else None
        )
        if first is None:
            raise
        await send_to_agent(redis, agent_id, {"type": "outcome_ack", "key": key, **first})
        return
    recorded = await asyncio.to_thread(
        submit_outcome,
        attempt_id=saved.attempt_id or 0,
        agent_id=agent_id,
        key=key,
        form=outcome,
    )
    await send_to_agent(redis, agent_id, {"type": "outcome_ack", "key": key, **recorded})
    await after_outcome(redis, agent_id, saved)


async def after_outcome(redis: Redis, agent_id: int, saved: work.Work) -> None:
    """Saved during the call, the screen stays until the call ends; saved after, the agent is
    ready again. The call may end while this runs (its end is handled by another process), so
    the state is read again after marking the outcome saved."""
    current = await state.status(redis, agent_id)
    if current.attempt_id != saved.attempt_id:
        return
    if current.state == AgentState.ON_CALL:
        saved.outcome_saved = True
        if not await work.save(redis, agent_id, saved):
            return
        await send_to_agent(redis, agent_id, saved.call_message())
        current = await state.status(redis, agent_id)
        if current.attempt_id != saved.attempt_id:
            return
    if current.state == AgentState.WRAP_UP:
        await work.clear(redis, agent_id)
        await back_to_ready(redis, agent_id)


async def _wrap_up_more(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """The agent asks for more wrap-up time: once more the base time, up to the campaign's most."""
    saved = await _current_work(redis, agent_id, message)
    current = await state.status(redis, agent_id)
    if current.state != AgentState.WRAP_UP or saved.wrap_up_deadline is None:
        raise WrongState(_("More time is only for the wrap-up after a call."))
    most = saved.wrap_up_most or saved.wrap_up_deadline
    if saved.wrap_up_deadline >= most:
        raise WrongState(
            _("No more time: this campaign's wrap-up ends at the limit; save the outcome now.")
        )
    saved.wrap_up_deadline = min(
        most, max(time.time(), saved.wrap_up_deadline) + saved.wrap_up_seconds
    )
    saved.wrap_up_extended = True
    await work.save(redis, agent_id, saved)
    await state.extend_wrap_up(redis, agent_id, saved.wrap_up_deadline)
    await send_to_agent(redis, agent_id, saved.wrap_up_message())
    await send_to_supervisors(
        redis,
        {
            "type": "agent",
            "agent_id": agent_id,
            **current.as_message(),
            "wrap_up_deadline": saved.wrap_up_deadline,
            "extended": True,
        },
    )


async def _heartbeat(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    await state.touch(redis, agent_id)
    await send_to_agent(redis, agent_id, {"type": "heartbeat_ack", "at": time.time()})


async def _preview_call(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    await preview.call(redis, agent_id, message)


async def _preview_skip(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    await preview.skip(redis, agent_id, message)
    await announce_state(redis, agent_id, await state.status(redis, agent_id))


HANDLERS = {
    "hang_up": call_control.hang_up,
    "hold": call_control.hold,
    "resume": call_control.resume,
    "mute": call_control.mute,
    "unmute": call_control.unmute,
    "transfer_targets": call_control.list_targets,
    "transfer": call_control.transfer,
    "transfer_complete": call_control.transfer_complete,
    "transfer_cancel": call_control.transfer_cancel,
    "redial": call_control.redial,
    "preview_call": _preview_call,
    "preview_skip": _preview_skip,
    "set_state": _set_state,
    "draft": _draft,
    "script_step": _script_step,
    "verify_party": _verify_party,
    "submit_outcome": _submit,
    "heartbeat": _heartbeat,
    "wrap_up_more": _wrap_up_more,
}


async def go_offline(redis: Redis, agent_id: int) -> None:
    """The agent's heartbeats stopped: it takes no more calls."""
    new = await state.set_state(redis, agent_id, AgentState.OFFLINE)
    await announce_state(redis, agent_id, new)


async def close_wrap_up(redis: Redis, agent_id: int) -> None:
    """Wrap-up time ran out: record the draft if it is valid, else the campaign's default
    disposition (`unrecorded` unless it sets one); back to ready."""
    current = await state.status(redis, agent_id)
    saved = await work.load(redis, agent_id)
    if current.state != AgentState.WRAP_UP or saved.attempt_id is None:
        await redis.zrem("acuerdo:wrapups", str(agent_id))
        return
    key = f"wrap-up-timeout-{saved.attempt_id}"
    try:
        recorded = await asyncio.to_thread(
            submit_outcome,
            attempt_id=saved.attempt_id,
            agent_id=agent_id,
            key=key,
            form=saved.draft,
        )
    except AcuerdoError:
        recorded = await asyncio.to_thread(
            submit_outcome,
            attempt_id=saved.attempt_id,
            agent_id=agent_id,
            key=key,
            form={"disposition": saved.wrap_up_default, "notes": ""},
        )
    await send_to_agent(redis, agent_id, {"type": "outcome_ack", "key": key, **recorded})
    await work.clear(redis, agent_id)
    await back_to_ready(redis, agent_id)
