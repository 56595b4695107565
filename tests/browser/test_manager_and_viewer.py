"""Manager pages and the client viewer in the browser: a messy upload shows its rejects, the
campaign editor shows the save-time check inline, and a viewer cannot open another creditor."""

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from campaigns.models import Role
from tests.browser.conftest import PASSWORD, shot, sign_in
from tests.factories import make_account, make_campaign, make_client, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]
MESSY = Path(__file__).resolve().parents[1] / "data" / "cartera_latin1.csv"


def test_manager_uploads_a_messy_file_and_sees_its_rejects(
    session: Session, app_url: str, page: Page
) -> None:
    client = make_client(session, name="Cablevisión Norte")
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    session.commit()
    sign_in(page, "gerente")
    expect(page).to_have_url(re.compile(r"/manager$"))
    expect(page.get_by_role("cell", name="Cablevisión Norte")).to_be_visible()
    shot(page, "manager-creditors")

    page.get_by_role("link", name="Carteras").click()
    page.get_by_label("Acreedor").first.select_option(label="Cablevisión Norte")
    page.get_by_label("Archivo", exact=True).set_input_files(str(MESSY))
    page.get_by_role("button", name="Importar").click()
    expect(page.locator("#import-summary")).to_be_visible()
    rejected = int(page.locator("#rejected-count").inner_text())
    assert rejected > 0
    expect(page.locator("#rejects tbody tr").first).to_be_visible()
    assert page.locator("#rejects tbody tr").count() >= rejected
    shot(page, "manager-portfolio-import")
    with page.expect_download() as download_info:
        page.locator("#rejects-link").click()
    rejects = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert len(rejects.strip().splitlines()) >= rejected + 1

    page.goto("/manager/campaigns/new")
    page.get_by_label("Nombre", exact=True).fill("Mora 1-30")
    steps = page.locator("[data-list='steps'] > tr")
    steps.nth(0).locator("select[name='step_channel']").select_option("sms")
    steps.nth(0).locator("input[name='step_template']").fill("aviso")
    template = page.locator("[data-list='templates'] > [data-row]").first
    template.locator("input[name='template_name']").fill("aviso")
    template.locator("textarea[name='template_text']").fill(
        "Hola {{ first_name }}, si no paga hoy lo demandaremos y embargaremos."
    )
    page.get_by_role("button", name="Revisar y guardar").click()
    expect(page.locator("#error-templates-aviso")).to_be_visible()
    expect(page.locator("#error-templates-aviso")).to_contain_text("Plantilla aviso")
    shot(page, "manager-campaign-editor-error")
    template.locator("textarea[name='template_text']").fill(
        "Hola {{ first_name }}, le recordamos su saldo de {{ balance }} con {{ creditor }}."
    )
    page.get_by_role("button", name="Revisar y guardar").click()
    expect(page).to_have_url(re.compile(r"/manager/campaigns/\d+/preview$"))
    expect(page.locator("#rules")).to_be_visible()
    shot(page, "manager-campaign-preview")
    page.get_by_role("button", name="Iniciar").click()
    expect(page.locator("#campaign-status")).to_have_text("Activa")
    page.goto("/manager/campaigns")
    expect(page.get_by_text("Activa")).to_be_visible()
    shot(page, "manager-campaigns")
    page.goto("/manager/users")
    shot(page, "manager-users")
    page.goto("/supervisor")
    expect(page.locator("#campaigns tr")).to_have_count(1)
    expect(page.locator("#campaigns")).to_contain_text("Mora 1-30")
    shot(page, "supervisor-wallboard")


def test_client_viewer_sees_only_its_creditor_and_can_switch_to_english(
    session: Session, app_url: str, page: Page
) -> None:
    mine = make_client(session, name="Cablevisión Norte")
    other = make_client(session, name="Red Veloz Internet")
    make_account(session, client=mine, balance="1200.00", ref="CV-1")
    make_account(session, client=other, balance="999.00", ref="RV-1", phone="+525512340002")
    make_campaign(session, client=mine, name="Mora temprana")
    make_user(session, username="cliente", role=Role.CLIENT_VIEWER, client=mine)
    session.commit()
    sign_in(page, "cliente")
    expect(page).to_have_url(re.compile(rf"/viewer/{mine.id}$"))
    expect(page.get_by_role("heading", name="Cablevisión Norte")).to_be_visible()
    expect(page.locator("#status")).to_contain_text("$1,200.00")
    expect(page.locator("#results")).to_contain_text("Mora temprana")
    shot(page, "viewer-own-creditor")

    response = page.goto(f"/viewer/{other.id}")
    assert response is not None and response.status in (403, 404)
    expect(page.get_by_role("alert")).to_be_visible()
    assert "Red Veloz" not in page.content() and "999" not in page.content()
    shot(page, "viewer-other-creditor-refused")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    api = httpx.get(f"{app_url}/manager", cookies=cookies, follow_redirects=False)
    assert api.status_code == 403

    page.goto(f"/viewer/{mine.id}")
    page.get_by_label("Idioma").select_option("en")
    expect(page.get_by_role("heading", name="Portfolio status")).to_be_visible()
    expect(page.locator("#status")).to_contain_text("Active")
    shot(page, "viewer-english")
    page.goto("/login")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert PASSWORD not in page.content()
