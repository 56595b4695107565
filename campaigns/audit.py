"""Writing the append-only audit trail."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from campaigns.models import Account, AuditEvent


def record(
    session: Session,
    *,
    action: str,
    entity: Any,
    actor_label: str,
    at: datetime,
    actor_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append who did what to which row (and which account, when the row has one), at `at`."""
    account_id = entity.id if isinstance(entity, Account) else getattr(entity, "account_id", None)
    event = AuditEvent(
        client_id=getattr(entity, "client_id", None),
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        entity_type=type(entity).__tablename__,
        entity_id=entity.id,
        account_id=account_id,
        data=data or {},
        created_at=at,
    )
    session.add(event)
    return event
