"""Creditors (clients), the people who use Acuerdo, and which creditors staff may work."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base, TenantOwned, Timestamped
from campaigns.models.enums import ComplianceProfile, Role


class Client(Timestamped, Base):
    """A creditor whose portfolio the BPO collects, with its negotiation policy."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(10), default="es_MX")
    compliance_profile: Mapped[ComplianceProfile] = mapped_column(String(4))
    compliance_overrides: Mapped[dict[str, Any]] = mapped_column(default=dict)

    max_promise_days: Mapped[int] = mapped_column(Integer, default=15)
    early_payment_discount_pct: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), default=Decimal("10")
    )
    min_down_payment_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("20"))
    max_installments: Mapped[int] = mapped_column(Integer, default=6)

    callback_number: Mapped[str | None] = mapped_column(String(20))
    caller_id: Mapped[str | None] = mapped_column(String(20))
    sms_sender: Mapped[str | None] = mapped_column(String(40))
    whatsapp_sender: Mapped[str | None] = mapped_column(String(40))
    whatsapp_templates: Mapped[dict[str, Any]] = mapped_column(default=dict)

    payment_link_template: Mapped[str | None] = mapped_column(String(500))
    """The creditor's payment page, with `{account_ref}` where the account's reference goes."""
    product_scripts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Which negotiation script each product gets: {"products": {product: script}, "default":
    script}."""
    extra_forbidden_phrases: Mapped[list[Any]] = mapped_column(default=list)
    """Phrases this creditor forbids in scripts and messages, beyond the law's."""
    recovery_target_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    kept_rate_target_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    """The contract's monthly targets the creditor judges the BPO on."""
    inbound_callback_offer_seconds: Mapped[int] = mapped_column(Integer, default=120)
    """How long an inbound caller waits in the queue before being offered a callback."""


class User(Timestamped, Base):
    """Someone who signs in: BPO staff, or a creditor's viewer tied to one client."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(160))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(20))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    locale: Mapped[str] = mapped_column(String(10), default="es_MX")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None]
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    """Signed in with a temporary password: nothing but choosing a new one until it is changed."""


class ClientSettingsVersion(TenantOwned, Base):
    """One saved version of a creditor's settings: every value, what changed, who and when."""

    __tablename__ = "client_settings_versions"
    __table_args__ = (UniqueConstraint("client_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    settings: Mapped[dict[str, Any]] = mapped_column()
    changed: Mapped[list[Any]] = mapped_column()
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_by_label: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column()


class UserClientAccess(Base):
    """A staff member (agent, supervisor, manager) allowed to work one creditor's data."""

    __tablename__ = "user_client_access"
    __table_args__ = (UniqueConstraint("user_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
