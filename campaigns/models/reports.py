"""Daily figures kept for reports: one row per operating day and dimensions, filled by the rollup
(campaigns/reports/rollup.py), so reports never rescan attempts for closed days.

Every table is rebuilt a whole day at a time: the rollup deletes a day's rows and inserts them
again, then marks the day in `report_rolled_days`. Text dimensions use "" for "none" so they can
be grouped and compared on every backend.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base


class ReportRolledDay(Base):
    """An operating day whose figures are in the summary tables, and when they were computed."""

    __tablename__ = "report_rolled_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rolled_up_at: Mapped[datetime]


class ReportProvisionalDay(Base):
    """An open operating day (today) whose portfolio snapshot was stored ahead of its close, so
    reports need not scan every account live; the rollup replaces it when the day closes."""

    __tablename__ = "report_provisional_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    computed_at: Mapped[datetime]


class ReportContactDay(Base):
    """Contact funnel counts per day x creditor x portfolio x campaign x channel x product x
    region x aging bucket (each measure on its own day: attempts when created, promises due on
    their due date, disputes when opened or resolved)."""

    __tablename__ = "report_contact_days"
    __table_args__ = (Index("ix_report_contact_days_day", "day", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    portfolio_id: Mapped[int | None] = mapped_column(Integer)
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10))
    product: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(80))
    aging_bucket: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    connected: Mapped[int] = mapped_column(Integer, default=0)
    right_party: Mapped[int] = mapped_column(Integer, default=0)
    promises: Mapped[int] = mapped_column(Integer, default=0)
    amount_promised: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    promises_due: Mapped[int] = mapped_column(Integer, default=0)
    promises_kept: Mapped[int] = mapped_column(Integer, default=0)
    promises_broken: Mapped[int] = mapped_column(Integer, default=0)
    amount_due: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    amount_kept: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    abandoned: Mapped[int] = mapped_column(Integer, default=0)
    answer_wait_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    answer_waits: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    replied: Mapped[int] = mapped_column(Integer, default=0)
    disputes_opened: Mapped[int] = mapped_column(Integer, default=0)
    disputes_resolved: Mapped[int] = mapped_column(Integer, default=0)
    opt_outs: Mapped[int] = mapped_column(Integer, default=0)


class ReportAgentDay(Base):
    """What one agent did for one creditor's campaign in a day (calls and their results)."""

    __tablename__ = "report_agent_days"
    __table_args__ = (Index("ix_report_agent_days_day", "day", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    handled: Mapped[int] = mapped_column(Integer, default=0)
    talk_seconds: Mapped[int] = mapped_column(Integer, default=0)
    right_party: Mapped[int] = mapped_column(Integer, default=0)
    promises: Mapped[int] = mapped_column(Integer, default=0)
    amount_promised: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    amount_kept: Mapped[Decimal] = mapped_column(default=Decimal("0"))


class ReportAgentStateDay(Base):
    """Seconds one agent spent in one state in a day, from the agent activity history (paused
    time is keyed `paused:<reason>`)."""

    __tablename__ = "report_agent_state_days"
    __table_args__ = (Index("ix_report_agent_state_days_day", "day", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(40))
    seconds: Mapped[float] = mapped_column(Float)


class ReportPortfolioDay(Base):
    """The portfolio at the end of a day: accounts and balance per creditor x portfolio x
    product x region x aging bucket ("paid" when nothing is owed), the amount assigned so far
    and the payments received that day."""

    __tablename__ = "report_portfolio_days"
    __table_args__ = (Index("ix_report_portfolio_days_day", "day", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    portfolio_id: Mapped[int | None] = mapped_column(Integer)
    product: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(80))
    aging_bucket: Mapped[str] = mapped_column(String(8))
    accounts: Mapped[int] = mapped_column(Integer, default=0)
    balance: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    assigned: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    collected: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    escalated: Mapped[int] = mapped_column(Integer, default=0)


class ReportRollMonth(Base):
    """Balance that moved between aging buckets from the end of one month to the end of the
    next (`month` is the first day of the later month), for roll and cure rates."""

    __tablename__ = "report_roll_months"
    __table_args__ = (Index("ix_report_roll_months_month", "month", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    portfolio_id: Mapped[int | None] = mapped_column(Integer)
    product: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(80))
    from_bucket: Mapped[str] = mapped_column(String(8))
    to_bucket: Mapped[str] = mapped_column(String(8))
    accounts: Mapped[int] = mapped_column(Integer, default=0)
    balance: Mapped[Decimal] = mapped_column(default=Decimal("0"))


class ReportRefusalDay(Base):
    """Contacts the compliance check refused in a day, per creditor x campaign x channel x rule."""

    __tablename__ = "report_refusal_days"
    __table_args__ = (Index("ix_report_refusal_days_day", "day", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    portfolio_id: Mapped[int | None] = mapped_column(Integer)
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10))
    rule: Mapped[str] = mapped_column(String(40))
    refusals: Mapped[int] = mapped_column(Integer, default=0)


class ReportDebtorContactDay(Base):
    """How many debtors got `contacts` attempts on a channel in a day (a histogram per creditor),
    the evidence that per-debtor caps held."""

    __tablename__ = "report_debtor_contact_days"
    __table_args__ = (Index("ix_report_debtor_contact_days_day", "day", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    contacts: Mapped[int] = mapped_column(Integer)
    debtors: Mapped[int] = mapped_column(Integer)
