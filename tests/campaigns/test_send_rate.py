"""The tick enqueues no more than the send rate can deliver before each debtor's window closes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.models import Account, Attempt, Client
from campaigns.scheduler import run_tick
from campaigns.settings import get_settings
from tests.campaigns.test_scheduler_eligibility import account, make_campaign
from tests.factories import make_client

MX = ZoneInfo("America/Mexico_City")


def mx(hour: int, minute: int, second: int = 0) -> datetime:
    """Wednesday 25 November 2026 in Mexico City (a working day, no holiday)."""
    return datetime(2026, 11, 25, hour, minute, second, tzinfo=MX).astimezone(UTC)


def portfolio(session: Session, client: Client, size: int, prefix: str = "R") -> None:
    for n in range(size):
        account(session, client, f"{prefix}{n:04d}", phone=f"+52551{n:07d}")


def created(session: Session) -> int:
    return int(session.scalar(select(func.count(Attempt.id))) or 0)


def test_a_batch_of_500_sms_at_1_per_second_from_21_55_enqueues_only_what_leaves_by_22_00(
    session: Session,
) -> None:
    assert get_settings().messages_per_second == 1.0
    assert get_settings().scheduler_batch_size == 500
    client = make_client(session)
    portfolio(session, client, 500)
    make_campaign(session, client)

    run_tick(session, now=mx(21, 55))

    assert created(session) == 300


def test_the_tail_of_the_window_takes_only_its_seconds_and_a_closed_window_none(
    session: Session,
) -> None:
    client = make_client(session)
    portfolio(session, client, 30)
    make_campaign(session, client)

    run_tick(session, now=mx(21, 59, 50))
    assert created(session) == 10
    run_tick(session, now=mx(22, 0, 0))
    assert created(session) == 10


def test_messages_already_waiting_for_the_same_sender_take_their_turn_first(
    session: Session,
) -> None:
    first = make_client(session, name="Cable Uno")
    second = make_client(session, name="Cable Dos")
    portfolio(session, first, 40, "A")
    portfolio(session, second, 40, "B")
    make_campaign(session, first, name="Uno")
    make_campaign(session, second, name="Dos")

    run_tick(session, now=mx(21, 59, 30))

    by_client = dict(
        session.execute(
            select(Attempt.client_id, func.count(Attempt.id)).group_by(Attempt.client_id)
        ).all()
    )
    # 30 seconds at 1 message/s for the one default sender both creditors share.
    assert sum(by_client.values()) == 30


def test_each_debtor_is_measured_against_the_end_of_their_own_window(session: Session) -> None:
    # 21:59:30 in Mexico City is 22:59:30 in Bogotá, past the end of the window there: only
    # the debtors in Mexico City are enqueued (30 seconds are enough for their 20 messages).
    client = make_client(session)
    portfolio(session, client, 20, "M")
    for n in range(20):
        account(session, client, f"C{n:03d}", phone=f"+57300{n:07d}", timezone="America/Bogota")
    make_campaign(session, client)

    run_tick(session, now=mx(21, 59, 30))

    refs = session.scalars(
        select(Account.account_ref).join(Attempt, Attempt.account_id == Account.id)
    ).all()
    assert len(refs) == 20 and all(ref.startswith("M") for ref in refs)


def test_in_the_middle_of_the_day_the_whole_batch_is_enqueued(session: Session) -> None:
    client = make_client(session)
    portfolio(session, client, 120)
    make_campaign(session, client)

    run_tick(session, now=mx(11, 0))

    assert created(session) == 120
