"""Posting the checked payments: one row each, then each account's total applied to its balance,
its promise or plan, and its pending contact."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from campaigns.agreements.contact import cancel_pending_contact, set_status
from campaigns.agreements.ledger import apply_money
from campaigns.agreements.payments.rows import PaymentRow
from campaigns.models import (
    Account,
    AccountStatus,
    AuditEvent,
    Client,
    Payment,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)

CHUNK = 500


def record_payments(
    session: Session, client: Client, rows: list[PaymentRow], filename: str, now: datetime
) -> dict[int, tuple[Decimal, int]]:
    """Store one payment a row; each account's total and first payment id."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    first_ids: dict[int, int] = {}
    payments = [
        Payment(
            client_id=client.id,
            account_id=row.account_id,
            amount=row.amount,
            paid_on=row.paid_on,
            reference=row.reference,
            source=filename[:40] or "file",
            created_at=now,
        )
        for row in rows
    ]
    session.add_all(payments)
    session.flush()
    for payment in payments:
        totals[payment.account_id] += payment.amount
        first_ids.setdefault(payment.account_id, payment.id)
    return {account_id: (total, first_ids[account_id]) for account_id, total in totals.items()}


def apply_payments(
    session: Session, by_account: dict[int, tuple[Decimal, int]], now: datetime
) -> tuple[int, int, int, int]:
    """Apply each account's money: one by one where an agreement is open, else set-based.

    Returns accounts settled, promises kept, instalments paid and attempts cancelled.
    """
    ids = sorted(by_account)
    with_agreement: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with_agreement.update(
            session.scalars(
                select(PromiseToPay.account_id).where(
                    PromiseToPay.account_id.in_(chunk),
                    PromiseToPay.status == PromiseStatus.PENDING,
                )
            )
        )
        with_agreement.update(
            session.scalars(
                select(PaymentPlan.account_id).where(
                    PaymentPlan.account_id.in_(chunk), PaymentPlan.status == PlanStatus.ACTIVE
                )
            )
        )
    settled = kept = installments = cancelled = 0
    for account_id in sorted(with_agreement):
        total, first_payment_id = by_account[account_id]
        account = session.get_one(Account, account_id)
        applied = apply_money(
            session,
            account=account,
            amount=total,
            now=now,
            thanks_key=f"thanks-payment-{first_payment_id}",
        )
        settled += applied.settled
        kept += len(applied.kept_promises)
        installments += len(applied.paid_installments)
        cancelled += applied.attempts_cancelled
    rest = [account_id for account_id in ids if account_id not in with_agreement]
    for start in range(0, len(rest), CHUNK):
        chunk = rest[start : start + CHUNK]
        paid_off: list[int] = []
        audit: list[dict[str, Any]] = []
        with session.no_autoflush:
            for account in session.scalars(select(Account).where(Account.id.in_(chunk))):
                total = by_account[account.id][0]
                account.balance = max(Decimal("0"), account.balance - total)
                account.updated_at = now
                if account.balance <= 0:
                    set_status(account, AccountStatus.PAID, now)
                    account.priority_boost = 0
                    paid_off.append(account.id)
                audit.append(
                    {
                        "client_id": account.client_id,
                        "actor_label": "payments",
                        "action": "account.payment_applied",
                        "entity_type": "accounts",
                        "entity_id": account.id,
                        "account_id": account.id,
                        "data": {"amount": str(total), "settled": account.balance <= 0},
                        "created_at": now,
                    }
                )
        session.execute(insert(AuditEvent), audit)
        settled += len(paid_off)
        cancelled += cancel_pending_contact(
            session, account_ids=paid_off, now=now, reason="paid in full"
        )[0]
    return settled, kept, installments, cancelled
