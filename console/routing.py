"""Routing answered calls to agents: longest idle first, personal callbacks to their owner.

The telephony webhook calls `connect` when a debtor answers. Within `route_wait_seconds` (2 s)
a ready agent of the attempt's campaign is reserved atomically in Redis, gets the screen pop on
its websocket (whichever process holds it), and the debtor is put in a conference that the
agent's leg joins; with no agent in time the webhook plays the abandon message instead.
"""

import asyncio
import logging
import time

from redis.asyncio import Redis

from campaigns.db import session_scope
from campaigns.models import Disposition, utcnow
from campaigns.redis_conn import get_redis
from campaigns.settings import get_settings
from console import call_cards
from console.agents import state, work
from console.agents.messages import send_to_agent, send_to_supervisors
from console.agents.outcomes import submit_outcome
from console.agents.ready import back_to_ready
from console.agents.state import AgentState
from console.route_info import RouteInfo, creditor_campaigns, route_info
from console.screen import screen_for_attempt
from telephony.conference_control import CallControlFailed, add_agent_leg, wait_for_debtor
from telephony.status_updates import is_machine
from telephony.voice import conference_twiml, mark_routed

log = logging.getLogger(__name__)
POLL_SECONDS = 0.05


def _assign(attempt_id: int, agent_id: int) -> None:
    with session_scope() as session:
        mark_routed(session, attempt_id=attempt_id, agent_id=agent_id, now=utcnow())


class Routing:
    """The console's side of answered calls, given to the telephony webhooks."""

    def __init__(self) -> None:
        self._redis: Redis | None = None
        self._bridges: set[asyncio.Task[None]] = set()
        self._after_answers: set[asyncio.Task[None]] = set()

    def attach(self, redis: Redis) -> None:
        """Use this process's async Redis client (set when the app starts)."""
        self._redis = redis

    @property
    def redis(self) -> Redis:
        assert self._redis is not None, "Routing.attach() runs in the app's lifespan"
        return self._redis

    async def answer(self, attempt_id: int, call_sid: str, answered_by: str | None) -> str | None:
        """An answered call whose card is ready, routed in one Redis round trip (the agent
        reserved and on the call, the offer published); the database is written after the
        answer. None: the general path (`connect`) decides."""
        if is_machine(answered_by):
            return None
        routed = await call_cards.route(
            self.redis, attempt_id=attempt_id, call_sid=call_sid, answered_by=answered_by
        )
        if routed.kind == "routed":
            return routed.twiml
        if routed.kind != "new":
            return None
        # The database write and the agent's leg run once answered, in a task of their own (a
        # response background task would hold the provider's connection until they end).
        task = asyncio.create_task(self._record_and_ring(routed))
        self._after_answers.add(task)
        task.add_done_callback(self._after_answers.discard)
        return routed.twiml

    async def _record_and_ring(self, routed: call_cards.Routed) -> None:
        """Write the routed call to the database, then ring the agent's leg in."""
        await asyncio.to_thread(call_cards.record_route, get_redis(), routed)
        facts = await call_cards.route_facts(self.redis, routed.attempt_id)
        info = call_cards.route_info_from(facts) if facts else None
        info = info or await asyncio.to_thread(route_info, routed.attempt_id)
        if info is not None and routed.agent_id is not None:
            self._ring(info, routed.agent_id)

    async def connect(self, attempt_id: int, call_sid: str) -> str | None:
        """Bridge an answered call to an agent within the wait; None when nobody could take it.
        The call's card is built here when it was not built at the dial."""
        deadline = time.monotonic() + get_settings().route_wait_seconds
        prepared = False
        while True:
            routed = await call_cards.route(
                self.redis, attempt_id=attempt_id, call_sid=call_sid, answered_by=None
            )
            if routed.kind == "nocard" and not prepared:
                prepared = True
                if await asyncio.to_thread(call_cards.prepare, get_redis(), attempt_id):
                    continue
            if routed.kind == "new":
                await self._record_and_ring(routed)
                return routed.twiml
            if routed.kind == "routed":
                return routed.twiml
            if routed.kind != "none":
                return await self._connect_by_database(attempt_id)
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(POLL_SECONDS)

    async def _connect_by_database(self, attempt_id: int) -> str | None:
        """Calls a card does not cover (no campaign: any of the creditor's agents)."""
        info = await asyncio.to_thread(route_info, attempt_id)
        if info is None:
            return None
        agent_id = await self._reserve(info)
        if agent_id is None:
            return None
        return await self._bridge(info, agent_id)

    async def finished(self, attempt_id: int) -> None:
        """The call is over: no answer may route it any more."""
        await call_cards.forget(self.redis, attempt_id)

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
        await work.start(
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
        self._ring(info, agent_id)
        return conference_twiml(attempt_id, recording=info.recording, locale=info.locale)

    def _ring(self, info: RouteInfo, agent_id: int) -> None:
        task = asyncio.create_task(asyncio.to_thread(_add_agent_leg, info, agent_id))
        self._bridges.add(task)
        task.add_done_callback(self._bridges.discard)

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
