"""The agreements pass, run through the day: reminders the day before, verdicts after the date.

Every date is the debtor's local date (the zone the contact rules use), so a debtor in Bogotá,
Santiago, Lima or Honolulu is reminded on their own "day before", inside their own window:
- a reminder SMS the day before a pending promise or an instalment of an active plan falls due,
  queued by the first run that finds the debtor's window open (with at least `REMINDER_MARGIN`
  left), once: its dedup key is the promise or instalment and the debtor's local date. A run
  outside the window only counts it as waiting; a reminder the contact rules refuse (or the
  send-time check refuses, which frees its key) is tried again by a later run that day;
- from the due date on, a pending promise that payments cover is kept (thanks, the account is
  settled); when its date has passed unpaid it is broken and the account is worked again first;
- an instalment whose date has passed unpaid is missed and breaks its plan.
A promise or plan in good standing keeps its reminders past day 90 and is not escalated; a broken
one is (the next scheduler tick escalates it). Running the pass again changes nothing.
The scheduler enqueues the pass every `ACUERDO_AGREEMENTS_PASS_MINUTES` (15) minutes.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements.ledger import (
    apply_money,
    break_installment,
    break_promise,
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
from campaigns.compliance import Profile, effective_profile
from campaigns.compliance.send_time import REMINDER_KEY_PREFIX, debtor_zone
from campaigns.compliance.windows import local_time, open_until
from campaigns.debtor_zones import debtor_zones
from campaigns.models import (
    Account,
    Attempt,
    Client,
    Debtor,
    Installment,
    InstallmentStatus,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)

# A reminder is queued only while the debtor's window stays open this long: a message queued in
# the last minutes could leave the next morning, which is the due date itself.
REMINDER_MARGIN = timedelta(minutes=15)


@dataclass
class DailySummary:
    """What one daily pass did."""

    reminders_sent: int = 0
    reminders_refused: int = 0
    reminders_waiting: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    installments_missed: int = 0
    plans_broken: int = 0

    def as_json(self) -> dict[str, int]:
        """The counts, as `acuerdo reminders run --json` prints them."""
        return dict(self.__dict__)


def run_daily(session: Session, *, now: datetime, today: date | None = None) -> DailySummary:
    """Send due reminders and settle due promises and instalments, on each debtor's local date.

    `today` forces one date for every debtor (the CLI's --today); the windows are still checked
    at `now`.
    """
    summary = DailySummary()
    for client in session.scalars(select(Client).order_by(Client.id)).all():
        profile = effective_profile(client)
        _remind(session, client, profile, now, today, summary)
        _check_promises(session, client, now, today, summary)
        _check_installments(session, client, now, today, summary)
    session.flush()
    return summary


def local_day(debtor: Debtor, now: datetime, today: date | None = None) -> date:
    """The debtor's local date at this moment (or the date forced)."""
    return today or local_time(now, debtor_zone(debtor)).date()


def _dates_near(now: datetime, today: date | None) -> tuple[date, date]:
    """Every local date some zone on Earth has at this moment (UTC-12..UTC+14)."""
    if today is not None:
        return today, today
    day = now.date()
    return day - timedelta(days=1), day + timedelta(days=1)


@dataclass(frozen=True)
class _Due:
    """A reminder due: what it is about and for which account."""

    key: str
    account: Account
    due_date: date


def _open_for_reminder(
    profile: Profile, debtor: Debtor, now: datetime, summary: DailySummary
) -> bool:
    closes = open_until(profile, debtor_zones(debtor), debtor.country, now)
    if closes is None or closes - now < REMINDER_MARGIN:
        summary.reminders_waiting += 1
        return False
    return True


def _due_today(
    session: Session,
    profile: Profile,
    due: _Due,
    now: datetime,
    today: date | None,
    summary: DailySummary,
) -> str | None:
    """The dedup key to queue this reminder under now, or None (not its day, sent, waiting)."""
    debtor = due.account.debtor
    day = local_day(debtor, now, today)
    if due.due_date != day + timedelta(days=1):
        return None
    key = f"{due.key}-{day.isoformat()}"
    if session.scalar(select(Attempt.id).where(Attempt.dedup_key == key)) is not None:
        return None
    if not _open_for_reminder(profile, debtor, now, summary):
        return None
    return key


def _remind(
    session: Session,
    client: Client,
    profile: Profile,
    now: datetime,
    today: date | None,
    summary: DailySummary,
) -> None:
    first, last = _dates_near(now, today)
    promises = session.scalars(
        select(PromiseToPay).where(
            PromiseToPay.client_id == client.id,
            PromiseToPay.status == PromiseStatus.PENDING,
            PromiseToPay.due_date.between(first + timedelta(days=1), last + timedelta(days=1)),
        )
    ).all()
    for promise in promises:
        account = session.get_one(Account, promise.account_id)
        due = _Due(f"{REMINDER_KEY_PREFIX}promise-{promise.id}", account, promise.due_date)
        key = _due_today(session, profile, due, now, today, summary)
        if key is None:
            continue
        courtesy = may_text(session, account=account, now=now, context="promise_reminder")
        if courtesy is None:
            summary.reminders_refused += 1
            continue
        queue_sms(
            session,
            courtesy=courtesy,
            message=PROMISE_REMINDER,
            dedup_key=key,
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
            Installment.due_date.between(first + timedelta(days=1), last + timedelta(days=1)),
        )
    ).all()
    for installment in installments:
        account = session.get_one(Account, installment.plan.account_id)
        due = _Due(
            f"{REMINDER_KEY_PREFIX}installment-{installment.id}", account, installment.due_date
        )
        key = _due_today(session, profile, due, now, today, summary)
        if key is None:
            continue
        courtesy = may_text(session, account=account, now=now, context="installment_reminder")
        if courtesy is None:
            summary.reminders_refused += 1
            continue
        queue_sms(
            session,
            courtesy=courtesy,
            message=INSTALLMENT_REMINDER,
            dedup_key=key,
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
    session: Session, client: Client, now: datetime, today: date | None, summary: DailySummary
) -> None:
    _first, last = _dates_near(now, today)
    promises = session.scalars(
        select(PromiseToPay).where(
            PromiseToPay.client_id == client.id,
            PromiseToPay.status == PromiseStatus.PENDING,
            PromiseToPay.due_date <= last,
        )
    ).all()
    for promise in promises:
        account = session.get_one(Account, promise.account_id)
        zone = debtor_zone(account.debtor)
        day = local_day(account.debtor, now, today)
        if promise.due_date > day:
            continue
        if paid_toward(session, promise, zone) >= promise.amount:
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
    session: Session, client: Client, now: datetime, today: date | None, summary: DailySummary
) -> None:
    _first, last = _dates_near(now, today)
    installments: Sequence[Installment] = session.scalars(
        select(Installment)
        .join(PaymentPlan, PaymentPlan.id == Installment.plan_id)
        .where(
            Installment.client_id == client.id,
            PaymentPlan.status == PlanStatus.ACTIVE,
            Installment.status == InstallmentStatus.PENDING,
            Installment.due_date < last,
        )
        .order_by(Installment.plan_id, Installment.number)
    ).all()
    broken: set[int] = set()
    for installment in installments:
        if installment.plan_id in broken:
            continue
        account = session.get_one(Account, installment.plan.account_id)
        if installment.due_date >= local_day(account.debtor, now, today):
            continue
        break_installment(session, installment=installment, now=now)
        broken.add(installment.plan_id)
        summary.installments_missed += 1
        summary.plans_broken += 1
