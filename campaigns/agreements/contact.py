"""Stopping contact with an account at once: pending callbacks and attempts are cancelled."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptEvent,
    AttemptStatus,
    Callback,
    CallbackStatus,
)

NOT_YET_SENT = (AttemptStatus.PENDING, AttemptStatus.QUEUED)

# A broken promise puts the account ahead of every account that never promised.
BROKEN_PROMISE_BOOST = 100


def cancel_pending_contact(
    session: Session,
    *,
    account_id: int,
    now: datetime,
    reason: str,
    contact_point_id: int | None = None,
    except_attempt_id: int | None = None,
) -> tuple[int, int]:
    """Cancel the account's pending callbacks and not-yet-sent attempts (of one point, if given).

    Returns how many attempts and callbacks were cancelled.
    """
    attempts = select(Attempt).where(
        Attempt.account_id == account_id, Attempt.status.in_(NOT_YET_SENT)
    )
    if contact_point_id is not None:
        attempts = attempts.where(Attempt.contact_point_id == contact_point_id)
    cancelled = 0
    for attempt in session.scalars(attempts.with_for_update()).all():
        if attempt.id == except_attempt_id:
            continue
        attempt.status = AttemptStatus.CANCELED
        attempt.ended_at = now
        attempt.error_message = reason[:300]
        session.add(
            AttemptEvent(
                client_id=attempt.client_id,
                attempt_id=attempt.id,
                status=AttemptStatus.CANCELED,
                source="agreements",
                data={"reason": reason},
                occurred_at=now,
            )
        )
        cancelled += 1
    callbacks = select(Callback).where(
        Callback.account_id == account_id, Callback.status == CallbackStatus.PENDING
    )
    if contact_point_id is not None:
        callbacks = callbacks.where(Callback.contact_point_id == contact_point_id)
    dropped = 0
    for callback in session.scalars(callbacks).all():
        callback.status = CallbackStatus.CANCELLED
        dropped += 1
    return cancelled, dropped


def set_status(account: Account, status: AccountStatus, now: datetime) -> None:
    """Move the account to a status, stamping when it changed."""
    if account.status != status:
        account.status = status
        account.status_changed_at = now
        account.updated_at = now
