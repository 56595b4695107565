"""What agents did: every state they were in, with when it began and ended."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base


class AgentActivity(Base):
    """One stretch of one agent in one state (ready, reserved, on call, wrap-up, paused with its
    reason, offline). The open stretch has no end yet; rows come from the console's state changes
    in order, one per change, so time in state, occupancy and pauses can be computed for any
    period."""

    __tablename__ = "agent_activity"
    __table_args__ = (Index(None, "agent_id", "started_at"), Index(None, "started_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    """The state change that opened the stretch (its Redis stream id): recording is idempotent."""
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(20), default="")
    attempt_id: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    duration_seconds: Mapped[float | None] = mapped_column(Float)
