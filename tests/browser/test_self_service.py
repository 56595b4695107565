"""The debtors' self-service page in Chromium at phone size (360 x 740): a forged and an expired
link refused, verification, and a promise that takes the account out of a running campaign at once;
the page in English; the manager's data-requests page."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Account, AccountStatus, AuditEvent, Client, Role
from campaigns.scheduler import preview_campaign
from campaigns.self_service.links import link_token
from campaigns.timeline import account_timeline
from tests.browser.conftest import shot, sign_in
from tests.factories import make_account, make_campaign, make_client, make_user, reachable_now

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser: Browser, app_url: str) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        base_url=app_url,
        locale="es-MX",
        timezone_id="America/Mexico_City",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        accept_downloads=True,
    )
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


def _debtor(session: Session) -> tuple[Account, int, Client]:
    client = make_client(session)
    client.payment_link_template = "https://pagos.example.com/pagar?ref={account_ref}"
    account = make_account(session, client=client, ref="CV-1001", **reachable_now())
    account.debtor.national_id = "PELJ800101HDFRRN07"
    campaign = make_campaign(session, client=client, name="Mora temprana")
    session.commit()
    return account, campaign.id, client


def _selected(session: Session, campaign_id: int) -> list[str]:
    """The accounts the running campaign's selection would contact now."""
    session.rollback()
    preview = preview_campaign(session, campaign_id=campaign_id, at=datetime.now(UTC))
    return [a.account_ref for a in preview.contacted if a.rule is None]


def test_a_debtor_promises_a_date_on_a_phone_and_the_campaign_stops_calling(
    session: Session, phone: BrowserContext
) -> None:
    account, campaign_id, _client = _debtor(session)
    assert _selected(session, campaign_id) == ["CV-1001"]  # the running campaign would call now
    now = datetime.now(UTC)
    token = link_token(account, now)
    page = phone.new_page()

    forged = page.goto(f"/s/{token[:-2]}xx")
    assert forged is not None and forged.status == 404
    expect(page.get_by_role("alert")).to_contain_text("no es válido o ya venció")
    shot(page, "self-service-forged-link")
    expired = page.goto(f"/s/{link_token(account, now - timedelta(days=8))}")
    assert expired is not None and expired.status == 404

    page.goto(f"/s/{token}")
    expect(page.get_by_role("heading", name="Su cuenta con Cablevisión Norte")).to_be_visible()
    expect(page.locator("#masked-name")).to_have_text("Hola, J**** P****.")
    assert "1,200" not in page.content()
    shot(page, "self-service-verify")
    page.get_by_label("Últimos 4 dígitos de su documento de identidad").fill("9999")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("alert")).to_contain_text("No pudimos verificar")
    page.get_by_label("Últimos 4 dígitos de su documento de identidad").fill("0107")
    page.keyboard.press("Enter")  # the keyboard alone is enough

    expect(page.locator("#balance")).to_have_text("$1,200.00")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], "the page must not scroll sideways at 360 px"
    shot(page, "self-service-account")
    page.get_by_text("Prometer el pago de $1,200.00 en una fecha").click()
    today = now.astimezone(ZoneInfo("America/Mexico_City")).date()
    page.get_by_label(re.compile("Fecha de pago")).fill((today + timedelta(days=4)).isoformat())
    page.get_by_role("button", name="Prometer esta fecha").click()
    expect(page.locator("#done")).to_contain_text("Su promesa de pago quedó registrada")
    expect(page.locator("#promise-in-force")).to_contain_text("$1,200.00")
    shot(page, "self-service-promised")

    assert _selected(session, campaign_id) == []  # at once: the campaign no longer calls
    assert session.get_one(Account, account.id).status == AccountStatus.PROMISED
    kinds = [entry.kind for entry in account_timeline(session, account_id=account.id)]
    assert {"outcome", "promise", "self_service"} <= set(kinds)

    pay = page.get_by_role("link", name="Pagar en línea con Cablevisión Norte")
    href = pay.get_attribute("href")
    assert href == f"/s/{token}/pay"
    followed = page.request.get(href, max_redirects=0)
    assert followed.status == 303
    assert followed.headers["location"] == "https://pagos.example.com/pagar?ref=CV-1001"
    session.rollback()
    assert session.scalars(
        select(AuditEvent).where(AuditEvent.action == "self_service.payment_link")
    ).one()


def test_the_page_in_english_with_preferences_and_a_data_request(
    session: Session, phone: BrowserContext, page: Page
) -> None:
    account, _campaign, client = _debtor(session)
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    session.commit()
    token = link_token(account, datetime.now(UTC))
    debtor = phone.new_page()
    debtor.goto(f"/s/{token}")
    debtor.get_by_label("Idioma").select_option("en")
    debtor.get_by_role("button", name="Cambiar").click()
    expect(
        debtor.get_by_role("heading", name="Your account with Cablevisión Norte")
    ).to_be_visible()
    debtor.get_by_label("Last 4 digits of your identity document").fill("0107")
    debtor.get_by_role("button", name="Continue").click()
    expect(debtor.get_by_role("heading", name="What you owe")).to_be_visible()

    debtor.get_by_text("Choose channels and hours").click()
    debtor.get_by_role("checkbox", name="Calls").uncheck()
    debtor.get_by_label("From").fill("12:00")
    debtor.get_by_label("To", exact=True).fill("14:00")
    debtor.get_by_role("button", name="Save my preferences").click()
    expect(debtor.locator("#done")).to_contain_text("Your contact preferences are saved.")
    debtor.get_by_text("Stop a channel").click()
    debtor.get_by_role("radio", name="WhatsApp · ••••••••••678").check()
    debtor.get_by_role("button", name="Stop", exact=True).click()
    expect(debtor.locator("#done")).to_contain_text("we will not contact you that way again")
    debtor.get_by_text("Make a request about my data").click()
    debtor.get_by_label("I ask for").select_option("rectification")
    debtor.get_by_label("Details").fill("My second surname is López.")
    debtor.get_by_role("button", name="Send my request").click()
    expect(debtor.locator("#requests")).to_contain_text("Rectification")
    shot(debtor, "self-service-english")

    sign_in(page, "gerente")
    page.goto("/manager/data-requests")
    expect(page.locator("#data-requests")).to_contain_text("My second surname is López.")
    shot(page, "manager-data-requests")
