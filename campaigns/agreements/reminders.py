"""The daily pass over agreements: reminders the day before, verdicts on the due date.

For every creditor, on its own calendar:
- a reminder SMS the day before a pending promise or an instalment of an active plan falls due,
  sent once (`reminder_sent_at`; a refused reminder is tried again on the next run that day);
- from the due date on, a pending promise that payments cover is kept (thanks, the account is
  settled); when its date has passed unpaid it is broken and the account is worked again first;
- an instalment whose date has passed unpaid is missed and breaks its plan.
Running it twice changes nothing the second time.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements.ledger import (
    apply_money,
    break_installment,
    break_promise,
    due_day,
    paid_toward,
)
from campaigns.agreements.messages import (
    INSTALLMENT_REMINDER,
    PROMISE_REMINDER,
    long_date,
    may_text,
    money,
    queue_sms,
)
from campaigns.models import (
    Account,
    Client,
    Installment,
    InstallmentStatus,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)


@dataclass
class DailySummary:
    """What one daily pass did."""

    reminders_sent: int = 0
    reminders_refused: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    installments_missed: int = 0
    plans_broken: int = 0

    def as_json(self) -> dict[str, int]:
        """The counts, as `acuerdo reminders run --json` prints them."""
        return dict(self.__dict__)


def run_daily(session: Session, *, now: datetime, today: date | None = None) -> DailySummary:
    """Send tomorrow's reminders and settle today's due promises and instalments, per creditor."""
    summary = DailySummary()
    for client in session.scalars(select(Client).order_by(Client.id)).all():
        day = due_day(now, client.timezone, today)
        _remind(session, client, day, now, summary)
        _check_promises(session, client, day, now, summary)
        _check_installments(session, client, day, now, summary)
    session.flush()
    return summary


def _remind(
    session: Session, client: Client, day: date, now: datetime, summary: DailySummary
) -> None:
    tomorrow = day + timedelta(days=1)
    promises = session.scalars(
        select(PromiseToPay).where(
            PromiseToPay.client_id == client.id,
            PromiseToPay.status == PromiseStatus.PENDING,
            PromiseToPay.due_date == tomorrow,
            PromiseToPay.reminder_sent_at.is_(None),
        )
    ).all()
    for promise in promises:
        account = session.get_one(Account, promise.account_id)
        courtesy = may_text(session, account=account, now=now, context="promise_reminder")
        if courtesy is None:
            summary.reminders_refused += 1
            continue
        queue_sms(
            session,
            courtesy=courtesy,
            message=PROMISE_REMINDER,
            dedup_key=f"reminder-promise-{promise.id}",
            now=now,
            amount=money(promise.amount, account.currency, client.locale),
            date=long_date(promise.due_date, client.locale),
        )
        promise.reminder_sent_at = now
        summary.reminders_sent += 1
    installments = session.scalars(
        select(Installment)
        .join(PaymentPlan, PaymentPlan.id == Installment.plan_id)
        .where(
            Installment.client_id == client.id,
            PaymentPlan.status == PlanStatus.ACTIVE,
            Installment.status == InstallmentStatus.PENDING,
            Installment.due_date == tomorrow,
            Installment.reminder_sent_at.is_(None),
        )
    ).all()
    for installment in installments:
        account = session.get_one(Account, installment.plan.account_id)
        courtesy = may_text(session, account=account, now=now, context="installment_reminder")
        if courtesy is None:
            summary.reminders_refused += 1
            continue
        queue_sms(
            session,
            courtesy=courtesy,
            message=INSTALLMENT_REMINDER,
            dedup_key=f"reminder-installment-{installment.id}",
            now=now,
            number=installment.number + 1,
            amount=money(
                installment.amount - installment.paid_amount, account.currency, client.locale
            ),
            date=long_date(installment.due_date, client.locale),
        )
        installment.reminder_sent_at = now
        summary.reminders_sent += 1


def _check_promises(
    session: Session, client: Client, day: date, now: datetime, summary: DailySummary
) -> None:
    promises = session.scalars(
        select(PromiseToPay).where(
            PromiseToPay.client_id == client.id,
            PromiseToPay.status == PromiseStatus.PENDING,
            PromiseToPay.due_date <= day,
        )
    ).all()
    for promise in promises:
        if paid_toward(session, promise, client.timezone) >= promise.amount:
            account = session.get_one(Account, promise.account_id)
            apply_money(
                session,
                account=account,
                amount=Decimal("0"),
                now=now,
                thanks_key=f"thanks-promise-{promise.id}",
            )
            summary.promises_kept += 1
        elif promise.due_date < day:
            break_promise(session, promise=promise, now=now)
            summary.promises_broken += 1


def _check_installments(
    session: Session, client: Client, day: date, now: datetime, summary: DailySummary
) -> None:
    installments = session.scalars(
        select(Installment)
        .join(PaymentPlan, PaymentPlan.id == Installment.plan_id)
        .where(
            Installment.client_id == client.id,
            PaymentPlan.status == PlanStatus.ACTIVE,
            Installment.status == InstallmentStatus.PENDING,
            Installment.due_date < day,
        )
        .order_by(Installment.plan_id, Installment.number)
    ).all()
    broken: set[int] = set()
    for installment in installments:
        if installment.plan_id in broken:
            continue
        break_installment(session, installment=installment, now=now)
        broken.add(installment.plan_id)
        summary.installments_missed += 1
        summary.plans_broken += 1
