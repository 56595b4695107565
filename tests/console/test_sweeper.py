"""The recovery sweep releases agents held by a call that is over (real Redis and database)."""

from datetime import timedelta

from redis.asyncio import Redis
from sqlalchemy.orm import Session

from campaigns.models import Attempt, AttemptStatus, Channel, Role, utcnow
from campaigns.redis_conn import redis_url
from console.agents import state, work
from console.agents.state import AgentState
from console.routing import Routing
from console.sweeper import release_agents
from tests.event_loop import run_async
from tests.factories import make_account, make_client, make_user


def _attempt(session: Session, account_id: int, client_id: int, status: AttemptStatus) -> int:
    ended = utcnow() - timedelta(minutes=10) if status == AttemptStatus.COMPLETED else None
    attempt = Attempt(
        client_id=client_id,
        account_id=account_id,
        channel=Channel.VOICE,
        status=status,
        created_at=utcnow() - timedelta(minutes=15),
        ended_at=ended,
    )
    session.add(attempt)
    session.flush()
    return attempt.id


def test_agents_held_by_finished_calls_are_released_and_busy_ones_kept(session: Session) -> None:
    client = make_client(session)
    account = make_account(session, client=client)
    agents = [make_user(session, username=f"agente{n}", role=Role.AGENT) for n in range(4)]
    over = _attempt(session, account.id, client.id, AttemptStatus.COMPLETED)
    talking = _attempt(session, account.id, client.id, AttemptStatus.IN_PROGRESS)
    session.commit()

    async def scenario() -> dict[int, state.AgentStatus]:
        redis = Redis.from_url(redis_url())
        routing = Routing()
        routing.attach(redis)
        try:
            held, reserved, busy, idle = (a.id for a in agents)
            for agent_id in (held, reserved, busy, idle):
                await state.register(redis, agent_id=agent_id, name="x", campaign_ids=[])
            await state.set_state(redis, held, AgentState.ON_CALL, attempt_id=over)
            await work.start(redis, held, work.Work(attempt_id=over, call_status="connected"))
            await state.set_state(redis, reserved, AgentState.RESERVED, attempt_id=10**9)
            await state.set_state(redis, busy, AgentState.ON_CALL, attempt_id=talking)
            await state.set_state(redis, idle, AgentState.READY)

            assert await release_agents(redis, routing, utcnow()) == 2
            assert await release_agents(redis, routing, utcnow()) == 0
            return {a: await state.status(redis, a) for a in (held, reserved, busy, idle)}
        finally:
            await redis.aclose()

    after = run_async(scenario())
    held, reserved, busy, idle = (after[a.id] for a in agents)
    assert held.state == AgentState.WRAP_UP and held.attempt_id == over
    assert reserved.state == AgentState.READY
    assert busy.state == AgentState.ON_CALL and busy.attempt_id == talking
    assert idle.state == AgentState.READY
