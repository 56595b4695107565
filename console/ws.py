"""Websocket endpoints for agents and supervisors (protocol: docs/websocket-protocol.md)."""

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from redis.asyncio import Redis
from sqlalchemy import select

from campaigns.db import read_scope, session_scope
from campaigns.errors import AcuerdoError
from campaigns.i18n import _, normalise_locale, translate
from campaigns.models import CampaignAgent, Role, User, utcnow
from campaigns.redis_conn import get_redis
from campaigns.scheduler.callbacks import release_callbacks
from campaigns.scheduler.preview_dialing import PreviewCandidate
from campaigns.settings import get_settings
from campaigns.tenancy import viewer_for
from console import coaching
from console.agents import commands, preview, state, work
from console.agents.messages import PROTOCOL_VERSION
from console.agents.preview import preview_screen
from console.agents.state import AgentState
from console.auth.sessions import COOKIE_NAME, load_session, session_alive
from console.edge.messages import check_agent_message, check_message_size
from console.hub import Connection, Hub
from console.resilience import forever
from console.screen import personal_callbacks, screen_for_attempt
from console.supervision import push_live_figures, supervisor_snapshot

log = logging.getLogger(__name__)
router = APIRouter()

NOT_SIGNED_IN = 4401
FORBIDDEN = 4403
SUPERVISOR_ROLES = (Role.SUPERVISOR, Role.MANAGER, Role.ADMIN)
# The agent console: agents, and supervisors who take calls transferred to them.
CALL_TAKERS = (Role.AGENT, Role.SUPERVISOR)


def _signed_in_user(session_id: str | None) -> tuple[int, str, str, str] | None:
    web_session = load_session(get_redis(), session_id)
    if web_session is None:
        return None
    with read_scope() as session:
        user = session.get(User, web_session.user_id)
        if user is None or not user.is_active or user.must_change_password:
            return None
        return user.id, str(user.role), user.full_name, user.locale


def _agent_campaigns(agent_id: int) -> list[int]:
    with read_scope() as session:
        return list(
            session.scalars(
                select(CampaignAgent.campaign_id).where(CampaignAgent.user_id == agent_id)
            )
        )


def _visible_clients(user_id: int) -> frozenset[int] | None:
    """The creditors whose campaigns a supervisor's feed may show (None: all)."""
    with read_scope() as session:
        return viewer_for(session, session.get_one(User, user_id)).client_ids


async def _authorise(websocket: WebSocket, roles: tuple[Role, ...]) -> tuple[int, str, str] | None:
    """The signed-in user if the socket may open; otherwise it is closed with the reason code."""
    refusal = None
    user = None
    if websocket.headers.get("origin") not in get_settings().origins:
        refusal = FORBIDDEN
    else:
        user = await asyncio.to_thread(_signed_in_user, websocket.cookies.get(COOKIE_NAME))
        if user is None:
            refusal = NOT_SIGNED_IN
        elif Role(user[1]) not in roles:
            refusal = FORBIDDEN
    await websocket.accept()
    if refusal is not None or user is None:
        await websocket.close(refusal or NOT_SIGNED_IN)
        return None
    user_id, _role, name, locale = user
    return user_id, name, locale


async def agent_snapshot(hub: Hub, agent_id: int) -> dict[str, Any]:
    """Everything an agent's console shows, to start from after a (re)connect.

    The sequence number is read first: everything read after it is at least that new, and a
    message published meanwhile carries a higher number, so the console applies it on top (or,
    if it arrived before the snapshot, asks for a fresh one)."""
    seq = await state.current_seq(hub.redis, agent_id)
    current = await state.status(hub.redis, agent_id)
    saved = await work.load(hub.redis, agent_id)
    screen = None
    if saved.attempt_id is not None:
        screen = await asyncio.to_thread(screen_for_attempt, saved.attempt_id, saved.verified)
    previewed = None
    if saved.preview is not None:
        candidate = PreviewCandidate(**saved.preview)
        previewed = {
            "account_id": candidate.account_id,
            "campaign_id": candidate.campaign_id,
            "screen": await asyncio.to_thread(preview_screen, candidate, agent_id),
        }
    return {
        "v": PROTOCOL_VERSION,
        "type": "snapshot",
        "seq": seq,
        "agent": {"id": agent_id, "name": current.name, **current.as_message()},
        "call": {
            **{k: v for k, v in saved.call_message().items() if k != "type"},
            "wrap_up_deadline": saved.wrap_up_deadline,
            "wrap_up_most": saved.wrap_up_most,
            "wrap_up_extended": saved.wrap_up_extended,
        }
        if saved.attempt_id
        else None,
        "screen": screen,
        "script_step": saved.script_step,
        "draft": saved.draft,
        "callbacks": await asyncio.to_thread(personal_callbacks, agent_id),
        "preview": previewed,
        "monitors": await coaching.monitors(hub.redis, saved.attempt_id)
        if saved.attempt_id
        else [],
    }


@router.websocket("/ws/agent")
async def agent_socket(websocket: WebSocket) -> None:
    """An agent's console (or a supervisor's, to take transferred calls): state, offers,
    script, outcome form."""
    hub: Hub = websocket.app.state.hub
    who = await _authorise(websocket, CALL_TAKERS)
    if who is None:
        return
    agent_id, name, locale = who
    connection = Connection(websocket, user_id=agent_id)
    campaigns = await asyncio.to_thread(_agent_campaigns, agent_id)
    await state.register(hub.redis, agent_id=agent_id, name=name, campaign_ids=campaigns)
    await state.touch(hub.redis, agent_id)
    hub.attach_agent(agent_id, connection)
    presence = asyncio.create_task(keep_present(hub.redis, agent_id))
    try:
        await connection.send_now(await agent_snapshot(hub, agent_id))
        await _agent_loop(websocket, hub, connection, agent_id, locale)
    except WebSocketDisconnect:
        pass
    finally:
        presence.cancel()
        hub.detach_agent(agent_id, connection)
        await connection.stop()


async def _agent_loop(
    websocket: WebSocket, hub: Hub, connection: Connection, agent_id: int, locale: str
) -> None:
    session_id = websocket.cookies.get(COOKIE_NAME)
    while True:
        text = await websocket.receive_text()
        if not await _still_signed_in(hub.redis, session_id, agent_id, text):
            await websocket.close(NOT_SIGNED_IN)
            return
        try:
            check_message_size(text)
            message = json.loads(text)
            if not isinstance(message, dict):
                raise ValueError("not an object")
        except AcuerdoError as error:
            await connection.send_now(_refusal(error, locale, None))
            continue
        except ValueError:
            await connection.send_now(
                _error("bad_message", locale, _("The message could not be read."), None)
            )
            continue
        ref = message.get("type") if isinstance(message.get("type"), str) else None
        try:
            check_agent_message(message)
            if message.get("type") == "resync":
                await connection.send_now(await agent_snapshot(hub, agent_id))
                continue
            await commands.handle(hub.redis, agent_id, message)
        except AcuerdoError as error:
            await connection.send_now(_refusal(error, locale, ref))
        except WebSocketDisconnect:
            raise
        except Exception:
            log.exception("agent %s: message %s failed", agent_id, ref)
            await connection.send_now(
                _error("failed", locale, _("That could not be done; try again."), ref)
            )


async def _still_signed_in(redis: Redis, session_id: str | None, user_id: int, text: str) -> bool:
    """Every message is checked against the user's live session; a heartbeat only against the
    session in Redis (disabling a user, resetting its password or changing its role ends its
    sessions), any other message also against the user's row."""
    if not await session_alive(redis, session_id, user_id):
        return False
    if _is_heartbeat(text):
        return True
    return await asyncio.to_thread(_signed_in_user, session_id) is not None


def _is_heartbeat(text: str) -> bool:
    try:
        message = json.loads(text)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("type") == "heartbeat"


def _refusal(error: AcuerdoError, locale: str, ref: object) -> dict[str, Any]:
    return {
        "v": PROTOCOL_VERSION,
        "type": "error",
        "code": type(error).__name__,
        "message": error.render(locale),
        "ref": ref,
    }


def _error(code: str, locale: str, text: str, ref: object) -> dict[str, Any]:
    return {
        "v": PROTOCOL_VERSION,
        "type": "error",
        "code": code,
        "message": translate(normalise_locale(locale), text),
        "ref": ref,
    }


@router.websocket("/ws/supervisor")
async def supervisor_socket(websocket: WebSocket) -> None:
    """A supervisor's live feed of agents, calls and campaigns."""
    hub: Hub = websocket.app.state.hub
    who = await _authorise(websocket, SUPERVISOR_ROLES)
    if who is None:
        return
    user_id, _name, locale = who
    connection = Connection(websocket, user_id=user_id)
    hub.supervisors[connection] = await asyncio.to_thread(_visible_clients, user_id)
    live = asyncio.create_task(push_live_figures(connection, user_id))
    try:
        await connection.send_now(await supervisor_snapshot(hub.redis, user_id))
        session_id = websocket.cookies.get(COOKIE_NAME)
        while True:
            text = await websocket.receive_text()
            if await asyncio.to_thread(_signed_in_user, session_id) is None:
                await websocket.close(NOT_SIGNED_IN)
                return
            with contextlib.suppress(ValueError):
                message = json.loads(text)
                if isinstance(message, dict) and message.get("type") == "resync":
                    await connection.send_now(await supervisor_snapshot(hub.redis, user_id))
                elif isinstance(message, dict) and message.get("type") in coaching.REQUESTS:
                    await connection.send_now(await _coach(hub.redis, user_id, locale, message))
    except WebSocketDisconnect:
        pass
    finally:
        live.cancel()
        hub.supervisors.pop(connection, None)
        await connection.stop()


async def _coach(
    redis: Redis, user_id: int, locale: str, message: dict[str, Any]
) -> dict[str, Any]:
    """A supervisor's listen / whisper / barge / stop, answered with `monitor` or `error`."""
    try:
        reply = await coaching.handle(redis, user_id, message)
    except AcuerdoError as error:
        return {"v": PROTOCOL_VERSION, **_refusal(error, locale, message.get("attempt_id"))}
    return {"v": PROTOCOL_VERSION, **reply}


GONE_STATES = (AgentState.READY, AgentState.PAUSED, AgentState.RESERVED)


async def sweep(hub: Hub, now: float) -> None:
    """Agents without heartbeats past the grace (read from the presence sorted set, not by
    walking every agent) go offline and hold nothing: a previewed
    account goes back, a call being placed for them goes to another agent when answered, and
    their due personal callbacks go to any agent of the campaign. Wrap-ups past their deadline
    close themselves (an agent on a call keeps it: the call and its wrap-up end on their own)."""
    for agent_id in await state.absent_agents(hub.redis, now):
        current = await state.status(hub.redis, agent_id)
        if await state.is_present(hub.redis, agent_id):
            continue  # a heartbeat came since the list was read
        if current.state in GONE_STATES:
            await release_gone_agent(hub.redis, agent_id, current)
        elif current.state == AgentState.OFFLINE:
            await state.forget_presence(hub.redis, agent_id)
    for agent_id in await state.expired_wrap_ups(hub.redis, now):
        await commands.close_wrap_up(hub.redis, agent_id)


def _release_callbacks(agent_id: int) -> list[int]:
    with session_scope() as session:
        return release_callbacks(session, agent_id=agent_id, now=utcnow())


async def release_gone_agent(redis: Redis, agent_id: int, current: state.AgentStatus) -> None:
    """Free everything an agent gone past the presence grace holds, and mark it offline."""
    if current.state == AgentState.RESERVED and current.attempt_id is None:
        await preview.release_abandoned(redis, agent_id)
    elif current.state == AgentState.RESERVED:
        await work.clear(redis, agent_id)
    await commands.go_offline(redis, agent_id)
    released = await asyncio.to_thread(_release_callbacks, agent_id)
    if released:
        log.info("agent %s gone: %d due callbacks released", agent_id, len(released))


async def keep_present(redis: Redis, agent_id: int) -> None:
    """While the agent's socket is open, the server itself renews its presence (a closed or
    dead socket — uvicorn's pings find those — stops it, and the grace starts)."""
    interval = max(1.0, get_settings().heartbeat_grace_seconds / 3)

    async def renew() -> None:
        await state.touch(redis, agent_id)

    await forever("agent presence", renew, interval)
