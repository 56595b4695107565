"""A campaign's progress on each account, kept in step with its attempts.

Every attempt of a campaign updates the row of its (campaign, account) in the transaction that
creates it: the ORM's attempts through a flush hook, the scheduler's bulk insert through
`record_new_attempts`. The selection then reads one row per account instead of looking the
attempts up.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, case, event
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from campaigns.db import conflict_insert
from campaigns.models.base import Base, TenantOwned
from campaigns.models.contact import Attempt


class CampaignProgress(TenantOwned, Base):
    """The first and the last attempt of one campaign on one account, and how many it made.

    Written in the transaction that creates the attempts (below); the
    last attempt's status, step and try are read through `last_attempt_id`, so a status change
    needs no write here.
    """

    __tablename__ = "campaign_progress"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    first_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True)
class NewAttempt:
    """What the progress row needs of a created attempt."""

    id: int
    client_id: int
    campaign_id: int
    account_id: int
    created_at: datetime


def record_new_attempts(session: Session, attempts: Iterable[NewAttempt]) -> None:
    """Fold newly created attempts into their campaign's progress rows (one statement)."""
    merged: dict[tuple[int, int], dict[str, Any]] = {}
    for a in attempts:
        key = (a.campaign_id, a.account_id)
        row = merged.get(key)
        if row is None:
            merged[key] = {
                "campaign_id": a.campaign_id,
                "account_id": a.account_id,
                "client_id": a.client_id,
                "last_attempt_id": a.id,
                "first_at": a.created_at,
                "attempts": 1,
            }
        else:
            row["last_attempt_id"] = max(row["last_attempt_id"], a.id)
            row["first_at"] = min(row["first_at"], a.created_at)
            row["attempts"] += 1
    if not merged:
        return
    statement = conflict_insert(session)(CampaignProgress).values(list(merged.values()))
    table = CampaignProgress.__table__.c
    new = statement.excluded
    session.connection().execute(
        statement.on_conflict_do_update(
            index_elements=["campaign_id", "account_id"],
            set_={
                "last_attempt_id": case(
                    (new.last_attempt_id > table.last_attempt_id, new.last_attempt_id),
                    else_=table.last_attempt_id,
                ),
                "first_at": case(
                    (new.first_at < table.first_at, new.first_at), else_=table.first_at
                ),
                "attempts": table.attempts + new.attempts,
            },
        )
    )


@event.listens_for(Session, "after_flush")
def _progress_of_flushed_attempts(session: Session, _flush: UOWTransaction) -> None:
    """Attempts added through the ORM update their progress rows in the same flush."""
    created = [
        NewAttempt(a.id, a.client_id, a.campaign_id, a.account_id, a.created_at)
        for a in session.new
        if isinstance(a, Attempt) and a.campaign_id is not None
    ]
    if created:
        record_new_attempts(session, created)
