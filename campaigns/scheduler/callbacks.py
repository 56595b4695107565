"""Callbacks debtors asked for, dialed when due: personal ones only when their agent is free."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.audit import record
from campaigns.compliance import check_account_contact
from campaigns.dispatch_queue import enqueue_attempt_after_commit
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    Callback,
    CallbackStatus,
    Channel,
    ContactKind,
    ContactPoint,
    Outcome,
)

CLOSED = (AccountStatus.PAID, AccountStatus.CLOSED, AccountStatus.ESCALATED)


@dataclass(frozen=True)
class DueCallback:
    """A callback whose time has come."""

    callback_id: int
    account_id: int
    owner_agent_id: int | None
    campaign_id: int | None


def due_callbacks(session: Session, *, now: datetime, limit: int = 100) -> list[DueCallback]:
    """Pending callbacks due by now, oldest first, with the campaign they came from."""
    rows = session.execute(
        select(Callback.id, Callback.account_id, Callback.owner_agent_id, Attempt.campaign_id)
        .outerjoin(Outcome, Outcome.id == Callback.outcome_id)
        .outerjoin(Attempt, Attempt.id == Outcome.attempt_id)
        .where(Callback.status == CallbackStatus.PENDING, Callback.due_at <= now)
        .order_by(Callback.due_at)
        .limit(limit)
    ).all()
    return [DueCallback(r[0], r[1], r[2], r[3]) for r in rows]


def start_callback(
    session: Session, *, callback: DueCallback, agent_id: int | None, now: datetime
) -> int | None:
    """Dial a due callback if the contact rules allow it now; the attempt id, or None to wait."""
    row = session.get_one(Callback, callback.callback_id, with_for_update=True)
    if row.status != CallbackStatus.PENDING:
        return None
    account = session.get_one(Account, row.account_id)
    if account.status in CLOSED:
        row.status = CallbackStatus.CANCELLED
        return None
    point_id = row.contact_point_id or session.scalar(
        select(ContactPoint.id)
        .where(
            ContactPoint.debtor_id == account.debtor_id,
            ContactPoint.kind == ContactKind.PHONE,
            ContactPoint.invalid.is_(False),
        )
        .order_by(ContactPoint.priority)
    )
    decision = check_account_contact(
        session,
        account_id=account.id,
        channel=Channel.VOICE,
        contact_point_id=point_id,
        now=now,
        context="callback",
        campaign_id=callback.campaign_id,
    )
    if not decision.allowed:
        return None
    attempt = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        campaign_id=callback.campaign_id,
        contact_point_id=point_id,
        agent_id=agent_id,
        channel=Channel.VOICE,
        status=AttemptStatus.PENDING,
        dedup_key=f"callback:{row.id}",
        created_at=now,
    )
    session.add(attempt)
    session.flush()
    row.status = CallbackStatus.DONE
    enqueue_attempt_after_commit(session, attempt.id)
    return attempt.id


def release_callbacks(session: Session, *, agent_id: int, now: datetime) -> list[int]:
    """The agent is gone (offline past the presence grace): its due personal callbacks go to
    any agent of their campaign. Returns the released callbacks' ids."""
    rows = session.scalars(
        select(Callback).where(
            Callback.owner_agent_id == agent_id,
            Callback.status == CallbackStatus.PENDING,
            Callback.due_at <= now,
        )
    ).all()
    for row in rows:
        row.owner_agent_id = None
        record(
            session,
            action="callback.released",
            entity=row,
            actor_label="system:presence",
            at=now,
            data={"callback_id": row.id, "from_agent_id": agent_id},
        )
    return [row.id for row in rows]
