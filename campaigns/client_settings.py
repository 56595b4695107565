"""A creditor's settings edited as a whole: checked field by field, audited and versioned.

Every save keeps a full copy of the settings with who changed what and when
(`ClientSettingsVersion`); the first save also keeps the values the creditor had before. The
scheduler reads the creditor's row at every tick, so a running campaign follows the new values
from its next tick.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns import audit
from campaigns.agreements.negotiation_scripts import script_kinds
from campaigns.clients import client_to_change
from campaigns.compliance.override_form import overrides_from_form
from campaigns.compliance.overrides import ComplianceOverrideError, validate_overrides
from campaigns.errors import AcuerdoError, Conflict, Invalid
from campaigns.i18n import SUPPORTED_LOCALES, _
from campaigns.models import Account, Client, ClientSettingsVersion, ComplianceProfile, User

SETTINGS_FIELDS = (
    "name",
    "country",
    "currency",
    "timezone",
    "locale",
    "compliance_profile",
    "max_promise_days",
    "early_payment_discount_pct",
    "min_down_payment_pct",
    "max_installments",
    "callback_number",
    "caller_id",
    "sms_sender",
    "whatsapp_sender",
    "whatsapp_templates",
    "payment_link_template",
    "compliance_overrides",
    "extra_forbidden_phrases",
    "product_scripts",
    "recovery_target_pct",
    "kept_rate_target_pct",
    "inbound_callback_offer_seconds",
)
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,60}$")
_CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
_ALPHA_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
MAX_PHRASES = 200


class SettingsInvalid(Invalid):
    """One or more settings fields are wrong; `errors` says which and why."""

    def __init__(self, errors: dict[str, AcuerdoError]) -> None:
        super().__init__(_("Check the fields marked in red and save again."))
        self.errors = errors


@dataclass(frozen=True)
class Change:
    """One field of one version: the value before and after."""

    field: str
    before: Any
    after: Any


def settings_of(client: Client) -> dict[str, Any]:
    """Every setting of a creditor as JSON values (amounts as text)."""
    values = {field: getattr(client, field) for field in SETTINGS_FIELDS}
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def parse_settings_form(
    client: Client, form: Mapping[str, str], lists: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """The settings a form asks for, checked; SettingsInvalid names every wrong field."""
    errors: dict[str, AcuerdoError] = {}
    values: dict[str, Any] = {}

    def take(field: str, parse: Any) -> None:
        try:
            values[field] = parse(form.get(field, "").strip())
        except AcuerdoError as error:
            errors[field] = error

    take("name", _name)
    take("country", _country)
    take("currency", _currency)
    take("timezone", _zone)
    take("locale", _locale)
    take("compliance_profile", _profile)
    take("max_promise_days", lambda t: _whole(t, 1, 90))
    take("max_installments", lambda t: _whole(t, 1, 36))
    take("inbound_callback_offer_seconds", lambda t: _whole(t, 10, 3600))
    for field in ("early_payment_discount_pct", "min_down_payment_pct"):
        take(field, _percent)
    for field in ("recovery_target_pct", "kept_rate_target_pct"):
        take(field, lambda t: _percent(t) if t else None)
    country = values.get("country") or client.country
    for field in ("callback_number", "caller_id", "whatsapp_sender"):
        take(field, lambda t: _phone(t, country) if t else None)
    take("sms_sender", lambda t: _sms_sender(t, country) if t else None)
    take("whatsapp_templates", _whatsapp_templates)
    take("payment_link_template", lambda t: _payment_link(t) if t else None)
    take("extra_forbidden_phrases", _phrases)
    try:
        values["product_scripts"] = _product_scripts(
            form.get("product_scripts", ""), form.get("default_script", "").strip()
        )
    except AcuerdoError as error:
        errors["product_scripts"] = error
    profile = values.get("compliance_profile") or client.compliance_profile
    try:
        if profile == client.compliance_profile:
            overrides = overrides_from_form(
                profile, form, list(lists.get("consent_required", ())), client.compliance_overrides
            )
        else:
            # Another law: the hours and limits on the page were the old law's; start from the
            # new law's and let the manager tighten them again.
            overrides = overrides_from_form(profile, {}, [], client.compliance_overrides)
        validate_overrides(profile, overrides)
        values["compliance_overrides"] = overrides
    except ComplianceOverrideError as error:
        errors[f"compliance.{error.field}"] = error
    if errors:
        raise SettingsInvalid(errors)
    return values


def update_client_settings(
    session: Session, *, client_id: int, values: dict[str, Any], by: User, now: datetime
) -> ClientSettingsVersion | None:
    """Apply checked settings to a creditor; a new version and an audit event if any changed
    (None when nothing did)."""
    client = client_to_change(session, client_id=client_id)
    before = settings_of(client)
    _refuse_conflicts(session, client, values)
    for field, value in values.items():
        setattr(client, field, value)
    session.flush()
    after = settings_of(client)
    changed = [
        {"field": f, "before": before[f], "after": after[f]}
        for f in SETTINGS_FIELDS
        if before[f] != after[f]
    ]
    if not changed:
        return None
    last = session.scalar(
        select(func.max(ClientSettingsVersion.version)).where(
            ClientSettingsVersion.client_id == client.id
        )
    )
    if last is None:
        session.add(
            ClientSettingsVersion(
                client_id=client.id,
                version=1,
                settings=before,
                changed=[],
                changed_by_id=None,
                changed_by_label="",
                created_at=client.created_at,
            )
        )
        last = 1
    version = ClientSettingsVersion(
        client_id=client.id,
        version=last + 1,
        settings=after,
        changed=changed,
        changed_by_id=by.id,
        changed_by_label=by.username,
        created_at=now,
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        action="client.settings_changed",
        entity=client,
        actor_id=by.id,
        actor_label=by.username,
        at=now,
        data={"version": version.version, "fields": [c["field"] for c in changed]},
    )
    return version


def settings_history(session: Session, *, client_id: int) -> list[ClientSettingsVersion]:
    """Every saved version of a creditor's settings, newest first."""
    client_to_change(session, client_id=client_id)
    return list(
        session.scalars(
            select(ClientSettingsVersion)
            .where(ClientSettingsVersion.client_id == client_id)
            .order_by(ClientSettingsVersion.version.desc())
        )
    )


def _refuse_conflicts(session: Session, client: Client, values: dict[str, Any]) -> None:
    name = values.get("name", client.name)
    if name != client.name:
        taken = session.connection().scalar(
            select(Client.id).where(Client.name == name, Client.id != client.id)
        )
        if taken is not None:
            raise SettingsInvalid(
                {"name": Conflict(_("A creditor named {name} already exists."), name=name)}
            )
    currency = values.get("currency", client.currency)
    if currency != client.currency and session.scalar(
        select(Account.id).where(Account.client_id == client.id).limit(1)
    ):
        raise SettingsInvalid(
            {
                "currency": Invalid(
                    _(
                        "The currency cannot change once accounts are loaded: they are in "
                        "{currency}."
                    ),
                    currency=client.currency,
                )
            }
        )


def _name(text: str) -> str:
    if not text or len(text) > 120:
        raise Invalid(_("The name must have 1 to 120 characters."))
    return text


def _country(text: str) -> str:
    code = text.upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise Invalid(_("{value} is not a country code; use two letters such as MX."), value=text)
    return code


def _currency(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{3}", text):
        raise Invalid(
            _("{value} is not a currency code; use three letters such as MXN."), value=text
        )
    return text.upper()


def _zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise Invalid(
            _("Unknown time zone {zone}; use an IANA name such as America/Mexico_City."),
            zone=text,
        ) from error
    return text


def _locale(text: str) -> str:
    if text not in SUPPORTED_LOCALES:
        raise Invalid(
            _("Unsupported language {locale}; use one of {locales}."),
            locale=text,
            locales=", ".join(SUPPORTED_LOCALES),
        )
    return text


def _profile(text: str) -> ComplianceProfile:
    try:
        return ComplianceProfile(text)
    except ValueError as error:
        raise Invalid(_("Choose one of the compliance profiles offered.")) from error


def _whole(text: str, low: int, high: int) -> int:
    if not re.fullmatch(r"\d{1,6}", text) or not low <= int(text) <= high:
        raise Invalid(_("Write a whole number from {low} to {high}."), low=low, high=high)
    return int(text)


def _percent(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ".").rstrip("%").strip())
    except InvalidOperation as error:
        raise Invalid(_("Percentages must be between 0 and 100.")) from error
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise Invalid(_("Percentages must be between 0 and 100."))
    return value.quantize(Decimal("0.01"))


def _phone(text: str, country: str) -> str:
    try:
        parsed = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException as error:
        raise Invalid(_("{number} is not a phone number."), number=text) from error
    if not phonenumbers.is_valid_number(parsed):
        raise Invalid(_("{number} is not a phone number."), number=text)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _sms_sender(text: str, country: str) -> str:
    if _ALPHA_SENDER.fullmatch(text):
        return text
    try:
        return _phone(text, country)
    except Invalid as error:
        raise Invalid(
            _("The SMS sender is a phone number or a name of up to 11 letters and digits.")
        ) from error


def _whatsapp_templates(text: str) -> dict[str, str]:
    templates: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, _sep, sid = (part.strip() for part in line.partition("="))
        if not _TEMPLATE_NAME.fullmatch(name) or not _CONTENT_SID.fullmatch(sid):
            raise Invalid(
                _(
                    "Line {line}: write name = ContentSid, e.g. recordatorio_pago = HX followed "
                    "by 32 hexadecimal characters."
                ),
                line=number,
            )
        templates[name] = sid
    return templates


def _payment_link(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.netloc or "{account_ref}" not in text:
        raise Invalid(
            _(
                "The payment link must start with https:// and contain {account_ref} where "
                "the account number goes."
            )
        )
    if len(text) > 500:
        raise Invalid(_("The payment link is longer than 500 characters."))
    return text


def _phrases(text: str) -> list[str]:
    phrases = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
    if len(phrases) > MAX_PHRASES or any(len(p) > 100 for p in phrases):
        raise Invalid(
            _("Up to {n} phrases of up to 100 characters each, one per line."), n=MAX_PHRASES
        )
    return phrases


def _product_scripts(text: str, default: str) -> dict[str, Any]:
    kinds = script_kinds()
    products: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        product, _sep, script = (part.strip() for part in line.partition("="))
        if not product or script not in kinds:
            raise Invalid(
                _("Line {line}: write product = script, the script one of {scripts}."),
                line=number,
                scripts=", ".join(kinds),
            )
        products[product] = script
    if default and default not in kinds:
        raise Invalid(_("Choose one of the scripts offered."))
    return {"products": products, "default": default} if products or default else {}
