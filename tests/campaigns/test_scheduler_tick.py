"""The tick: steps, retries, call capacity, enqueueing, and concurrent schedulers."""

import subprocess
import sys
import threading
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns import db
from campaigns.events import DISPATCH_QUEUE, get_queue
from campaigns.models import Account, Attempt, AttemptStatus, Campaign, Client
from campaigns.scheduler import build_selection, pick_eligible, run_tick
from campaigns.scheduler.tick import _create_attempts
from tests.campaigns.test_scheduler_eligibility import (
    NOW,
    account,
    make_campaign,
    rules,
)
from tests.factories import make_client

STEPS = [
    {"day": 0, "channel": "sms", "template": "recordatorio"},
    {"day": 1, "channel": "voice"},
    {"day": 3, "channel": "voice"},
]


def finish(session: Session, status: AttemptStatus, at: object) -> None:
    for attempt in session.scalars(select(Attempt).where(Attempt.status == AttemptStatus.PENDING)):
        attempt.status = status
        attempt.ended_at = at  # type: ignore[assignment]
    session.flush()


def test_steps_follow_days_since_the_first_attempt_and_retries_follow_their_rules(
    session: Session,
) -> None:
    client = make_client(session)
    account(session, client, "A")
    campaign = make_campaign(
        session,
        client,
        steps=STEPS,
        retry_rules={"no_answer": {"wait_minutes": 60, "max_tries": 2}},
    )

    run_tick(session, now=NOW)
    sms = session.scalars(select(Attempt)).one()
    assert (sms.step_index, sms.try_number, sms.channel) == (0, 1, "sms")
    assert sms.body is not None and sms.body.startswith("Hola Juana, su saldo con Cablevisión")
    assert sms.dedup_key == f"{campaign.id}:{sms.account_id}:0:1:2026-11-25"
    assert rules(session, campaign, NOW) == {"A": "in_flight"}

    finish(session, AttemptStatus.DELIVERED, NOW + timedelta(minutes=1))
    assert rules(session, campaign, NOW + timedelta(hours=2)) == {"A": "step_not_due"}
    run_tick(session, now=NOW + timedelta(days=1))
    call = session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()
    assert call is not None and (call.step_index, call.try_number, call.channel) == (1, 1, "voice")

    finish(session, AttemptStatus.NO_ANSWER, NOW + timedelta(days=1, minutes=1))
    later = NOW + timedelta(days=1, minutes=30)
    assert rules(session, campaign, later) == {"A": "retry_wait"}
    run_tick(session, now=NOW + timedelta(days=1, minutes=62))
    retry = session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()
    assert retry is not None and (retry.step_index, retry.try_number) == (1, 2)

    finish(session, AttemptStatus.NO_ANSWER, NOW + timedelta(days=1, minutes=63))
    assert rules(session, campaign, NOW + timedelta(days=2)) == {"A": "step_not_due"}
    run_tick(session, now=NOW + timedelta(days=3))
    assert session.scalar(select(func.max(Attempt.step_index))) == 2
    finish(session, AttemptStatus.COMPLETED, NOW + timedelta(days=3, minutes=5))
    assert rules(session, campaign, NOW + timedelta(days=5)) == {"A": "steps_done"}


def test_calls_are_bounded_by_free_lines_and_preview_mode_creates_none(session: Session) -> None:
    client = make_client(session)
    for n in range(5):
        account(session, client, f"C{n}")
    calls = make_campaign(
        session, client, name="Llamadas", steps=[{"day": 0, "channel": "voice"}], max_lines=3
    )
    run_tick(session, now=NOW)
    assert session.scalar(select(func.count(Attempt.id))) == 3
    run_tick(session, now=NOW + timedelta(minutes=1))
    assert session.scalar(select(func.count(Attempt.id))) == 3  # every line busy

    calls.status = "paused"  # type: ignore[assignment]
    manual = make_campaign(
        session,
        client,
        name="Manual",
        steps=[{"day": 0, "channel": "voice"}],
        dialing_mode="preview",
    )
    run_tick(session, now=NOW + timedelta(minutes=2))
    assert (
        session.scalar(select(func.count(Attempt.id)).where(Attempt.campaign_id == manual.id)) == 0
    )
    assert rules(session, manual, NOW)["C4"] is None  # agents pull it


def test_one_attempt_per_debtor_per_tick_and_jobs_enqueued_after_commit(session: Session) -> None:
    client = make_client(session)
    first = account(session, client, "A1")
    second = account(session, client, "A2")
    second.debtor_id = first.debtor_id
    make_campaign(session, client)
    queue = get_queue(DISPATCH_QUEUE)

    run_tick(session, now=NOW)
    assert session.scalar(select(func.count(Attempt.id))) == 1
    assert queue.count == 0  # not before the commit
    session.commit()
    attempt_id = session.scalar(select(Attempt.id))
    assert queue.job_ids == [f"dispatch-attempt-{attempt_id}"]


def _portfolio(session: Session, size: int) -> Campaign:
    client = make_client(session)
    for n in range(size):
        account(session, client, f"P{n:03d}")
    campaign = make_campaign(session, client)
    session.commit()
    return campaign


def test_a_stale_selection_cannot_insert_an_attempt_twice(session: Session) -> None:
    campaign = _portfolio(session, 4)
    client = session.get_one(Client, campaign.client_id)
    selection = build_selection(session, campaign=campaign, client=client, now=NOW)
    stale = pick_eligible(session, selection, messages=100, calls=0)
    session.rollback()

    with db.session_scope() as other:
        run_tick(other, now=NOW)
    assert _create_attempts(session, campaign, client, selection, stale) == []
    session.commit()
    per_account = session.execute(
        select(Attempt.account_id, func.count(Attempt.id)).group_by(Attempt.account_id)
    ).all()
    assert sorted(n for _a, n in per_account) == [1, 1, 1, 1]


def test_two_concurrent_ticks_create_one_attempt_per_account(session: Session) -> None:
    campaign = _portfolio(session, 30)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            barrier.wait()
            with db.session_scope() as own:
                run_tick(own, now=NOW)
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counts = session.execute(
        select(Attempt.account_id, func.count(Attempt.id))
        .where(Attempt.campaign_id == campaign.id)
        .group_by(Attempt.account_id)
    ).all()
    assert len(counts) == 30 and {n for _a, n in counts} == {1}
    assert get_queue(DISPATCH_QUEUE).count == 30


def test_two_scheduler_processes_enqueue_each_attempt_once(
    session: Session, child_env: dict[str, str]
) -> None:
    campaign = _portfolio(session, 20)
    command = [
        sys.executable,
        "-m",
        "console",
        "scheduler",
        "--once",
        "--at",
        NOW.strftime("%Y-%m-%dT%H:%M:%S"),
    ]
    processes = [
        subprocess.Popen(command, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for process in processes:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    session.expire_all()
    counts = session.execute(
        select(Attempt.account_id, func.count(Attempt.id))
        .where(Attempt.campaign_id == campaign.id)
        .group_by(Attempt.account_id)
    ).all()
    assert len(counts) == 20 and {n for _a, n in counts} == {1}
    assert session.scalar(select(func.count(Account.id))) == 20
    assert sorted(get_queue(DISPATCH_QUEUE).job_ids) == sorted(
        f"dispatch-attempt-{i}" for i in session.scalars(select(Attempt.id))
    )
