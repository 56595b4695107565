"""An agent's day over real websockets, two server processes, rq workers and the sandbox."""

import json
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from campaigns.dispatch_queue import enqueue_attempt
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    Outcome,
    PromiseToPay,
    Role,
)
from tests.agent_socket import go_ready, open_socket, receive, send, sign_in
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
PHONE = "+525512349001"


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    with web_server() as first, web_server() as second:
        yield first, second


def test_answered_call_pops_on_the_agents_process_and_a_promise_is_recorded(
    session: Session, sandbox: SandboxServer, servers: tuple[str, str]
) -> None:
    agent_server, webhook_server = servers
    sandbox.reset(
        {"numbers": [{"number": PHONE, "call": "human", "ring_seconds": 2, "talk_seconds": 900}]}
    )
    client = make_client(session)
    agent = make_user(session, username="agente1", role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent])
    account = make_account(
        session, client=client, phone=PHONE, balance="1500.00", **reachable_now()
    )
    attempt = make_call_attempt(session, account=account, campaign=campaign)
    session.commit()

    cookie = sign_in(agent_server, "agente1")
    with open_socket(agent_server, cookie) as socket:
        snapshot = receive(socket, "snapshot")
        assert snapshot["agent"]["state"] == "offline" and snapshot["call"] is None
        send(socket, "set_state", state="ready")
        assert receive(socket, "state")["state"] == "ready"

        enqueue_attempt(attempt.id)
        run_worker(webhook_server)
        offer = receive(socket, "offer", timeout=30)
        assert offer["attempt_id"] == attempt.id and offer["seq"] > snapshot["seq"]
        screen = offer["screen"]
        assert screen["account"]["balance"] == "1500.00"
        assert screen["account"]["days_overdue"] >= 1
        assert screen["debtor"]["name"] == "Juana P." and screen["verified"] is False
        session.rollback()
        stored = session.get_one(Attempt, attempt.id)
        assert stored.agent_id == agent.id and stored.abandoned is False

        socket.send(
            json.dumps(
                {
                    "type": "draft",
                    "attempt_id": attempt.id,
                    "form": {"disposition": "promise_to_pay", "amount": "1500.00"},
                }
            )
        )
        socket.send(json.dumps({"type": "heartbeat"}))
        receive(socket, "heartbeat_ack")

    with open_socket(agent_server, cookie) as again:
        check_restored_and_submit(again, attempt.id)

    session.rollback()
    assert len(session.scalars(select(Outcome)).all()) == 1
    promise = session.scalars(select(PromiseToPay)).one()
    assert str(promise.amount) == "1500.00"
    assert session.get_one(Account, account.id).status == AccountStatus.PROMISED


def check_restored_and_submit(again: ClientConnection, attempt_id: int) -> None:
    restored = receive(again, "snapshot")
    assert restored["agent"]["state"] == "on_call"
    assert restored["call"]["attempt_id"] == attempt_id
    assert restored["draft"] == {"disposition": "promise_to_pay", "amount": "1500.00"}
    promise_date = (date.today() + timedelta(days=5)).isoformat()
    key = str(uuid.uuid4())
    outcome = {"disposition": "promise_to_pay", "amount": "1500.00", "due_date": promise_date}
    again.send(
        json.dumps(
            {"type": "submit_outcome", "attempt_id": attempt_id, "key": key, "outcome": outcome}
        )
    )
    first_ack = receive(again, "outcome_ack")
    again.send(
        json.dumps(
            {"type": "submit_outcome", "attempt_id": attempt_id, "key": key, "outcome": outcome}
        )
    )
    second_ack = receive(again, "outcome_ack")
    assert first_ack["outcome_id"] == second_ack["outcome_id"]


def test_socket_needs_a_session_and_an_allowed_origin(
    session: Session, servers: tuple[str, str]
) -> None:
    agent_server, _ = servers
    client = make_client(session)
    make_user(session, username="agente2", role=Role.AGENT, access=[client])
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    session.commit()
    with pytest.raises(ConnectionClosed) as refused, open_socket(agent_server, "x") as socket:
        socket.recv(timeout=5)
    assert "4401" in str(refused.value)
    cookie = sign_in(agent_server, "agente2")
    with (
        pytest.raises(ConnectionClosed) as foreign,
        open_socket(agent_server, cookie, origin="https://evil.example") as socket,
    ):
        socket.recv(timeout=5)
    assert "4403" in str(foreign.value)
    manager = sign_in(agent_server, "gerente")
    with pytest.raises(Exception) as wrong_role, open_socket(agent_server, manager) as socket:
        socket.recv(timeout=5)
    assert "4403" in str(wrong_role.value)


def test_wrap_up_that_runs_out_records_unrecorded_and_frees_the_agent(
    session: Session, sandbox: SandboxServer
) -> None:
    sandbox.reset(
        {"numbers": [{"number": PHONE, "call": "human", "ring_seconds": 1, "talk_seconds": 30}]}
    )
    client = make_client(session)
    agent = make_user(session, username="agente3", role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent])
    account = make_account(session, client=client, phone=PHONE, **reachable_now())
    attempt = make_call_attempt(session, account=account, campaign=campaign)
    session.commit()
    with web_server(ACUERDO_WRAP_UP_SECONDS="2") as url:
        cookie = sign_in(url, "agente3")
        with open_socket(url, cookie) as socket:
            go_ready(socket)
            enqueue_attempt(attempt.id)
            run_worker(url)
            receive(socket, "offer", timeout=30)
            wrap_up = receive(socket, "wrap_up", timeout=30)
            assert wrap_up["attempt_id"] == attempt.id
            ack = receive(socket, "outcome_ack", timeout=15)
            assert ack["disposition"] == "unrecorded"
            assert receive(socket, "state")["state"] == "ready"
    session.rollback()
    outcome = session.scalars(select(Outcome)).one()
    assert outcome.disposition == "unrecorded" and outcome.agent_id == agent.id
