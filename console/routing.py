"""Routing answered calls to agents: longest idle first, personal callbacks to their owner.

The telephony webhook calls `connect` when a debtor answers. Within `route_wait_seconds` (2 s)
a ready agent of the attempt's campaign is reserved atomically in Redis, gets the screen pop on
its websocket (whichever process holds it), and the debtor is put in a conference that the
agent's leg joins; with no agent in time the webhook plays the abandon message instead.
"""

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import select

from campaigns.db import read_scope, session_scope
from campaigns.models import Attempt, Campaign, Client, Disposition, MessageDirection, utcnow
from campaigns.settings import get_settings
from console.agents import state, work
from console.agents.messages import send_to_agent, send_to_supervisors
from console.agents.outcomes import submit_outcome
from console.agents.ready import back_to_ready
from console.agents.state import AgentState
from console.screen import screen_for_attempt
from telephony.conference_control import CallControlFailed, add_agent_leg, wait_for_debtor
from telephony.recording import RecordingPlan, recording_plan
from telephony.status_updates import is_machine
from telephony.voice import conference_twiml, mark_routed

log = logging.getLogger(__name__)
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class RouteInfo:
    attempt_id: int
    account_id: int
    campaign_id: int | None
    owner_agent_id: int | None
    caller_id: str
    client_id: int
    inbound: bool
    debtor_call_sid: str | None = None
    machine: bool = False
    wrap_up_seconds: int = 60
    wrap_up_max_seconds: int = 300
    wrap_up_default: str = "unrecorded"
    recording: RecordingPlan | None = None
    locale: str = "es_MX"


def route_info(attempt_id: int) -> RouteInfo | None:
    """What routing and call control need to know about an attempt (None when it is gone)."""
    with read_scope() as session:
        attempt = session.get(Attempt, attempt_id)
        if attempt is None:
            return None
        client = session.get_one(Client, attempt.client_id)
        campaign = session.get(Campaign, attempt.campaign_id) if attempt.campaign_id else None
        return RouteInfo(
            attempt_id=attempt.id,
            account_id=attempt.account_id,
            campaign_id=attempt.campaign_id,
            owner_agent_id=attempt.agent_id,
            caller_id=(campaign.caller_id if campaign else None)
            or client.caller_id
            or get_settings().default_caller_id,
            client_id=client.id,
            inbound=attempt.direction == MessageDirection.INBOUND,
            debtor_call_sid=attempt.provider_sid,
            machine=is_machine(attempt.answered_by),
            recording=recording_plan(session, attempt),
            locale=client.locale,
            **_wrap_up_rules(campaign),
        )


def creditor_campaigns(client_id: int) -> list[int]:
    """The creditor's campaigns: their agents are the creditor's agents."""
    with read_scope() as session:
        return list(session.scalars(select(Campaign.id).where(Campaign.client_id == client_id)))


def _wrap_up_rules(campaign: Campaign | None) -> dict[str, Any]:
    """The campaign's wrap-up time, its most, and its default disposition (or the settings')."""
    settings = get_settings()
    seconds = (campaign.wrap_up_seconds if campaign else None) or settings.wrap_up_seconds
    most = (campaign.wrap_up_max_seconds if campaign else None) or settings.wrap_up_max_seconds
    return {
        "wrap_up_seconds": seconds,
        "wrap_up_max_seconds": max(seconds, most),
        "wrap_up_default": (campaign.wrap_up_default_disposition if campaign else None)
        or str(Disposition.UNRECORDED),
    }


def _assign(attempt_id: int, agent_id: int) -> None:
    with session_scope() as session:
        mark_routed(session, attempt_id=attempt_id, agent_id=agent_id, now=utcnow())


class Routing:
    """The console's side of answered calls, given to the telephony webhooks."""

    def __init__(self) -> None:
        self._redis: Redis | None = None
        self._bridges: set[asyncio.Task[None]] = set()

    def attach(self, redis: Redis) -> None:
        """Use this process's async Redis client (set when the app starts)."""
        self._redis = redis

    @property
    def redis(self) -> Redis:
        assert self._redis is not None, "Routing.attach() runs in the app's lifespan"
        return self._redis

    async def connect(self, attempt_id: int, call_sid: str) -> str | None:
        """Bridge an answered call to an agent within the wait; None when nobody could take it."""
        info = await asyncio.to_thread(route_info, attempt_id)
        if info is None:
            return None
        agent_id = await self._reserve(info)
        if agent_id is None:
            return None
        return await self._bridge(info, agent_id)

    async def connect_inbound(self, attempt_id: int) -> str | None:
        """Give a waiting inbound call to the creditor's longest-ready agent, if one is ready:
        the same screen pop, script and form as an answered outbound call, marked inbound."""
        info = await asyncio.to_thread(route_info, attempt_id)
        if info is None:
            return None
        agent_id = await state.reserve_longest_ready(
            self.redis,
            campaign_ids=await asyncio.to_thread(creditor_campaigns, info.client_id),
            attempt_id=attempt_id,
        )
        if agent_id is None:
            return None
        return await self._bridge(info, agent_id)

    async def _bridge(self, info: RouteInfo, agent_id: int) -> str:
        """Assign the reserved agent, pop the screen on its socket, ring its leg in."""
        attempt_id = info.attempt_id
        await asyncio.to_thread(_assign, attempt_id, agent_id)
        await state.set_state(self.redis, agent_id, AgentState.ON_CALL, attempt_id=attempt_id)
        await work.save(
            self.redis, agent_id, work.Work(attempt_id=attempt_id, call_status="connected")
        )
        screen = await asyncio.to_thread(screen_for_attempt, attempt_id, False)
        await send_to_agent(
            self.redis,
            agent_id,
            {
                "type": "offer",
                "attempt_id": attempt_id,
                "direction": "inbound" if info.inbound else "outbound",
                "screen": screen,
            },
        )
        await send_to_supervisors(
            self.redis,
            {
                "type": "agent",
                "agent_id": agent_id,
                "state": str(AgentState.ON_CALL),
                "attempt_id": attempt_id,
            },
        )
        task = asyncio.create_task(asyncio.to_thread(_add_agent_leg, info, agent_id))
        self._bridges.add(task)
        task.add_done_callback(self._bridges.discard)
        return conference_twiml(attempt_id, recording=info.recording, locale=info.locale)

    async def ended(self, attempt_id: int, agent_id: int) -> None:
        """The call is over: the agent goes to wrap-up with a server-enforced deadline, or
        straight back to ready when the outcome is already saved or nobody answered."""
        current = await state.status(self.redis, agent_id)
        if current.attempt_id != attempt_id or current.state not in (
            AgentState.ON_CALL,
            AgentState.RESERVED,
        ):
            return
        saved = await work.load(self.redis, agent_id)
        if saved.attempt_id != attempt_id:
            ready = await state.set_state(self.redis, agent_id, AgentState.READY)
            await send_to_agent(self.redis, agent_id, {"type": "state", **ready.as_message()})
            return
        if current.state == AgentState.RESERVED:
            await self._not_bridged(attempt_id, agent_id)
            return
        saved.call_status, saved.on_hold, saved.muted = "ended", False, False
        if saved.outcome_saved:
            await send_to_agent(self.redis, agent_id, saved.call_message())
            await work.clear(self.redis, agent_id)
            await back_to_ready(self.redis, agent_id)
            return
        info = await asyncio.to_thread(route_info, attempt_id)
        rules = info or RouteInfo(attempt_id, 0, None, None, "", client_id=0, inbound=False)
        deadline = await state.start_wrap_up(
            self.redis, agent_id, attempt_id, seconds=rules.wrap_up_seconds
        )
        saved.wrap_up_deadline, saved.wrap_up_seconds = deadline, rules.wrap_up_seconds
        saved.wrap_up_most = deadline - rules.wrap_up_seconds + rules.wrap_up_max_seconds
        saved.wrap_up_default = rules.wrap_up_default
        await work.save(self.redis, agent_id, saved)
        await send_to_agent(self.redis, agent_id, saved.call_message())
        await send_to_agent(
            self.redis,
            agent_id,
            saved.wrap_up_message(),
        )
        await send_to_supervisors(
            self.redis,
            {
                "type": "agent",
                "agent_id": agent_id,
                "state": str(AgentState.WRAP_UP),
                "attempt_id": attempt_id,
                "wrap_up_deadline": deadline,
                "extended": False,
            },
        )

    async def _not_bridged(self, attempt_id: int, agent_id: int) -> None:
        """A call placed for this agent (preview, redial, callback) ended without reaching it:
        the agent is told ("no contesta"), the outcome is recorded for it, and it is ready."""
        info = await asyncio.to_thread(route_info, attempt_id)
        disposition = Disposition.MACHINE if info and info.machine else Disposition.NO_ANSWER
        key = f"not-bridged-{attempt_id}"
        recorded = await asyncio.to_thread(
            submit_outcome,
            attempt_id=attempt_id,
            agent_id=agent_id,
            key=key,
            form={"disposition": str(disposition), "notes": ""},
        )
        await send_to_agent(
            self.redis,
            agent_id,
            {"type": "call", "attempt_id": attempt_id, "status": str(disposition)},
        )
        await send_to_agent(self.redis, agent_id, {"type": "outcome_ack", "key": key, **recorded})
        await work.clear(self.redis, agent_id)
        await back_to_ready(self.redis, agent_id)

    async def _reserve(self, info: RouteInfo) -> int | None:
        deadline = time.monotonic() + get_settings().route_wait_seconds
        while True:
            agent_id = await self._try_reserve(info)
            if agent_id is not None or time.monotonic() >= deadline:
                return agent_id
            await asyncio.sleep(POLL_SECONDS)

    async def _try_reserve(self, info: RouteInfo) -> int | None:
        if info.owner_agent_id is not None:
            owner = await state.status(self.redis, info.owner_agent_id)
            if owner.state == AgentState.RESERVED and owner.attempt_id == info.attempt_id:
                return info.owner_agent_id
            if info.campaign_id is None:
                return None
        if info.campaign_id is None:
            # A callback an inbound caller asked for belongs to no campaign: any of the
            # creditor's ready agents takes it.
            return await state.reserve_longest_ready(
                self.redis,
                campaign_ids=await asyncio.to_thread(creditor_campaigns, info.client_id),
                attempt_id=info.attempt_id,
            )
        return await state.reserve(
            self.redis,
            campaign_id=info.campaign_id,
            attempt_id=info.attempt_id,
            preferred_agent=info.owner_agent_id,
        )


def _add_agent_leg(info: RouteInfo, agent_id: int) -> None:
    """Ring the agent's browser (Twilio Voice SDK identity) into the debtor's conference."""
    try:
        if info.recording is not None and not wait_for_debtor(attempt_id=info.attempt_id):
            log.warning("attempt %s: the debtor never joined its conference", info.attempt_id)
            return
        add_agent_leg(attempt_id=info.attempt_id, agent_id=agent_id, caller_id=info.caller_id)
    except CallControlFailed:
        log.exception("could not add agent %s to attempt %s", agent_id, info.attempt_id)
