"""Small helpers that create test data with sensible defaults."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import (
    Account,
    Attempt,
    Campaign,
    CampaignAgent,
    CampaignStatus,
    Channel,
    ChannelPermission,
    Client,
    ComplianceProfile,
    ContactKind,
    ContactPoint,
    Debtor,
    LineType,
    Role,
    User,
    UserClientAccess,
)
from campaigns.passwords import hash_password

TODAY = date(2026, 11, 23)
# When the rows a factory makes were created: a fixed instant before every test's `now`.
CREATED_AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
# Noon in Mexico City on TODAY.
TODAY_NOON = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def make_client(
    session: Session,
    *,
    name: str = "Cablevisión Norte",
    country: str = "MX",
    timezone: str = "America/Mexico_City",
    currency: str = "MXN",
    profile: ComplianceProfile = ComplianceProfile.MX,
) -> Client:
    client = Client(
        name=name,
        country=country,
        timezone=timezone,
        currency=currency,
        locale="es_MX",
        compliance_profile=profile,
        callback_number="+525555550100",
        created_at=CREATED_AT,
    )
    session.add(client)
    session.flush()
    return client


def make_account(
    session: Session,
    *,
    client: Client | None = None,
    days_overdue: int = 30,
    balance: str = "1200.00",
    phone: str | None = "+525512345678",
    today: date = TODAY,
    ref: str | None = None,
    name: str = "Juana Pérez",
    timezone: str | None = None,
) -> Account:
    client = client or make_client(session)
    debtor = Debtor(
        client_id=client.id,
        name=name,
        country=client.country,
        timezone=timezone or client.timezone,
        created_at=CREATED_AT,
    )
    session.add(debtor)
    session.flush()
    if phone:
        point = ContactPoint(
            client_id=client.id,
            debtor_id=debtor.id,
            kind=ContactKind.PHONE,
            value=phone,
            line_type=LineType.MOBILE,
            created_at=CREATED_AT,
        )
        session.add(point)
        session.flush()
    count = session.query(Account).filter_by(client_id=client.id).count()
    account = Account(
        client_id=client.id,
        debtor_id=debtor.id,
        account_ref=ref or f"ACC-{count + 1:05d}",
        product="Internet 50 Mbps",
        original_balance=Decimal(balance),
        balance=Decimal(balance),
        currency=client.currency,
        due_date=today - timedelta(days=days_overdue),
        created_at=CREATED_AT,
    )
    session.add(account)
    session.flush()
    return account


def opt_in(session: Session, point: ContactPoint, channel: str, when: object) -> ChannelPermission:
    permission = ChannelPermission(
        client_id=point.client_id,
        contact_point_id=point.id,
        channel=channel,
        opted_in_at=when,
        opt_in_source="test",
    )
    session.add(permission)
    session.flush()
    return permission


def make_user(
    session: Session,
    *,
    username: str = "agente1",
    role: Role = Role.AGENT,
    password: str = "contraseña-segura-1",
    client: Client | None = None,
    access: list[Client] | None = None,
) -> User:
    user = User(
        username=username,
        full_name=username.title(),
        password_hash=hash_password(password),
        role=role,
        client_id=client.id if client and role == Role.CLIENT_VIEWER else None,
        created_at=CREATED_AT,
    )
    session.add(user)
    session.flush()
    for allowed in access or []:
        session.add(UserClientAccess(user_id=user.id, client_id=allowed.id))
    session.flush()
    return user


def make_campaign(
    session: Session,
    *,
    client: Client,
    name: str = "Mora temprana",
    agents: list[User] | None = None,
    mode: str = "progressive",
) -> Campaign:
    campaign = Campaign(
        client_id=client.id,
        name=name,
        status=CampaignStatus.ACTIVE,
        dialing_mode=mode,
        steps=[{"day": 0, "channel": "voice"}],
        created_at=CREATED_AT,
    )
    session.add(campaign)
    session.flush()
    for agent in agents or []:
        session.add(CampaignAgent(campaign_id=campaign.id, user_id=agent.id))
    session.flush()
    return campaign


def make_call_attempt(
    session: Session,
    *,
    account: Account,
    campaign: Campaign | None = None,
    created_at: datetime | None = None,
    **columns: Any,
) -> Attempt:
    """A voice attempt to the account's phone, created now unless told (end-to-end tests run
    on the real clock); `columns` sets any other column (status, provider_sid, dedup_key...)."""
    point = session.scalars(
        select(ContactPoint).where(ContactPoint.debtor_id == account.debtor_id)
    ).one()
    attempt = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        campaign_id=campaign.id if campaign else None,
        contact_point_id=point.id,
        channel=Channel.VOICE,
        created_at=created_at or datetime.now(UTC),
        **columns,
    )
    session.add(attempt)
    session.flush()
    return attempt


def zone_where_it_is_midday() -> str:
    """A fixed-offset zone where the local time is now between 10:00 and 14:00.

    For end-to-end tests whose processes read the real clock: a debtor there is inside every
    profile's contact window whatever time the suite runs.
    """
    now = datetime.now(UTC)
    offset = 12 - now.hour
    offset = (offset + 12) % 24 - 12
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def reachable_now() -> dict[str, Any]:
    """`make_account` arguments for a debtor that processes reading the real clock may contact:
    midday in the debtor's zone and 30 days overdue on today's date (their jobs check the
    contact rules at the moment of sending)."""
    return {"timezone": zone_where_it_is_midday(), "today": datetime.now(UTC).date()}


MIDDAY_CANDIDATES = (
    "Pacific/Kiritimati", "Pacific/Auckland", "Australia/Sydney", "Asia/Tokyo", "Asia/Shanghai",
    "Asia/Bangkok", "Asia/Dhaka", "Asia/Karachi", "Asia/Dubai", "Europe/Moscow", "Europe/Athens",
    "Europe/Berlin", "Europe/London", "Atlantic/Azores", "Atlantic/South_Georgia",
    "America/Sao_Paulo", "America/New_York", "America/Chicago", "America/Denver",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "Pacific/Pago_Pago",
)  # fmt: skip


def iana_zone_where_it_is_midday() -> str:
    """A named zone (one a portfolio file may state) where it is now between 10:00 and 14:00.

    For end-to-end tests that import a file through the real CLI and send on the real clock.
    """
    now = datetime.now(UTC)
    for name in MIDDAY_CANDIDATES:
        if 10 <= now.astimezone(ZoneInfo(name)).hour < 14:
            return name
    raise AssertionError("no candidate zone is at midday now")
