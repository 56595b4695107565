"""The append-only audit trail: who did what to which account, and when."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from campaigns.models.base import Base


class AuditEvent(Base):
    """One recorded action. Rows are inserted, never updated or deleted."""

    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "account_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column()


class AuditEventIsAppendOnly(RuntimeError):
    """An attempt to change or remove an audit event."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(_mapper: Mapper[AuditEvent], _connection: object, target: AuditEvent) -> None:
    raise AuditEventIsAppendOnly(f"audit event {target.id} is append-only")
