"""The wallboard a supervisor reads: agents counted by state, a ringing call with its campaign
and age, the campaign's floor figures with the amount in the creditor's currency, today in the
BPO's zone."""

import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from campaigns.models import Attempt, AttemptStatus, Channel, Outcome, PromiseToPay, Role
from campaigns.operating_day import operating_day
from tests.agent_socket import go_ready, open_socket
from tests.agent_socket import sign_in as sign_in_socket
from tests.browser.conftest import shot, sign_in
from tests.factories import make_account, make_campaign, make_client, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _today_so_far() -> tuple[datetime, timedelta]:
    """Now, and how far back the seeded calls may go and still fall today on the web app's
    clock, which counts "today" in the operating zone: 6 minutes, less just after midnight
    there. Within 90 s of the day's end it waits for the next day, so the page is not read on
    another day than the one seeded."""
    now = datetime.now(UTC)
    left = operating_day(now).end - now
    if left < timedelta(seconds=90):
        time.sleep(left.total_seconds() + 1)
        now = datetime.now(UTC)
    return now, min(timedelta(minutes=6), now - operating_day(now).start)


def test_the_floor_at_a_glance(session: Session, app_url: str, page: Page) -> None:
    now, today_so_far = _today_so_far()
    client = make_client(session, name="Cablevisión Norte")
    agent = make_user(session, username="agente1", role=Role.AGENT, access=[client])
    make_user(session, username="supervisora", role=Role.SUPERVISOR, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent], name="Mora temprana")
    account = make_account(session, client=client, today=now.date())
    ringing = Attempt(
        client_id=client.id,
        account_id=account.id,
        campaign_id=campaign.id,
        channel=Channel.VOICE,
        status=AttemptStatus.RINGING,
        created_at=now - timedelta(seconds=40),
    )
    answered = Attempt(
        client_id=client.id,
        account_id=account.id,
        campaign_id=campaign.id,
        channel=Channel.VOICE,
        status=AttemptStatus.COMPLETED,
        answered_by="human",
        answered_at=now - today_so_far * 0.9,
        created_at=now - today_so_far,
    )
    session.add_all([ringing, answered])
    session.flush()
    outcome = Outcome(
        client_id=client.id,
        account_id=account.id,
        attempt_id=answered.id,
        agent_id=agent.id,
        disposition="promise_to_pay",
        right_party=True,
        created_at=now - today_so_far * 0.4,
    )
    session.add(outcome)
    session.flush()
    session.add(
        PromiseToPay(
            client_id=client.id,
            account_id=account.id,
            outcome_id=outcome.id,
            amount=Decimal("1500.00"),
            due_date=date.today() + timedelta(days=5),
            created_at=now - today_so_far * 0.4,
        )
    )
    session.commit()

    with open_socket(app_url, sign_in_socket(app_url, "agente1")) as socket:
        go_ready(socket)
        sign_in(page, "supervisora")
        page.goto("/supervisor")
        expect(page.locator("#state-counts")).to_have_text("Disponible: 1")
        expect(page.locator("#calls")).to_contain_text("Mora temprana · Cablevisión Norte")
        expect(page.locator("#calls")).to_contain_text("Timbrando desde hace 0:4")
        row = page.locator("#campaigns tr").first
        expect(row).to_contain_text("$1,500.00")
        expect(row).to_contain_text("0%")
        # Every figure and the pause button fit the 1,400 px screen: no sideways scrolling.
        expect(row.get_by_role("button", name="Pausa Mora temprana")).to_be_in_viewport()
        figures = page.locator("section[aria-labelledby=campaigns-heading]")
        assert figures.evaluate("panel => panel.scrollWidth <= panel.clientWidth")
        expect(page.locator("#day")).to_have_text(
            f"Día de operación {operating_day(now).date.isoformat()}"
        )
        expect(page.locator("#occupancy")).to_contain_text("Ocupación de hoy")
        shot(page, "supervisor-wallboard-floor")
