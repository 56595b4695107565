"""One outcome per attempt: the database refuses a second, and two tabs racing get one answer."""

import json
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from websockets.sync.client import ClientConnection, connect

from campaigns.models import Outcome, PromiseToPay, Role
from campaigns.redis_conn import redis_url
from console.agents import state, work
from console.agents.outcomes import submit_outcome
from console.agents.state import AgentState
from tests.campaigns.agreements_helpers import answered_call
from tests.event_loop import run_async
from tests.factories import make_account, make_campaign, make_client, make_user
from tests.processes import web_server


def test_the_database_refuses_a_second_outcome_for_an_attempt(session: Session) -> None:
    account = make_account(session)
    attempt = answered_call(session, account)
    for key in ("tab-1", "tab-2"):
        session.add(
            Outcome(
                client_id=account.client_id,
                account_id=account.id,
                attempt_id=attempt.id,
                disposition="refuses",
                submission_key=key,
            )
        )
    with pytest.raises(IntegrityError):
        session.flush()


def test_two_tabs_submitting_at_once_store_one_outcome_and_one_promise(session: Session) -> None:
    agent = make_user(session, role=Role.AGENT)
    account = make_account(session)
    attempt = answered_call(session, account)
    attempt.agent_id = agent.id
    session.commit()
    attempt_id, agent_id = attempt.id, agent.id
    due = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()  # the console's clock
    forms = {
        "tab-1": {"disposition": "promise_to_pay", "amount": "1200.00", "due_date": due},
        "tab-2": {"disposition": "promise_to_pay", "amount": "1100.00", "due_date": due},
    }
    start = threading.Barrier(len(forms))
    answers: dict[str, dict[str, Any]] = {}
    errors: list[BaseException] = []

    def submit(key: str) -> None:
        start.wait()
        try:
            answers[key] = submit_outcome(
                attempt_id=attempt_id, agent_id=agent_id, key=key, form=forms[key]
            )
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(key,)) for key in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert answers["tab-1"] == answers["tab-2"]
    session.rollback()
    assert session.scalar(select(func.count(Outcome.id))) == 1
    [promise] = session.scalars(select(PromiseToPay)).all()
    assert promise.outcome_id == answers["tab-1"]["outcome_id"]


async def _wrap_up(agent_id: int, campaign_id: int, attempt_id: int) -> None:
    redis = Redis.from_url(redis_url())
    try:
        await state.register(redis, agent_id=agent_id, name="A", campaign_ids=[campaign_id])
        await work.start(redis, agent_id, work.Work(attempt_id=attempt_id, call_status="ended"))
        await state.set_state(redis, agent_id, AgentState.WRAP_UP, attempt_id=attempt_id)
    finally:
        await redis.aclose()


def _acks(socket: ClientConnection, acks: dict[str, dict[str, Any]], keys: set[str]) -> None:
    """Read the socket until it has an outcome acknowledgement for each key (every tab gets all)."""
    deadline = time.monotonic() + 30
    while not keys <= set(acks):
        message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        assert message["type"] != "error", message
        if message["type"] == "outcome_ack":
            acks[message["key"]] = message


@pytest.mark.slow
@pytest.mark.parametrize("together", [True, False], ids=["at-once", "one-after-the-other"])
def test_two_tabs_over_real_websockets_get_the_same_answer(
    session: Session, together: bool
) -> None:
    client = make_client(session)
    agent = make_user(session, username="agente1", role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent])
    account = make_account(session, client=client)
    attempt = answered_call(session, account)
    attempt.agent_id, attempt.campaign_id = agent.id, campaign.id
    session.commit()
    agent_id, attempt_id = agent.id, attempt.id
    run_async(_wrap_up(agent_id, campaign.id, attempt_id))
    due = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()  # the console's clock
    forms = {
        "tab-1": {"disposition": "promise_to_pay", "amount": "1200.00", "due_date": due},
        "tab-2": {"disposition": "refuses"},
    }

    with web_server() as url:
        response = httpx.post(
            f"{url}/auth/login", data={"username": "agente1", "password": "contraseña-segura-1"}
        )
        cookie = response.cookies["acuerdo_session"]
        with ExitStack() as stack:
            tabs = [
                stack.enter_context(
                    connect(
                        url.replace("http://", "ws://") + "/ws/agent",
                        additional_headers={"Cookie": f"acuerdo_session={cookie}"},
                        origin=url,  # type: ignore[arg-type]
                        open_timeout=10,
                    )
                )
                for _ in forms
            ]
            for tab in tabs:
                assert json.loads(tab.recv(timeout=10))["type"] == "snapshot"
            answers: list[dict[str, dict[str, Any]]] = [{} for _ in tabs]
            for tab, acks, (key, form) in zip(tabs, answers, forms.items(), strict=True):
                message = {"type": "submit_outcome", "attempt_id": attempt_id, "key": key}
                tab.send(json.dumps({**message, "outcome": form}))
                if not together:
                    _acks(tab, acks, {key})
            for tab, acks in zip(tabs, answers, strict=True):
                _acks(tab, acks, set(forms))

    for acks in answers:
        assert acks["tab-1"]["outcome_id"] == acks["tab-2"]["outcome_id"]
        assert acks["tab-1"]["disposition"] == acks["tab-2"]["disposition"]
    session.rollback()
    [outcome] = session.scalars(select(Outcome)).all()
    assert outcome.id == answers[0]["tab-1"]["outcome_id"]
    promises = session.scalars(select(PromiseToPay)).all()
    assert len(promises) == (1 if outcome.disposition == "promise_to_pay" else 0)
