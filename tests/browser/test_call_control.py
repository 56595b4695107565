"""Call control in the agent's console: a running call timer, hold and mute by hotkey (the
sandbox's conference follows), saving during the call keeps the account, and hang-up."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from campaigns.models import Role
from telephony.client import twilio_client
from telephony.voice import conference_name
from tests.browser.conftest import shot, sign_in
from tests.browser.test_agent_console import dial
from tests.factories import make_account, make_campaign, make_client, make_user, reachable_now
from tests.processes import eventually
from tests.telephony.conftest import SandboxServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = "+525512349401"


def debtor_on_hold(attempt_id: int) -> bool:
    conference = twilio_client().conferences.list(
        friendly_name=conference_name(attempt_id), status="in-progress", limit=1
    )[0]
    found = twilio_client().conferences(conference.sid).participants.list()
    return next(p for p in found if not p.label).hold is True


def test_timer_hold_mute_save_during_the_call_and_hang_up(
    session: Session, sandbox: SandboxServer, app_url: str, page: Page
) -> None:
    sandbox.reset(
        {"numbers": [{"number": PHONE, "call": "human", "ring_seconds": 2, "talk_seconds": 3600}]}
    )
    client = make_client(session)
    agent = make_user(session, username="agente1", role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent])
    account = make_account(session, client=client, phone=PHONE, **reachable_now())
    session.commit()

    sign_in(page, "agente1")
    expect(page.locator("#btn-ready")).to_be_enabled()
    page.keyboard.press("Alt+r")
    expect(page.locator("#state-label")).to_have_text("Disponible")
    attempt_id = dial(session, app_url, campaign, account)
    expect(page.locator("#call-controls")).to_be_visible(timeout=30_000)
    expect(page.locator("#call-timer")).to_have_text(re.compile(r"^0:0[2-9]$"), timeout=10_000)

    page.keyboard.press("Alt+o")
    expect(page.locator("#call-flags")).to_contain_text("en espera")
    expect(page.locator("#btn-hold")).to_have_attribute("aria-pressed", "true")
    assert eventually(lambda: debtor_on_hold(attempt_id))
    page.keyboard.press("Alt+m")
    expect(page.locator("#call-flags")).to_contain_text("Silenciado")
    shot(page, "agent-call-on-hold-muted")
    page.keyboard.press("Alt+o")
    expect(page.locator("#btn-hold")).to_have_attribute("aria-pressed", "false")
    assert eventually(lambda: not debtor_on_hold(attempt_id))

    page.locator("#disposition").select_option("refuses")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#draft-status")).to_have_text(
        "Resultado guardado. La cuenta sigue en pantalla hasta que termine la llamada."
    )
    expect(page.locator("#account")).to_be_visible()
    expect(page.locator("#state-label")).to_have_text("En llamada")

    page.keyboard.press("Alt+h")
    expect(page.locator("#state-label")).to_have_text("Disponible", timeout=20_000)
    expect(page.locator("#account")).to_be_hidden()
    expect(page.locator("#call-controls")).to_be_hidden()
    shot(page, "agent-after-hang-up")


def test_a_warm_transfer_from_one_console_to_another(
    session: Session, sandbox: SandboxServer, app_url: str, browser: Browser, page: Page
) -> None:
    sandbox.reset(
        {"numbers": [{"number": PHONE, "call": "human", "ring_seconds": 2, "talk_seconds": 3600}]}
    )
    client = make_client(session)
    first = make_user(session, username="agente1", role=Role.AGENT, access=[client])
    second = make_user(session, username="agente2", role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[first, second])
    account = make_account(session, client=client, phone=PHONE, **reachable_now())
    session.commit()

    sign_in(page, "agente1")
    expect(page.locator("#btn-ready")).to_be_enabled()
    page.keyboard.press("Alt+r")
    expect(page.locator("#state-label")).to_have_text("Disponible")
    dial(session, app_url, campaign, account)
    expect(page.locator("#call-controls")).to_be_visible(timeout=30_000)

    other = browser.new_context(base_url=app_url, locale="es-MX")
    colleague = other.new_page()
    sign_in(colleague, "agente2")
    expect(colleague.locator("#btn-ready")).to_be_enabled()
    colleague.keyboard.press("Alt+r")
    expect(colleague.locator("#state-label")).to_have_text("Disponible")

    page.locator("#transfer-to").focus()
    expect(page.locator("#transfer-to")).to_have_value(str(second.id))
    page.locator("#transfer-mode").select_option("warm")
    page.keyboard.press("Alt+t")
    expect(page.locator("#call-flags")).to_contain_text("Hablando con Agente2")
    expect(colleague.locator("#f-balance")).to_have_text("$1,200.00")
    expect(colleague.locator("#state-label")).to_have_text("En llamada")
    shot(page, "agent-warm-transfer-consulting")
    page.get_by_role("button", name="Completar la transferencia").click()
    expect(page.locator("#state-label")).to_have_text("Disponible")
    expect(page.locator("#call-title")).to_have_text("Disponible: esperando una llamada")
    expect(colleague.locator("#call-flags")).to_contain_text("Transferida por Agente1")
    shot(colleague, "agent-after-warm-transfer")
    other.close()
