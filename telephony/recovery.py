"""Attempts a lost job, a Redis restart or a lost callback left behind, and how they are mended.

- An attempt still `pending` past `stuck_pending_seconds` (a held message: 5 minutes past the
  moment its debtor's window opened), or `dispatching` past the dispatch lock, has lost its job:
  it is dispatched again (the deterministic job id and the dispatch lock make that idempotent;
  a `dispatching` one asks the provider before sending).
- A call or message the provider has (queued, ringing, in progress, sent) with no news past
  `reconcile_after_seconds` is fetched from the provider, and its status applied through the same
  forward-only path as the webhooks (`status_updates.apply_status`).

The sweeper that runs these is `console/sweeper.py`; `acuerdo doctor` counts with the same rules.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from campaigns.models import Attempt, AttemptEvent, AttemptStatus, Channel
from campaigns.settings import get_settings
from telephony import status_updates
from telephony.status_updates import StatusChange

UNCONFIRMED = (
    AttemptStatus.QUEUED,
    AttemptStatus.RINGING,
    AttemptStatus.IN_PROGRESS,
    AttemptStatus.SENT,
)
UNKNOWN_TO_PROVIDER = "unknown to the provider"
HELD_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class Unconfirmed:
    """An attempt the provider has, whose latest status we have not heard."""

    attempt_id: int
    sid: str
    channel: Channel
    status: AttemptStatus


@dataclass(frozen=True)
class ProviderState:
    """What the provider says about a call or message."""

    status: str
    ended_at: datetime | None = None
    duration_seconds: int | None = None
    answered_by: str | None = None
    error_code: int | None = None


def undispatched_condition(now: datetime) -> ColumnElement[bool]:
    """Attempts whose dispatch job must have been lost (pending or dispatching too long)."""
    settings = get_settings()
    pending_cutoff = now - timedelta(seconds=settings.stuck_pending_seconds)
    dispatching_cutoff = now - timedelta(seconds=settings.dispatch_lock_seconds)
    return or_(
        and_(
            Attempt.status == AttemptStatus.PENDING,
            Attempt.hold_until.is_(None),
            Attempt.created_at < pending_cutoff,
        ),
        # A message held for its debtor's window whose scheduled job was lost with Redis.
        and_(Attempt.status == AttemptStatus.PENDING, Attempt.hold_until < now - HELD_GRACE),
        and_(
            Attempt.status == AttemptStatus.DISPATCHING,
            Attempt.dispatching_at < dispatching_cutoff,
        ),
    )


def unconfirmed_condition(now: datetime) -> ColumnElement[bool]:
    """Attempts at the provider with no news past the reconcile bound."""
    settings = get_settings()
    cutoff = now - timedelta(seconds=settings.reconcile_after_seconds)
    oldest = now - timedelta(hours=settings.reconcile_max_age_hours)
    last_news = func.coalesce(Attempt.answered_at, Attempt.dispatched_at, Attempt.created_at)
    in_flight = Attempt.status.in_(UNCONFIRMED[:3])
    recent_sent = and_(Attempt.status == AttemptStatus.SENT, Attempt.created_at >= oldest)
    return and_(or_(in_flight, recent_sent), Attempt.provider_sid.is_not(None), last_news < cutoff)


def undispatched_ids(session: Session, *, now: datetime, limit: int = 500) -> list[int]:
    """Attempts to dispatch again, oldest first."""
    query = select(Attempt.id).where(undispatched_condition(now)).order_by(Attempt.id).limit(limit)
    return list(session.scalars(query))


def unconfirmed(session: Session, *, now: datetime, limit: int = 200) -> list[Unconfirmed]:
    """Calls and messages to ask the provider about, oldest first."""
    rows = session.execute(
        select(Attempt.id, Attempt.provider_sid, Attempt.channel, Attempt.status)
        .where(unconfirmed_condition(now))
        .order_by(Attempt.id)
        .limit(limit)
    )
    return [
        Unconfirmed(attempt_id, str(sid), Channel(channel), AttemptStatus(status))
        for attempt_id, sid, channel, status in rows
    ]


def apply_provider_state(
    session: Session, *, item: Unconfirmed, found: ProviderState, now: datetime
) -> StatusChange | None:
    """Apply a fetched status exactly as its webhook would have been applied."""
    if item.channel == Channel.VOICE:
        params = {"CallSid": item.sid, "CallStatus": found.status}
        if found.duration_seconds is not None:
            params["CallDuration"] = str(found.duration_seconds)
        if found.answered_by:
            params["AnsweredBy"] = found.answered_by
    else:
        params = {"MessageSid": item.sid, "MessageStatus": found.status}
    if found.error_code:
        params["ErrorCode"] = str(found.error_code)
    return status_updates.apply_status(
        session,
        attempt_id=item.attempt_id,
        sid=item.sid,
        provider_status=found.status,
        params=params,
        now=min(found.ended_at, now) if found.ended_at else now,
    )


def forget_unknown(session: Session, *, item: Unconfirmed, now: datetime) -> bool:
    """The provider has no such call or message: the attempt ends as failed, with the reason."""
    attempt = session.get(Attempt, item.attempt_id, with_for_update=True)
    if attempt is None or attempt.status not in UNCONFIRMED:
        return False
    attempt.status = AttemptStatus.FAILED
    attempt.error_message = UNKNOWN_TO_PROVIDER
    attempt.ended_at = now
    session.add(AttemptEvent.on(attempt, str(AttemptStatus.FAILED), now))
    return True


def finished_attempts(
    session: Session, *, attempt_ids: list[int], now: datetime
) -> dict[int, AttemptStatus | None]:
    """Of these attempts, the ones over for longer than the release grace (None: no such row)."""
    if not attempt_ids:
        return {}
    grace = now - timedelta(seconds=get_settings().agent_release_grace_seconds)
    rows = dict(
        session.execute(
            select(Attempt.id, Attempt.status).where(
                Attempt.id.in_(attempt_ids),
                Attempt.status.not_in(
                    (AttemptStatus.PENDING, AttemptStatus.DISPATCHING, *UNCONFIRMED)
                ),
                func.coalesce(Attempt.ended_at, Attempt.created_at) < grace,
            )
        ).all()
    )
    present = set(session.scalars(select(Attempt.id).where(Attempt.id.in_(attempt_ids))))
    found: dict[int, AttemptStatus | None] = {
        attempt_id: AttemptStatus(status) for attempt_id, status in rows.items()
    }
    found.update({attempt_id: None for attempt_id in attempt_ids if attempt_id not in present})
    return found
