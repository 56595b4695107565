"""Stopping contact with an account at once: pending callbacks and attempts are cancelled."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, insert, select, update
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
    account_id: int | None = None,
    account_ids: Sequence[int] = (),
    now: datetime,
    reason: str,
    contact_point_id: int | None = None,
    except_attempt_id: int | None = None,
) -> tuple[int, int]:
    """Cancel pending callbacks and not-yet-sent attempts of accounts (of one point, if given).

    Set-based, for one account or many. Returns how many attempts and callbacks were cancelled.
    """
    ids = [*account_ids, *([account_id] if account_id is not None else [])]
    if not ids:
        return 0, 0
    attempt_filter: list[ColumnElement[bool]] = [
        Attempt.account_id.in_(ids),
        Attempt.status.in_(NOT_YET_SENT),
    ]
    callback_filter: list[ColumnElement[bool]] = [
        Callback.account_id.in_(ids),
        Callback.status == CallbackStatus.PENDING,
    ]
    if contact_point_id is not None:
        attempt_filter.append(Attempt.contact_point_id == contact_point_id)
        callback_filter.append(Callback.contact_point_id == contact_point_id)
    if except_attempt_id is not None:
        attempt_filter.append(Attempt.id != except_attempt_id)
    found = session.execute(
        select(Attempt.id, Attempt.client_id).where(*attempt_filter).with_for_update()
    ).all()
    if found:
        session.execute(
            update(Attempt)
            .where(Attempt.id.in_([row.id for row in found]))
            .values(status=AttemptStatus.CANCELED, ended_at=now, error_message=reason[:300])
        )
        session.execute(
            insert(AttemptEvent),
            [
                {
                    "client_id": row.client_id,
                    "attempt_id": row.id,
                    "status": AttemptStatus.CANCELED,
                    "source": "agreements",
                    "data": {"reason": reason},
                    "occurred_at": now,
                }
                for row in found
            ],
        )
    dropped = session.execute(
        update(Callback).where(*callback_filter).values(status=CallbackStatus.CANCELLED)
    )
    return len(found), int(getattr(dropped, "rowcount", 0) or 0)


def set_status(account: Account, status: AccountStatus, now: datetime) -> None:
    """Move the account to a status, stamping when it changed."""
    if account.status != status:
        account.status = status
        account.status_changed_at = now
        account.updated_at = now
