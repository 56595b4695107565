"""The daily agreements pass with a controlled clock: reminders the day before, kept and broken
promises and instalments on their dates, and nothing done twice."""

import json
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements import parse_outcome, record_outcome, run_daily
from campaigns.compliance import check_account_contact
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    Channel,
    ContactRefusal,
    Installment,
    InstallmentStatus,
    Payment,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from tests.campaigns.agreements_helpers import NOW, TODAY, at, dispatch_jobs, phone_of, sms_attempts
from tests.factories import make_account

DUE = TODAY + timedelta(days=5)


def _promise(session: Session, account: Account, amount: str = "1200.00") -> PromiseToPay:
    record_outcome(
        session,
        account_id=account.id,
        attempt_id=None,
        agent_id=None,
        outcome=parse_outcome(
            {"disposition": "promise_to_pay", "amount": amount, "due_date": DUE.isoformat()}
        ),
        submission_key=f"promise-{account.id}",
        now=NOW,
    )
    session.commit()
    return session.scalars(select(PromiseToPay).where(PromiseToPay.account_id == account.id)).one()


def _plan(session: Session, account: Account) -> PaymentPlan:
    form = {
        "disposition": "payment_plan",
        "down_payment": "240.00",
        "installments": 2,
        "first_due_date": DUE.isoformat(),
    }
    record_outcome(
        session,
        account_id=account.id,
        attempt_id=None,
        agent_id=None,
        outcome=parse_outcome(form),
        submission_key=f"plan-{account.id}",
        now=NOW,
    )
    session.commit()
    return session.scalars(select(PaymentPlan)).one()


def _reminders(session: Session, account: Account) -> list[Attempt]:
    return [a for a in sms_attempts(session, account) if (a.dedup_key or "").startswith("reminder")]


def test_reminder_goes_out_once_the_day_before(session: Session) -> None:
    account = make_account(session)
    promise = _promise(session, account)
    before = len(dispatch_jobs())

    assert run_daily(session, now=at(DUE - timedelta(days=2))).reminders_sent == 0
    summary = run_daily(session, now=at(DUE - timedelta(days=1)))
    session.commit()
    assert summary.reminders_sent == 1
    [reminder] = _reminders(session, account)
    assert reminder.body is not None
    assert "le recordamos amablemente que su pago de $1,200.00" in reminder.body
    assert "vence mañana, 28 de noviembre de 2026" in reminder.body
    assert promise.reminder_sent_at == at(DUE - timedelta(days=1))
    assert len(dispatch_jobs()) == before + 1
    assert f"dispatch-attempt-{reminder.id}" in dispatch_jobs()

    again = run_daily(session, now=at(DUE - timedelta(days=1), hour=15))
    session.commit()
    assert again.reminders_sent == 0
    assert len(_reminders(session, account)) == 1


def test_a_reminder_outside_contact_hours_waits_for_a_later_run(session: Session) -> None:
    account = make_account(session)
    promise = _promise(session, account)
    late = run_daily(session, now=at(DUE - timedelta(days=1), hour=22))  # 22:00 closes MX hours
    session.commit()
    assert (late.reminders_sent, late.reminders_refused, late.reminders_waiting) == (0, 0, 1)
    assert promise.reminder_sent_at is None
    assert _reminders(session, account) == []
    assert session.scalars(select(ContactRefusal)).all() == []  # waiting is not a refusal

    # The next morning is the due date: the reminder is no longer for "tomorrow".
    assert run_daily(session, now=at(DUE, hour=9)).reminders_sent == 0


def test_a_promise_paid_by_the_due_date_is_kept_thanked_and_the_account_closes(
    session: Session,
) -> None:
    account = make_account(session)
    promise = _promise(session, account, amount="1080.00")  # with the 10% discount
    session.add(
        Payment(
            client_id=account.client_id,
            account_id=account.id,
            amount=Decimal("1080.00"),
            paid_on=DUE - timedelta(days=1),
            reference="R-1",
            source="test",
            created_at=NOW,
        )
    )
    account.balance = Decimal("120.00")
    session.commit()

    summary = run_daily(session, now=at(DUE))
    session.commit()
    assert summary.promises_kept == 1
    assert promise.status == PromiseStatus.KEPT
    assert account.balance == Decimal("0") and account.status == AccountStatus.PAID
    thanks = [
        a for a in sms_attempts(session, account) if a.dedup_key == f"thanks-promise-{promise.id}"
    ]
    assert len(thanks) == 1 and thanks[0].body is not None
    assert "Gracias por cumplir su acuerdo" in thanks[0].body
    assert f"dispatch-attempt-{thanks[0].id}" in dispatch_jobs()

    assert run_daily(session, now=at(DUE, hour=16)).promises_kept == 0


def test_an_unpaid_promise_breaks_after_its_date_and_the_account_is_worked_first(
    session: Session,
) -> None:
    account = make_account(session)
    promise = _promise(session, account)

    on_the_day = run_daily(session, now=at(DUE, hour=20))
    session.commit()
    assert on_the_day.promises_broken == 0 and promise.status == PromiseStatus.PENDING

    after = run_daily(session, now=at(DUE + timedelta(days=1), hour=8))
    session.commit()
    assert after.promises_broken == 1
    assert str(promise.status) == PromiseStatus.BROKEN
    assert account.status == AccountStatus.ACTIVE and account.priority_boost == 100
    decision = check_account_contact(
        session,
        account_id=account.id,
        channel=Channel.VOICE,
        contact_point_id=phone_of(session, account).id,
        now=at(DUE + timedelta(days=1)),
        context="test",
    )
    assert decision.allowed

    assert run_daily(session, now=at(DUE + timedelta(days=2))).promises_broken == 0


def test_instalment_reminder_then_a_missed_instalment_breaks_the_plan(session: Session) -> None:
    account = make_account(session)
    plan = _plan(session, account)
    down = plan.installments[0]

    assert run_daily(session, now=at(DUE - timedelta(days=1))).reminders_sent == 1
    session.commit()
    [reminder] = _reminders(session, account)
    assert reminder.body is not None and "el pago 1 de su plan" in reminder.body
    assert "$240.00" in reminder.body
    assert down.reminder_sent_at is not None

    summary = run_daily(session, now=at(DUE + timedelta(days=1)))
    session.commit()
    assert (summary.installments_missed, summary.plans_broken) == (1, 1)
    assert down.status == InstallmentStatus.MISSED and plan.status == PlanStatus.BROKEN
    assert account.status == AccountStatus.ACTIVE and account.priority_boost == 100
    assert run_daily(session, now=at(DUE + timedelta(days=2))).plans_broken == 0


def test_a_paid_instalment_lets_the_plan_continue(session: Session) -> None:
    account = make_account(session)
    plan = _plan(session, account)
    down = plan.installments[0]
    down.paid_amount, down.status = Decimal("240.00"), InstallmentStatus.PAID
    session.commit()

    summary = run_daily(session, now=at(DUE + timedelta(days=1)))
    session.commit()
    assert summary.plans_broken == 0
    assert plan.status == PlanStatus.ACTIVE and account.status == AccountStatus.PLAN
    next_due = session.scalars(select(Installment).where(Installment.number == 1)).one().due_date
    assert run_daily(session, now=at(next_due - timedelta(days=1))).reminders_sent == 1


def test_reminders_run_command_breaks_overdue_promises(
    session: Session, child_env: dict[str, str]
) -> None:
    account = make_account(session)
    promise = _promise(session, account)
    day_after = (DUE + timedelta(days=1)).isoformat()
    session.commit()  # SQLite: release the write lock before another process writes
    result = subprocess.run(
        [sys.executable, "-m", "console", "reminders", "run", "--today", day_after, "--json"],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["promises_broken"] == 1
    session.rollback()  # end the read snapshot; see what the other side committed
    assert promise.status == PromiseStatus.BROKEN
    assert session.get_one(Account, account.id).priority_boost == 100


def test_pending_sms_attempt_is_not_duplicated_by_date_logic(session: Session) -> None:
    account = make_account(session)
    _promise(session, account)
    for day in range(0, 7):
        run_daily(session, now=at(TODAY + timedelta(days=day)))
        session.commit()
    reminders = _reminders(session, account)
    assert len(reminders) == 1 and reminders[0].status == AttemptStatus.PENDING
    assert date.fromisoformat("2026-11-27") == DUE - timedelta(days=1)


def test_the_daily_rq_job_runs_in_a_worker(session: Session) -> None:
    from rq import Queue, SimpleWorker

    from campaigns.redis_conn import get_redis

    account = make_account(session)
    promise = _promise(session, account)
    session.commit()
    queue = Queue("default", connection=get_redis())
    job = queue.enqueue(
        "campaigns.jobs.run_agreements_daily", (DUE + timedelta(days=1)).isoformat()
    )
    SimpleWorker([queue], connection=get_redis()).work(burst=True)
    job.refresh()  # type: ignore[no-untyped-call]
    assert job.return_value() == {
        "reminders_sent": 0,
        "reminders_refused": 0,
        "reminders_waiting": 0,
        "promises_kept": 0,
        "promises_broken": 1,
        "installments_missed": 0,
        "plans_broken": 0,
    }
    session.rollback()  # end the read snapshot; see what the other side committed
    assert promise.status == PromiseStatus.BROKEN
