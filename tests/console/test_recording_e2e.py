"""Recorded campaigns on real processes (sandbox, web process, rq worker, websockets): the
country's recording notice is said before the agent's leg joins, the conference's recording is
stored on the attempt, and it plays back through Acuerdo only for those who may hear it."""

import io
import json
import time
import wave
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.compliance.recording_disclosure import recording_disclosure
from campaigns.dispatch_queue import enqueue_attempt
from campaigns.models import Attempt, AuditEvent, Role
from tests.agent_socket import go_ready, open_socket, receive, send, sign_in
from tests.console.test_call_control_e2e import call_update, participants
from tests.factories import (
    make_account,
    make_call_attempt,
    make_campaign,
    make_client,
    make_user,
    reachable_now,
)
from tests.processes import eventually, run_worker, web_server
from tests.telephony.conftest import SandboxServer

pytestmark = pytest.mark.slow
PHONE = "+525512349401"
# Real time: the notice (about 14 words) takes about 3 s, so an agent leg added at once would
# show up while the debtor still hears it.
WORLD: dict[str, Any] = {
    "speed": 1.0,
    "say_words_per_second": 5.0,
    "numbers": [{"number": PHONE, "call": "human", "ring_seconds": 1, "talk_seconds": 3600}],
}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with web_server() as url:
        yield url


def recording_of(server: str, cookie: str, attempt_id: int) -> httpx.Response:
    return httpx.get(
        f"{server}/api/calls/{attempt_id}/recording",
        cookies={"acuerdo_session": cookie},
        timeout=30,
    )


def agent_legs(sandbox: SandboxServer) -> list[dict[str, Any]]:
    return [c for c in sandbox.calls() if str(c["to"]).startswith("client:")]


def test_a_recorded_call_says_the_notice_first_and_plays_back_to_who_may_hear_it(
    session: Session, sandbox: SandboxServer, server: str
) -> None:
    sandbox.reset(WORLD)
    client = make_client(session)
    agent = make_user(session, username="agente-rec", role=Role.AGENT, access=[client])
    colleague = make_user(session, username="agente-rec2", role=Role.AGENT, access=[client])
    make_user(session, username="super-rec", role=Role.SUPERVISOR, access=[client])
    other_creditor = make_client(session, name="Otro acreedor")
    make_user(session, username="super-otro", role=Role.SUPERVISOR, access=[other_creditor])
    campaign = make_campaign(session, client=client, agents=[agent, colleague])
    campaign.record_calls = True
    account = make_account(session, client=client, phone=PHONE, **reachable_now())
    attempt = make_call_attempt(session, account=account, campaign=campaign)
    session.commit()
    notice = recording_disclosure("MX")

    with open_socket(server, sign_in(server, "agente-rec")) as socket:
        assert go_ready(socket)["state"] == "ready"
        enqueue_attempt(attempt.id)
        run_worker(server)
        receive(socket, "offer", timeout=30)
        # The debtor is hearing the notice: no agent leg has been dialed yet.
        time.sleep(1.0)
        assert agent_legs(sandbox) == []
        eventually(lambda: agent_legs(sandbox), timeout=20)
        debtor = next(c for c in sandbox.calls() if c["to"] == PHONE)
        heard = [(h["verb"], h.get("text") or h.get("conference")) for h in debtor["heard"]]
        assert heard[:2] == [("Say", notice), ("Dial", f"acuerdo-attempt-{attempt.id}")]
        eventually(lambda: f"agent-{agent.id}" in participants(attempt.id), timeout=20)

        send(socket, "hang_up", attempt_id=attempt.id)
        call_update(socket, status="ended")

    recordings = eventually(
        lambda: httpx.get(f"{sandbox}/sandbox/recordings", timeout=10).json()["recordings"],
        timeout=20,
    )
    assert len(recordings) == 1 and recordings[0]["source"] == "Conference"

    def stored() -> str | None:
        session.rollback()
        return session.get_one(Attempt, attempt.id).recording_sid

    assert eventually(stored, timeout=20) == recordings[0]["sid"]
    assert session.get_one(Attempt, attempt.id).recording_url.endswith(recordings[0]["sid"])

    supervisor = sign_in(server, "super-rec")
    page = httpx.get(
        f"{server}/accounts/{account.id}", cookies={"acuerdo_session": supervisor}, timeout=30
    )
    assert f'<audio controls preload="none" src="/api/calls/{attempt.id}/recording"' in page.text
    played = recording_of(server, supervisor, attempt.id)
    assert played.status_code == 200, played.text
    assert played.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(played.content)) as audio:
        assert audio.getnframes() / audio.getframerate() >= 1.0
    assert recording_of(server, sign_in(server, "agente-rec"), attempt.id).status_code == 200
    assert recording_of(server, sign_in(server, "agente-rec2"), attempt.id).status_code == 404
    assert recording_of(server, sign_in(server, "super-otro"), attempt.id).status_code == 404
    session.rollback()
    plays = session.scalars(select(AuditEvent).where(AuditEvent.action == "recording.played"))
    assert len(plays.all()) == 2


def test_an_unrecorded_campaign_says_no_notice_and_stores_no_recording(
    session: Session, sandbox: SandboxServer, server: str
) -> None:
    sandbox.reset(WORLD)
    client = make_client(session)
    agent = make_user(session, username="agente-norec", role=Role.AGENT, access=[client])
    make_user(session, username="super-norec", role=Role.SUPERVISOR, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent])
    account = make_account(session, client=client, phone=PHONE, **reachable_now())
    attempt = make_call_attempt(session, account=account, campaign=campaign)
    session.commit()

    with open_socket(server, sign_in(server, "agente-norec")) as socket:
        go_ready(socket)
        enqueue_attempt(attempt.id)
        run_worker(server)
        receive(socket, "offer", timeout=30)
        eventually(lambda: f"agent-{agent.id}" in participants(attempt.id), timeout=20)
        debtor = next(c for c in sandbox.calls() if c["to"] == PHONE)
        assert [h["verb"] for h in debtor["heard"]] == ["Dial"]
        send(socket, "hang_up", attempt_id=attempt.id)
        call_update(socket, status="ended")

    eventually(lambda: sandbox.call(debtor["sid"])["status"] == "completed", timeout=20)
    assert httpx.get(f"{sandbox}/sandbox/recordings", timeout=10).json()["recordings"] == []
    played = recording_of(server, sign_in(server, "super-norec"), attempt.id)
    assert played.status_code == 404
    assert json.loads(played.text)
