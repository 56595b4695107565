"""The agreements pass through the day, on each debtor's own date and inside their own window."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from rq import Queue
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements import run_daily
from campaigns.compliance import effective_profile
from campaigns.compliance.send_time import Verdict, check_before_send
from campaigns.compliance.windows import closed_rule
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    Client,
    ComplianceProfile,
    Installment,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from campaigns.redis_conn import get_redis
from campaigns.scheduler import run_tick
from console.cli.run import enqueue_agreements_pass
from tests.factories import make_account, make_client

# Reminders are due on Wednesday 25 November 2026 for payments due on Thursday the 26th; neither
# is a public holiday in Mexico, Colombia, Chile or Peru, and the 25th is none in the US.
REMIND_ON = date(2026, 11, 25)
DUE = REMIND_ON + timedelta(days=1)

PLACES = [
    # (profile, creditor's zone, debtor's zone, currency, phone)
    (ComplianceProfile.MX, "America/Mexico_City", "America/Mexico_City", "MXN", "+525512340001"),
    (ComplianceProfile.CO, "America/Bogota", "America/Bogota", "COP", "+573001234001"),
    (ComplianceProfile.CL, "America/Santiago", "America/Santiago", "CLP", "+56912340001"),
    (ComplianceProfile.PE, "America/Lima", "America/Lima", "PEN", "+51912340001"),
    (ComplianceProfile.US, "America/New_York", "America/New_York", "USD", "+12125550101"),
    (ComplianceProfile.US, "America/New_York", "Pacific/Honolulu", "USD", "+18085550101"),
]


def promised(
    session: Session, client: Client, *, zone: str, phone: str, due: date = DUE, days: int = 30
) -> PromiseToPay:
    account = make_account(
        session, client=client, phone=phone, timezone=zone, today=REMIND_ON, days_overdue=days
    )
    account.status = AccountStatus.PROMISED
    promise = PromiseToPay(
        client_id=client.id,
        account_id=account.id,
        amount=account.balance,
        due_date=due,
        created_at=datetime(2026, 11, 10, 18, tzinfo=UTC),
    )
    session.add(promise)
    session.flush()
    return promise


def creditor(session: Session, profile: ComplianceProfile, zone: str, currency: str) -> Client:
    existing = session.scalar(select(Client).where(Client.name == f"Acreedor {profile} {zone}"))
    return existing or make_client(
        session,
        name=f"Acreedor {profile} {zone}",
        country=str(profile),
        timezone=zone,
        currency=currency,
        profile=profile,
    )


def every(start: datetime, end: datetime, minutes: int) -> list[datetime]:
    moments = []
    while start <= end:
        moments.append(start)
        start += timedelta(minutes=minutes)
    return moments


def test_each_debtor_in_five_countries_is_reminded_once_inside_their_window_on_their_day(
    session: Session,
) -> None:
    promises: dict[int, tuple[PromiseToPay, str, Client]] = {}
    for profile, client_zone, zone, currency, phone in PLACES:
        client = creditor(session, profile, client_zone, currency)
        promise = promised(session, client, zone=zone, phone=phone)
        promises[promise.id] = (promise, zone, client)
    session.commit()

    # Every 20 minutes from noon UTC on the 24th to noon UTC on the 27th: every local 25th, and
    # the first minutes of every local 27th, in these zones.
    for now in every(
        datetime(2026, 11, 24, 12, tzinfo=UTC), datetime(2026, 11, 27, 12, tzinfo=UTC), 20
    ):
        run_daily(session, now=now)
        session.commit()

    reminders = session.scalars(
        select(Attempt).where(Attempt.dedup_key.like("reminder-promise-%"))
    ).all()
    by_promise = {int(a.dedup_key.split("-")[2]): a for a in reminders if a.dedup_key}
    assert len(reminders) == len(PLACES) == len(by_promise)
    for promise_id, attempt in by_promise.items():
        promise, zone, client = promises[promise_id]
        local = attempt.created_at.astimezone(ZoneInfo(zone))
        assert local.date() == REMIND_ON, (zone, local)
        assert attempt.dedup_key == f"reminder-promise-{promise_id}-{REMIND_ON.isoformat()}"
        profile = effective_profile(client)
        assert closed_rule(profile, zone, client.country, attempt.created_at) is None, (zone, local)
        # Broken the first run after the debtor's own due date ended, not on the creditor's.
        assert promise.status == PromiseStatus.BROKEN
        assert promise.resolved_at is not None
        broken = promise.resolved_at.astimezone(ZoneInfo(zone))
        assert broken.date() == DUE + timedelta(days=1), (zone, broken)
        assert broken.time() < datetime(2026, 1, 1, 0, 20).time(), (zone, broken)


def test_the_honolulu_debtor_of_a_new_york_creditor_is_not_reminded_at_new_york_hours(
    session: Session,
) -> None:
    client = creditor(session, ComplianceProfile.US, "America/New_York", "USD")
    promise = promised(session, client, zone="Pacific/Honolulu", phone="+18085550101")
    session.commit()

    # 09:00 in New York on the 25th is 04:00 in Honolulu: waiting, not refused.
    early = run_daily(session, now=datetime(2026, 11, 25, 14, tzinfo=UTC))
    assert (early.reminders_sent, early.reminders_refused, early.reminders_waiting) == (0, 0, 1)
    # 08:00 in Honolulu.
    assert run_daily(session, now=datetime(2026, 11, 25, 18, tzinfo=UTC)).reminders_sent == 1
    assert promise.reminder_sent_at == datetime(2026, 11, 25, 18, tzinfo=UTC)


def test_a_plan_in_good_standing_past_day_90_keeps_its_reminders_and_is_not_escalated(
    session: Session,
) -> None:
    client = creditor(session, ComplianceProfile.MX, "America/Mexico_City", "MXN")
    account = make_account(
        session, client=client, phone="+525512340099", today=REMIND_ON, days_overdue=120
    )
    account.status = AccountStatus.PLAN
    plan = PaymentPlan(
        client_id=client.id,
        account_id=account.id,
        total_amount=Decimal("1200.00"),
        down_payment=Decimal("200.00"),
        installment_count=2,
        created_at=datetime(2026, 10, 1, 18, tzinfo=UTC),
    )
    session.add(plan)
    session.flush()
    for number, (due, amount) in enumerate([(DUE, "500.00"), (DUE + timedelta(30), "500.00")]):
        session.add(
            Installment(
                client_id=client.id,
                plan_id=plan.id,
                number=number,
                due_date=due,
                amount=Decimal(amount),
            )
        )
    session.commit()
    noon = datetime(2026, 11, 25, 18, tzinfo=UTC)  # 12:00 in Mexico City, day 120

    assert run_tick(session, now=noon).escalated == 0
    assert run_daily(session, now=noon).reminders_sent == 1
    session.commit()
    reminder = session.scalars(select(Attempt)).one()
    assert reminder.purpose == "reminder"
    assert check_before_send(session, attempt_id=reminder.id, now=noon).verdict == Verdict.SEND
    assert account.status == AccountStatus.PLAN

    # The first instalment is missed: the plan breaks, and past day 90 the account escalates.
    day_after = datetime(2026, 11, 27, 18, tzinfo=UTC)
    assert run_daily(session, now=day_after).plans_broken == 1
    assert plan.status == PlanStatus.BROKEN
    assert run_tick(session, now=day_after).escalated == 1
    session.commit()
    assert session.get_one(Account, account.id).status == AccountStatus.ESCALATED


def test_a_reminder_that_could_only_leave_on_the_due_date_is_refused_not_held(
    session: Session,
) -> None:
    client = creditor(session, ComplianceProfile.MX, "America/Mexico_City", "MXN")
    promised(session, client, zone="America/Mexico_City", phone="+525512340055")
    session.commit()
    queued = datetime(2026, 11, 26, 3, 40, tzinfo=UTC)  # 21:40 in Mexico City on the 25th
    assert run_daily(session, now=queued).reminders_sent == 1
    session.commit()
    reminder = session.scalars(select(Attempt)).one()

    late = datetime(2026, 11, 26, 4, 0, 5, tzinfo=UTC)  # 22:00:05: the window has closed
    decision = check_before_send(session, attempt_id=reminder.id, now=late)
    assert (decision.verdict, decision.rule) == (Verdict.REFUSED, "outside_hours")
    assert reminder.status == AttemptStatus.REFUSED
    session.commit()
    # The next morning is the due date: no second "due tomorrow" reminder.
    assert run_daily(session, now=datetime(2026, 11, 26, 15, tzinfo=UTC)).reminders_sent == 0


@pytest.mark.parametrize("minutes", [15])
def test_the_scheduler_enqueues_the_pass_once_every_period(minutes: int) -> None:
    base = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    ticks = [base + timedelta(seconds=5 * n) for n in range(60 * 60 // 5)]  # an hour of ticks

    enqueued = [tick for tick in ticks if enqueue_agreements_pass(tick, fixed=True)]

    assert [t.minute for t in enqueued] == list(range(0, 60, minutes))
    queue = Queue("default", connection=get_redis())
    assert len(queue.job_ids) == 60 // minutes
    assert queue.jobs[0].kwargs == {"now": base.isoformat()}
