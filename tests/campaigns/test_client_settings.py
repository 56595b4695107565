"""Creditor settings in the domain: the courtesy check uses the creditor's own forbidden phrases,
a settings form is checked field by field, and the password policy refuses weak passwords."""

import pytest
from sqlalchemy.orm import Session

from campaigns.campaign_defs import CampaignInvalid, create_campaign, parse_definition
from campaigns.client_settings import SettingsInvalid, parse_settings_form
from campaigns.password_policy import WeakPassword, check_password
from tests.campaigns.test_scheduler_eligibility import NOW
from tests.factories import make_client


def _definition(client_name: str, text: str) -> dict[str, object]:
    return {
        "name": "Aviso",
        "client": client_name,
        "steps": [{"day": 0, "channel": "sms", "template": "aviso"}],
        "templates": {"aviso": text},
    }


def test_the_courtesy_check_refuses_the_creditors_extra_forbidden_phrases(
    session: Session,
) -> None:
    client = make_client(session)
    text = "Hola {{ first_name }}, aproveche la promoción navideña de {{ creditor }}."
    create_campaign(
        session,
        definition=parse_definition(_definition(client.name, text)),
        by_id=None,
        by_label="test",
        now=NOW,
    )
    client.extra_forbidden_phrases = ["promoción navideña"]
    session.flush()
    with pytest.raises(CampaignInvalid) as refused:
        create_campaign(
            session,
            definition=parse_definition({**_definition(client.name, text), "name": "Otro"}),
            by_id=None,
            by_label="test",
            now=NOW,
        )
    assert "promoción navideña" in str(refused.value)


def test_a_settings_form_names_every_wrong_field(session: Session) -> None:
    client = make_client(session)
    form = {
        "name": client.name,
        "country": "MX",
        "currency": "MXN",
        "timezone": "Mars/Olympus",
        "locale": "es_MX",
        "compliance_profile": "MX",
        "max_promise_days": "15",
        "max_installments": "6",
        "inbound_callback_offer_seconds": "120",
        "early_payment_discount_pct": "150",
        "min_down_payment_pct": "20",
        "callback_number": "12",
        "sms_sender": "UN NOMBRE DEMASIADO LARGO",
        "product_scripts": "internet = telepatía",
        "start_mon": "06:00",
        "end_mon": "20:00",
    }
    with pytest.raises(SettingsInvalid) as refused:
        parse_settings_form(client, form, {})
    assert set(refused.value.errors) == {
        "timezone",
        "early_payment_discount_pct",
        "callback_number",
        "sms_sender",
        "product_scripts",
        "compliance.hours.mon",
    }


@pytest.mark.parametrize(
    ("password", "username"),
    [
        ("corta", "ana"),
        ("1234567890", "ana"),
        ("Contraseña123", "ana"),
        ("QWERTYUIOP", "ana"),
        ("zzzzzzzzzzzz", "ana"),
        ("ana.lopez.1", "ana.lopez"),
        ("ANA_LOPEZ2026", "ana.lopez"),
    ],
)
def test_weak_passwords_are_refused(password: str, username: str) -> None:
    with pytest.raises(WeakPassword):
        check_password(password, username=username)


def test_a_long_uncommon_password_passes() -> None:
    check_password("pino-azul-del-norte", username="ana.lopez")
    check_password("acuerdo-admin-demo", username="admin")
