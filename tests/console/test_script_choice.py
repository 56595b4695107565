"""The script an agent reads: chosen by the creditor's product -> script mapping, greeting the
debtor for its local time of day and naming the agent, preview calls too."""

import subprocess
import sys
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements.script_choice import check_product_scripts, script_for_product
from campaigns.errors import Invalid
from campaigns.models import Account, AuditEvent, Client, ContactPoint, Role
from campaigns.scheduler.preview_dialing import PreviewCandidate
from console.agents.preview import preview_screen
from console.screen import build_screen
from tests.factories import TODAY_NOON, make_account, make_campaign, make_client, make_user
from tests.processes import process_env

MAPPING = {"products": {"Fibra 500 Mbps": "internet"}, "default": "cable"}


def _account(session: Session, product: str, **kwargs: object) -> Account:
    client = make_client(session, name=f"Acreedor {product}")
    client.product_scripts = MAPPING
    kwargs.setdefault("phone", None)
    account = make_account(session, client=client, **kwargs)  # type: ignore[arg-type]
    account.product = product
    session.flush()
    return account


def test_the_product_mapping_decides_not_the_products_wording(session: Session) -> None:
    fibre = _account(session, "Fibra 500 Mbps")
    bundle = _account(session, "TV + Internet 50 Mbps")
    titles = {
        account.product: build_screen(
            session, account_id=account.id, verified=False, now=TODAY_NOON
        )["script"]["title"]
        for account in (fibre, bundle)
    }
    assert titles == {
        "Fibra 500 Mbps": "Guion de negociación — internet",
        "TV + Internet 50 Mbps": "Guion de negociación — televisión por cable",
    }


def test_matching_ignores_case_and_spaces_and_falls_back_to_the_default() -> None:
    assert script_for_product(MAPPING, "  fibra 500   MBPS ") == "internet"
    assert script_for_product(MAPPING, "Internet 30 Mbps") == "cable"
    assert script_for_product({"default": "phone"}, None) == "phone"
    assert script_for_product({}, "Internet 30 Mbps") == "cable"


def test_a_mapping_to_a_script_that_does_not_exist_is_refused() -> None:
    try:
        check_product_scripts({"products": {"Fibra": "fibra"}, "default": "cable"})
    except Invalid as error:
        assert "fibra" in error.render("es_MX")
    else:
        raise AssertionError("an unknown script was accepted")


def test_greeting_in_the_debtors_evening_with_the_agents_name(session: Session) -> None:
    account = _account(session, "Fibra 500 Mbps", timezone="America/Mexico_City")
    evening = datetime(2026, 11, 24, 3, 15, tzinfo=UTC)  # 21:15 in Mexico City
    screen = build_screen(
        session, account_id=account.id, verified=False, now=evening, agent_name="Laura Gómez"
    )
    first = screen["script"]["steps"][screen["script"]["start"]]["text"]
    assert first.startswith("Buenas noches, le saluda Laura Gómez de ")


def test_a_preview_screen_greets_as_the_agent(session: Session) -> None:
    account = _account(session, "Fibra 500 Mbps", phone="+525512340001")
    point = session.scalars(select(ContactPoint)).one()
    agent = make_user(session, username="agente-g", role=Role.AGENT)
    agent.full_name = "Laura Gómez"
    campaign = make_campaign(
        session, client=session.get_one(Client, account.client_id), mode="preview"
    )
    session.commit()
    candidate = PreviewCandidate(
        campaign_id=campaign.id,
        account_id=account.id,
        contact_point_id=point.id,
        step=0,
        try_number=1,
        timezone="UTC",
    )
    screen = preview_screen(candidate, agent.id)
    first = screen["script"]["steps"][screen["script"]["start"]]["text"]
    assert "le saluda Laura Gómez de " in first


def test_the_manager_sets_the_mapping_from_the_command_line(session: Session) -> None:
    client = make_client(session, name="Red Veloz")
    session.commit()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "console",
            "clients",
            "scripts",
            "Red Veloz",
            "--product",
            "Fibra 500 Mbps=internet",
            "--default",
            "phone",
        ],
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    refused = subprocess.run(
        [sys.executable, "-m", "console", "clients", "scripts", "Red Veloz", "--default", "x"],
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0 and "No script of kind x" in refused.stderr
    session.rollback()
    stored = session.get_one(Client, client.id).product_scripts
    assert stored == {"products": {"Fibra 500 Mbps": "internet"}, "default": "phone"}
    assert session.scalars(
        select(AuditEvent).where(AuditEvent.action == "client.product_scripts")
    ).one()
