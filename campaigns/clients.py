"""Creditors: creating and finding them."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.errors import Conflict, Invalid, NotFound
from campaigns.i18n import SUPPORTED_LOCALES, _
from campaigns.models import Client, ComplianceProfile, UserClientAccess
from campaigns.tenancy import TenantViolation, session_viewer


class ClientNotFound(NotFound):
    """No creditor by that name."""


def create_client(
    session: Session,
    *,
    name: str,
    country: str,
    currency: str,
    timezone: str,
    locale: str = "es_MX",
    profile: ComplianceProfile,
    max_promise_days: int = 15,
    early_payment_discount_pct: Decimal = Decimal("10"),
    min_down_payment_pct: Decimal = Decimal("20"),
    max_installments: int = 6,
    callback_number: str | None = None,
    now: datetime,
) -> Client:
    """Add a creditor after checking its zone, locale, policy and callback number."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise Invalid(
            _("Unknown time zone {zone}; use an IANA name such as America/Mexico_City."),
            zone=timezone,
        ) from error
    if locale not in SUPPORTED_LOCALES:
        raise Invalid(
            _("Unsupported language {locale}; use one of {locales}."),
            locale=locale,
            locales=", ".join(SUPPORTED_LOCALES),
        )
    if not 1 <= max_promise_days <= 90 or not 1 <= max_installments <= 36:
        raise Invalid(_("Promise days must be 1-90 and instalments 1-36."))
    for pct in (early_payment_discount_pct, min_down_payment_pct):
        if not Decimal("0") <= pct <= Decimal("100"):
            raise Invalid(_("Percentages must be between 0 and 100."))
    # Names are unique over all creditors, also those the signed-in user cannot see: a Core
    # query on the session's connection is not narrowed by the tenant filter.
    if session.connection().scalar(select(Client.id).where(Client.name == name)) is not None:
        raise Conflict(_("A creditor named {name} already exists."), name=name)
    client = Client(
        name=name,
        country=country.upper(),
        currency=currency.upper(),
        timezone=timezone,
        locale=locale,
        compliance_profile=ComplianceProfile(profile),
        max_promise_days=max_promise_days,
        early_payment_discount_pct=early_payment_discount_pct,
        min_down_payment_pct=min_down_payment_pct,
        max_installments=max_installments,
        callback_number=_e164(callback_number, country) if callback_number else None,
        created_at=now,
    )
    session.add(client)
    session.flush()
    viewer = session_viewer(session)
    if viewer is not None and viewer.client_ids is not None and viewer.user_id is not None:
        # A manager who adds a creditor works for it from then on.
        session.add(UserClientAccess(user_id=viewer.user_id, client_id=client.id))
        session.flush()
    return client


def _e164(number: str, country: str) -> str:
    try:
        parsed = phonenumbers.parse(number, country.upper())
    except phonenumbers.NumberParseException as error:
        raise Invalid(_("{number} is not a phone number."), number=number) from error
    if not phonenumbers.is_valid_number(parsed):
        raise Invalid(_("{number} is not a phone number."), number=number)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def get_client_by_name(session: Session, name: str) -> Client:
    """The creditor with this name."""
    client = session.scalar(select(Client).where(Client.name == name))
    if client is None:
        raise ClientNotFound(_("No creditor named {name}; see `acuerdo clients list`."), name=name)
    return client


def list_clients(session: Session) -> Sequence[Client]:
    """Every creditor visible to the session, by name."""
    return session.scalars(select(Client).order_by(Client.name)).all()


def client_to_change(session: Session, *, client_id: int) -> Client:
    """The creditor whose data the session is about to change (404 unknown, 403 not theirs)."""
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(_("No creditor with id {id}."), id=client_id)
    viewer = session_viewer(session)
    if viewer is not None and not viewer.may_see(client_id):
        raise TenantViolation(_("You cannot change data of another creditor."))
    return client
