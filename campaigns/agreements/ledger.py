"""Money against agreements: payments keep promises and instalments; missed dates break them.

Shared by the payments import (as payments arrive) and the daily check (on due dates), so both
reach the same verdict. A kept promise settles the account: the promise was for the balance, or
for the balance less the early-payment discount, which is then written off.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.agreements.contact import (
    BROKEN_PROMISE_BOOST,
    cancel_pending_contact,
    set_status,
)
from campaigns.agreements.messages import THANK_YOU, Courtesy, may_text, queue_sms
from campaigns.audit import record
from campaigns.compliance import Purpose
from campaigns.compliance.send_time import debtor_zone
from campaigns.models import (
    Account,
    AccountStatus,
    Installment,
    InstallmentStatus,
    Payment,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)

ZERO = Decimal("0")


@dataclass
class Applied:
    """What money did to one account."""

    kept_promises: list[int] = field(default_factory=list)
    paid_installments: list[int] = field(default_factory=list)
    written_off: Decimal = ZERO
    settled: bool = False
    attempts_cancelled: int = 0
    callbacks_cancelled: int = 0
    thanked: bool = False


def pending_promise(session: Session, account_id: int) -> PromiseToPay | None:
    """The account's pending promise, if any (the latest)."""
    return session.scalar(
        select(PromiseToPay)
        .where(PromiseToPay.account_id == account_id, PromiseToPay.status == PromiseStatus.PENDING)
        .order_by(PromiseToPay.id.desc())
        .limit(1)
    )


def active_plan(session: Session, account_id: int) -> PaymentPlan | None:
    """The account's active plan, if any."""
    return session.scalar(
        select(PaymentPlan)
        .where(PaymentPlan.account_id == account_id, PaymentPlan.status == PlanStatus.ACTIVE)
        .order_by(PaymentPlan.id.desc())
        .limit(1)
    )


def paid_toward(session: Session, promise: PromiseToPay, timezone: str) -> Decimal:
    """What the account paid from the day the promise was made (on the debtor's calendar)."""
    since = promise.created_at.astimezone(ZoneInfo(timezone)).date()
    total = session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.account_id == promise.account_id, Payment.paid_on >= since
        )
    )
    return Decimal(total or 0)


def _allocate(plan: PaymentPlan, amount: Decimal) -> list[Installment]:
    """Spread money over the plan's unpaid instalments in order; those now fully paid."""
    paid: list[Installment] = []
    for installment in plan.installments:
        if amount <= 0:
            break
        if installment.status == InstallmentStatus.PAID:
            continue
        take = min(amount, installment.amount - installment.paid_amount)
        installment.paid_amount += take
        amount -= take
        if installment.paid_amount >= installment.amount:
            installment.status = InstallmentStatus.PAID
            paid.append(installment)
    return paid


def apply_money(
    session: Session,
    *,
    account: Account,
    amount: Decimal,
    now: datetime,
    thanks_key: str,
) -> Applied:
    """Apply money received (already stored as Payment rows) to the account's agreements."""
    applied = Applied()
    promise = pending_promise(session, account.id)
    zone = debtor_zone(account.debtor)
    kept = promise is not None and paid_toward(session, promise, zone) >= promise.amount
    plan = active_plan(session, account.id)
    newly_paid = _allocate(plan, amount) if plan is not None else []
    courtesy: Courtesy | None = None
    if kept or newly_paid:
        # Asked before the balance changes: the account is still one we may write to.
        courtesy = may_text(session, account=account, now=now, context="payment_thanks")

    account.balance = max(ZERO, account.balance - amount)
    account.updated_at = now
    if kept and promise is not None:
        promise.status, promise.resolved_at = PromiseStatus.KEPT, now
        applied.kept_promises.append(promise.id)
        applied.written_off = account.balance
        account.balance = ZERO
    if plan is not None:
        applied.paid_installments = [i.id for i in newly_paid]
        if all(i.status == InstallmentStatus.PAID for i in plan.installments):
            plan.status = PlanStatus.COMPLETED
    if account.balance <= 0:
        applied.attempts_cancelled, applied.callbacks_cancelled = settle(
            session, account=account, now=now, reason="paid in full"
        )
        applied.settled = True
    if courtesy is not None:
        queue_sms(
            session,
            courtesy=courtesy,
            message=THANK_YOU,
            dedup_key=thanks_key,
            now=now,
            purpose=Purpose.THANKS,
        )
        applied.thanked = True
    record(
        session,
        action="account.payment_applied",
        entity=account,
        actor_label="payments",
        at=now,
        data={
            "amount": str(amount),
            "kept_promises": applied.kept_promises,
            "paid_installments": applied.paid_installments,
            "written_off": str(applied.written_off),
            "settled": applied.settled,
        },
    )
    return applied


def settle(session: Session, *, account: Account, now: datetime, reason: str) -> tuple[int, int]:
    """The account is paid: stop every contact with it at once (attempts, callbacks cancelled)."""
    set_status(account, AccountStatus.PAID, now)
    account.priority_boost = 0
    for promise in session.scalars(
        select(PromiseToPay).where(
            PromiseToPay.account_id == account.id, PromiseToPay.status == PromiseStatus.PENDING
        )
    ):
        promise.status, promise.resolved_at = PromiseStatus.KEPT, now
    for plan in session.scalars(
        select(PaymentPlan).where(
            PaymentPlan.account_id == account.id, PaymentPlan.status == PlanStatus.ACTIVE
        )
    ):
        plan.status = PlanStatus.COMPLETED
    return cancel_pending_contact(session, account_id=account.id, now=now, reason=reason)


def break_promise(session: Session, *, promise: PromiseToPay, now: datetime) -> None:
    """A promise whose date passed unpaid: the account is worked again, first."""
    promise.status, promise.resolved_at = PromiseStatus.BROKEN, now
    account = session.get_one(Account, promise.account_id)
    _back_to_work(account, now)
    record(
        session,
        action="promise.broken",
        entity=promise,
        actor_label="agreements",
        at=now,
        data={"amount": str(promise.amount), "due_date": promise.due_date.isoformat()},
    )


def break_installment(session: Session, *, installment: Installment, now: datetime) -> None:
    """An instalment whose date passed unpaid: the plan breaks, the account is worked again."""
    installment.status = InstallmentStatus.MISSED
    plan = installment.plan
    plan.status, plan.broken_at = PlanStatus.BROKEN, now
    account = session.get_one(Account, plan.account_id)
    _back_to_work(account, now)
    record(
        session,
        action="plan.broken",
        entity=plan,
        actor_label="agreements",
        at=now,
        data={
            "installment": installment.number,
            "amount": str(installment.amount),
            "due_date": installment.due_date.isoformat(),
        },
    )


def _back_to_work(account: Account, now: datetime) -> None:
    if account.status in (AccountStatus.PROMISED, AccountStatus.PLAN):
        set_status(account, AccountStatus.ACTIVE, now)
    account.priority_boost = BROKEN_PROMISE_BOOST
