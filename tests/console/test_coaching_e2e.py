"""Live coaching on real processes (sandbox conference, web process, rq worker, websockets): a
supervisor of the call's creditor listens (muted), whispers (coach of the agent's leg) and barges
(unmuted); the agent's console is told; another creditor's supervisor is refused."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from websockets.sync.client import ClientConnection

from campaigns.dispatch_queue import enqueue_attempt
from campaigns.models import AuditEvent, Role
from tests.agent_socket import (
    go_ready,
    open_socket,
    open_supervisor_socket,
    receive,
    send,
    sign_in,
)
from tests.console.test_call_control_e2e import an_attempt, call_update, participants
from tests.factories import make_client, make_user
from tests.processes import eventually, run_worker, web_server
from tests.telephony.conftest import SandboxServer

pytestmark = pytest.mark.slow
PHONE = "+525512349301"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with web_server() as url:
        yield url


def reply(socket: ClientConnection, timeout: float = 20) -> dict[str, Any]:
    """The next `monitor` or `error` message on a supervisor's feed."""
    while True:
        message = json.loads(socket.recv(timeout=timeout))
        if message["type"] in {"monitor", "error"}:
            return dict(message)


def test_a_supervisor_listens_whispers_and_barges_and_the_agent_is_told(
    session: Session, sandbox: SandboxServer, server: str
) -> None:
    sandbox.reset(
        {"numbers": [{"number": PHONE, "call": "human", "ring_seconds": 2, "talk_seconds": 3600}]}
    )
    client = make_client(session)
    agent = make_user(session, username="agente-coach", role=Role.AGENT, access=[client])
    boss = make_user(session, username="super-coach", role=Role.SUPERVISOR, access=[client])
    other_creditor = make_client(session, name="Otro acreedor")
    make_user(session, username="super-ajeno", role=Role.SUPERVISOR, access=[other_creditor])
    attempt = an_attempt(session, agents=[agent], client=client)
    label = f"supervisor-{boss.id}"

    with (
        open_socket(server, sign_in(server, "agente-coach")) as console,
        open_supervisor_socket(server, sign_in(server, "super-coach")) as wallboard,
        open_supervisor_socket(server, sign_in(server, "super-ajeno")) as stranger,
    ):
        assert go_ready(console)["state"] == "ready"
        enqueue_attempt(attempt.id)
        run_worker(server)
        receive(console, "offer", timeout=30)
        eventually(lambda: f"agent-{agent.id}" in participants(attempt.id), timeout=20)
        agent_leg = participants(attempt.id)[f"agent-{agent.id}"].call_sid

        send(stranger, "monitor", attempt_id=attempt.id, mode="listen")
        refused = reply(stranger)
        assert refused["type"] == "error" and refused["code"] == "NotFound"

        send(wallboard, "monitor", attempt_id=attempt.id, mode="listen")
        assert reply(wallboard) == {
            "v": 1,
            "type": "monitor",
            "attempt_id": attempt.id,
            "agent_id": agent.id,
            "mode": "listen",
        }
        told = receive(console, "supervisor_monitor")
        assert told["mode"] == "listen" and told["supervisor_id"] == boss.id
        assert told["supervisor"]
        eventually(lambda: label in participants(attempt.id), timeout=20)
        listening = participants(attempt.id)[label]
        assert listening.muted is True and listening.coaching is False
        send(console, "resync")
        (kept,) = receive(console, "snapshot")["monitors"]
        assert kept == {
            "supervisor_id": boss.id,
            "supervisor": told["supervisor"],
            "mode": "listen",
        }

        send(wallboard, "monitor", attempt_id=attempt.id, mode="whisper")
        assert reply(wallboard)["mode"] == "whisper"
        assert receive(console, "supervisor_monitor")["mode"] == "whisper"
        whispering = participants(attempt.id)[label]
        assert whispering.muted is False and whispering.coaching is True
        assert whispering.call_sid_to_coach == agent_leg

        send(wallboard, "monitor", attempt_id=attempt.id, mode="barge")
        assert reply(wallboard)["mode"] == "barge"
        assert receive(console, "supervisor_monitor")["mode"] == "barge"
        barging = participants(attempt.id)[label]
        assert barging.muted is False and barging.coaching is False

        send(wallboard, "monitor_stop", attempt_id=attempt.id)
        assert reply(wallboard)["mode"] is None
        assert receive(console, "supervisor_monitor")["mode"] is None
        eventually(lambda: label not in participants(attempt.id), timeout=20)
        send(console, "resync")
        assert receive(console, "snapshot")["monitors"] == []
        assert "debtor" in participants(attempt.id)

        send(console, "hang_up", attempt_id=attempt.id)
        call_update(console, status="ended")

    session.rollback()
    audited = session.scalars(select(AuditEvent).where(AuditEvent.action == "call.monitored"))
    assert [e.data["mode"] for e in audited] == ["listen", "whisper", "barge", None]
