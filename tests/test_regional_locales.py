"""Regional Spanish: every message renders in every locale, money and dates by country, greetings.

Creditors in Colombia, Chile, Peru and the US are added with their own locale from the real CLI.
"""

import json
import re
import string
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements import parse_outcome, record_outcome
from campaigns.clients import create_client
from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import LOCALE_DIR, SUPPORTED_LOCALES, normalise_locale, translate
from campaigns.local_formats import greeting, long_date, money
from campaigns.models import Attempt, Channel, Client, ComplianceProfile, ContactPoint
from campaigns.settings import get_settings
from telephony.dispatch import claim
from telephony.voice import Answered, abandon_message, voicemail
from tests.factories import make_account, make_client, opt_in
from tests.test_translations import _marked_messages

ACUERDO = str(Path(sys.executable).parent / "acuerdo")  # the installed console script
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog_ids() -> set[str]:
    found: set[str] = set()
    for po_path in LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        with po_path.open("rb") as po_file:
            found.update(m.id for m in read_po(po_file) if isinstance(m.id, str) and m.id)
    return found


def _dummies(message: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for _text, field, spec, _conversion in string.Formatter().parse(message):
        if field is None or field == "":
            continue
        name = re.split(r"[.\[]", field)[0]
        values[name] = 7 if spec and spec[-1] in "dfe,%" else f"<{name}>"
    return values


def test_the_catalogs_know_the_messages_the_code_marks() -> None:
    assert len(_catalog_ids()) > 300 and "Good evening" in _catalog_ids()


@pytest.mark.backend_free
@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_message_renders_with_its_parameters_in_every_locale(locale: str) -> None:
    failures: list[str] = []
    for message in sorted(_catalog_ids() | _marked_messages()):
        try:
            if PLACEHOLDER.search(message):  # jinja's i18n extension: %(name)s
                params = {name: "x" for name in PLACEHOLDER.findall(message)}
                rendered = translate(locale, message) % params
            else:
                params = _dummies(message)
                rendered = translate(locale, message, **params)
        except (KeyError, IndexError, ValueError, TypeError) as error:
            failures.append(f"{message!r}: {error!r}")
            continue
        if rendered.strip() == "" or re.search(r"(?<!\{)\{[a-z_]+\}(?!\})", rendered):
            failures.append(f"{message!r} rendered as {rendered!r}")
    assert failures == []


def test_parameters_named_locale_or_message_render() -> None:
    text = translate(
        "es_CO", "Unsupported language {locale}; use one of {locales}.", locale="xx", locales="y"
    )
    assert text == "Idioma no admitido: xx; use uno de y."
    error = AcuerdoError(
        "{message} in {locale}, code {status_code}", message="m", locale="l", status_code=5
    )
    assert error.render("en") == "m in l, code 5" and error.status_code == 400


def test_regional_spanish_falls_back_to_mexican_spanish_and_keeps_its_own_words() -> None:
    dispute = "The debtor has an open dispute; contact waits until it is resolved."
    assert "aclaración" in translate("es_MX", dispute)
    assert "reclamo" in translate("es_CO", dispute) and "reclamo" in translate("es-CL", dispute)
    assert translate("es_US", dispute) == translate("es_MX", dispute)
    for locale in ("es_CO", "es_CL", "es_PE", "es_US"):
        assert translate(locale, "Sign in") == translate("es_MX", "Sign in") != "Sign in"
    assert normalise_locale("es-co") == "es_CO" and normalise_locale("es_AR") == "es_MX"
    assert normalise_locale("en_GB") == "en"


@pytest.mark.parametrize(
    ("locale", "currency", "written"),
    [
        ("es_CO", "COP", "$1.234.567"),
        ("es_CL", "CLP", "$1.234.567"),
        ("es_MX", "MXN", "$1,234,567.40"),
        ("es_PE", "PEN", "S/\xa01,234,567.40"),
        ("es_US", "USD", "$1,234,567.40"),
        ("en", "USD", "$1,234,567.40"),
    ],
)
def test_money_is_written_the_countrys_way(locale: str, currency: str, written: str) -> None:
    assert money(Decimal("1234567.40"), currency, locale) == written


def test_dates_are_written_the_countrys_way() -> None:
    assert long_date(date(2026, 11, 24), "es_CO") == "24 de noviembre de 2026"
    assert long_date(date(2026, 11, 24), "en") == "November 24, 2026"


@pytest.mark.parametrize(
    ("utc", "zone", "locale", "expected"),
    [
        (datetime(2026, 11, 23, 13, 0, tzinfo=UTC), "America/Bogota", "es_CO", "Buenos días"),
        (datetime(2026, 11, 23, 18, 0, tzinfo=UTC), "America/Bogota", "es_CO", "Buenas tardes"),
        (datetime(2026, 11, 23, 18, 0, tzinfo=UTC), "America/Santiago", "es_CL", "Buenas tardes"),
        (datetime(2026, 11, 23, 23, 30, tzinfo=UTC), "America/Santiago", "es_CL", "Buenas noches"),
        (datetime(2026, 11, 23, 23, 30, tzinfo=UTC), "America/Los_Angeles", "en", "Good afternoon"),
        (datetime(2026, 11, 23, 14, 0, tzinfo=UTC), "Pacific/Honolulu", "es_US", "Buenas noches"),
    ],
)
def test_greetings_follow_the_debtors_local_time(
    utc: datetime, zone: str, locale: str, expected: str
) -> None:
    assert greeting(utc, zone, locale) == expected


@pytest.mark.parametrize(
    ("country", "currency", "zone", "locale", "profile"),
    [
        ("CO", "COP", "America/Bogota", "es_CO", ComplianceProfile.CO),
        ("CL", "CLP", "America/Santiago", "es_CL", ComplianceProfile.CL),
    ],
)
def test_a_regional_creditors_confirmation_sms_writes_its_money(
    session: Session,
    country: str,
    currency: str,
    zone: str,
    locale: str,
    profile: ComplianceProfile,
) -> None:
    amount, written = "1234567", "$1.234.567"
    client = make_client(
        session,
        name=f"Cable {country}",
        country=country,
        timezone=zone,
        currency=currency,
        profile=profile,
    )
    client.locale = locale
    client.max_promise_days = 15
    phone = {"CO": "+573001234567", "CL": "+56912345678"}[country]
    account = make_account(session, client=client, balance=amount, phone=phone)
    now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # a Monday, 12:00 in Bogota, 14:00 in Santiago
    form = {"disposition": "promise_to_pay", "amount": amount, "due_date": "2026-11-30"}
    record_outcome(
        session,
        account_id=account.id,
        attempt_id=None,
        agent_id=None,
        outcome=parse_outcome(form),
        submission_key="confirm",
        now=now,
    )
    session.commit()
    sms = session.scalars(select(Attempt).where(Attempt.channel == Channel.SMS)).one()
    assert sms.body is not None
    assert sms.body.startswith("Buenas tardes, Juana, gracias por su acuerdo con Cable")
    assert f"un pago de {written} el 30 de noviembre de 2026" in sms.body
    assert ",00" not in sms.body and ".00" not in sms.body


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_creditors_are_added_with_each_locale_from_the_cli(
    session: Session, child_env: dict[str, str], locale: str
) -> None:
    country = {"es_CO": "CO", "es_CL": "CL", "es_PE": "PE", "es_US": "US", "en": "US"}.get(
        locale, "MX"
    )
    name = f"Acreedor {locale}"
    result = subprocess.run(
        [ACUERDO, "clients", "add", name, "--country", country, "--locale", locale],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert session.scalars(select(Client.locale).where(Client.name == name)).one() == locale


def test_an_unsupported_locale_is_refused_with_a_readable_message(
    child_env: dict[str, str],
) -> None:
    result = subprocess.run(
        [ACUERDO, "clients", "add", "Acreedor AR", "--country", "AR", "--locale", "es_AR"],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "TypeError" not in result.stderr
    assert "Unsupported language es_AR; use one of es_MX, es_CO, es_CL, es_PE, es_US, en." in (
        " ".join(result.stderr.replace("│", " ").split())
    )


def test_the_service_refuses_an_unknown_locale(session: Session) -> None:
    with pytest.raises(Invalid) as raised:
        create_client(
            session,
            name="X",
            country="AR",
            currency="ARS",
            timezone="America/Argentina/Buenos_Aires",
            locale="es_AR",
            now=datetime(2026, 11, 23, 15, tzinfo=UTC),
            profile=ComplianceProfile.MX,
        )
    assert raised.value.render("es_CO") == (
        "Idioma no admitido: es_AR; use uno de es_MX, es_CO, es_CL, es_PE, es_US, en."
    )


def test_voicemail_and_abandon_messages_greet_by_the_debtors_local_time() -> None:
    call = Answered(
        attempt_id=1,
        machine=True,
        locale="es_CO",
        creditor="Cable CO",
        callback_number="+5716000000",
        timezone="America/Bogota",
        at=datetime(2026, 11, 24, 1, 30, tzinfo=UTC),  # 20:30 in Bogota
    )
    assert '<Say language="es-MX">Buenas noches, este es un mensaje' in voicemail(call)
    morning = replace(call, at=datetime(2026, 11, 23, 14, 0, tzinfo=UTC), locale="en")
    assert "Good morning, we are calling from" in abandon_message(morning)
    assert 'language="es-US"' in voicemail(replace(call, locale="es_US"))


def test_a_whatsapp_template_gets_money_and_date_written_the_creditors_way(
    session: Session,
) -> None:
    client = make_client(
        session,
        name="Cable Santiago",
        country="CL",
        timezone="America/Santiago",
        currency="CLP",
        profile=ComplianceProfile.CL,
    )
    client.locale = "es_CL"
    client.whatsapp_sender = "+56222222222"
    client.whatsapp_templates = {"recordatorio": "HX" + "1" * 32}
    account = make_account(session, client=client, balance="1234567", phone="+56912345678")
    point = session.scalars(select(ContactPoint)).one()
    opt_in(session, point, "whatsapp", datetime(2026, 11, 1, tzinfo=UTC))
    attempt = Attempt(
        client_id=client.id,
        account_id=account.id,
        contact_point_id=point.id,
        channel=Channel.WHATSAPP,
        template_key="recordatorio",
        created_at=datetime(2026, 11, 23, 15, tzinfo=UTC),
    )
    session.add(attempt)
    session.flush()
    outbound = claim(session, attempt_id=attempt.id, now=datetime(2026, 11, 23, 15, tzinfo=UTC))
    assert outbound is not None and outbound.content_variables is not None
    variables = json.loads(outbound.content_variables)
    link = variables.pop("4")
    assert variables == {"1": "Juana", "2": "$1.234.567", "3": "24 de octubre de 2026"}
    assert link.startswith(f"{get_settings().public_base_url}/s/{account.id}.")
