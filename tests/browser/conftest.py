"""Browser tests: Playwright drives Debian's Chromium against uvicorn and the sandbox.

The browser must launch: a missing /usr/bin/chromium fails the tests (never skips them).
Screenshots of every page go to test-artifacts/screenshots/ (docs/ui.md).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.processes import web_server
from tests.telephony.conftest import sandbox, sandbox_server  # noqa: F401

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "contraseña-segura-1"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """The web app (`acuerdo serve`) on a free port; cookies without Secure over plain http."""
    with web_server(ACUERDO_COOKIE_SECURE="false") as url:
        yield url


@pytest.fixture
def context(browser: Browser, app_url: str) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        base_url=app_url,
        locale="es-MX",
        timezone_id="America/Mexico_City",
        viewport={"width": 1400, "height": 1000},
        accept_downloads=True,
    )
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def shot(page: Page, name: str) -> None:
    """Save a full-page screenshot for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form and wait for the role's start page."""
    page.goto("/login")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))
