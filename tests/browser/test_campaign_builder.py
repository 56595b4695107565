"""The campaign builder in the browser, in Spanish and in English: rows added, moved and removed,
the live account count, the courtesy check and SMS length as the manager types, errors next to
their field, then the preview (named rules, chart, CSV) and the lifecycle with its history."""

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Campaign, CampaignAgent, Client, Debtor, Role
from tests.browser.conftest import shot, sign_in
from tests.factories import make_account, make_client, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]
RAW_CODES = re.compile(r"\b(outside_hours|retry_wait|step_not_due|in_flight|zero_balance|cap:\w+)")


def creditor_with_portfolio(session: Session) -> Client:
    client = make_client(session)
    client.caller_id = "+525555550100"
    client.extra_forbidden_phrases = ["cuenta congelada"]
    today = datetime.now(ZoneInfo("America/Mexico_City")).date()
    for index, (days, region, product) in enumerate(
        [
            (10, "Norte", "Internet"),
            (20, "Centro", "Internet"),
            (45, "Norte", "TV"),
            (70, "Sur", "TV"),
        ]
    ):
        account = make_account(
            session,
            client=client,
            days_overdue=days,
            ref=f"CV-{index + 1}",
            name=f"Deudor{index + 1} Pérez",
            phone=f"+52551234{index:04d}",
            today=today,
        )
        account.product = product
        session.get_one(Debtor, account.debtor_id).region = region
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    make_user(session, username="agente7", role=Role.AGENT)
    session.commit()
    return client


def test_a_manager_builds_previews_starts_pauses_and_finishes_a_campaign_in_spanish(
    session: Session, page: Page
) -> None:
    creditor_with_portfolio(session)
    sign_in(page, "gerente")
    page.goto("/manager/campaigns/new")
    count = page.locator("#match-count")
    expect(count).to_contain_text("2 cuentas coinciden")  # 1-30 days overdue
    page.locator("#max_days_overdue").fill("90")
    expect(count).to_contain_text("4 cuentas coinciden")
    page.locator("#regions").select_option(["Norte"])
    expect(count).to_contain_text("2 cuentas coinciden")

    page.locator("#name").fill("Mora temprana web")
    steps = page.locator("[data-list='steps'] > tr")
    steps.nth(1).locator("input[name='step_day']").fill("2")
    steps.nth(1).locator("select[name='step_channel']").select_option("sms")
    steps.nth(1).locator("input[name='step_template']").fill("aviso")
    page.get_by_role("button", name="Agregar paso", exact=True).click()
    expect(steps).to_have_count(3)
    steps.nth(2).locator("input[name='step_day']").fill("5")
    steps.nth(2).locator("select[name='step_channel']").select_option("voice")
    steps.nth(2).get_by_role("button", name="Subir").click()
    expect(steps.nth(1).locator("input[name='step_day']")).to_have_value("5")
    expect(steps.nth(1).locator("[data-order]")).to_have_text("2")
    steps.nth(1).get_by_role("button", name="Quitar").click()
    expect(steps).to_have_count(2)

    template = page.locator("[data-list='templates'] > [data-row]").first
    template.locator("input[name='template_name']").fill("aviso")
    text = template.locator("textarea[name='template_text']")
    text.fill("Hola {{ first_name }}, su cuenta congelada espera.")
    live = template.locator("[data-live-out]")
    expect(live.locator(".error")).to_contain_text("lista de frases prohibidas del acreedor")
    shot(page, "campaign-builder-courtesy-check-es")
    text.fill("Hola {{ first_name }}, su saldo con {{ creditor }} es {{ balance }}.")
    expect(live.locator(".rendered")).to_contain_text(
        "Hola Deudor1, su saldo con Cablevisión Norte"
    )
    expect(live.locator(".length")).to_contain_text("UCS-2")  # the ó of Cablevisión
    expect(live.locator(".length")).to_contain_text("1 segmento")
    expect(live.locator(".error")).to_have_count(0)

    script = page.locator("[data-list='script'] > [data-row]").first
    script.locator("input[name='script_id']").fill("saludo")
    script.locator("textarea[name='script_text']").fill(
        "{{ greeting }}, ¿hablo con {{ first_name }}?"
    )
    expect(script.locator("[data-live-out] .rendered")).to_contain_text("¿hablo con Deudor1?")
    page.get_by_role("button", name="Agregar paso del guion").click()
    second = page.locator("[data-list='script'] > [data-row]").nth(1)
    second.locator("input[name='script_id']").fill("acuerdo")
    second.locator("textarea[name='script_text']").fill("Podemos acordar un pago de {{ balance }}.")
    script.locator("input[name^='branch_label_']").first.fill("Sí, soy yo")
    script.locator("input[name^='branch_next_']").first.fill("acuerdo")
    page.locator("#script_start").fill("saludo")
    page.locator("input[name='agents'][value='agente7']").check()
    shot(page, "campaign-builder-es")

    page.get_by_role("button", name="Revisar y guardar").click()
    expect(page).to_have_url(re.compile(r"/manager/campaigns/\d+/preview$"))
    expect(page.locator("#rules-chart svg")).to_be_visible()
    assert not RAW_CODES.search(page.locator("main").inner_text())
    shot(page, "campaign-preview-es")
    with page.expect_download() as download:
        page.locator("#eligible-csv").click()
    header = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "Cuenta,Deudor,Días de atraso,Saldo,Paso,Canal"

    page.get_by_role("button", name="Iniciar").click()
    expect(page.locator("#campaign-status")).to_have_text("Activa")
    page.get_by_role("button", name="Pausa").click()
    expect(page.locator("#campaign-status")).to_have_text("En pausa")
    page.get_by_role("button", name="Terminar").click()
    expect(page.locator("#campaign-status")).to_have_text("Terminada")
    history = page.locator("#history")
    for action in ("Creada", "Iniciada", "En pausa", "Terminada"):
        expect(history).to_contain_text(action)
    expect(history).to_contain_text("gerente")
    shot(page, "campaign-lifecycle-history-es")
    page.get_by_role("button", name="Duplicar").click()
    expect(page.locator("#name")).to_have_value("Mora temprana web (2)")
    expect(page.locator("input[name='agents'][value='agente7']")).to_be_checked()

    session.expire_all()
    campaign = session.scalars(select(Campaign).where(Campaign.name == "Mora temprana web")).one()
    assert [s["channel"] for s in campaign.steps] == ["voice", "sms"]
    assert campaign.script["steps"][0]["branches"] == [{"label": "Sí, soy yo", "next": "acuerdo"}]
    assert session.scalars(
        select(CampaignAgent).where(CampaignAgent.campaign_id == campaign.id)
    ).one()
    page.goto("/manager/campaigns")
    shot(page, "campaign-list-es")


def test_the_builder_and_preview_in_english_show_errors_next_to_their_field(
    session: Session, page: Page
) -> None:
    creditor_with_portfolio(session)
    sign_in(page, "gerente")
    page.goto("/manager/campaigns/new")
    page.get_by_label("Idioma").select_option("en")
    expect(page.get_by_role("heading", name="New campaign")).to_be_visible()
    expect(page.locator("#match-count")).to_contain_text("2 accounts match now")
    page.locator("#name").fill("Early arrears")
    page.locator("#max_days_overdue").fill("95")
    page.locator("#max_lines").fill("5000")
    page.locator("#builder").evaluate("form => form.noValidate = true")
    page.get_by_role("button", name="Check and save").click()
    expect(page.locator("#error-max_lines")).to_contain_text("Must be 1000 or less.")
    expect(page.locator("#error-summary")).to_contain_text(
        "Maximum simultaneous lines: Must be 1000 or less."
    )
    expect(page.locator("#name")).to_have_value("Early arrears")
    shot(page, "campaign-builder-errors-en")
    page.locator("#max_lines").fill("50")
    page.locator("#builder").evaluate("form => form.noValidate = true")
    page.get_by_role("button", name="Check and save").click()
    expect(page.locator("#error-filter-max_days_overdue")).to_contain_text(
        "Days overdue to is 95, but only accounts 1-90 days overdue can be contacted"
    )
    page.locator("#max_days_overdue").fill("60")
    page.get_by_role("button", name="Check and save").click()
    expect(page).to_have_url(re.compile(r"/manager/campaigns/\d+/preview$"))
    expect(page.get_by_role("heading", name="Accounts per rule")).to_be_visible()
    assert not RAW_CODES.search(page.locator("main").inner_text())
    page.locator("#q").fill("cv-3")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("main")).not_to_contain_text("CV-1")
    shot(page, "campaign-preview-en")
    with page.expect_download() as download:
        page.locator("#eligible-csv").click()
    header = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "Account,Debtor,Days overdue,Balance,Step,Channel"
    page.get_by_role("link", name="Edit", exact=True).click()
    shot(page, "campaign-builder-en")
