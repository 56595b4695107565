"""The dialing loop: every second, the ready agents are split among the progressive and predictive
campaigns (an agent shared by several works for one at a time: telephony/dialer/allocation.py),
then each campaign asks the pacer how many calls to launch and takes that many accounts from the
scheduler's eligible set (the same selection and compliance rules). Answered calls reach agents
through the console's routing; one no agent takes within 2 seconds hears the abandon message and
counts against the campaign, and a campaign over its abandon cap is paused and its supervisors
told.
"""

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from sqlalchemy import select

from campaigns.call_history import CallHistory, call_history
from campaigns.campaign_defs.lifecycle import pause_over_abandon_cap
from campaigns.db import read_scope, session_scope
from campaigns.dispatch_queue import enqueue_attempts_after_commit
from campaigns.models import (
    Attempt,
    Campaign,
    CampaignAgent,
    CampaignStatus,
    Client,
    DialingMode,
    utcnow,
)
from campaigns.scheduler.callbacks import (
    DueCallback,
    due_callbacks,
    release_callbacks,
    start_callback,
)
from campaigns.scheduler.eligibility.zones import ZoneCache
from campaigns.scheduler.tick import schedule_campaign
from campaigns.settings import get_settings
from console.agents import state, work
from console.agents.messages import send_to_agent, send_to_supervisors
from console.agents.state import AgentState, AgentStatus
from console.resilience import Backoff, raise_if_cancelling
from telephony.dialer.allocation import (
    CampaignDemand,
    allocate,
    freeing_campaign,
    processing_order,
)
from telephony.dialer.pacer import decide
from telephony.dialer.pacing_contract import PacingDecision, PacingHistory, PacingSnapshot

log = logging.getLogger(__name__)
PACED = (DialingMode.PROGRESSIVE, DialingMode.PREDICTIVE)
BUSY = (AgentState.ON_CALL, AgentState.RESERVED, AgentState.WRAP_UP)


@dataclass(frozen=True)
class PacedCampaign:
    campaign_id: int
    client_id: int
    mode: DialingMode
    priority: int
    max_lines: int
    abandon_target: float
    timezone: str
    agent_ids: tuple[int, ...]


def _paced_campaigns() -> list[PacedCampaign]:
    with read_scope() as session:
        rows = session.execute(
            select(Campaign, Client.timezone)
            .join(Client, Client.id == Campaign.client_id)
            .where(Campaign.status == CampaignStatus.ACTIVE, Campaign.dialing_mode.in_(PACED))
        ).all()
        agents: dict[int, list[int]] = {}
        for campaign_id, user_id in session.execute(
            select(CampaignAgent.campaign_id, CampaignAgent.user_id)
        ):
            agents.setdefault(campaign_id, []).append(user_id)
        return [
            PacedCampaign(
                c.id,
                c.client_id,
                DialingMode(c.dialing_mode),
                c.priority,
                c.max_lines,
                float(c.abandon_target_pct) / 100,
                tz,
                tuple(agents.get(c.id, ())),
            )
            for c, tz in rows
        ]


def _histories(campaign_ids: list[int], now: datetime) -> dict[int, CallHistory]:
    with read_scope() as session:
        return {c: call_history(session, campaign_id=c, now=now) for c in campaign_ids}


def _campaigns_of_attempts(attempt_ids: list[int]) -> dict[int, int]:
    """Attempt id -> campaign id, for the calls busy agents are on."""
    if not attempt_ids:
        return {}
    with read_scope() as session:
        rows = session.execute(
            select(Attempt.id, Attempt.campaign_id).where(Attempt.id.in_(attempt_ids))
        ).all()
        return {a: c for a, c in rows if c is not None}


def _in_flight(history: CallHistory) -> int:
    return len(history.ringing_elapsed_s) + history.answered_waiting


def snapshot(
    campaign: PacedCampaign,
    history: CallHistory,
    *,
    ready: int,
    busy: list[AgentStatus],
    now: datetime,
) -> PacingSnapshot:
    """The pacer's input for one campaign: its share of the agents, its calls and history."""
    clock = time.time()
    talking = [
        clock - a.since for a in busy if a.state in (AgentState.ON_CALL, AgentState.RESERVED)
    ]
    wrapping = [clock - a.since for a in busy if a.state == AgentState.WRAP_UP]
    settings = get_settings()
    return PacingSnapshot(
        mode=campaign.mode,
        agents_ready=ready,
        history=PacingHistory(
            answer_rate=history.answer_rate,
            machine_rate=history.machine_rate,
            recent_calls=history.recent_calls,
            recent_person_answers=history.recent_person_answers,
            ring_to_answer_s=history.ring_to_answer_s,
            talk_s=history.talk_s,
            wrap_s=history.wrap_s,
            live_answers=history.live_answers,
            abandons=history.abandons,
            day_live_answers=history.day_live_answers,
            day_abandons=history.day_abandons,
        ),
        talk_elapsed_s=tuple(talking),
        wrap_elapsed_s=tuple(wrapping),
        ringing_elapsed_s=history.ringing_elapsed_s,
        answered_waiting=history.answered_waiting,
        hour=now.astimezone(ZoneInfo(campaign.timezone)).hour,
        cps_limit=max(1, int(settings.calls_per_second)),
        max_lines=campaign.max_lines,
        ring_timeout_s=float(settings.ring_timeout_seconds),
        abandon_target=campaign.abandon_target,
    )


def _pause_over_cap(campaign: PacedCampaign, history: CallHistory, now: datetime) -> bool:
    with session_scope() as session:
        paused = pause_over_abandon_cap(
            session,
            campaign_id=campaign.campaign_id,
            live_answers=history.live_answers,
            abandons=history.abandons,
            now=now,
        )
        return paused is not None


async def _over_cap(
    redis: Redis, campaign: PacedCampaign, history: CallHistory, now: datetime
) -> bool:
    """Pause a campaign over its abandon cap and tell its supervisors; True when paused."""
    if history.abandons <= campaign.abandon_target * history.live_answers:
        return False
    if not await asyncio.to_thread(_pause_over_cap, campaign, history, now):
        return False
    log.warning("campaign %s paused: abandon rate over the cap", campaign.campaign_id)
    await send_to_supervisors(
        redis,
        {
            "type": "campaign_paused",
            "client_id": campaign.client_id,
            "campaign_id": campaign.campaign_id,
            "reason": "abandon_cap",
            "abandons": history.abandons,
            "live_answers": history.live_answers,
            "cap": campaign.abandon_target,
        },
    )
    return True


def _launch(campaign_id: int, calls: int, now: datetime, zones: ZoneCache) -> int:
    with session_scope() as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.status != CampaignStatus.ACTIVE:
            return 0
        ids, _ = schedule_campaign(
            session,
            campaign=campaign,
            now=now,
            calls=calls,
            messages=0,
            refusals=False,
            zones=zones,
        )
        enqueue_attempts_after_commit(session, ids)
        return len(ids)


async def _agents(redis: Redis, campaigns: list[PacedCampaign]) -> dict[int, AgentStatus]:
    every = sorted({a for c in campaigns for a in c.agent_ids})
    return {agent_id: await state.status(redis, agent_id) for agent_id in every}


def _busy_by_campaign(
    agents: dict[int, AgentStatus],
    campaigns_of: dict[int, int],
    demands: list[CampaignDemand],
) -> dict[int, list[AgentStatus]]:
    """Talking and wrapping agents, each counted for the campaign that gets it when it frees (the
    highest-priority one it works for; the campaign of its call among equals)."""
    busy: dict[int, list[AgentStatus]] = {}
    for agent_id, agent in agents.items():
        if agent.state not in BUSY:
            continue
        call_campaign = campaigns_of.get(agent.attempt_id) if agent.attempt_id else None
        owner = freeing_campaign(agent_id, call_campaign, demands)
        if owner is not None:
            busy.setdefault(owner, []).append(agent)
    return busy


async def dial_once(redis: Redis, now: datetime) -> dict[int, PacingDecision]:
    """One second of the loop: split the ready agents among the paced campaigns, ask each
    campaign's pacer and launch its calls."""
    campaigns = await asyncio.to_thread(_paced_campaigns)
    if not campaigns:
        return {}
    agents = await _agents(redis, campaigns)
    histories = await asyncio.to_thread(_histories, [c.campaign_id for c in campaigns], now)
    busy_attempts = [a.attempt_id for a in agents.values() if a.state in BUSY and a.attempt_id]
    by_id = {c.campaign_id: c for c in campaigns}
    demands = [
        CampaignDemand(
            c.campaign_id, c.priority, frozenset(c.agent_ids), _in_flight(histories[c.campaign_id])
        )
        for c in campaigns
    ]
    campaigns_of = await asyncio.to_thread(_campaigns_of_attempts, busy_attempts)
    busy = _busy_by_campaign(agents, campaigns_of, demands)
    allocation = allocate(
        demands, [a for a, status in agents.items() if status.state == AgentState.READY]
    )
    decisions = {}
    zones = ZoneCache()
    for demand in processing_order(demands):
        campaign, history = by_id[demand.campaign_id], histories[demand.campaign_id]
        ready = allocation.take(demand)
        if await _over_cap(redis, campaign, history, now):
            allocation.hand_back(demand, demand.in_flight)
            continue
        decision = decide(
            snapshot(
                campaign,
                history,
                ready=len(ready),
                busy=busy.get(campaign.campaign_id, []),
                now=now,
            )
        )
        launched = (
            await asyncio.to_thread(_launch, campaign.campaign_id, decision.calls, now, zones)
            if decision.calls
            else 0
        )
        allocation.hand_back(demand, demand.in_flight + launched)
        decisions[campaign.campaign_id] = decision
        await send_to_supervisors(
            redis,
            {
                "type": "pacing",
                "client_id": campaign.client_id,
                "campaign_id": campaign.campaign_id,
                "mode": str(decision.mode_used),
                "asked": decision.calls,
                "launched": launched,
                "reason": decision.describe("es_MX"),
            },
        )
    await state.publish_allocation(redis, allocation.owner_of())
    return decisions


def _due_callbacks(now: datetime) -> list[DueCallback]:
    with read_scope() as session:
        return due_callbacks(session, now=now)


def _start_callback(callback: DueCallback, agent_id: int | None, now: datetime) -> int | None:
    with session_scope() as session:
        return start_callback(session, callback=callback, agent_id=agent_id, now=now)


async def _reserve_owner(redis: Redis, callback: DueCallback, owner: int) -> bool:
    """Reserve a personal callback's agent if it is ready in the callback's campaign."""
    if callback.campaign_id is None:
        return False
    reserved = await state.reserve(
        redis, campaign_id=callback.campaign_id, attempt_id=0, preferred_agent=owner
    )
    return reserved is not None


def _release_callbacks(agent_id: int, now: datetime) -> list[int]:
    with session_scope() as session:
        return release_callbacks(session, agent_id=agent_id, now=now)


async def dial_callbacks(redis: Redis, now: datetime) -> list[int]:
    """Dial due callbacks: a personal one only while its agent is ready, reserving that agent;
    one whose agent is offline (gone past the presence grace) goes to any agent of its campaign."""
    placed = []
    for callback in await asyncio.to_thread(_due_callbacks, now):
        owner = callback.owner_agent_id
        if owner is not None and (await state.status(redis, owner)).state == AgentState.OFFLINE:
            await asyncio.to_thread(_release_callbacks, owner, now)
            owner = None
        if owner is not None and not await _reserve_owner(redis, callback, owner):
            continue
        attempt_id = await asyncio.to_thread(_start_callback, callback, owner, now)
        if owner is not None and attempt_id is None:
            await state.set_state(redis, owner, AgentState.READY)
        elif owner is not None and attempt_id is not None:
            await state.set_state(redis, owner, AgentState.RESERVED, attempt_id=attempt_id)
            await work.start(redis, owner, work.Work(attempt_id=attempt_id, call_status="dialing"))
            await send_to_agent(
                redis,
                owner,
                {"type": "call", "attempt_id": attempt_id, "status": "dialing", "callback": True},
            )
        if attempt_id is not None:
            placed.append(attempt_id)
    return placed


async def dial_forever(redis: Redis, interval: float = 1.0) -> None:
    """Run the loop every `interval` seconds until cancelled (failures back off and retry)."""
    backoff = Backoff()
    while True:
        started = time.monotonic()
        try:
            now = utcnow()
            await dial_callbacks(redis, now)
            await dial_once(redis, now)
        except Exception:
            raise_if_cancelling()
            log.exception("dialing loop iteration failed")
            await backoff.wait()
            continue
        backoff.reset()
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
