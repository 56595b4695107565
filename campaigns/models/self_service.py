"""What debtors choose on the self-service page: contact preferences and data-subject requests."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base, TenantOwned, Timestamped


class ContactPreference(TenantOwned, Timestamped, Base):
    """The channels and local hours a debtor accepts contact on (stricter than the law, never
    looser: the compliance check applies both). Hours are minutes of the debtor's local day,
    `earliest_minute` included and `latest_minute` excluded; None means no narrowing."""

    __tablename__ = "contact_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(
        ForeignKey("debtors.id", ondelete="CASCADE"), unique=True
    )
    accepts_voice: Mapped[bool] = mapped_column(Boolean, default=True)
    accepts_sms: Mapped[bool] = mapped_column(Boolean, default=True)
    accepts_whatsapp: Mapped[bool] = mapped_column(Boolean, default=True)
    earliest_minute: Mapped[int | None] = mapped_column(Integer)
    latest_minute: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class DataSubjectRequest(TenantOwned, Timestamped, Base):
    """A debtor's request about their personal data (ARCO in Mexico, habeas data in Colombia),
    with the statutory date it must be answered by."""

    __tablename__ = "data_subject_requests"
    __table_args__ = (
        Index("ix_data_subject_requests_open_by_due", "client_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(String(20))
    law: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="open")
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str] = mapped_column(Text, default="")
