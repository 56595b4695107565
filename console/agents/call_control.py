"""An agent's control of a connected call: hang up, hold, mute, transfer, redial.

Each action goes through the Twilio conference that carries the call
(telephony/conference_control.py); the agent's console learns the result from a `call` message.
A transfer reserves the other agent atomically (it must be ready), rings its browser into the
same conference and sends it the account screen; a warm transfer puts the debtor on hold while
the two agents talk, then `transfer_complete` hands the call over or `transfer_cancel` takes it
back. Redial records the ended call's outcome and calls the same number again after the
compliance check.
"""

import asyncio
from typing import Any

from redis.asyncio import Redis

from campaigns.call_transfer import check_transfer, record_transfer, transfer_targets
from campaigns.db import read_scope, session_scope
from campaigns.errors import AcuerdoError, Forbidden, Invalid
from campaigns.i18n import _
from campaigns.models import Attempt, User, utcnow
from campaigns.scheduler.redial import start_redial
from console.agents import state, work
from console.agents.messages import send_to_agent, send_to_supervisors
from console.agents.outcomes import submit_outcome
from console.agents.ready import announce_state, back_to_ready
from console.agents.state import AgentState
from console.route_info import RouteInfo, route_info
from console.screen import screen_for_attempt
from telephony import conference_control


class NotOnCall(AcuerdoError):
    """The action needs a connected call."""

    status_code = 409


async def _connected(redis: Redis, agent_id: int, message: dict[str, Any]) -> work.Work:
    saved = await work.load(redis, agent_id)
    if saved.attempt_id is None or saved.attempt_id != message.get("attempt_id"):
        raise Forbidden(_("This call is not yours to work on."))
    current = await state.status(redis, agent_id)
    if current.state != AgentState.ON_CALL or current.attempt_id != saved.attempt_id:
        raise NotOnCall(_("The call is not connected any more."))
    return saved


async def _info(attempt_id: int) -> RouteInfo:
    info = await asyncio.to_thread(route_info, attempt_id)
    if info is None:
        raise Forbidden(_("This call is not yours to work on."))
    return info


async def hang_up(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """End the call for everyone; the status webhook then starts the wrap-up."""
    saved = await _connected(redis, agent_id, message)
    await asyncio.to_thread(conference_control.end_call, attempt_id=saved.attempt_id or 0)


async def _set_hold(redis: Redis, agent_id: int, saved: work.Work, hold: bool) -> None:
    info = await _info(saved.attempt_id or 0)
    if not info.debtor_call_sid:
        raise NotOnCall(_("The call is not connected any more."))
    await asyncio.to_thread(
        conference_control.set_debtor_hold,
        attempt_id=info.attempt_id,
        debtor_call_sid=info.debtor_call_sid,
        hold=hold,
    )
    saved.on_hold = hold
    await state.record_hold(redis, agent_id, info.attempt_id, on_hold=hold)


async def hold(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """Put the debtor on hold: it hears the hold music."""
    saved = await _connected(redis, agent_id, message)
    await _set_hold(redis, agent_id, saved, True)
    await work.save(redis, agent_id, saved)
    await send_to_agent(redis, agent_id, saved.call_message())


async def resume(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """Take the debtor off hold."""
    saved = await _connected(redis, agent_id, message)
    if saved.consulting is not None:
        raise Invalid(_("Complete or cancel the transfer first."))
    await _set_hold(redis, agent_id, saved, False)
    await work.save(redis, agent_id, saved)
    await send_to_agent(redis, agent_id, saved.call_message())


async def _set_muted(redis: Redis, agent_id: int, message: dict[str, Any], muted: bool) -> None:
    saved = await _connected(redis, agent_id, message)
    await asyncio.to_thread(
        conference_control.set_agent_muted,
        attempt_id=saved.attempt_id or 0,
        agent_id=agent_id,
        muted=muted,
    )
    saved.muted = muted
    await work.save(redis, agent_id, saved)
    await send_to_agent(redis, agent_id, saved.call_message())


async def mute(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """The debtor stops hearing the agent."""
    await _set_muted(redis, agent_id, message, True)


async def unmute(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """The debtor hears the agent again."""
    await _set_muted(redis, agent_id, message, False)


def _targets(attempt_id: int, agent_id: int) -> list[dict[str, Any]]:
    # Whose call it is was checked in Redis: the database records the agent just after the
    # answer, and an agent's console asks for the targets as soon as the call pops up.
    with read_scope() as session:
        client_id = session.get_one(Attempt, attempt_id).client_id
        ids = transfer_targets(session, client_id=client_id, agent_id=agent_id)
        return [{"id": i, "name": session.get_one(User, i).full_name} for i in ids]


async def list_targets(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """The agents of this creditor, with their state; only ready ones can take a transfer."""
    saved = await _connected(redis, agent_id, message)
    found = await asyncio.to_thread(_targets, saved.attempt_id or 0, agent_id)
    agents = []
    for target in found:
        current = await state.status(redis, target["id"])
        agents.append({**target, "state": str(current.state)})
    await send_to_agent(
        redis,
        agent_id,
        {"type": "transfer_targets", "attempt_id": saved.attempt_id, "agents": agents},
    )


def _check(attempt_id: int, from_agent: int, to_agent: int) -> None:
    with read_scope() as session:
        check_transfer(session, attempt_id=attempt_id, from_agent=from_agent, to_agent=to_agent)


def _record(attempt_id: int, from_agent: int, to_agent: int, warm: bool) -> None:
    with session_scope() as session:
        record_transfer(
            session,
            attempt_id=attempt_id,
            from_agent=from_agent,
            to_agent=to_agent,
            warm=warm,
            now=utcnow(),
        )


async def transfer(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """Ring another ready agent of the creditor into the call; cold hands it over at once."""
    saved = await _connected(redis, agent_id, message)
    target = message.get("to_agent_id")
    warm = message.get("mode") == "warm"
    if not isinstance(target, int) or target == agent_id:
        raise Invalid(_("Choose another agent of this creditor to transfer the call to."))
    if saved.consulting is not None:
        raise Invalid(_("Complete or cancel the transfer first."))
    attempt_id = saved.attempt_id or 0
    info = await _info(attempt_id)
    await asyncio.to_thread(_check, attempt_id, agent_id, target)
    if not await state.reserve_agent(redis, agent_id=target, attempt_id=attempt_id):
        raise Invalid(_("That agent is not ready; choose another one or try again."))
    try:
        if warm and not saved.on_hold:
            await _set_hold(redis, agent_id, saved, True)
        await asyncio.to_thread(
            conference_control.add_agent_leg,
            attempt_id=attempt_id,
            agent_id=target,
            caller_id=info.caller_id,
            end_call_on_exit=False,
        )
    except AcuerdoError:
        await announce_state(redis, target, await state.set_state(redis, target, AgentState.READY))
        raise
    joined = await state.set_state(redis, target, AgentState.ON_CALL, attempt_id=attempt_id)
    if saved.on_hold:  # the target joins a call whose debtor is on hold
        await state.record_hold(redis, target, attempt_id, on_hold=True)
    await announce_state(redis, target, joined)
    await work.start(
        redis,
        target,
        work.Work(
            attempt_id=attempt_id,
            call_status="connected",
            draft=saved.draft,
            transferred_from=agent_id,
            on_hold=saved.on_hold,
            outcome_saved=saved.outcome_saved,
        ),
    )
    screen = await asyncio.to_thread(screen_for_attempt, attempt_id, saved.verified)
    await send_to_agent(
        redis,
        target,
        {
            "type": "offer",
            "attempt_id": attempt_id,
            "screen": screen,
            "transferred_from": agent_id,
            "transferred_from_name": (await state.status(redis, agent_id)).name,
            "warm": warm,
        },
    )
    if warm:
        saved.consulting = target
        await work.save(redis, agent_id, saved)
        await send_to_agent(redis, agent_id, saved.call_message())
        return
    await _hand_over(redis, agent_id, saved, target, warm=False)


async def _hand_over(
    redis: Redis, agent_id: int, saved: work.Work, target: int, *, warm: bool
) -> None:
    """The target owns the call: it ends the call when it leaves; this agent leaves it."""
    attempt_id = saved.attempt_id or 0
    await asyncio.to_thread(_record, attempt_id, agent_id, target, warm)
    await asyncio.to_thread(
        conference_control.end_call_when_agent_leaves, attempt_id=attempt_id, agent_id=target
    )
    await asyncio.to_thread(
        conference_control.keep_call_when_agent_leaves, attempt_id=attempt_id, agent_id=agent_id
    )
    await asyncio.to_thread(
        conference_control.remove_agent, attempt_id=attempt_id, agent_id=agent_id
    )
    saved.call_status, saved.consulting = "transferred", None
    await send_to_agent(redis, agent_id, saved.call_message())
    await work.clear(redis, agent_id)
    await send_to_supervisors(
        redis,
        {"type": "agent", "agent_id": target, "state": "on_call", "attempt_id": attempt_id},
    )
    await back_to_ready(redis, agent_id)


async def _consulted(redis: Redis, agent_id: int, message: dict[str, Any]) -> tuple[work.Work, int]:
    saved = await _connected(redis, agent_id, message)
    if saved.consulting is None:
        raise Invalid(_("There is no transfer in progress."))
    return saved, saved.consulting


async def transfer_complete(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """Warm transfer: the consulted agent takes the call and the debtor comes off hold."""
    saved, target = await _consulted(redis, agent_id, message)
    await _set_hold(redis, agent_id, saved, False)
    taken = await work.load(redis, target)
    if taken.attempt_id == saved.attempt_id:
        taken.on_hold = False
        await state.record_hold(redis, target, saved.attempt_id or 0, on_hold=False)
        await work.save(redis, target, taken)
        await send_to_agent(redis, target, taken.call_message())
    await _hand_over(redis, agent_id, saved, target, warm=True)


async def transfer_cancel(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """Warm transfer: the consulted agent leaves and this agent takes the debtor off hold."""
    saved, target = await _consulted(redis, agent_id, message)
    attempt_id = saved.attempt_id or 0
    await asyncio.to_thread(conference_control.remove_agent, attempt_id=attempt_id, agent_id=target)
    consulted = await work.load(redis, target)
    if consulted.attempt_id == attempt_id:
        consulted.call_status = "transfer_cancelled"
        await send_to_agent(redis, target, consulted.call_message())
        await work.clear(redis, target)
        await back_to_ready(redis, target)
    saved.consulting = None
    await _set_hold(redis, agent_id, saved, False)
    await work.save(redis, agent_id, saved)
    await send_to_agent(redis, agent_id, saved.call_message())


def _redial(attempt_id: int, agent_id: int) -> int:
    with session_scope() as session:
        return start_redial(session, attempt_id=attempt_id, agent_id=agent_id, now=utcnow())


async def redial(redis: Redis, agent_id: int, message: dict[str, Any]) -> None:
    """In wrap-up: record the ended call's outcome, then call the same number again (after
    the compliance check) for this agent."""
    saved = await work.load(redis, agent_id)
    current = await state.status(redis, agent_id)
    if saved.attempt_id is None or saved.attempt_id != message.get("attempt_id"):
        raise Forbidden(_("This call is not yours to work on."))
    if current.state != AgentState.WRAP_UP or current.attempt_id != saved.attempt_id:
        raise NotOnCall(_("You can call again once the call has ended."))
    key = str(message.get("key") or "")
    outcome = message.get("outcome")
    if not key or not isinstance(outcome, dict):
        raise Invalid(_("The outcome needs a key and a form."))
    recorded = await asyncio.to_thread(
        submit_outcome, attempt_id=saved.attempt_id, agent_id=agent_id, key=key, form=outcome
    )
    await send_to_agent(redis, agent_id, {"type": "outcome_ack", "key": key, **recorded})
    await work.clear(redis, agent_id)
    try:
        attempt_id = await asyncio.to_thread(_redial, saved.attempt_id, agent_id)
    except AcuerdoError:
        await back_to_ready(redis, agent_id)
        raise
    await work.start(redis, agent_id, work.Work(attempt_id=attempt_id, call_status="dialing"))
    await announce_state(
        redis,
        agent_id,
        await state.set_state(redis, agent_id, AgentState.RESERVED, attempt_id=attempt_id),
    )
    await send_to_agent(
        redis,
        agent_id,
        {"type": "call", "attempt_id": attempt_id, "status": "dialing", "redial": True},
    )
