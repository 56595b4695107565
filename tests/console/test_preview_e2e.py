"""Preview mode over real websockets: the agent sees the account first, then calls or skips."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Attempt, AuditEvent, Role
from tests.agent_socket import open_socket, receive, sign_in
from tests.factories import (
    make_account,
    make_campaign,
    make_client,
    make_user,
    zone_where_it_is_midday,
)
from tests.processes import run_worker, web_server
from tests.telephony.conftest import SandboxServer

pytestmark = pytest.mark.slow


def test_agent_previews_skips_then_calls_and_gets_the_call(
    session: Session, sandbox: SandboxServer
) -> None:
    sandbox.reset(
        {
            "numbers": [
                {"match": "+52551234980*", "call": "human", "ring_seconds": 1, "talk_seconds": 600}
            ]
        }
    )
    client = make_client(session, country="US", timezone="UTC")
    agent = make_user(session, username="agente9", role=Role.AGENT, access=[client])
    make_campaign(session, client=client, agents=[agent], mode="preview")
    zone = zone_where_it_is_midday()
    today = datetime.now(UTC).date()
    first = make_account(
        session,
        client=client,
        phone="+525512349801",
        ref="P-1",
        days_overdue=60,
        timezone=zone,
        today=today,
    )
    second = make_account(
        session,
        client=client,
        phone="+525512349802",
        ref="P-2",
        days_overdue=20,
        timezone=zone,
        today=today,
    )
    session.commit()
    with web_server() as url:
        cookie = sign_in(url, "agente9")
        with open_socket(url, cookie) as socket:
            receive(socket, "snapshot")
            socket.send(json.dumps({"type": "set_state", "state": "ready"}))
            shown = receive(socket, "preview")
            assert shown["account_id"] == first.id
            assert shown["screen"]["account"]["days_overdue"] == 60
            assert receive(socket, "state")["state"] == "reserved"

            socket.send(
                json.dumps(
                    {"type": "preview_skip", "account_id": first.id, "reason": "promesa reciente"}
                )
            )
            shown = receive(socket, "preview")
            assert shown["account_id"] == second.id

            socket.send(json.dumps({"type": "preview_call", "account_id": second.id}))
            dialing = receive(socket, "call")
            assert dialing["status"] == "dialing"
            run_worker(url)
            offer = receive(socket, "offer", timeout=30)
            assert offer["attempt_id"] == dialing["attempt_id"]
    session.rollback()
    attempts = session.scalars(select(Attempt)).all()
    assert [(a.account_id, a.agent_id) for a in attempts] == [(second.id, agent.id)]
    assert attempts[0].abandoned is False
    skipped = session.scalars(select(AuditEvent).where(AuditEvent.action == "preview.skipped"))
    assert [e.account_id for e in skipped] == [first.id]
