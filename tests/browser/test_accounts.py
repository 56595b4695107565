"""The account page in the browser, in Spanish and English: a manager finds an account by a phone
written another way, reveals the identity, schedules a callback, opens and resolves a dispute and
downloads the evidence pack; refusals read with their rule in the reader's language."""

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.compliance import record_refusal
from campaigns.compliance.check import refuse
from campaigns.compliance.windows import is_holiday
from campaigns.models import Account, AuditEvent, Channel, InboundMessage, Role
from tests.browser.conftest import shot, sign_in
from tests.factories import make_account, make_campaign, make_client, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ZONE = "America/Mexico_City"


def _account(session: Session) -> Account:
    client = make_client(session, name="Cablevisión Norte")
    account = make_account(
        session,
        client=client,
        name="Juana Pérez López",
        ref="CV-501",
        phone="+525512345678",
        today=datetime.now(UTC).date(),
    )
    account.debtor.national_id = "PELJ800101MDFRPN01"
    campaign = make_campaign(session, client=client, name="Mora temprana")
    record_refusal(
        session,
        account=account,
        campaign_id=campaign.id,
        channel=Channel.VOICE,
        decision=refuse("outside_hours", local="23:00", start="07:00", end="22:00"),
        context="scheduler",
        at=datetime.now(UTC) - timedelta(hours=5),
    )
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    return account


def _next_working_morning() -> str:
    """10:00 in the debtor's zone on the next day that is not a Mexican public holiday."""
    day = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=1)
    while is_holiday("MX", day):
        day += timedelta(days=1)
    return f"{day.isoformat()}T10:00"


def test_a_manager_works_an_account_in_spanish(session: Session, page: Page) -> None:
    account = _account(session)
    session.add(
        InboundMessage(
            client_id=account.client_id,
            provider_sid="SM-reply-1",
            channel=Channel.SMS,
            contact_point_id=account.debtor.contact_points[0].id,
            account_id=account.id,
            body="¿Puedo pagar el viernes?",
            handled_as="reply",
            created_at=datetime.now(UTC) - timedelta(minutes=10),
        )
    )
    session.commit()
    sign_in(page, "gerente")
    page.get_by_role("link", name="Bandeja de entrada").click()
    expect(page.locator("#unread-total")).to_have_text("1")
    expect(page.locator("#inbox")).to_contain_text("¿Puedo pagar el viernes?")
    shot(page, "accounts-inbox-es")
    page.get_by_role("link", name="CV-501").click()
    expect(page.locator("#messages")).to_contain_text("¿Puedo pagar el viernes?")
    expect(page.locator("#unread")).to_have_text("1 sin leer")
    page.get_by_role("button", name="Marcar como leídos").click()
    expect(page.locator("#unread")).to_have_count(0)
    shot(page, "account-conversation-es")
    page.get_by_role("link", name="Cuentas").click()
    page.get_by_label("Referencia, nombre, documento o teléfono").fill("044 55 1234-5678")
    page.get_by_role("button", name="Buscar").click()
    expect(page.locator("#hit-count")).to_have_text("1")
    expect(page.locator("#results")).to_contain_text("Juana P. L.")
    expect(page.locator("#results")).to_contain_text("Teléfono")
    shot(page, "accounts-search-es")

    page.get_by_role("link", name="CV-501").click()
    expect(page).to_have_url(re.compile(rf"/accounts/{account.id}$"))
    expect(page.locator("#debtor-name")).to_have_text("Juana P. L.")
    expect(page.locator("#refusals")).to_contain_text("Fuera del horario de contacto del deudor")
    expect(page.locator("#timeline")).to_contain_text("Contacto rechazado")
    page.get_by_role("button", name="Mostrar identidad completa (queda registrado)").click()
    expect(page.locator("#debtor-name")).to_have_text("Juana Pérez López")
    expect(page.locator("#debtor-document")).to_have_text("PELJ800101MDFRPN01")
    shot(page, "account-revealed-es")

    page.goto(f"/accounts/{account.id}")
    page.get_by_label(re.compile(r"Fecha y hora \(hora del deudor")).fill("2020-01-01T10:00")
    page.get_by_role("button", name="Programar devolución de llamada").click()
    expect(page.locator("#error-callback")).to_contain_text("próximos 30 días")
    page.get_by_label(re.compile(r"Fecha y hora \(hora del deudor")).fill(_next_working_morning())
    page.get_by_role("button", name="Programar devolución de llamada").click()
    expect(page.locator("#notice")).to_be_visible()
    expect(page.locator("#callbacks")).to_contain_text("Pendiente")

    page.get_by_label("Qué reclama o desconoce el deudor").fill("No reconoce el cargo de octubre")
    page.get_by_role("button", name="Abrir una aclaración").click()
    expect(page.locator("#account-status")).to_have_text("En aclaración")
    page.get_by_label("Nota de resolución").fill("El acreedor confirmó el cargo con la factura")
    page.get_by_role("button", name="Resolver").click()
    expect(page.locator("#disputes")).to_contain_text("El acreedor confirmó el cargo")
    expect(page.locator("#callbacks")).to_contain_text("Cancelada")
    shot(page, "account-actions-es")

    with page.expect_download() as download_info:
        page.locator("#evidence-link").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    report = archive.read("report.html").decode()
    assert "El acreedor confirmó el cargo con la factura" in report
    assert "Fuera del horario de contacto del deudor" in report
    session.rollback()
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.account_id == account.id)
    ).all()
    assert set(actions) >= {
        "account.identity_revealed",
        "account.callback_scheduled",
        "dispute.opened",
        "dispute.resolved",
        "account.evidence_pack",
    }


def test_the_account_page_in_english(session: Session, page: Page) -> None:
    account = _account(session)
    session.commit()
    sign_in(page, "gerente")
    page.goto("/accounts")
    page.get_by_label("Idioma").select_option("en")
    page.get_by_label("Reference, name, document or phone").fill("JUANA PEREZ")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results")).to_contain_text("CV-501")
    expect(page.locator("#results")).to_contain_text("Name")
    shot(page, "accounts-search-en")
    page.get_by_role("link", name="CV-501").click()
    expect(page.locator("#refusals")).to_contain_text("Outside the debtor's contact hours")
    expect(page.locator("#refusals")).to_contain_text(
        "It is too early or too late where the debtor lives; the account waits for the window."
    )
    expect(page.locator("#points")).to_contain_text("•••••••••5678")
    page.get_by_label("Correct number", exact=True).fill("55 8765 4321")
    page.get_by_role("button", name="Correct", exact=True).click()
    expect(page.locator("#points")).to_contain_text("Invalid")
    expect(page.locator("#points")).to_contain_text("•••••••••4321")
    page.get_by_label("Why the debtor must not be contacted").fill("Asked in writing")
    page.get_by_role("button", name="Add a do-not-contact mark").click()
    expect(page.locator("#debtor-dnc")).to_contain_text("Asked in writing")
    shot(page, "account-en")
    assert account.id
