"""The campaign's progress row per account follows its attempts, in the same transaction."""

from datetime import datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.orm import Session

from campaigns.migrate import alembic_config
from campaigns.models import Attempt, AttemptStatus, CampaignProgress, Channel
from campaigns.scheduler import run_tick
from tests.campaigns.test_scheduler_eligibility import NOW, account, make_campaign, rules
from tests.factories import make_client

VOICE = [{"day": 0, "channel": "voice"}]
Row = tuple[int, datetime, int]


def progress(session: Session) -> dict[tuple[int, int], Row]:
    """(campaign, account) -> (last attempt id, first attempt time, attempts), as stored."""
    rows = session.scalars(select(CampaignProgress)).all()
    return {
        (p.campaign_id, p.account_id): (p.last_attempt_id, p.first_at, p.attempts) for p in rows
    }


def from_attempts(session: Session) -> dict[tuple[int, int], Row]:
    """The same, worked out from the attempts themselves."""
    rows = session.execute(
        select(
            Attempt.campaign_id,
            Attempt.account_id,
            func.max(Attempt.id),
            func.min(Attempt.created_at),
            func.count(),
        )
        .where(Attempt.campaign_id.is_not(None))
        .group_by(Attempt.campaign_id, Attempt.account_id)
    ).all()
    return {(c, a): (last, first, n) for c, a, last, first, n in rows}


def finish(session: Session, status: AttemptStatus, at: datetime) -> None:
    for attempt in session.scalars(select(Attempt).where(Attempt.status == AttemptStatus.PENDING)):
        attempt.status = status
        attempt.ended_at = at
    session.flush()


def test_created_retried_recycled_and_completed_attempts_keep_the_row_right(
    session: Session,
) -> None:
    client = make_client(session)
    acc = account(session, client, "A")
    other = account(session, client, "B")
    campaign = make_campaign(
        session,
        client,
        steps=VOICE,
        retry_rules={"no_answer": {"wait_minutes": 30, "max_tries": 2}},
    )
    moment = NOW.replace(hour=13)  # 07:00 in Mexico City
    assert progress(session) == {}

    run_tick(session, now=moment)  # created
    first = progress(session)[(campaign.id, acc.id)]
    assert first[1:] == (moment, 1)
    assert progress(session) == from_attempts(session)

    finish(session, AttemptStatus.NO_ANSWER, moment + timedelta(minutes=1))
    assert progress(session)[(campaign.id, acc.id)] == first  # a status change writes nothing
    moment += timedelta(minutes=40)
    run_tick(session, now=moment)  # retried
    retried = progress(session)[(campaign.id, acc.id)]
    assert retried[0] > first[0] and retried[1:] == (first[1], 2)
    assert progress(session) == from_attempts(session)

    finish(session, AttemptStatus.NO_ANSWER, moment + timedelta(minutes=1))
    assert rules(session, campaign, moment + timedelta(hours=1))["A"] == "recycle_wait"
    moment += timedelta(hours=4, minutes=2)
    run_tick(session, now=moment)  # recycled
    recycled = session.get_one(Attempt, progress(session)[(campaign.id, acc.id)][0])
    assert recycled.recycle_reason == "no_answer"
    assert progress(session)[(campaign.id, acc.id)][2] == 3
    assert progress(session) == from_attempts(session)

    finish(session, AttemptStatus.COMPLETED, moment + timedelta(minutes=3))  # completed
    assert rules(session, campaign, moment + timedelta(hours=5)) == {
        "A": "steps_done",
        "B": "steps_done",
    }
    assert progress(session) == from_attempts(session)
    assert (campaign.id, other.id) in progress(session)


def test_attempts_added_through_the_orm_update_the_row_and_inbound_ones_do_not(
    session: Session,
) -> None:
    client = make_client(session)
    acc = account(session, client, "A")
    campaign = make_campaign(session, client, steps=VOICE)
    for minutes in (5, 1, 9):
        session.add(
            Attempt(
                client_id=client.id,
                account_id=acc.id,
                campaign_id=campaign.id,
                channel=Channel.VOICE,
                status=AttemptStatus.COMPLETED,
                created_at=NOW + timedelta(minutes=minutes),
            )
        )
        session.flush()
    session.add(
        Attempt(
            client_id=client.id,
            account_id=acc.id,
            channel=Channel.SMS,
            status=AttemptStatus.DELIVERED,
            created_at=NOW,
        )
    )
    session.flush()
    newest = session.scalar(select(func.max(Attempt.id)).where(Attempt.campaign_id == campaign.id))
    assert progress(session) == {(campaign.id, acc.id): (newest, NOW + timedelta(minutes=1), 3)}
    assert progress(session) == from_attempts(session)


def test_the_migration_backfills_the_rows_from_existing_attempts(tmp_path: Path) -> None:
    database = tmp_path / "before.db"
    config = alembic_config(f"sqlite:///{database}")
    # The rows are made with today's models; then the progress table is taken away and its
    # migration (0015) runs again, so its backfill builds the table from those attempts.
    command.upgrade(config, "head")
    engine = create_engine(f"sqlite:///{database}")
    with Session(engine) as before:
        client = make_client(before)
        first, second = account(before, client, "A"), account(before, client, "B")
        one = make_campaign(before, client, name="Uno", steps=VOICE)
        two = make_campaign(before, client, name="Dos", steps=VOICE)
        made = [
            (first, one, NOW),
            (first, one, NOW - timedelta(days=1)),
            (second, one, NOW + timedelta(hours=1)),
            (first, two, NOW + timedelta(days=1)),
            (first, None, NOW - timedelta(days=5)),
        ]
        ids = before.scalars(
            insert(Attempt).returning(Attempt.id, sort_by_parameter_order=True),
            [
                {
                    "client_id": client.id,
                    "account_id": acc.id,
                    "campaign_id": campaign.id if campaign else None,
                    "channel": Channel.VOICE,
                    "status": AttemptStatus.COMPLETED,
                    "created_at": created,
                }
                for acc, campaign, created in made
            ],
        ).all()
        before.commit()
        expected = {
            (one.id, first.id): (ids[1], NOW - timedelta(days=1), 2),
            (one.id, second.id): (ids[2], NOW + timedelta(hours=1), 1),
            (two.id, first.id): (ids[3], NOW + timedelta(days=1), 1),
        }
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_accounts_pick_order"))
        connection.execute(text("DROP TABLE campaign_progress"))
    engine.dispose()
    command.stamp(config, "0014")
    command.upgrade(config, "0015")
    command.stamp(config, "head")
    with Session(engine) as after:
        assert progress(after) == expected
        assert progress(after) == from_attempts(after)
    engine.dispose()
