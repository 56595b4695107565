"""The dialing loop: every second, each progressive or predictive campaign asks the pacer how
many calls to launch and takes that many accounts from the scheduler's eligible set (the same
selection and compliance rules). Answered calls reach agents through the console's routing; one
no agent takes within 2 seconds hears the abandon message and counts against the campaign.
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
from campaigns.db import read_scope, session_scope
from campaigns.models import (
    Campaign,
    CampaignAgent,
    CampaignStatus,
    Client,
    DialingMode,
    utcnow,
)
from campaigns.scheduler.callbacks import DueCallback, due_callbacks, start_callback
from campaigns.scheduler.tick import enqueue_dispatches, schedule_campaign
from campaigns.settings import get_settings
from console.agents import state, work
from console.agents.messages import send_to_agent, send_to_supervisors
from console.agents.state import AgentState
from telephony.dialer.pacer import PacingDecision, PacingHistory, PacingSnapshot, decide

log = logging.getLogger(__name__)
PACED = (DialingMode.PROGRESSIVE, DialingMode.PREDICTIVE)


@dataclass(frozen=True)
class PacedCampaign:
    campaign_id: int
    client_id: int
    mode: DialingMode
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
                c.max_lines,
                float(c.abandon_target_pct) / 100,
                tz,
                tuple(agents.get(c.id, ())),
            )
            for c, tz in rows
        ]


def _history(campaign_id: int, now: datetime) -> CallHistory:
    with read_scope() as session:
        return call_history(session, campaign_id=campaign_id, now=now)


async def snapshot(redis: Redis, campaign: PacedCampaign, now: datetime) -> PacingSnapshot:
    """The pacer's input for one campaign: agents from Redis, calls and history from the DB."""
    history = await asyncio.to_thread(_history, campaign.campaign_id, now)
    ready, talking, wrapping = 0, [], []
    clock = time.time()
    for agent_id in campaign.agent_ids:
        current = await state.status(redis, agent_id)
        if current.state == AgentState.READY:
            ready += 1
        elif current.state in (AgentState.ON_CALL, AgentState.RESERVED):
            talking.append(clock - current.since)
        elif current.state == AgentState.WRAP_UP:
            wrapping.append(clock - current.since)
    settings = get_settings()
    return PacingSnapshot(
        mode=campaign.mode,
        agents_ready=ready,
        history=PacingHistory(
            answer_rate=history.answer_rate,
            machine_rate=history.machine_rate,
            recent_calls=history.recent_calls,
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


def _launch(campaign_id: int, calls: int, now: datetime) -> int:
    with session_scope() as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.status != CampaignStatus.ACTIVE:
            return 0
        ids, _ = schedule_campaign(
            session, campaign=campaign, now=now, calls=calls, messages=0, refusals=False
        )
        enqueue_dispatches(session, ids)
        return len(ids)


async def dial_once(redis: Redis, now: datetime) -> dict[int, PacingDecision]:
    """One second of the loop: ask the pacer for every paced campaign and launch its calls."""
    decisions = {}
    for campaign in await asyncio.to_thread(_paced_campaigns):
        decision = decide(await snapshot(redis, campaign, now))
        launched = (
            await asyncio.to_thread(_launch, campaign.campaign_id, decision.calls, now)
            if decision.calls
            else 0
        )
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


async def dial_callbacks(redis: Redis, now: datetime) -> list[int]:
    """Dial due callbacks: a personal one only while its agent is ready, reserving that agent."""
    placed = []
    for callback in await asyncio.to_thread(_due_callbacks, now):
        owner = callback.owner_agent_id
        if owner is not None and not await _reserve_owner(redis, callback, owner):
            continue
        attempt_id = await asyncio.to_thread(_start_callback, callback, owner, now)
        if owner is not None and attempt_id is None:
            await state.set_state(redis, owner, AgentState.READY)
        elif owner is not None and attempt_id is not None:
            await state.set_state(redis, owner, AgentState.RESERVED, attempt_id=attempt_id)
            await work.save(redis, owner, work.Work(attempt_id=attempt_id, call_status="dialing"))
            await send_to_agent(
                redis,
                owner,
                {"type": "call", "attempt_id": attempt_id, "status": "dialing", "callback": True},
            )
        if attempt_id is not None:
            placed.append(attempt_id)
    return placed


async def dial_forever(redis: Redis, interval: float = 1.0) -> None:
    """Run the loop every `interval` seconds until cancelled."""
    while True:
        started = time.monotonic()
        try:
            now = utcnow()
            await dial_callbacks(redis, now)
            await dial_once(redis, now)
        except Exception:
            log.exception("dialing loop iteration failed")
        await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
