"""What a campaign's recent calls say, as plain numbers for the dialer's pacer."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from campaigns.models import GREETED, ROUTED, Attempt, AttemptEvent, AttemptStatus, Channel, Outcome

RECENT = timedelta(hours=2)
RATE_CALLS = 400  # the answer and machine shares come from this many recent calls
DURATIONS = timedelta(days=7)
DURATION_SAMPLES = 200  # ring, talk and wrap-up times come from this many recent live answers
ABANDON_WINDOW = timedelta(days=30)
DAY = timedelta(hours=24)
DIALING = (
    AttemptStatus.PENDING,
    AttemptStatus.DISPATCHING,
    AttemptStatus.QUEUED,
    AttemptStatus.RINGING,
)
HUMAN = "human"


@dataclass(frozen=True)
class CallHistory:
    """Recent answer and machine rates, durations, and abandons over the rolling 30 days."""

    answer_rate: float
    machine_rate: float
    recent_calls: int
    recent_person_answers: tuple[bool, ...]
    """The recent calls newest first: True where a person answered."""
    ring_to_answer_s: tuple[float, ...]
    talk_s: tuple[float, ...]
    wrap_s: tuple[float, ...]
    live_answers: int
    abandons: int
    day_live_answers: int
    day_abandons: int
    ringing_elapsed_s: tuple[float, ...]
    answered_waiting: int


def call_history(session: Session, *, campaign_id: int, now: datetime) -> CallHistory:
    """The pacer's view of one campaign's calls."""
    voice = (Attempt.campaign_id == campaign_id, Attempt.channel == Channel.VOICE)
    recent = session.execute(
        select(Attempt.answered_by)
        .where(*voice, Attempt.ended_at.is_not(None), Attempt.created_at >= now - RECENT)
        .order_by(Attempt.ended_at.desc())
        .limit(RATE_CALLS)
    ).all()
    humans = sum(1 for r in recent if r.answered_by == HUMAN)
    machines = sum(1 for r in recent if r.answered_by and r.answered_by != HUMAN)
    # Durations change little from day to day, so they come from the last live answers of the
    # week: at a 10% answer rate the last two hours' calls hold too few of them.
    # The bet is timed to the moment a call reaches routing (after machine detection), so the
    # ring-to-answer samples run to the routing of the calls an agent took, and the talk samples
    # from that routing to the hang-up: the dialing loop times a busy agent's call from when the
    # agent got it, and the carrier's duration also holds the seconds of machine detection.
    routed_at = (
        select(func.min(AttemptEvent.occurred_at))
        .where(AttemptEvent.attempt_id == Attempt.id, AttemptEvent.status == ROUTED)
        .correlate(Attempt)
        .scalar_subquery()
    )
    live = session.execute(
        select(
            Attempt.dispatched_at,
            Attempt.answered_at,
            routed_at.label("routed_at"),
            Attempt.duration_seconds,
            Attempt.ended_at,
            Attempt.agent_id,
            Attempt.abandoned,
            Outcome.created_at,
        )
        .outerjoin(Outcome, Outcome.attempt_id == Attempt.id)
        .where(
            *voice,
            Attempt.answered_by == HUMAN,
            Attempt.ended_at.is_not(None),
            Attempt.created_at >= now - DURATIONS,
        )
        .order_by(Attempt.ended_at.desc())
        .limit(DURATION_SAMPLES)
    ).all()
    talked = [r for r in live if r.agent_id is not None and not r.abandoned]
    in_day = Attempt.created_at >= now - DAY
    window = session.execute(
        select(
            func.count(Attempt.id),
            func.count(Attempt.id).filter(Attempt.abandoned),
            func.count(Attempt.id).filter(in_day),
            func.count(Attempt.id).filter(in_day, Attempt.abandoned),
        ).where(*voice, Attempt.answered_by == HUMAN, Attempt.created_at >= now - ABANDON_WINDOW)
    ).one()
    # A call rings from when it was handed to the carrier, as the ring-to-answer samples count.
    dialing = session.execute(
        select(Attempt.dispatched_at).where(*voice, Attempt.status.in_(DIALING))
    ).scalars()
    # Answered and not bridged yet: a person, or a call whose machine detection has not said
    # (with detection the answer webhook, and so routing, comes seconds after "in-progress").
    waiting = session.scalar(
        select(func.count(Attempt.id)).where(
            *voice,
            Attempt.status == AttemptStatus.IN_PROGRESS,
            or_(Attempt.answered_by == HUMAN, Attempt.answered_by.is_(None)),
            Attempt.agent_id.is_(None),
            Attempt.abandoned.is_(False),
        )
    )
    return CallHistory(
        answer_rate=humans / len(recent) if recent else 0.0,
        machine_rate=machines / len(recent) if recent else 0.0,
        recent_calls=len(recent),
        recent_person_answers=tuple(r.answered_by == HUMAN for r in recent),
        ring_to_answer_s=tuple(
            (_aware(r.routed_at or r.answered_at) - _aware(r.dispatched_at)).total_seconds()
            for r in live
            if (r.routed_at or r.answered_at) and r.dispatched_at
        ),
        talk_s=tuple(
            talk
            for talk in (_talk_seconds(r.routed_at, r.ended_at, r.duration_seconds) for r in talked)
            if talk > 0
        ),
        wrap_s=tuple(
            (r.created_at - r.ended_at).total_seconds()
            for r in talked
            if r.created_at and r.created_at > r.ended_at
        ),
        live_answers=int(window[0]),
        abandons=int(window[1]),
        day_live_answers=int(window[2]),
        day_abandons=int(window[3]),
        ringing_elapsed_s=tuple(
            max(0.0, (now - dispatched).total_seconds()) if dispatched else 0.0
            for dispatched in dialing
        ),
        answered_waiting=int(waiting or 0),
    )


def _aware(moment: datetime) -> datetime:
    """A stored time as UTC-aware (an aggregate over a column may come back naive on SQLite)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _talk_seconds(
    routed_at: datetime | None, ended_at: datetime | None, duration_seconds: int | None
) -> float:
    """Seconds an agent had the call: from routing to the hang-up, else the carrier's duration
    (from "in-progress") for a call routed before the routing event was recorded."""
    if routed_at is not None and ended_at is not None:
        return (_aware(ended_at) - _aware(routed_at)).total_seconds()
    return float(duration_seconds or 0)


def call_milestones(*, since: datetime) -> Any:
    """A subquery of the calls answered since `since`: per call (`attempt_id`), when the
    debtor's greeting ended (`greeted_at`; NULL for calls stored before that milestone was) and
    when an agent took it (`routed_at`; NULL if none did)."""

    def first(status: str) -> Any:
        return func.min(case((AttemptEvent.status == status, AttemptEvent.occurred_at)))

    return (
        select(
            AttemptEvent.attempt_id,
            first(GREETED).label("greeted_at"),
            first(ROUTED).label("routed_at"),
        )
        .where(AttemptEvent.status.in_([GREETED, ROUTED]), AttemptEvent.occurred_at >= since)
        .group_by(AttemptEvent.attempt_id)
        .subquery("milestones")
    )
