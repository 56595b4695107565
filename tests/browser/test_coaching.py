"""Coaching from the wallboard: the supervisor listens, then whispers, from the call's row; the
agent's console shows a banner with who is on the call (the sandbox conference follows)."""

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from campaigns.models import Role
from tests.browser.conftest import shot, sign_in
from tests.browser.test_agent_console import dial
from tests.console.test_call_control_e2e import participants
from tests.factories import make_account, make_campaign, make_client, make_user, reachable_now
from tests.processes import eventually
from tests.telephony.conftest import SandboxServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = "+525512349601"


def test_the_supervisor_listens_then_whispers_and_the_agent_sees_it(
    session: Session, sandbox: SandboxServer, app_url: str, browser: Browser, page: Page
) -> None:
    sandbox.reset(
        {"numbers": [{"number": PHONE, "call": "human", "ring_seconds": 2, "talk_seconds": 3600}]}
    )
    client = make_client(session)
    agent = make_user(session, username="agente1", role=Role.AGENT, access=[client])
    boss = make_user(session, username="super1", role=Role.SUPERVISOR, access=[client])
    boss.full_name = "Sofía Ruiz"
    campaign = make_campaign(session, client=client, agents=[agent])
    account = make_account(session, client=client, phone=PHONE, **reachable_now())
    session.commit()

    sign_in(page, "agente1")
    expect(page.locator("#btn-ready")).to_be_enabled()
    page.keyboard.press("Alt+r")
    expect(page.locator("#state-label")).to_have_text("Disponible")
    attempt_id = dial(session, app_url, campaign, account)
    expect(page.locator("#call-controls")).to_be_visible(timeout=30_000)
    expect(page.locator("#monitor-banner")).to_be_hidden()

    other = browser.new_context(base_url=app_url, locale="es-MX")
    wallboard = other.new_page()
    sign_in(wallboard, "super1")
    wallboard.goto("/supervisor")
    listen = wallboard.get_by_role("button", name="Escuchar")
    expect(listen).to_be_visible(timeout=20_000)
    shot(wallboard, "wallboard-listen-button")
    listen.click()
    expect(wallboard.locator("#calls")).to_contain_text("Usted está escuchando")
    expect(page.locator("#monitor-banner")).to_have_text(
        "Sofía Ruiz (supervisor) está escuchando esta llamada"
    )
    label = f"supervisor-{boss.id}"
    assert eventually(lambda: label in participants(attempt_id))
    assert participants(attempt_id)[label].muted is True
    shot(page, "agent-supervisor-listening-banner")

    wallboard.get_by_role("button", name="Susurrar").click()
    expect(page.locator("#monitor-banner")).to_contain_text("le está asesorando")
    assert eventually(lambda: participants(attempt_id)[label].coaching is True)
    wallboard.get_by_role("button", name="Salir de la llamada").click()
    expect(page.locator("#monitor-banner")).to_be_hidden()
    other.close()
