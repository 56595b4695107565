"""The wallboard's floor figures beyond the day's counts (campaigns/kpis.py), per campaign for
the operating day of `now`: abandon rate over 30 days, service level, average handle time,
connects and right-party contacts per hour, the amount promised in the creditor's currency; and
for the floor, occupancy and the live calls with their age.

Definitions (docs: /work/shared/reference/kpis.md):
- service level: debtors answered by a person and connected to an agent within 2 s of their
  greeting (the answer webhook, which machine detection sends once it has heard the greeting;
  the pick-up before it, for calls without that milestone), over debtors answered by a person;
- average handle time: seconds agents spent on the campaign's calls (on call, including hold,
  plus wrap-up) per call handled; a call counts once every agent on it has finished its
  wrap-up (a call still on the line would count as a short one);
- occupancy: (on call + wrap-up) / signed-in time (every state but offline), of the agents of the
  visible campaigns;
- per hour: over the hours from the campaign's first call of the day to `now`.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import Session

from campaigns.agent_activity import time_in_state
from campaigns.agreements.messages import money
from campaigns.call_history import call_milestones
from campaigns.kpis import HUMAN, CampaignFigures
from campaigns.models import (
    AgentActivity,
    Attempt,
    AttemptStatus,
    Campaign,
    CampaignAgent,
    Client,
)
from campaigns.operating_day import operating_day

SERVICE_LEVEL_SECONDS = 2.0
ABANDON_WINDOW = timedelta(days=30)
LIVE = (AttemptStatus.QUEUED, AttemptStatus.RINGING, AttemptStatus.IN_PROGRESS)
HANDLING = ("on_call", "on_hold", "wrap_up")


@dataclass(frozen=True)
class CampaignFloor:
    """One campaign's floor figures for the operating day."""

    campaign_id: int
    client_id: int
    creditor: str
    currency: str
    amount_promised_text: str
    abandon_rate_30d: float
    service_level: float | None
    average_handle_seconds: float | None
    connects_per_hour: float
    rpc_per_hour: float


def _abandons_30d(session: Session, now: datetime) -> dict[int, float]:
    rows = session.execute(
        select(
            Attempt.campaign_id,
            func.sum(case((Attempt.answered_by == HUMAN, 1), else_=0)),
            func.sum(func.cast(Attempt.abandoned, Integer)),
        )
        .where(
            Attempt.created_at >= now - ABANDON_WINDOW,
            Attempt.created_at < now,
            Attempt.campaign_id.is_not(None),
        )
        .group_by(Attempt.campaign_id)
    ).all()
    return {c: (int(a or 0) / int(h)) if h else 0.0 for c, h, a in rows}


def service_levels(session: Session, start: datetime, end: datetime) -> dict[int, float]:
    """Per campaign, the share of the debtors answered by a person in [start, end) (by the
    call's creation) that an agent took within 2 s of their greeting."""
    milestones = call_milestones(since=start)
    rows = session.execute(
        select(
            Attempt.campaign_id,
            func.coalesce(milestones.c.greeted_at, Attempt.answered_at),
            milestones.c.routed_at,
        )
        .outerjoin(milestones, milestones.c.attempt_id == Attempt.id)
        .where(
            Attempt.created_at >= start,
            Attempt.created_at < end,
            Attempt.answered_by == HUMAN,
            Attempt.answered_at.is_not(None),
            Attempt.campaign_id.is_not(None),
        )
    ).all()
    answered: dict[int, int] = defaultdict(int)
    in_time: dict[int, int] = defaultdict(int)
    for campaign_id, greeted_at, routed_at in rows:
        answered[campaign_id] += 1
        if routed_at is not None:
            waited = (_aware(routed_at) - _aware(greeted_at)).total_seconds()
            in_time[campaign_id] += waited <= SERVICE_LEVEL_SECONDS
    return {c: in_time[c] / n for c, n in answered.items()}


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive UTC datetimes; PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _handle_times(session: Session, start: datetime, end: datetime) -> dict[int, float]:
    rows = session.execute(
        select(AgentActivity, Attempt.campaign_id)
        .join(Attempt, Attempt.id == AgentActivity.attempt_id)
        .where(
            AgentActivity.state.in_(HANDLING),
            AgentActivity.started_at >= start,
            AgentActivity.started_at < end,
            Attempt.campaign_id.is_not(None),
        )
    ).all()
    handling = {row.attempt_id for row, _ in rows if row.ended_at is None}
    seconds: dict[int, float] = defaultdict(float)
    calls: dict[int, set[int]] = defaultdict(set)
    for row, campaign in rows:
        if row.ended_at is None or row.attempt_id is None or row.attempt_id in handling:
            continue
        campaign_id = int(campaign or 0)
        seconds[campaign_id] += max(
            0.0, (_aware(row.ended_at) - _aware(row.started_at)).total_seconds()
        )
        calls[campaign_id].add(row.attempt_id)
    return {c: seconds[c] / len(calls[c]) for c in seconds if calls[c]}


def _first_calls(session: Session, start: datetime, end: datetime) -> dict[int, datetime]:
    rows = session.execute(
        select(Attempt.campaign_id, func.min(Attempt.created_at))
        .where(
            Attempt.created_at >= start,
            Attempt.created_at < end,
            Attempt.campaign_id.is_not(None),
        )
        .group_by(Attempt.campaign_id)
    ).all()
    return {int(c or 0): _aware(first) for c, first in rows}


def campaign_floor(
    session: Session, *, figures: list[CampaignFigures], now: datetime
) -> dict[int, CampaignFloor]:
    """The floor figures of these campaigns (today's counts) for the operating day of `now`."""
    day = operating_day(now)
    until = min(now, day.end)
    abandons = _abandons_30d(session, now)
    levels = service_levels(session, day.start, until)
    handle = _handle_times(session, day.start, until)
    first = _first_calls(session, day.start, until)
    ids = [f.campaign_id for f in figures]
    owners = dict(
        session.execute(select(Campaign.id, Campaign.client_id).where(Campaign.id.in_(ids))).all()
    )
    creditors = {
        c.id: c for c in session.scalars(select(Client).where(Client.id.in_(owners.values())))
    }
    result = {}
    for f in figures:
        creditor = creditors[owners[f.campaign_id]]
        hours = (
            (until - first[f.campaign_id]).total_seconds() / 3600 if f.campaign_id in first else 0
        )
        hours = max(hours, 1 / 60) if hours else 0
        result[f.campaign_id] = CampaignFloor(
            campaign_id=f.campaign_id,
            client_id=creditor.id,
            creditor=creditor.name,
            currency=creditor.currency,
            amount_promised_text=money(f.amount_promised, creditor.currency, creditor.locale),
            abandon_rate_30d=abandons.get(f.campaign_id, 0.0),
            service_level=levels.get(f.campaign_id),
            average_handle_seconds=handle.get(f.campaign_id),
            connects_per_hour=f.contacts / hours if hours else 0.0,
            rpc_per_hour=f.right_party_contacts / hours if hours else 0.0,
        )
    return result


def occupancy(session: Session, *, campaign_ids: list[int], now: datetime) -> float | None:
    """(Talking, holding or wrapping up) / signed-in time today of these campaigns' agents."""
    day = operating_day(now)
    agents = set(
        session.scalars(
            select(CampaignAgent.user_id).where(CampaignAgent.campaign_id.in_(campaign_ids))
        )
    )
    if not agents:
        return None
    totals = time_in_state(session, start=day.start, end=min(now, day.end), agent_ids=agents)
    busy = signed_in = 0.0
    for states in totals.values():
        for state, seconds in states.items():
            if state != "offline":
                signed_in += seconds
            if state in HANDLING:
                busy += seconds
    return busy / signed_in if signed_in else None


def live_calls(session: Session, *, now: datetime) -> list[dict[str, Any]]:
    """Voice calls ringing, waiting or connected, with campaign, creditor and age in seconds."""
    rows = session.execute(
        select(
            Attempt.id,
            Attempt.campaign_id,
            Campaign.name,
            Client.name,
            Attempt.status,
            Attempt.agent_id,
            Attempt.created_at,
            Attempt.answered_at,
        )
        .join(Client, Client.id == Attempt.client_id)
        .outerjoin(Campaign, Campaign.id == Attempt.campaign_id)
        .where(Attempt.status.in_(LIVE), Attempt.channel == "voice")
        .order_by(Attempt.created_at)
    ).all()
    return [
        {
            "attempt_id": r[0],
            "campaign_id": r[1],
            "campaign": r[2],
            "creditor": r[3],
            "status": str(r[4]),
            "agent_id": r[5],
            "age_seconds": round((now - _aware(r[6])).total_seconds()),
            "connected_seconds": round((now - _aware(r[7])).total_seconds()) if r[7] else None,
        }
        for r in rows
    ]
