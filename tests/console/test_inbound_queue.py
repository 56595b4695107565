"""The creditor's line of inbound callers on real Redis: first come first served, the agent
ready the longest across the creditor's campaigns takes the head, a caller gone leaves it,
and another creditor's agents never take the call."""

from datetime import UTC, datetime

from redis.asyncio import Redis
from sqlalchemy.orm import Session

from campaigns.models import Attempt, Channel, MessageDirection, Role
from campaigns.redis_conn import redis_url
from console.agents import state
from console.agents.state import AgentState
from console.inbound_queue import InboundQueue
from console.routing import Routing
from tests.console.test_dialer import run_async
from tests.factories import make_account, make_campaign, make_client, make_user
from tests.telephony.conftest import SandboxServer


def _inbound_attempt(session: Session, account_id: int, client_id: int, sid: str) -> int:
    attempt = Attempt(
        client_id=client_id,
        account_id=account_id,
        channel=Channel.VOICE,
        status="in-progress",
        direction=MessageDirection.INBOUND,
        provider_sid=sid,
        created_at=datetime.now(UTC),
    )
    session.add(attempt)
    session.flush()
    return attempt.id


def test_the_head_of_the_line_goes_to_the_agent_ready_longest(
    session: Session, sandbox: SandboxServer
) -> None:
    client = make_client(session)
    other = make_client(session, name="Otra Telefónica")
    early, late, foreign = (
        make_user(session, username=name, role=Role.AGENT, access=[c])
        for name, c in (("temprano", client), ("tarde", client), ("ajeno", other))
    )
    first_campaign = make_campaign(session, client=client, agents=[early])
    second_campaign = make_campaign(session, client=client, name="Otra", agents=[late])
    foreign_campaign = make_campaign(session, client=other, name="Ajena", agents=[foreign])
    account = make_account(session, client=client)
    first, second, third = (
        _inbound_attempt(session, account.id, client.id, f"CA{n:032d}") for n in (1, 2, 3)
    )
    session.commit()

    async def scenario() -> dict[str, object]:
        redis = Redis.from_url(redis_url())
        routing = Routing()
        routing.attach(redis)
        queue = InboundQueue(routing)
        try:
            for agent, campaign in (
                (foreign, foreign_campaign),
                (early, first_campaign),
                (late, second_campaign),
            ):
                await state.register(
                    redis, agent_id=agent.id, name=agent.username, campaign_ids=[campaign.id]
                )
            await queue.join(first, client.id)
            await queue.join(second, client.id)
            await queue.join(third, client.id)
            waiting = await queue.turn(second, client.id)
            await state.set_state(redis, foreign.id, AgentState.READY)
            nobody = await queue.turn(first, client.id)
            await state.set_state(redis, early.id, AgentState.READY)
            await state.set_state(redis, late.id, AgentState.READY)
            not_yet = await queue.turn(second, client.id)
            head = await queue.turn(first, client.id)
            await redis.delete(f"acuerdo:inbound:seen:{second}")
            after_gone = await queue.turn(third, client.id)
            return {
                "waiting": (waiting.position, waiting.twiml),
                "nobody": (nobody.position, nobody.twiml),
                "not_yet": (not_yet.position, not_yet.twiml),
                "head": head,
                "head_agent": await state.status(redis, early.id),
                "late_agent": await state.status(redis, late.id),
                "foreign_agent": await state.status(redis, foreign.id),
                "after_gone": after_gone,
            }
        finally:
            await redis.aclose()

    seen = run_async(scenario())
    assert seen["waiting"] == (2, None)
    assert seen["nobody"] == (1, None), "another creditor's ready agent does not take the call"
    assert seen["not_yet"] == (2, None), "only the head of the line is offered to an agent"
    assert "acuerdo-attempt-" in seen["head"].twiml  # type: ignore[attr-defined]
    assert seen["head_agent"].state == AgentState.ON_CALL  # type: ignore[attr-defined]
    assert seen["head_agent"].attempt_id == first  # type: ignore[attr-defined]
    after_gone = seen["after_gone"]
    assert after_gone.position == 1 and after_gone.twiml is not None  # type: ignore[attr-defined]
    assert seen["late_agent"].attempt_id == third  # type: ignore[attr-defined]
    assert seen["foreign_agent"].state == AgentState.READY  # type: ignore[attr-defined]
