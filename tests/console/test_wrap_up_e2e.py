"""Wrap-up per campaign over real websockets: the agent asks for more time up to the campaign's
most, supervisors see the agent stuck in wrap-up, and the campaign's default disposition is
recorded when the time runs out."""

import json
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from websockets.sync.client import ClientConnection

from campaigns.dispatch_queue import enqueue_attempt
from campaigns.models import Outcome, Role
from tests.agent_socket import go_ready, open_socket, open_supervisor_socket, receive, sign_in
from tests.factories import (
    make_account,
    make_call_attempt,
    make_campaign,
    make_client,
    make_user,
    reachable_now,
)
from tests.processes import run_worker, web_server
from tests.telephony.conftest import SandboxServer

pytestmark = pytest.mark.slow
PHONE = "+525512349501"


def agent_update(socket: ClientConnection, agent_id: int, **expected: object) -> dict[str, object]:
    deadline = time.monotonic() + 20
    while True:
        message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        ours = message["type"] == "agent" and message["agent_id"] == agent_id
        if ours and all(message.get(k) == v for k, v in expected.items()):
            return dict(message)


def test_more_time_up_to_the_campaign_most_then_its_default_disposition(
    session: Session, sandbox: SandboxServer
) -> None:
    sandbox.reset(
        {"numbers": [{"number": PHONE, "call": "human", "ring_seconds": 1, "talk_seconds": 60}]}
    )
    client = make_client(session)
    agent = make_user(session, username="agente-w", role=Role.AGENT, access=[client])
    make_user(session, username="super-w", role=Role.SUPERVISOR, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent])
    campaign.wrap_up_seconds = 4
    campaign.wrap_up_max_seconds = 7
    campaign.wrap_up_default_disposition = "refuses"
    account = make_account(session, client=client, phone=PHONE, **reachable_now())
    attempt = make_call_attempt(session, account=account, campaign=campaign)
    session.commit()

    with (
        web_server() as url,
        open_socket(url, sign_in(url, "agente-w")) as socket,
        open_supervisor_socket(url, sign_in(url, "super-w")) as wallboard,
    ):
        receive(wallboard, "snapshot")
        go_ready(socket)
        enqueue_attempt(attempt.id)
        run_worker(url)
        receive(socket, "offer", timeout=30)
        first = receive(socket, "wrap_up", timeout=30)
        assert first["most"] - first["deadline"] == pytest.approx(3, abs=0.01)
        assert agent_update(wallboard, agent.id, state="wrap_up")["extended"] is False

        socket.send(json.dumps({"type": "wrap_up_more", "attempt_id": attempt.id}))
        extended = receive(socket, "wrap_up")
        assert extended["extended"] is True
        assert extended["deadline"] == pytest.approx(first["most"], abs=0.01)
        seen = agent_update(wallboard, agent.id, extended=True)
        assert seen["state"] == "wrap_up" and seen["wrap_up_deadline"] == extended["deadline"]

        socket.send(json.dumps({"type": "wrap_up_more", "attempt_id": attempt.id}))
        refused = json.loads(socket.recv(timeout=10))
        while refused["type"] != "error":
            refused = json.loads(socket.recv(timeout=10))
        assert refused["code"] == "WrongState" and "límite" in refused["message"]

        ack = receive(socket, "outcome_ack", timeout=20)
        assert ack["disposition"] == "refuses"
        assert receive(socket, "state")["state"] == "ready"
        assert time.time() >= extended["deadline"]
    session.rollback()
    outcome = session.scalars(select(Outcome)).one()
    assert outcome.disposition == "refuses" and outcome.agent_id == agent.id
