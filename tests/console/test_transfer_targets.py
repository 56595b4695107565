"""The transfer targets an agent's console asks for as soon as a call pops up: listed from the
live call in Redis, before the database records which agent took it."""

import json
import time
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.orm import Session

from campaigns.errors import Forbidden
from campaigns.models import Attempt, Role
from campaigns.redis_conn import redis_url
from console.agents import call_control, state, work
from console.agents.messages import agent_channel
from console.agents.state import AgentState
from tests.event_loop import run_async
from tests.factories import make_account, make_call_attempt, make_campaign, make_client, make_user


async def _targets_of(agent_id: int, attempt_id: int, *, owns_call: bool) -> dict[str, Any]:
    redis = Redis.from_url(redis_url())
    pubsub = redis.pubsub()
    try:
        await pubsub.subscribe(agent_channel(agent_id))
        if owns_call:
            await state.set_state(redis, agent_id, AgentState.ON_CALL, attempt_id=attempt_id)
            await work.start(redis, agent_id, work.Work(attempt_id=attempt_id))
        try:
            await call_control.list_targets(
                redis, agent_id, {"type": "transfer_targets", "attempt_id": attempt_id}
            )
        except Forbidden as refused:
            return {"type": "error", "message": str(refused)}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
            if message is not None and json.loads(message["data"])["type"] == "transfer_targets":
                return json.loads(message["data"])
        raise AssertionError("no transfer_targets message was published")
    finally:
        await work.clear(redis, agent_id)
        await pubsub.aclose()
        await redis.aclose()


def test_targets_are_listed_before_the_database_records_the_agent(session: Session) -> None:
    creditor = make_client(session)
    agent = make_user(session, username="agente-a", role=Role.AGENT, access=[creditor])
    peer = make_user(session, username="agente-b", role=Role.AGENT, access=[creditor])
    boss = make_user(session, username="super-a", role=Role.SUPERVISOR, access=[creditor])
    other = make_client(session, name="Otro acreedor")
    make_user(session, username="agente-x", role=Role.AGENT, access=[other])
    campaign = make_campaign(session, client=creditor, agents=[agent, peer])
    attempt = make_call_attempt(
        session, account=make_account(session, client=creditor), campaign=campaign
    )
    session.commit()
    assert session.get_one(Attempt, attempt.id).agent_id is None

    listed = run_async(_targets_of(agent.id, attempt.id, owns_call=True))

    assert listed["attempt_id"] == attempt.id
    assert [target["id"] for target in listed["agents"]] == [peer.id, boss.id]


def test_an_agent_without_the_call_gets_no_targets(session: Session) -> None:
    creditor = make_client(session)
    agent = make_user(session, username="agente-a", role=Role.AGENT, access=[creditor])
    campaign = make_campaign(session, client=creditor, agents=[agent])
    attempt = make_call_attempt(
        session, account=make_account(session, client=creditor), campaign=campaign
    )
    session.commit()

    refused = run_async(_targets_of(agent.id, attempt.id, owns_call=False))

    assert refused["type"] == "error"
