"""A debtor calls the creditor's number: the agent's console in Chromium shows "Llamada entrante"
with the account on screen, and the timeline marks the inbound call."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from campaigns.models import Role
from tests.browser.conftest import shot, sign_in
from tests.factories import make_account, make_campaign, make_client, make_user, reachable_now
from tests.telephony.conftest import SandboxServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CALLER = "+525512349111"


def test_an_inbound_call_pops_as_llamada_entrante_with_the_account(
    session: Session, sandbox: SandboxServer, app_url: str, page: Page
) -> None:
    reachable = reachable_now()
    client = make_client(session, timezone=reachable["timezone"])
    agent = make_user(session, username="agente1", role=Role.AGENT, access=[client])
    make_campaign(session, client=client, agents=[agent])
    make_account(
        session, client=client, phone=CALLER, balance="1500.00", ref="CV-0101", **reachable
    )
    session.commit()
    sandbox.reset(
        {"play_seconds": 60},
        voice_inbound_url=f"{app_url}/twilio/voice/inbound",
        voice_status_url=f"{app_url}/twilio/voice/status",
    )

    sign_in(page, "agente1")
    expect(page).to_have_url(re.compile(r"/agent$"))
    expect(page.locator("#btn-ready")).to_be_enabled()
    page.keyboard.press("Alt+r")
    expect(page.locator("#state-label")).to_have_text("Disponible")

    sandbox.inbound_call(
        from_number=CALLER, to="+525555550100", answers=["1"], patience_seconds=3600
    )
    expect(page.locator("#call-title")).to_have_text("Llamada entrante", timeout=30_000)
    expect(page.locator("#call-detail")).to_have_text("El deudor llamó al número del acreedor")
    expect(page.locator("#f-balance")).to_have_text("$1,500.00")
    expect(page.locator("#timeline")).to_contain_text("Llamada entrante")
    expect(page.locator("#disposition")).to_be_enabled()
    shot(page, "agent-inbound-call")
