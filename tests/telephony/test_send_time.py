"""The contact check at the moment of sending: the real dispatch job, the carrier sandbox.

Jobs run in this process with a chosen `now`; the sandbox (a real process over HTTP) shows
whether a provider request was made.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.compliance.check import Purpose
from campaigns.events import DISPATCH_QUEUE, get_queue
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    Callback,
    CallbackStatus,
    Channel,
    ContactPoint,
    ContactRefusal,
    Dispute,
    DisputeStatus,
    DoNotContact,
)
from campaigns.scheduler import run_tick
from telephony.inbound import receive
from telephony.jobs import dispatch_attempt, requeue_stuck
from tests.campaigns.test_scheduler_eligibility import account, make_campaign
from tests.factories import make_account, make_client
from tests.telephony.conftest import SandboxServer

MX = ZoneInfo("America/Mexico_City")
PHONE = "+525512349876"
# Monday 23 November 2026 in Mexico City: the account is 30 days overdue (factories' TODAY).
QUEUED = datetime(2026, 11, 23, 21, 59, 50, tzinfo=MX)


def mx(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=MX)


def queue_attempt(
    session: Session,
    *,
    channel: Channel = Channel.SMS,
    created: datetime = QUEUED,
    purpose: Purpose = Purpose.COLLECTION,
    dedup_key: str | None = None,
    account: Account | None = None,
) -> Attempt:
    account = account or make_account(session, phone=PHONE)
    point = session.scalars(
        select(ContactPoint).where(ContactPoint.debtor_id == account.debtor_id)
    ).one()
    attempt = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        contact_point_id=point.id,
        channel=channel,
        body="Hola Juana, le recordamos su saldo. Responda BAJA para no recibir mensajes.",
        purpose=purpose,
        dedup_key=dedup_key,
        created_at=created.astimezone(UTC),
    )
    session.add(attempt)
    session.commit()
    return attempt


def run_job(session: Session, attempt: Attempt, now: datetime) -> str:
    session.commit()
    result = dispatch_attempt(attempt.id, now.isoformat())
    session.commit()
    return result


def sent_to(sandbox: SandboxServer, number: str = PHONE) -> int:
    messages = [m for m in sandbox.messages() if m.get("to") == number]
    calls = [c for c in sandbox.calls() if c.get("to") == number]
    return len(messages) + len(calls)


def scheduled_at(attempt_id: int) -> list[float]:
    registry = ScheduledJobRegistry(queue=get_queue(DISPATCH_QUEUE))
    return [
        registry.get_scheduled_time(job_id).replace(tzinfo=UTC).timestamp()
        for job_id in registry.get_job_ids()
        if job_id.startswith(f"dispatch-attempt-{attempt_id}-at-")
    ]


def test_an_sms_queued_at_21_59_50_is_not_sent_at_22_00_05_and_goes_after_07_00(
    session: Session, sandbox: SandboxServer
) -> None:
    attempt = queue_attempt(session)

    result = run_job(session, attempt, mx(23, 22, 0, 5))

    assert result.startswith("held until 2026-11-24T13:00:00+00:00")
    assert sent_to(sandbox) == 0
    assert attempt.status == AttemptStatus.PENDING
    assert attempt.hold_until == mx(24, 7).astimezone(UTC)
    assert scheduled_at(attempt.id) == [mx(24, 7).timestamp()]
    refusal = session.scalars(select(ContactRefusal)).one()
    assert (refusal.rule, refusal.context) == ("outside_hours", "dispatch")

    assert run_job(session, attempt, mx(24, 6, 59, 59)).startswith("held")
    assert sent_to(sandbox) == 0
    assert run_job(session, attempt, mx(24, 7, 0, 30)) == "sent"
    assert sent_to(sandbox) == 1
    assert attempt.status != AttemptStatus.PENDING and attempt.provider_sid is not None
    assert attempt.hold_until is None


def test_a_debtor_who_answers_baja_at_22_00_gets_nothing_queued_before_it(
    session: Session, sandbox: SandboxServer
) -> None:
    attempt = queue_attempt(session)
    receive(
        session,
        channel=Channel.SMS,
        sid="SM" + "b" * 32,
        sender=PHONE,
        body="BAJA",
        now=mx(23, 22, 0, 0).astimezone(UTC),
    )
    session.commit()

    # The reply cancels what is queued to the number at once; the job finds nothing to send.
    assert run_job(session, attempt, mx(23, 22, 0, 5)) == "nothing to do"
    assert attempt.status == AttemptStatus.CANCELED and attempt.ended_at is not None
    assert run_job(session, attempt, mx(24, 9)) == "nothing to do"
    assert sent_to(sandbox) == 0
    assert scheduled_at(attempt.id) == []


def test_a_call_that_finds_the_window_closed_is_refused_and_its_callback_is_due_again(
    session: Session, sandbox: SandboxServer
) -> None:
    account = make_account(session, phone=PHONE)
    callback = Callback(
        client_id=account.client_id,
        account_id=account.id,
        due_at=QUEUED.astimezone(UTC),
        status=CallbackStatus.DONE,
        created_at=QUEUED.astimezone(UTC),
    )
    session.add(callback)
    session.flush()
    attempt = queue_attempt(
        session, channel=Channel.VOICE, account=account, dedup_key=f"callback:{callback.id}"
    )

    assert run_job(session, attempt, mx(23, 22, 0, 5)) == "refused (outside_hours)"
    assert attempt.status == AttemptStatus.REFUSED
    assert attempt.dedup_key == f"callback:{callback.id}~refused-{attempt.id}"
    assert session.get_one(Callback, callback.id).status == CallbackStatus.PENDING
    assert sent_to(sandbox) == 0 and scheduled_at(attempt.id) == []


@pytest.mark.parametrize(
    ("change", "verdict", "rule"),
    [
        ("dispute", AttemptStatus.REFUSED, "open_dispute"),
        ("paid", AttemptStatus.REFUSED, "account_status"),
        ("do_not_contact", AttemptStatus.CANCELED, "do_not_contact"),
        ("past_90_days", AttemptStatus.REFUSED, "over_90_days"),
    ],
)
def test_what_changed_since_queueing_stops_the_attempt_with_its_rule(
    session: Session, sandbox: SandboxServer, change: str, verdict: AttemptStatus, rule: str
) -> None:
    account = make_account(
        session, phone=PHONE, days_overdue=90 if change == "past_90_days" else 30
    )
    attempt = queue_attempt(session, account=account, created=mx(23, 10), dedup_key="1:1:0:1:x")
    if change == "dispute":
        session.add(
            Dispute(
                client_id=account.client_id,
                account_id=account.id,
                reason="No reconozco el cargo",
                status=DisputeStatus.OPEN,
                created_at=mx(23, 10, 1).astimezone(UTC),
            )
        )
    elif change == "paid":
        account.status = AccountStatus.PAID
    elif change == "do_not_contact":
        session.add(
            DoNotContact(
                client_id=account.client_id,
                debtor_id=account.debtor_id,
                reason="test",
                source="test",
                created_at=mx(23, 20).astimezone(UTC),
            )
        )
    session.commit()
    # Past 90 days: the job runs the next day, when the account is 91 days overdue.
    now = mx(24, 10) if change == "past_90_days" else mx(23, 10, 5)

    assert run_job(session, attempt, now) == f"{verdict} ({rule})"
    assert attempt.status == verdict
    assert attempt.dedup_key == f"1:1:0:1:x~{verdict}-{attempt.id}"
    refusal = session.scalars(select(ContactRefusal)).one()
    assert (refusal.rule, refusal.context) == (rule, "dispatch")
    assert sent_to(sandbox) == 0


def test_the_attempt_does_not_count_against_its_own_cap_but_an_earlier_one_does(
    session: Session, sandbox: SandboxServer
) -> None:
    # Colombia: at most one contact a day; Monday 23 November 2026, 10:00 in Bogotá.
    client = make_client(
        session, country="CO", timezone="America/Bogota", currency="COP", profile="CO"
    )
    account = make_account(session, client=client, phone=PHONE, timezone="America/Bogota")
    bogota = ZoneInfo("America/Bogota")
    first = queue_attempt(
        session, account=account, created=datetime(2026, 11, 23, 9, 0, tzinfo=bogota)
    )
    second = queue_attempt(
        session, account=account, created=datetime(2026, 11, 23, 9, 1, tzinfo=bogota)
    )

    assert run_job(session, first, datetime(2026, 11, 23, 10, 0, tzinfo=bogota)) == "sent"
    first.status = AttemptStatus.DELIVERED
    session.commit()
    result = run_job(session, second, datetime(2026, 11, 23, 10, 5, tzinfo=bogota))
    assert result.startswith("refused (cap:")
    assert sent_to(sandbox) == 1


def test_thanks_reach_a_settled_account_that_collection_may_not_reach(
    session: Session, sandbox: SandboxServer
) -> None:
    paid = make_account(session, phone=PHONE)
    paid.status, paid.balance = AccountStatus.PAID, paid.balance * 0
    thanks = queue_attempt(session, account=paid, created=mx(23, 10), purpose=Purpose.THANKS)
    collection = queue_attempt(session, account=paid, created=mx(23, 10))

    assert run_job(session, collection, mx(23, 10, 1)) == "refused (account_status)"
    assert run_job(session, thanks, mx(23, 10, 2)) == "sent"
    assert sent_to(sandbox) == 1


def test_a_held_message_whose_scheduled_job_was_lost_is_requeued(
    session: Session, sandbox: SandboxServer
) -> None:
    attempt = queue_attempt(session)
    run_job(session, attempt, mx(23, 22, 0, 5))
    queue = get_queue(DISPATCH_QUEUE)

    assert requeue_stuck(mx(24, 7, 1).astimezone(UTC)) == 0
    assert requeue_stuck(mx(24, 7, 6).astimezone(UTC)) == 1
    assert queue.job_ids == [f"dispatch-attempt-{attempt.id}"]


def test_the_scheduler_queues_an_sms_at_21_59_50_and_it_leaves_at_07_00_the_next_day(
    session: Session, sandbox: SandboxServer
) -> None:
    # Wednesday 25 November 2026 (the scheduler tests' day): 10 seconds left at 1 message/s.
    client = make_client(session)
    account(session, client, "N1", phone=PHONE)
    make_campaign(session, client)
    run_tick(session, now=mx(25, 21, 59, 50).astimezone(UTC))
    session.commit()
    attempt = session.scalars(select(Attempt)).one()
    assert attempt.created_at == mx(25, 21, 59, 50)

    assert run_job(session, attempt, mx(25, 22, 0, 5)).startswith("held")
    assert sent_to(sandbox) == 0
    assert scheduled_at(attempt.id) == [mx(26, 7).timestamp()]
    assert run_job(session, attempt, mx(26, 7, 0, 1)) == "sent"
    assert sent_to(sandbox) == 1
    assert run_tick(session, now=mx(26, 7, 0, 2).astimezone(UTC)).created == 0  # in flight
