"""Shared set-up for the agreements tests: a clock, a call that connected, the dispatch queue."""

from datetime import UTC, date, datetime, timedelta

from rq import Queue
from sqlalchemy.orm import Session

from campaigns.models import Account, Attempt, AttemptStatus, Channel, ContactPoint
from campaigns.redis_conn import get_redis
from tests.factories import TODAY

# 11:00 in Mexico City on the factories' day (a Monday that is not a holiday).
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def at(day: date, hour: int = 11) -> datetime:
    """A moment on a day at a Mexico City hour (UTC-6, no DST)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour + 6)


def phone_of(session: Session, account: Account) -> ContactPoint:
    point = session.query(ContactPoint).filter_by(debtor_id=account.debtor_id).first()
    assert point is not None
    return point


def answered_call(session: Session, account: Account, *, now: datetime = NOW) -> Attempt:
    """A voice attempt the debtor answered a few minutes ago."""
    attempt = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        contact_point_id=phone_of(session, account).id,
        channel=Channel.VOICE,
        status=AttemptStatus.COMPLETED,
        answered_at=now - timedelta(minutes=5),
        answered_by="human",
        created_at=now - timedelta(minutes=6),
    )
    session.add(attempt)
    session.flush()
    return attempt


def dispatch_jobs() -> list[str]:
    """The ids of the jobs waiting in rq's dispatch queue."""
    return Queue("dispatch", connection=get_redis()).job_ids


def sms_attempts(session: Session, account: Account) -> list[Attempt]:
    return (
        session.query(Attempt)
        .filter_by(account_id=account.id, channel=Channel.SMS)
        .order_by(Attempt.id)
        .all()
    )


__all__ = ["NOW", "TODAY", "answered_call", "at", "dispatch_jobs", "phone_of", "sms_attempts"]
