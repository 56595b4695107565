"""Portfolios as imported: debtors, their accounts and the ways to reach them."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.models.base import Base, TenantOwned, Timestamped
from campaigns.models.enums import AccountStatus, AgingBucket, Channel, ContactKind, LineType


class Portfolio(TenantOwned, Timestamped, Base):
    """One import of a creditor's file, with its summary and rejects."""

    __tablename__ = "portfolios"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    as_of: Mapped[date] = mapped_column(Date)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    escalated: Mapped[int] = mapped_column(Integer, default=0)
    rejects_csv: Mapped[str] = mapped_column(Text, default="")


def _same_as_timezone(context: Any) -> Any:
    return context.get_current_parameters()["timezone"]


class Debtor(TenantOwned, Timestamped, Base):
    """A person who owes a creditor, and the time zones the contact windows are checked in.

    `timezones` holds every candidate zone, primary first, space-separated (see
    campaigns/debtor_zones); `timezone` is the primary one, for dates shown to people;
    `stated_timezone` is the zone the creditor's file stated, which overrides every other source.
    """

    __tablename__ = "debtors"
    __table_args__ = (
        UniqueConstraint("client_id", "national_id"),
        Index(None, "client_id", "timezones", "country"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    national_id: Mapped[str | None] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    timezones: Mapped[str] = mapped_column(String(1000), default=_same_as_timezone)
    stated_timezone: Mapped[str | None] = mapped_column(String(64))

    contact_points: Mapped[list["ContactPoint"]] = relationship(
        back_populates="debtor", order_by="ContactPoint.priority"
    )
    accounts: Mapped[list["Account"]] = relationship(back_populates="debtor")


class ContactPoint(TenantOwned, Timestamped, Base):
    """A phone number (E.164) or e-mail address of a debtor."""

    __tablename__ = "contact_points"
    __table_args__ = (UniqueConstraint("debtor_id", "kind", "value"), Index(None, "value"))

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ContactKind] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(254))
    line_type: Mapped[LineType | None] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    source_column: Mapped[str | None] = mapped_column(String(60))
    invalid: Mapped[bool] = mapped_column(Boolean, default=False)
    invalid_reason: Mapped[str | None] = mapped_column(String(200))
    invalid_at: Mapped[datetime | None]

    debtor: Mapped[Debtor] = relationship(back_populates="contact_points")
    permissions: Mapped[list["ChannelPermission"]] = relationship(back_populates="contact_point")


class ChannelPermission(TenantOwned, Base):
    """Consent and opt-out of one channel of one contact point, with when and how each was given."""

    __tablename__ = "channel_permissions"
    # Today's live report figures read the opt-outs of the day.
    __table_args__ = (UniqueConstraint("contact_point_id", "channel"), Index(None, "opted_out_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_point_id: Mapped[int] = mapped_column(
        ForeignKey("contact_points.id", ondelete="CASCADE")
    )
    channel: Mapped[Channel] = mapped_column(String(10))
    opted_in_at: Mapped[datetime | None]
    opt_in_source: Mapped[str | None] = mapped_column(String(80))
    opted_out_at: Mapped[datetime | None]
    opt_out_source: Mapped[str | None] = mapped_column(String(80))

    contact_point: Mapped[ContactPoint] = relationship(back_populates="permissions")


class DoNotContact(Timestamped, Base):
    """A number, address or debtor that must never be contacted (for one client, or for all)."""

    __tablename__ = "do_not_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    value: Mapped[str | None] = mapped_column(String(254), index=True)
    debtor_id: Mapped[int | None] = mapped_column(ForeignKey("debtors.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(80))


class Account(TenantOwned, Timestamped, Base):
    """A debt the creditor assigned for collection; days overdue are derived, never stored."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("client_id", "account_ref"),
        Index(None, "client_id", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int | None] = mapped_column(ForeignKey("portfolios.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id"), index=True)
    account_ref: Mapped[str] = mapped_column(String(60))
    product: Mapped[str | None] = mapped_column(String(80))
    original_balance: Mapped[Decimal]
    balance: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[AccountStatus] = mapped_column(String(20), default=AccountStatus.ACTIVE)
    status_changed_at: Mapped[datetime | None]
    priority_boost: Mapped[int] = mapped_column(Integer, default=0)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime | None]

    debtor: Mapped[Debtor] = relationship(back_populates="accounts")

    def days_overdue(self, today: date) -> int:
        """Days between the due date and today (negative before it is due)."""
        return (today - self.due_date).days

    def aging_bucket(self, today: date) -> AgingBucket:
        """The aging bucket the account falls in today."""
        return aging_bucket(self.days_overdue(today))


# The scheduler walks a campaign's accounts in pick order (scheduler/eligibility/matching.py).
Index(
    "ix_accounts_pick_order",
    Account.client_id,
    Account.priority_boost.desc(),
    Account.due_date,
    Account.balance.desc(),
    Account.id,
)


def aging_bucket(days_overdue: int) -> AgingBucket:
    """The aging bucket for a number of days overdue."""
    if days_overdue <= 0:
        return AgingBucket.CURRENT
    if days_overdue <= 30:
        return AgingBucket.B1_30
    if days_overdue <= 60:
        return AgingBucket.B31_60
    if days_overdue <= 90:
        return AgingBucket.B61_90
    return AgingBucket.OVER_90
