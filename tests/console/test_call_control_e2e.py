"""Call control over real websockets, a web process, rq workers and the sandbox's conference:
hold (the debtor hears the music), mute, saving during the call, cold and warm transfers,
hang-up, redial, and an unanswered preview call."""

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from redis import Redis as SyncRedis
from sqlalchemy import select
from sqlalchemy.orm import Session
from websockets.sync.client import ClientConnection

from campaigns.dispatch_queue import enqueue_attempt
from campaigns.models import Attempt, AttemptEvent, AuditEvent, Outcome, Role
from console.agents.state import ACTIVITY_STREAM
from telephony.client import twilio_client
from telephony.voice import conference_name
from tests.agent_socket import go_ready, open_socket, receive, send, sign_in
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

pytestmark = pytest.mark.slow
PHONE = "+525512349301"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with web_server() as url:
        yield url


def call_update(socket: ClientConnection, timeout: float = 20, **expected: Any) -> dict[str, Any]:
    """The next `call` message with these fields (earlier ones are skipped)."""
    while True:
        message = receive(socket, "call", timeout=timeout)
        if all(message.get(k) == v for k, v in expected.items()):
            return message


def participants(attempt_id: int) -> dict[str, Any]:
    """The live conference's participants by label (the debtor, without one, as `debtor`)."""
    conferences = twilio_client().conferences.list(
        friendly_name=conference_name(attempt_id), status="in-progress", limit=1
    )
    if not conferences:
        return {}
    found = twilio_client().conferences(conferences[0].sid).participants.list()
    return {p.label or "debtor": p for p in found}


def activity_states(redis: SyncRedis, agent_id: int) -> list[str]:
    """The agent's state changes in the activity stream, in order."""
    return [
        fields[b"state"].decode()
        for _, fields in redis.xrange(ACTIVITY_STREAM)
        if fields[b"agent"] == str(agent_id).encode()
    ]


def an_attempt(session: Session, *, agents: list[Any], client: Any) -> Attempt:
    campaign = make_campaign(session, client=client, agents=agents)
    account = make_account(session, client=client, phone=PHONE, **reachable_now())
    attempt = make_call_attempt(session, account=account, campaign=campaign)
    session.commit()
    return attempt


def test_hold_mute_transfer_save_during_the_call_and_hang_up(
    session: Session, sandbox: SandboxServer, server: str, redis: SyncRedis
) -> None:
    sandbox.reset(
        {"numbers": [{"number": PHONE, "call": "human", "ring_seconds": 2, "talk_seconds": 3600}]}
    )
    client = make_client(session)
    first = make_user(session, username="agente-a", role=Role.AGENT, access=[client])
    second = make_user(session, username="agente-b", role=Role.AGENT, access=[client])
    other_creditor = make_client(session, name="Otro acreedor")
    make_user(session, username="agente-x", role=Role.AGENT, access=[other_creditor])
    attempt = an_attempt(session, agents=[first, second], client=client)

    with (
        open_socket(server, sign_in(server, "agente-a")) as a,
        open_socket(server, sign_in(server, "agente-b")) as b,
    ):
        assert go_ready(a)["state"] == "ready"
        enqueue_attempt(attempt.id)
        run_worker(server)
        receive(a, "offer", timeout=30)
        eventually(lambda: f"agent-{first.id}" in participants(attempt.id))
        assert go_ready(b)["state"] == "ready"

        send(a, "hold", attempt_id=attempt.id)
        assert call_update(a, on_hold=True)["status"] == "connected"
        assert participants(attempt.id)["debtor"].hold is True
        debtor = next(c for c in sandbox.calls() if c["to"] == PHONE)
        assert {"verb": "hold", "url": debtor["heard"][-1]["url"]} == debtor["heard"][-1]
        assert debtor["heard"][-1]["url"].endswith(".mp3")
        send(a, "resume", attempt_id=attempt.id)
        call_update(a, on_hold=False)
        assert participants(attempt.id)["debtor"].hold is False
        # The activity history splits the call: talk, hold, talk again (hold time is reported).
        assert activity_states(redis, first.id)[-3:] == ["on_call", "on_hold", "on_call"]

        send(a, "mute", attempt_id=attempt.id)
        call_update(a, muted=True)
        assert participants(attempt.id)[f"agent-{first.id}"].muted is True
        send(a, "unmute", attempt_id=attempt.id)
        call_update(a, muted=False)

        send(a, "transfer_targets", attempt_id=attempt.id)
        targets = receive(a, "transfer_targets")["agents"]
        assert [(t["id"], t["state"]) for t in targets] == [(second.id, "ready")]

        send(a, "transfer", attempt_id=attempt.id, to_agent_id=second.id, mode="cold")
        offer = receive(b, "offer")
        assert offer["attempt_id"] == attempt.id and offer["transferred_from"] == first.id
        assert offer["screen"]["account"]["balance"]
        call_update(a, status="transferred")
        assert receive(a, "state")["state"] == "ready"
        eventually(lambda: set(participants(attempt.id)) == {"debtor", f"agent-{second.id}"})

        key = str(uuid.uuid4())
        outcome = {"disposition": "refuses", "notes": "no quiere pagar"}
        send(b, "submit_outcome", attempt_id=attempt.id, key=key, outcome=outcome)
        assert receive(b, "outcome_ack")["disposition"] == "refuses"
        assert call_update(b, outcome_saved=True)["status"] == "connected"
        send(b, "resync")
        kept = receive(b, "snapshot")
        assert kept["agent"]["state"] == "on_call" and kept["screen"] is not None

        send(b, "hang_up", attempt_id=attempt.id)
        call_update(b, status="ended")
        assert receive(b, "state")["state"] == "ready"
        eventually(lambda: sandbox.call(debtor["sid"])["status"] == "completed")

    session.rollback()
    stored = session.get_one(Attempt, attempt.id)
    assert stored.agent_id == second.id
    assert session.scalars(select(Outcome)).one().agent_id == second.id
    moved = session.scalars(select(AttemptEvent).where(AttemptEvent.status == "transferred")).one()
    assert moved.data == {"from_agent_id": first.id, "to_agent_id": second.id, "warm": False}
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "call.transferred")).one()


def test_warm_transfer_holds_the_debtor_until_it_is_completed(
    session: Session, sandbox: SandboxServer, server: str
) -> None:
    sandbox.reset(
        {"numbers": [{"number": PHONE, "call": "human", "ring_seconds": 2, "talk_seconds": 3600}]}
    )
    client = make_client(session)
    first = make_user(session, username="agente-c", role=Role.AGENT, access=[client])
    second = make_user(session, username="agente-d", role=Role.AGENT, access=[client])
    attempt = an_attempt(session, agents=[first, second], client=client)

    with (
        open_socket(server, sign_in(server, "agente-c")) as a,
        open_socket(server, sign_in(server, "agente-d")) as b,
    ):
        go_ready(a)
        enqueue_attempt(attempt.id)
        run_worker(server)
        receive(a, "offer", timeout=30)
        send(a, "draft", attempt_id=attempt.id, form={"disposition": "callback"})
        go_ready(b)

        send(a, "transfer", attempt_id=attempt.id, to_agent_id=second.id, mode="warm")
        assert call_update(a, consulting=second.id)["on_hold"] is True
        offer = receive(b, "offer")
        assert offer["warm"] is True
        eventually(lambda: f"agent-{second.id}" in participants(attempt.id))
        present = participants(attempt.id)
        assert present["debtor"].hold is True and f"agent-{first.id}" in present

        send(a, "transfer_complete", attempt_id=attempt.id)
        call_update(a, status="transferred")
        assert call_update(b, on_hold=False)["transferred_from"] == first.id
        eventually(lambda: set(participants(attempt.id)) == {"debtor", f"agent-{second.id}"})
        assert participants(attempt.id)["debtor"].hold is False
        send(b, "resync")
        snapshot = receive(b, "snapshot")
        assert snapshot["draft"] == {"disposition": "callback"}
        assert snapshot["agent"]["state"] == "on_call"


def test_redial_after_a_call_and_an_unanswered_preview_call(
    session: Session, sandbox: SandboxServer, server: str
) -> None:
    sandbox.reset(
        {
            "numbers": [
                {"number": PHONE, "call": "human", "ring_seconds": 2, "talk_seconds": 30},
                {"number": "+525512349302", "call": "no-answer"},
            ]
        }
    )
    client = make_client(session)
    agent = make_user(session, username="agente-e", role=Role.AGENT, access=[client])
    attempt = an_attempt(session, agents=[agent], client=client)

    with open_socket(server, sign_in(server, "agente-e")) as a:
        go_ready(a)
        enqueue_attempt(attempt.id)
        run_worker(server)
        receive(a, "offer", timeout=30)
        receive(a, "wrap_up", timeout=60)
        outcome = {"disposition": "refuses", "notes": "se cortó"}
        send(a, "redial", attempt_id=attempt.id, key=str(uuid.uuid4()), outcome=outcome)
        assert receive(a, "outcome_ack")["disposition"] == "refuses"
        dialing = call_update(a, status="dialing")
        assert dialing["redial"] is True and dialing["attempt_id"] != attempt.id
        run_worker(server)
        again = receive(a, "offer", timeout=30)
        assert again["attempt_id"] == dialing["attempt_id"]

    session.rollback()
    redialed = session.get_one(Attempt, dialing["attempt_id"])
    assert redialed.account_id == attempt.account_id and redialed.agent_id == agent.id
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "call.redialed")).one()


def test_an_unanswered_preview_call_says_so_and_records_no_answer(
    session: Session, sandbox: SandboxServer, server: str
) -> None:
    sandbox.reset({"numbers": [{"number": "+525512349309", "call": "no-answer"}]})
    client = make_client(session, country="US", timezone="UTC")
    agent = make_user(session, username="agente-f", role=Role.AGENT, access=[client])
    make_campaign(session, client=client, agents=[agent], mode="preview")
    account = make_account(
        session,
        client=client,
        phone="+525512349309",
        timezone=zone_where_it_is_midday(),
        today=datetime.now(UTC).date(),
    )
    session.commit()
    with open_socket(server, sign_in(server, "agente-f")) as a:
        receive(a, "snapshot")
        send(a, "set_state", state="ready")
        assert receive(a, "preview")["account_id"] == account.id
        send(a, "preview_call", account_id=account.id)
        call_update(a, status="dialing")
        run_worker(server)
        unanswered = call_update(a, status="no_answer", timeout=60)
        assert unanswered["attempt_id"]
        assert receive(a, "outcome_ack")["disposition"] == "no_answer"
        assert receive(a, "state")["state"] == "ready"
    session.rollback()
    assert session.scalars(select(Outcome)).one().disposition == "no_answer"


def test_cold_transfer_to_a_supervisor_of_the_creditor_in_the_console(
    session: Session, sandbox: SandboxServer, server: str
) -> None:
    sandbox.reset(
        {"numbers": [{"number": PHONE, "call": "human", "ring_seconds": 2, "talk_seconds": 3600}]}
    )
    client = make_client(session)
    agent = make_user(session, username="agente-s", role=Role.AGENT, access=[client])
    boss = make_user(session, username="super-s", role=Role.SUPERVISOR, access=[client])
    make_user(
        session,
        username="super-otro",
        role=Role.SUPERVISOR,
        access=[make_client(session, name="Otro")],
    )
    attempt = an_attempt(session, agents=[agent], client=client)

    with (
        open_socket(server, sign_in(server, "agente-s")) as a,
        open_socket(server, sign_in(server, "super-s")) as s,
    ):
        go_ready(a)
        enqueue_attempt(attempt.id)
        run_worker(server)
        receive(a, "offer", timeout=30)
        send(a, "transfer", attempt_id=attempt.id, to_agent_id=boss.id, mode="cold")
        refused = json.loads(a.recv(timeout=10))
        while refused["type"] != "error":
            refused = json.loads(a.recv(timeout=10))
        assert "no está disponible" in refused["message"]

        assert go_ready(s)["state"] == "ready"
        send(a, "transfer_targets", attempt_id=attempt.id)
        assert [(t["id"], t["state"]) for t in receive(a, "transfer_targets")["agents"]] == [
            (boss.id, "ready")
        ]
        send(a, "transfer", attempt_id=attempt.id, to_agent_id=boss.id, mode="cold")
        offer = receive(s, "offer")
        assert offer["attempt_id"] == attempt.id and offer["transferred_from"] == agent.id
        call_update(a, status="transferred")
        eventually(lambda: set(participants(attempt.id)) == {"debtor", f"agent-{boss.id}"})
    session.rollback()
    assert session.get_one(Attempt, attempt.id).agent_id == boss.id
