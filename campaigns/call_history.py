"""What a campaign's recent calls say, as plain numbers for the dialer's pacer."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from campaigns.models import Attempt, AttemptStatus, Channel, Outcome

RECENT = timedelta(hours=2)
ABANDON_WINDOW = timedelta(days=30)
SAMPLE = 200
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
    ring_to_answer_s: tuple[float, ...]
    talk_s: tuple[float, ...]
    wrap_s: tuple[float, ...]
    live_answers: int
    abandons: int
    ringing_elapsed_s: tuple[float, ...]
    answered_waiting: int


def call_history(session: Session, *, campaign_id: int, now: datetime) -> CallHistory:
    """The pacer's view of one campaign's calls."""
    voice = (Attempt.campaign_id == campaign_id, Attempt.channel == Channel.VOICE)
    recent = session.execute(
        select(
            Attempt.answered_by,
            Attempt.dispatched_at,
            Attempt.answered_at,
            Attempt.duration_seconds,
            Attempt.ended_at,
            Outcome.created_at,
        )
        .outerjoin(Outcome, Outcome.attempt_id == Attempt.id)
        .where(*voice, Attempt.ended_at.is_not(None), Attempt.created_at >= now - RECENT)
        .order_by(Attempt.ended_at.desc())
        .limit(SAMPLE)
    ).all()
    humans = [r for r in recent if r.answered_by == HUMAN]
    machines = [r for r in recent if r.answered_by and r.answered_by != HUMAN]
    window = session.execute(
        select(func.count(Attempt.id), func.count(Attempt.id).filter(Attempt.abandoned)).where(
            *voice, Attempt.answered_by == HUMAN, Attempt.created_at >= now - ABANDON_WINDOW
        )
    ).one()
    dialing = (
        session.execute(select(Attempt.created_at).where(*voice, Attempt.status.in_(DIALING)))
        .scalars()
        .all()
    )
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
        answer_rate=len(humans) / len(recent) if recent else 0.0,
        machine_rate=len(machines) / len(recent) if recent else 0.0,
        recent_calls=len(recent),
        ring_to_answer_s=tuple(
            (r.answered_at - r.dispatched_at).total_seconds()
            for r in humans
            if r.answered_at and r.dispatched_at
        ),
        talk_s=tuple(float(r.duration_seconds) for r in humans if r.duration_seconds),
        wrap_s=tuple(
            (r.created_at - r.ended_at).total_seconds()
            for r in humans
            if r.created_at and r.ended_at and r.created_at > r.ended_at
        ),
        live_answers=int(window[0]),
        abandons=int(window[1]),
        ringing_elapsed_s=tuple((now - created).total_seconds() for created in dialing),
        answered_waiting=int(waiting or 0),
    )
