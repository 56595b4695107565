"""Contact attempts, their status history, inbound messages and refusals to contact."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base, TenantOwned, Timestamped
from campaigns.models.enums import AttemptStatus, Channel, MessageDirection


class Attempt(TenantOwned, Timestamped, Base):
    """One try to reach a debtor on one channel; the row, not rq, is the truth of its state."""

    __tablename__ = "attempts"
    __table_args__ = (
        Index(None, "account_id", "created_at"),
        Index(None, "campaign_id", "status"),
        Index(None, "status", "created_at"),
        Index(None, "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    contact_point_id: Mapped[int | None] = mapped_column(ForeignKey("contact_points.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[Channel] = mapped_column(String(10))
    status: Mapped[AttemptStatus] = mapped_column(String(16), default=AttemptStatus.PENDING)
    dedup_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    step_index: Mapped[int] = mapped_column(Integer, default=0)
    try_number: Mapped[int] = mapped_column(Integer, default=1)
    # Why the scheduler brought the account back after the campaign's steps were done (recycling).
    recycle_reason: Mapped[str | None] = mapped_column(String(20))
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    template_key: Mapped[str | None] = mapped_column(String(60))
    body: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(30))
    abandoned: Mapped[bool] = mapped_column(Boolean, default=False)
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(String(300))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    dispatch_tries: Mapped[int] = mapped_column(Integer, default=0)
    dispatching_at: Mapped[datetime | None]
    dispatched_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    # The provider's recording of the call (its conference), when the campaign records.
    recording_sid: Mapped[str | None] = mapped_column(String(64))
    recording_url: Mapped[str | None] = mapped_column(String(300))
    ended_at: Mapped[datetime | None]
    # Why we contact ("collection", "reminder", "thanks"): the send-time check applies the rules
    # of that purpose. A message that found the debtor's window closed waits until `hold_until`.
    purpose: Mapped[str] = mapped_column(
        String(16), default="collection", server_default="collection"
    )
    hold_until: Mapped[datetime | None]
    # Outbound (we dialed or messaged) or inbound (the debtor called the creditor's number).
    direction: Mapped[MessageDirection] = mapped_column(
        String(8), default=MessageDirection.OUTBOUND, server_default="outbound"
    )


# The statuses Acuerdo writes on a call's events itself (the others are the provider's words).
GREETED = "greeted"
"""The answer webhook came with a person's verdict: machine detection has heard the debtor's
greeting, and the 2 seconds to put an agent on the line count from here (a call answered
without detection is greeted when it is picked up)."""
ROUTED = "routed"
"""The answered call was given to an agent."""


class AttemptEvent(TenantOwned, Base):
    """A status an attempt went through; provider events are stored once per SID and status."""

    __tablename__ = "attempt_events"
    __table_args__ = (UniqueConstraint("provider_sid", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    status: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(20))
    provider_sid: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    occurred_at: Mapped[datetime] = mapped_column()

    @classmethod
    def on(
        cls,
        attempt: Attempt,
        status: str,
        now: datetime,
        *,
        source: str = "acuerdo",
        data: dict[str, Any] | None = None,
    ) -> "AttemptEvent":
        """An event on `attempt` that did not come from the provider, to add to the session."""
        return cls(
            client_id=attempt.client_id,
            attempt_id=attempt.id,
            status=status,
            source=source,
            data=data or {},
            occurred_at=now,
        )


class InboundMessage(TenantOwned, Timestamped, Base):
    """An SMS or WhatsApp message a debtor sent us."""

    __tablename__ = "inbound_messages"
    # Today's live report figures read the replies received in the day.
    __table_args__ = (UniqueConstraint("provider_sid", "client_id"), Index(None, "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_sid: Mapped[str] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(String(10))
    contact_point_id: Mapped[int | None] = mapped_column(ForeignKey("contact_points.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    handled_as: Mapped[str] = mapped_column(String(20))
    # When a person of the creditor read a reply (the inbox counts the unread ones).
    read_at: Mapped[datetime | None]
    read_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ContactRefusal(TenantOwned, Base):
    """A contact the compliance check refused, with the rule that refused it."""

    __tablename__ = "contact_refusals"
    __table_args__ = (Index(None, "account_id", "checked_at"), Index(None, "checked_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    channel: Mapped[Channel | None] = mapped_column(String(10))
    rule: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(String(300))
    context: Mapped[str] = mapped_column(String(20))
    checked_at: Mapped[datetime] = mapped_column()
