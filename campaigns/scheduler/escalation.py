"""Accounts past 90 days overdue are escalated: they leave every campaign for hand-off.

Escalated are accounts `active` or `promised` more than 90 days past due on the debtor's local
calendar, with no promise to pay or payment plan in force (an agreement the debtor is keeping is
not handed off; when it breaks the account becomes active again and is escalated at the next
tick). Their pending attempts are cancelled, each escalation is an audit event.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, exists, insert, not_, or_, select, update
from sqlalchemy.orm import Session

from campaigns.compliance import MAX_DAYS_OVERDUE
from campaigns.compliance.windows import local_time
from campaigns.debtor_zones import decode_zones
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    AuditEvent,
    Client,
    Debtor,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from campaigns.scheduler.eligibility.zones import zone_pairs

ESCALATED_FROM = (AccountStatus.ACTIVE, AccountStatus.PROMISED)
CHUNK = 500


def escalate_overdue(session: Session, *, now: datetime) -> int:
    """Escalate every account past 90 days overdue; the number escalated."""
    total = 0
    for client_id in session.scalars(select(Client.id).order_by(Client.id)).all():
        total += _escalate_client(session, client_id, now.astimezone(UTC))
    return total


def _escalate_client(session: Session, client_id: int, now: datetime) -> int:
    zones = sorted({decode_zones(key)[0] for key, _country in zone_pairs(session, client_id)})
    found: list[tuple[int, int]] = []
    for tz in zones:
        today = local_time(now, tz).date()
        cutoff = today - timedelta(days=MAX_DAYS_OVERDUE)
        promise = exists().where(
            PromiseToPay.account_id == Account.id,
            PromiseToPay.status == PromiseStatus.PENDING,
            PromiseToPay.due_date >= today,
        )
        plan = exists().where(
            PaymentPlan.account_id == Account.id, PaymentPlan.status == PlanStatus.ACTIVE
        )
        rows = session.execute(
            select(Account.id, Account.due_date)
            .join(Debtor, Debtor.id == Account.debtor_id)
            .where(
                Account.client_id == client_id,
                Account.status.in_(ESCALATED_FROM),
                Account.due_date < cutoff,
                Debtor.timezone == tz,
                not_(or_(promise, plan)),
            )
        ).all()
        found.extend((account_id, (today - due).days) for account_id, due in rows)
    for start in range(0, len(found), CHUNK):
        chunk = found[start : start + CHUNK]
        ids = [account_id for account_id, _days in chunk]
        session.execute(
            update(Account)
            .where(Account.id.in_(ids), Account.status.in_(ESCALATED_FROM))
            .values(status=AccountStatus.ESCALATED, status_changed_at=now, updated_at=now),
            execution_options={"synchronize_session": False},
        )
        session.execute(
            update(Attempt)
            .where(and_(Attempt.account_id.in_(ids), Attempt.status == AttemptStatus.PENDING))
            .values(
                status=AttemptStatus.CANCELED,
                ended_at=now,
                error_message="account escalated past 90 days",
            ),
            execution_options={"synchronize_session": False},
        )
        session.execute(
            insert(AuditEvent),
            [
                {
                    "client_id": client_id,
                    "actor_id": None,
                    "actor_label": "scheduler",
                    "action": "account.escalated",
                    "entity_type": "accounts",
                    "entity_id": account_id,
                    "account_id": account_id,
                    "data": {"days_overdue": days, "reason": "over_90_days"},
                    "created_at": now,
                }
                for account_id, days in chunk
            ],
        )
    return len(found)
