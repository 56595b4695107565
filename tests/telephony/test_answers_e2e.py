"""A debtor's reply reaches the inbox over the signed webhook and an agent answers it from the
account page, on real processes: the web app under uvicorn, the sandbox over HTTP and rq workers.
Each answer goes out exactly once, WhatsApp free text inside the 24-hour window, an approved
template outside it."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Attempt, AttemptStatus, Channel, InboundMessage, Role
from tests.browser.conftest import PASSWORD
from tests.factories import make_account, make_client, make_user, opt_in, reachable_now
from tests.processes import eventually, run_worker, web_server
from tests.telephony.conftest import SandboxServer

pytestmark = pytest.mark.slow
SMS_SENDER = "+525550000200"
WHATSAPP_SENDER = "+525550000300"
TALKS = "+525512349905"
SILENT = "+525512349915"


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with web_server(ACUERDO_COOKIE_SECURE="false") as url:
        yield url


@contextmanager
def _signed_in(app_url: str, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=app_url, timeout=20) as web:
        login = web.post("/auth/login", data={"username": username, "password": PASSWORD})
        assert login.status_code == 200, login.text
        yield web


def _to(sandbox: SandboxServer, number: str) -> list[dict[str, object]]:
    return [m for m in sandbox.messages() if m.get("to") == number]


def test_an_agent_answers_sms_and_whatsapp_replies_exactly_once(
    session: Session, sandbox: SandboxServer, app_url: str
) -> None:
    sandbox.reset(
        {
            "numbers": [{"number": TALKS, "sms": "delivered"}, {"number": SILENT}],
            "templates": {"HX0001": "Hola {{1}}, le recordamos su saldo de {{2}}."},
            "sms": {"reply_probability": 0},
        },
        sms_inbound_url=f"{app_url}/twilio/sms/inbound",
        whatsapp_inbound_url=f"{app_url}/twilio/whatsapp/inbound",
    )
    client = make_client(session, name="Cablevisión Norte")
    client.whatsapp_sender = WHATSAPP_SENDER
    client.whatsapp_templates = {"recordatorio": "HX0001"}
    talks = make_account(session, client=client, phone=TALKS, ref="CV-1", **reachable_now())
    silent = make_account(
        session, client=client, phone=SILENT, ref="CV-2", name="Pedro Gómez", **reachable_now()
    )
    for account in (talks, silent):
        opt_in(session, account.debtor.contact_points[0], Channel.WHATSAPP,
               datetime.now(UTC) - timedelta(days=5))  # fmt: skip
    make_user(session, username="lucia", role=Role.AGENT, access=[client])
    session.commit()
    talks_point = talks.debtor.contact_points[0].id
    silent_point = silent.debtor.contact_points[0].id

    sandbox.inbound(from_number=TALKS, to=SMS_SENDER, body="¿Puedo pagar el viernes?")
    sandbox.inbound(from_number=f"whatsapp:{TALKS}", to=f"whatsapp:{WHATSAPP_SENDER}",
                    body="Hola, ¿cuánto debo?")  # fmt: skip
    with _signed_in(app_url, "lucia") as agent:
        inbox = agent.get("/accounts/inbox")
        assert inbox.status_code == 200
        assert '<span class="badge" id="unread-total">2</span>' in inbox.text
        assert f'href="/accounts/{talks.id}#conversation"' in inbox.text

        answered = agent.post(
            f"/accounts/{talks.id}/answers",
            data={"contact_point_id": talks_point, "channel": "sms", "text": "Sí, el viernes."},
        )
        assert answered.status_code == 303, answered.text
        window = agent.post(
            f"/accounts/{talks.id}/answers",
            data={"contact_point_id": talks_point, "channel": "whatsapp",
                  "text": "Su saldo es de $1,200.00."},
        )  # fmt: skip
        assert window.status_code == 303, window.text
        outside = agent.post(
            f"/accounts/{silent.id}/answers",
            data={"contact_point_id": silent_point, "channel": "whatsapp", "text": "Hola"},
        )
        assert outside.status_code == 422
        assert "24 horas" in outside.text
        template = agent.post(
            f"/accounts/{silent.id}/answers",
            data={"contact_point_id": silent_point, "channel": "whatsapp",
                  "template": "recordatorio", "text": ""},
        )  # fmt: skip
        assert template.status_code == 303, template.text
        assert '<span class="badge" id="unread-total">0</span>' in agent.get("/accounts/inbox").text

        run_worker(app_url)
        run_worker(app_url)
        sms = _to(sandbox, TALKS)
        assert [m["body"] for m in sms] == ["Sí, el viernes."]
        whatsapp = _to(sandbox, f"whatsapp:{TALKS}")
        assert [m["body"] for m in whatsapp] == ["Su saldo es de $1,200.00."]
        templated = _to(sandbox, f"whatsapp:{SILENT}")
        assert len(templated) == 1
        assert str(templated[0]["body"]).startswith("Hola Pedro, le recordamos su saldo de")

        session.rollback()
        answers = session.scalars(select(Attempt).order_by(Attempt.id)).all()
        assert len(answers) == 3
        assert all(a.agent_id is not None and a.provider_sid for a in answers)
        eventually(
            lambda: (
                session.rollback()
                or session.scalar(select(Attempt.status).where(Attempt.id == answers[0].id))
                == AttemptStatus.DELIVERED
            )
        )
        page = agent.get(f"/accounts/{talks.id}").text
        assert "¿Puedo pagar el viernes?" in page and "Sí, el viernes." in page
        assert session.scalars(select(InboundMessage.handled_as)).all() == ["reply", "reply"]
