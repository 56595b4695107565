"""An agent's work in the browser: ready, a call pops, script steps, a promise, the next call;
and a dropped network that keeps the draft."""

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import jwt
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocketRoute, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.dispatch_queue import enqueue_attempt
from campaigns.models import Account, Campaign, PromiseToPay, Role, User
from tests.browser.conftest import shot, sign_in
from tests.factories import (
    make_account,
    make_call_attempt,
    make_campaign,
    make_client,
    make_user,
    reachable_now,
    zone_where_it_is_midday,
)
from tests.processes import eventually, run_worker, web_server
from tests.telephony.conftest import SandboxServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FIRST, SECOND = "+525512349101", "+525512349102"


@pytest.fixture
def agent_setup(session: Session) -> Iterator[tuple[User, Campaign, list[Account]]]:
    client = make_client(session)
    agent = make_user(session, username="agente1", role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent])
    accounts = [
        make_account(
            session,
            client=client,
            phone=FIRST,
            balance="1500.00",
            ref="CV-0001",
            name="Juana Pérez López",
            **reachable_now(),
        ),
        make_account(
            session,
            client=client,
            phone=SECOND,
            balance="820.00",
            ref="CV-0002",
            name="Pedro Ramírez",
            **reachable_now(),
        ),
    ]
    session.commit()
    yield agent, campaign, accounts


def dial(session: Session, app_url: str, campaign: Campaign, account: Account) -> int:
    """Create an attempt for the account and let a real worker place the call."""
    session.rollback()
    attempt = make_call_attempt(session, account=account, campaign=campaign)
    session.commit()
    enqueue_attempt(attempt.id)
    run_worker(app_url)
    return attempt.id


def test_ready_call_script_promise_and_next_call(
    session: Session,
    sandbox: SandboxServer,
    app_url: str,
    page: Page,
    agent_setup: tuple[User, Campaign, list[Account]],
) -> None:
    _agent, campaign, (first, second) = agent_setup
    sandbox.reset(
        {
            "numbers": [
                {"number": FIRST, "call": "human", "ring_seconds": 2, "talk_seconds": 120},
                {"number": SECOND, "call": "human", "ring_seconds": 2, "talk_seconds": 3600},
            ]
        }
    )
    sign_in(page, "agente1")
    expect(page).to_have_url(re.compile(r"/agent$"))
    expect(page.locator("#state-label")).to_have_text("Desconectado")
    shot(page, "agent-offline")

    expect(page.locator("#btn-ready")).to_be_enabled()
    page.keyboard.press("Alt+r")
    expect(page.locator("#state-label")).to_have_text("Disponible")
    expect(page.locator("#call-title")).to_have_text("Disponible: esperando una llamada")

    dial(session, app_url, campaign, first)
    expect(page.locator("#f-balance")).to_have_text("$1,500.00")
    expect(page.locator("#f-name")).to_have_text("Juana P. L.")
    expect(page.locator("#masked-note")).to_be_visible()
    expect(page.locator("#step-title")).to_have_text("Saludo e identificación")
    # The history names the call on screen as such, not by the status it had when dialed.
    expect(page.locator("#timeline li").first).to_contain_text("Intento · Llamada · Esta llamada")

    page.get_by_role("button", name="Es el titular").click()
    expect(page.locator("#step-title")).to_have_text("Verificar que hablamos con el titular")
    page.keyboard.press("Alt+v")
    expect(page.locator("#f-name")).to_have_text("Juana Pérez López")
    page.get_by_role("button", name=re.compile("Coinciden")).click()
    expect(page.locator("#step-text")).to_contain_text("$1,500.00")
    page.get_by_role("button", name="Escuchar opciones").click()
    expect(page.locator("#step-title")).to_have_text("Ofrecer opciones dentro de la política")
    expect(page.locator("#plan-schedule tr")).not_to_have_count(0)
    shot(page, "agent-call-script")

    page.locator("#use-discounted").click()
    expect(page.locator("#disposition")).to_have_value("promise_to_pay")
    expect(page.locator("#ptp-amount")).to_have_value("1350.00")
    page.locator("#ptp-amount").fill("99999.00")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#form-errors")).to_contain_text("fuera de la política")
    shot(page, "agent-outcome-error")
    page.locator("#use-discounted").click()
    page.keyboard.press("Control+Enter")
    # Saved before or after the debtor hung up (the call lasts 2 s): the screen says which.
    expect(page.locator("#draft-status")).to_have_text(re.compile(r"^Resultado guardado\."))
    promise = eventually(
        lambda: session.rollback() or session.scalars(select(PromiseToPay)).first()
    )
    assert str(promise.amount) == "1350.00" and promise.account_id == first.id

    expect(page.locator("#state-label")).to_have_text("Disponible", timeout=40_000)
    expect(page.locator("#account")).to_be_hidden()
    dial(session, app_url, campaign, second)
    expect(page.locator("#f-balance")).to_have_text("$820.00")
    expect(page.locator("#call-banner")).to_have_class(re.compile("connected"))
    shot(page, "agent-next-call")


def test_dropped_network_restores_the_draft(
    session: Session,
    sandbox: SandboxServer,
    app_url: str,
    context: BrowserContext,
    page: Page,
    agent_setup: tuple[User, Campaign, list[Account]],
) -> None:
    _agent, campaign, (first, _second) = agent_setup
    sandbox.reset(
        {
            "numbers": [
                {"number": FIRST, "call": "human", "ring_seconds": 2, "talk_seconds": 3600},
            ]
        }
    )
    sign_in(page, "agente1")
    page.get_by_role("button", name=re.compile("^Disponible")).click()
    expect(page.locator("#state-label")).to_have_text("Disponible")
    dial(session, app_url, campaign, first)
    expect(page.locator("#f-balance")).to_have_text("$1,500.00")

    page.keyboard.press("Alt+1")
    expect(page.locator("#disposition")).to_have_value("promise_to_pay")
    page.locator("#ptp-amount").fill("1400.00")
    expect(page.locator("#draft-status")).to_have_text("Borrador guardado en el servidor.")

    context.set_offline(True)
    expect(page.locator("#connection")).to_be_visible()
    page.locator("#notes").fill("Paga el viernes con su quincena")
    expect(page.locator("#draft-status")).to_contain_text("cuando vuelva la conexión")
    shot(page, "agent-reconnecting")
    context.set_offline(False)
    expect(page.locator("#connection")).to_be_hidden(timeout=30_000)
    expect(page.locator("#draft-status")).to_have_text("Borrador guardado en el servidor.")

    page.reload()
    expect(page.locator("#f-balance")).to_have_text("$1,500.00")
    expect(page.locator("#disposition")).to_have_value("promise_to_pay")
    expect(page.locator("#ptp-amount")).to_have_value("1400.00")
    expect(page.locator("#notes")).to_have_value("Paga el viernes con su quincena")
    expect(page.locator("#draft-status")).to_have_text("Se restauró su borrador sin guardar.")
    assert page.evaluate("window.localStorage.length + window.sessionStorage.length") == 0


def test_preview_shows_the_account_first_then_dials_it(
    session: Session, sandbox: SandboxServer, app_url: str, page: Page
) -> None:
    """In a preview campaign the state badge says what the agent is doing: previewing, dialing,
    then on the call (never "incoming call" while nobody is calling)."""
    sandbox.reset(
        {"numbers": [{"number": FIRST, "call": "human", "ring_seconds": 2, "talk_seconds": 600}]}
    )
    client = make_client(session, country="US", timezone="UTC")
    agent = make_user(session, username="agente1", role=Role.AGENT, access=[client])
    make_campaign(session, client=client, agents=[agent], mode="preview")
    make_account(
        session,
        client=client,
        phone=FIRST,
        ref="P-1",
        name="Juana Pérez López",
        timezone=zone_where_it_is_midday(),
        today=datetime.now(UTC).date(),
    )
    session.commit()
    sign_in(page, "agente1")
    expect(page.locator("#btn-ready")).to_be_enabled()
    page.keyboard.press("Alt+r")
    expect(page.locator("#preview")).to_be_visible()
    expect(page.locator("#state-label")).to_have_text("Vista previa")
    expect(page.locator("#call-title")).to_have_text(
        "Vista previa: lea la cuenta y después llame u omita"
    )
    page.keyboard.press("Alt+c")
    expect(page.locator("#state-label")).to_have_text("Marcando")
    run_worker(app_url)
    expect(page.locator("#state-label")).to_have_text("En llamada", timeout=20_000)
    expect(page.locator("#call-banner")).to_have_class(re.compile("connected"))


LIVE = {
    "ACUERDO_TWILIO_MODE": "live",
    "ACUERDO_TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "ACUERDO_TWILIO_AUTH_TOKEN": "2" * 32,
    "ACUERDO_TWILIO_API_KEY_SID": "SK" + "3" * 32,
    "ACUERDO_TWILIO_API_KEY_SECRET": "4" * 32,
    "ACUERDO_TWILIO_TWIML_APP_SID": "AP" + "5" * 32,
}


def test_live_mode_registers_the_browser_phone_with_the_agents_token(
    session: Session, browser: Browser
) -> None:
    """In live mode the console loads Twilio's Voice SDK and registers a Device with the token of
    /api/voice/token. This machine cannot reach Twilio: the signalling socket is answered here,
    the registration message is read, then the socket is closed and the phone says so."""
    client = make_client(session)
    agent = make_user(session, username="agente1", role=Role.AGENT, access=[client])
    session.commit()
    registrations: list[dict[str, object]] = []

    def twilio_signalling(ws: WebSocketRoute) -> None:
        def on_message(message: str | bytes) -> None:
            registrations.append(json.loads(message))
            ws.close(code=1011, reason="no Twilio here")

        ws.on_message(on_message)

    with web_server(ACUERDO_COOKIE_SECURE="false", **LIVE) as url:
        context = browser.new_context(base_url=url, locale="es-MX")
        page = context.new_page()
        page.route_web_socket(re.compile(r"twilio\.com"), twilio_signalling)
        sign_in(page, "agente1")
        expect(page.locator("#phone-status")).to_contain_text("sin conexión", timeout=20_000)
        context.close()
    listen = next(r for r in registrations if r.get("type") == "listen")
    payload = listen["payload"]
    assert isinstance(payload, dict)
    claims = jwt.decode(payload["token"], options={"verify_signature": False})
    assert claims["grants"]["identity"] == f"agent-{agent.id}"
    assert claims["grants"]["voice"]["incoming"]["allow"] is True
