"""Demo creditors, users and portfolios; running it again changes nothing."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns import clients, users
from campaigns.agreements.script_choice import check_product_scripts
from campaigns.campaign_defs import create_campaign, parse_definition, start_campaign
from campaigns.models import Campaign, Client, ComplianceProfile, Role, User
from console.demo.portfolio import demo_portfolio_csv

CREDITORS = [
    ("Cablevisión del Norte", "cable", "+528001234500"),
    ("Red Veloz Internet", "internet", "+528001234600"),
    ("TeleMóvil", "phone", "+528001234700"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    creditors: tuple[str, ...]


DEMO_USERS = [
    DemoUser("admin", "acuerdo-admin-demo", Role.ADMIN, ()),
    DemoUser("gerente", "acuerdo-gerente-demo", Role.MANAGER, tuple(c[0] for c in CREDITORS)),
    DemoUser("supervisora", "acuerdo-super-demo", Role.SUPERVISOR, tuple(c[0] for c in CREDITORS)),
    DemoUser("agente1", "acuerdo-agente1-demo", Role.AGENT, tuple(c[0] for c in CREDITORS)),
    DemoUser("agente2", "acuerdo-agente2-demo", Role.AGENT, tuple(c[0] for c in CREDITORS)),
    DemoUser("agente3", "acuerdo-agente3-demo", Role.AGENT, tuple(c[0] for c in CREDITORS)),
    DemoUser("cablevision", "acuerdo-cliente-demo", Role.CLIENT_VIEWER, (CREDITORS[0][0],)),
]


def ensure_creditors(session: Session, *, now: datetime) -> list[tuple[Client, str]]:
    """The three demo creditors (cable, internet, phone), created when missing."""
    result = []
    for name, kind, callback in CREDITORS:
        client = session.scalar(select(Client).where(Client.name == name))
        if client is None:
            client = clients.create_client(
                session,
                name=name,
                country="MX",
                currency="MXN",
                timezone="America/Mexico_City",
                profile=ComplianceProfile.MX,
                max_promise_days=15,
                early_payment_discount_pct=Decimal("15"),
                min_down_payment_pct=Decimal("20"),
                max_installments=6,
                callback_number=callback,
                now=now,
            )
            client.product_scripts = check_product_scripts({"products": {}, "default": kind})
            client.whatsapp_sender = callback
            # Calls show the creditor's own number, so a debtor calling it back reaches the IVR.
            client.caller_id = callback
            client.whatsapp_templates = {"recordatorio_pago": "HX" + "0" * 31 + str(client.id)}
        result.append((client, kind))
    return result


def ensure_users(session: Session, *, now: datetime) -> None:
    """The demo users, created when missing."""
    for demo in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == demo.username)) is None:
            users.create_user(
                session,
                username=demo.username,
                password=demo.password,
                role=demo.role,
                full_name=demo.username.capitalize(),
                client_names=list(demo.creditors),
                now=now,
            )


REMINDER = (
    "{{ greeting }}, {{ first_name }}, le recordamos su saldo de {{ balance }} con {{ creditor }}. "
    "Para acordar una fecha de pago llámenos al {{ callback_number }} o entre a "
    "{{ self_service_link }}. {{ opt_out_text }}"
)
DEMO_CAMPAIGNS = [
    ("Cablevisión del Norte", "Cable: mora temprana", "progressive", ["agente1", "agente2"]),
    (
        "Red Veloz Internet",
        "Internet: mora temprana",
        "predictive",
        ["agente1", "agente2", "agente3"],
    ),
    ("TeleMóvil", "Telefonía: vista previa", "preview", ["agente3"]),
]


def ensure_campaigns(session: Session, *, now: datetime) -> list[Campaign]:
    """One active campaign per demo creditor (progressive, predictive, preview), agents assigned."""
    result = []
    for creditor, name, mode, agents in DEMO_CAMPAIGNS:
        existing = session.scalar(select(Campaign).where(Campaign.name == name))
        if existing is not None:
            result.append(existing)
            continue
        definition = parse_definition(
            {
                "name": name,
                "client": creditor,
                "dialing_mode": mode,
                "max_lines": 10,
                "filter": {"min_days_overdue": 1, "max_days_overdue": 90},
                "steps": [
                    {"day": 0, "channel": "voice"},
                    {"day": 1, "channel": "sms", "template": "recordatorio"},
                    {"day": 2, "channel": "voice"},
                ],
                "templates": {"recordatorio": REMINDER},
                "agents": agents,
            }
        )
        campaign = create_campaign(
            session, definition=definition, by_id=None, by_label="demo", now=now
        )
        result.append(
            start_campaign(session, campaign_id=campaign.id, by_id=None, by_label="demo", now=now)
        )
    return result


def portfolio_files(today: date) -> dict[str, bytes]:
    """One generated portfolio file per demo creditor."""
    return {
        name: demo_portfolio_csv(kind=kind, today=today, seed=index + 7)
        for index, (name, kind, _callback) in enumerate(CREDITORS)
    }
