"""Campaigns: a manager's contact strategy over a creditor's portfolio."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base, TenantOwned, Timestamped
from campaigns.models.enums import CampaignStatus, DialingMode


class Campaign(TenantOwned, Timestamped, Base):
    """Who is contacted, by which channel, when, with which script and messages."""

    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("client_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[CampaignStatus] = mapped_column(String(12), default=CampaignStatus.DRAFT)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    dialing_mode: Mapped[DialingMode] = mapped_column(String(12), default=DialingMode.PROGRESSIVE)
    caller_id: Mapped[str | None] = mapped_column(String(20))
    abandon_target_pct: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("3.00"))
    max_lines: Mapped[int] = mapped_column(Integer, default=50)
    account_filter: Mapped[dict[str, Any]] = mapped_column(default=dict)
    steps: Mapped[list[Any]] = mapped_column(default=list)
    retry_rules: Mapped[dict[str, Any]] = mapped_column(default=dict)
    recycling: Mapped[dict[str, Any]] = mapped_column(default=dict)
    script: Mapped[dict[str, Any]] = mapped_column(default=dict)
    templates: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Wrap-up after each call: base seconds, the most an agent may extend it to, and what is
    # recorded when it runs out without a valid form (None: the settings' defaults, unrecorded).
    wrap_up_seconds: Mapped[int | None] = mapped_column(Integer)
    wrap_up_max_seconds: Mapped[int | None] = mapped_column(Integer)
    wrap_up_default_disposition: Mapped[str | None] = mapped_column(String(20))
    # Calls are recorded through their conference, after the country's disclosure.
    record_calls: Mapped[bool] = mapped_column(Boolean, default=False)

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paused_at: Mapped[datetime | None]
    paused_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finished_at: Mapped[datetime | None]
    finished_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CampaignAgent(Base):
    """An agent assigned to work a campaign."""

    __tablename__ = "campaign_agents"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
