"""A creditor's settings page: every field saved, checked next to the field, stricter-only
compliance beside the law's limits, each save versioned and audited, and a running campaign
following the new values from its next tick."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import (
    Attempt,
    AuditEvent,
    Client,
    ClientSettingsVersion,
    ComplianceProfile,
    Role,
)
from campaigns.scheduler import run_tick
from console.pages.manager.creditor_settings import form_of
from tests.campaigns.test_scheduler_eligibility import NOW, account, make_campaign, rules
from tests.console.conftest import sign_in
from tests.factories import make_client, make_user

SID = "HX" + "a1" * 16


def page_form(client: Client, **changes: Any) -> dict[str, Any]:
    """What the page posts when nothing is touched, with `changes` typed in."""
    return {**form_of(client), "compliance_profile": str(client.compliance_profile), **changes}


def test_a_manager_saves_every_setting_and_the_next_tick_follows_them(
    web: TestClient, session: Session
) -> None:
    client = make_client(session)
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    account(session, client, "A")
    campaign = make_campaign(session, client, steps=[{"day": 0, "channel": "voice"}])
    session.commit()
    assert rules(session, campaign, NOW) == {"A": None}
    sign_in(web, "gerente")
    page = web.get(f"/manager/creditors/{client.id}")
    assert page.status_code == 200
    assert "07:00–22:00" in page.text and "La ley permite" in page.text

    saved = web.post(
        f"/manager/creditors/{client.id}",
        data=page_form(
            client,
            caller_id="55 5000 0100",
            sms_sender="CABLENORTE",
            whatsapp_sender="+52 55 5000 0300",
            whatsapp_templates=f"recordatorio_pago = {SID}",
            payment_link_template="https://pagos.example.mx/{account_ref}",
            extra_forbidden_phrases="buró de crédito\nlista negra",
            product_scripts="internet = internet\ncable = cable",
            default_script="phone",
            recovery_target_pct="12,5",
            kept_rate_target_pct="60",
            inbound_callback_offer_seconds="90",
            closed_wed="1",
            start_mon="09:00",
            end_mon="18:00",
            consent_required=["sms"],
        ),
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text

    session.rollback()
    client = session.get_one(Client, client.id)
    assert client.caller_id == "+525550000100"
    assert client.sms_sender == "CABLENORTE"
    assert client.whatsapp_templates == {"recordatorio_pago": SID}
    assert client.extra_forbidden_phrases == ["buró de crédito", "lista negra"]
    assert client.product_scripts == {
        "products": {"internet": "internet", "cable": "cable"},
        "default": "phone",
    }
    assert str(client.recovery_target_pct) == "12.50"
    assert client.compliance_overrides == {
        "hours": {"mon": ["09:00", "18:00"], "wed": None},
        "consent_required": ["sms"],
    }
    versions = session.scalars(
        select(ClientSettingsVersion).order_by(ClientSettingsVersion.version)
    ).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].settings["caller_id"] is None
    assert versions[1].changed_by_label == "gerente"
    assert "caller_id" in {c["field"] for c in versions[1].changed}
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "client.settings_changed")
    ).one()
    assert event.data["version"] == 2

    # Wednesday 11:00 in Mexico City: the creditor closed Wednesdays; the next tick calls no one.
    assert rules(session, campaign, NOW) == {"A": "day_not_allowed"}
    run_tick(session, now=NOW)
    assert session.scalars(select(Attempt)).all() == []
    session.commit()

    history = web.get(f"/manager/creditors/{client.id}").text
    assert "Historial de cambios" in history and "Identificador de llamada" in history
    assert "+525550000100" in history
    assert "Lunes: 09:00–18:00; Miércoles: sin contacto; Consentimiento requerido" in history
    assert "internet → internet; cable → cable; Otros productos → phone" in history


def test_looser_than_the_law_and_malformed_values_are_refused_next_to_their_field(
    web: TestClient, session: Session
) -> None:
    client = make_client(
        session, name="Cable Bogotá", country="CO", currency="COP", profile=ComplianceProfile.CO
    )
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    session.commit()
    sign_in(web, "gerente")

    refused = web.post(
        f"/manager/creditors/{client.id}",
        data=page_form(
            client,
            cap_co_daily="3",
            start_tue="06:00",
            end_tue="19:00",
            payment_link_template="http://pagos.example.co/",
            max_installments="99",
            whatsapp_templates="recordatorio = 123",
        ),
    )
    assert refused.status_code == 422
    text = refused.text
    assert (
        'id="error-compliance-hours-tue"' in text or 'id="error-compliance-caps-co_daily"' in text
    )
    assert "solo puede hacerlo más estricto" in text
    assert 'id="error-payment_link_template"' in text
    assert 'id="error-max_installments"' in text and "de 1 a 36" in text
    assert 'id="error-whatsapp_templates"' in text

    lowered = web.post(
        f"/manager/creditors/{client.id}",
        data=page_form(client, cap_co_daily="0", holidays_block="1"),
        follow_redirects=False,
    )
    assert lowered.status_code == 303, lowered.text
    session.rollback()
    assert session.get_one(Client, client.id).compliance_overrides == {"caps": {"co_daily": 0}}


def test_a_manager_cannot_see_or_change_another_creditors_settings(
    web: TestClient, session: Session
) -> None:
    mine = make_client(session, name="Cable Norte")
    other = make_client(session, name="Telefonía Sur")
    make_user(session, username="gerente", role=Role.MANAGER, access=[mine])
    session.commit()
    sign_in(web, "gerente")
    assert web.get(f"/manager/creditors/{other.id}").status_code == 404
    assert web.post(f"/manager/creditors/{other.id}", data=page_form(other)).status_code == 404
    session.rollback()
    assert session.get_one(Client, other.id).name == "Telefonía Sur"
