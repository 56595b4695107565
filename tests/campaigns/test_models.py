"""The data model's own rules: derived aging, money as Decimal, aware times, append-only audit."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Account, AgingBucket, AuditEvent, AuditEventIsAppendOnly
from tests.factories import TODAY, make_account


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, AgingBucket.CURRENT),
        (1, AgingBucket.B1_30),
        (30, AgingBucket.B1_30),
        (31, AgingBucket.B31_60),
        (60, AgingBucket.B31_60),
        (61, AgingBucket.B61_90),
        (90, AgingBucket.B61_90),
        (91, AgingBucket.OVER_90),
    ],
)
def test_days_overdue_and_bucket_follow_the_calendar(
    session: Session, days: int, bucket: AgingBucket
) -> None:
    account = make_account(session, days_overdue=days)
    assert account.days_overdue(TODAY) == days
    assert account.aging_bucket(TODAY) == bucket
    assert account.days_overdue(date(2026, 12, 23)) == days + 30


def test_money_round_trips_as_exact_decimal(session: Session) -> None:
    make_account(session, balance="1234.56")
    session.commit()
    session.expire_all()
    balance = session.scalar(select(Account.balance))
    assert balance == Decimal("1234.56") and isinstance(balance, Decimal)


def test_times_come_back_timezone_aware(session: Session) -> None:
    account = make_account(session)
    session.add(
        AuditEvent(
            client_id=account.client_id,
            actor_label="t",
            action="a",
            entity_type="account",
            created_at=datetime(2026, 1, 1, 12, tzinfo=UTC),
        )
    )
    session.commit()
    session.expire_all()
    stored = session.scalar(select(AuditEvent.created_at))
    assert stored == datetime(2026, 1, 1, 12, tzinfo=UTC) and stored.tzinfo is not None


def test_audit_events_cannot_be_changed_or_deleted(session: Session) -> None:
    event = AuditEvent(
        actor_label="t",
        action="a",
        entity_type="account",
        created_at=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
    )
    session.add(event)
    session.commit()
    event.action = "changed"
    with pytest.raises(AuditEventIsAppendOnly):
        session.commit()
    session.rollback()
    session.delete(event)
    with pytest.raises(AuditEventIsAppendOnly):
        session.commit()
