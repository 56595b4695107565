"""What contacts produce: outcomes, promises, plans, disputes, callbacks and payments."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaigns.models.base import Base, TenantOwned, Timestamped
from campaigns.models.enums import (
    CallbackStatus,
    Disposition,
    DisputeStatus,
    InstallmentStatus,
    PlanStatus,
    PromiseStatus,
)


class Outcome(TenantOwned, Timestamped, Base):
    """What an agent recorded about a contact; one per submission key and one per attempt."""

    __tablename__ = "outcomes"
    __table_args__ = (Index(None, "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    # One outcome per attempt (a unique index; accounts worked without a call have none).
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempts.id"), index=True, unique=True
    )
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    disposition: Mapped[Disposition] = mapped_column(String(20))
    right_party: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class PromiseToPay(TenantOwned, Timestamped, Base):
    """A debtor's promise to pay an amount by a date."""

    __tablename__ = "promises"
    # Today's live report figures read the promises made in the day.
    __table_args__ = (Index(None, "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"))
    amount: Mapped[Decimal]
    due_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[PromiseStatus] = mapped_column(String(12), default=PromiseStatus.PENDING)
    reminder_sent_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]


class PaymentPlan(TenantOwned, Timestamped, Base):
    """An agreed instalment plan: a down payment and equal instalments."""

    __tablename__ = "payment_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"))
    total_amount: Mapped[Decimal]
    down_payment: Mapped[Decimal]
    installment_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[PlanStatus] = mapped_column(String(12), default=PlanStatus.ACTIVE)
    broken_at: Mapped[datetime | None]

    installments: Mapped[list["Installment"]] = relationship(
        back_populates="plan", order_by="Installment.number"
    )


class Installment(TenantOwned, Base):
    """One payment of a plan (number 0 is the down payment)."""

    __tablename__ = "installments"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("payment_plans.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal]
    paid_amount: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    status: Mapped[InstallmentStatus] = mapped_column(String(10), default=InstallmentStatus.PENDING)
    reminder_sent_at: Mapped[datetime | None]

    plan: Mapped[PaymentPlan] = relationship(back_populates="installments")


class Dispute(TenantOwned, Timestamped, Base):
    """A debtor's dispute of the debt; contact holds while it is open."""

    __tablename__ = "disputes"
    # Today's live report figures read the disputes opened and resolved in the day.
    __table_args__ = (Index(None, "created_at"), Index(None, "resolved_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[DisputeStatus] = mapped_column(String(10), default=DisputeStatus.OPEN)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(Text)


class Callback(TenantOwned, Timestamped, Base):
    """A call back the debtor asked for; personal when it has an owner agent."""

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"))
    contact_point_id: Mapped[int | None] = mapped_column(ForeignKey("contact_points.id"))
    owner_agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[CallbackStatus] = mapped_column(String(10), default=CallbackStatus.PENDING)


class Payment(TenantOwned, Timestamped, Base):
    """Money the creditor reports as received on an account."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("client_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount: Mapped[Decimal]
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(40))
