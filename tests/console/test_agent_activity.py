"""The agent activity history: every state change in the console becomes a stretch of time in a
state in the database, recorded once, from which time in state is summed for any period."""

from datetime import UTC, datetime, timedelta

from redis import Redis as SyncRedis
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agent_activity import time_in_state
from campaigns.models import AgentActivity, Role
from campaigns.redis_conn import redis_url
from console.agents import state
from console.agents.activity import record_activity
from console.agents.state import ACTIVITY_STREAM, AgentState
from tests.console.test_dialer import run_async
from tests.factories import make_client, make_user


async def _work_a_call(agent_id: int) -> None:
    redis = Redis.from_url(redis_url())
    try:
        await state.register(redis, agent_id=agent_id, name="A", campaign_ids=[1])
        await state.set_state(redis, agent_id, AgentState.READY)
        assert await state.reserve(redis, campaign_id=1, attempt_id=41) == agent_id
        await state.set_state(redis, agent_id, AgentState.ON_CALL, attempt_id=41)
        await state.start_wrap_up(redis, agent_id, 41, seconds=60)
        await state.set_state(redis, agent_id, AgentState.PAUSED, reason="lunch")
    finally:
        await redis.aclose()


def test_every_state_change_is_recorded_once_in_order(session: Session, redis: SyncRedis) -> None:
    agent = make_user(session, role=Role.AGENT, access=[make_client(session)])
    session.commit()
    run_async(_work_a_call(agent.id))

    assert record_activity(redis, consumer="test") == 5
    assert record_activity(redis, consumer="test") == 0
    session.rollback()
    rows = session.scalars(select(AgentActivity).order_by(AgentActivity.id)).all()
    assert [(r.state, r.reason, r.attempt_id) for r in rows] == [
        ("ready", "", None),
        ("reserved", "", 41),
        ("on_call", "", 41),
        ("wrap_up", "", 41),
        ("paused", "lunch", None),
    ]
    assert all(r.ended_at == n.started_at for r, n in zip(rows, rows[1:], strict=False))
    assert rows[-1].ended_at is None and rows[0].duration_seconds is not None
    assert redis.xlen(ACTIVITY_STREAM) == 0, "recorded entries leave the stream"


def test_a_change_recorded_but_not_acknowledged_is_not_stored_twice(
    session: Session, redis: SyncRedis
) -> None:
    """A recorder that died after its commit leaves its entries pending; the next one claims
    them after a minute and finds them stored."""
    agent = make_user(session, role=Role.AGENT, access=[make_client(session)])
    session.commit()
    run_async(_work_a_call(agent.id))
    assert record_activity(redis, consumer="first") == 5
    run_async(_set(agent.id, AgentState.READY))
    entries = redis.xreadgroup("recorder", "dies", {ACTIVITY_STREAM: ">"})
    assert len(entries[0][1]) == 1
    assert record_activity(redis, consumer="second") == 0, "pending for less than a minute"
    redis.xclaim(ACTIVITY_STREAM, "recorder", "dies", 0, [entries[0][1][0][0]], idle=61_000)
    assert record_activity(redis, consumer="second") == 1
    session.rollback()
    assert session.scalars(select(AgentActivity.state).order_by(AgentActivity.id)).all()[-1] == (
        "ready"
    )


async def _set(agent_id: int, to: AgentState) -> None:
    redis = Redis.from_url(redis_url())
    try:
        await state.set_state(redis, agent_id, to)
    finally:
        await redis.aclose()


def test_time_in_state_is_clipped_to_the_period(session: Session) -> None:
    agent = make_user(session, role=Role.AGENT, access=[make_client(session)])
    start = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)

    def stretch(n: int, state_: str, minutes: int, reason: str = "") -> datetime:
        began = start + timedelta(minutes=sum(m for _, m in plan[:n]))
        ended = began + timedelta(minutes=minutes)
        session.add(
            AgentActivity(
                event_id=f"{n}-0",
                agent_id=agent.id,
                state=state_,
                reason=reason,
                started_at=began,
                ended_at=ended if n < len(plan) - 1 else None,
                duration_seconds=minutes * 60.0,
            )
        )
        return ended

    plan = [("ready", 10), ("on_call", 20), ("wrap_up", 5), ("paused", 30), ("ready", 0)]
    for n, (state_, minutes) in enumerate(plan):
        stretch(n, state_, minutes, reason="lunch" if state_ == "paused" else "")
    session.flush()
    # From 15:05 to 16:15: 5 min ready, 20 on call, 5 wrap-up, 30 paused, 10 ready (still open).
    totals = time_in_state(
        session, start=start + timedelta(minutes=5), end=start + timedelta(minutes=75)
    )
    assert totals == {
        agent.id: {"ready": 900.0, "on_call": 1200.0, "wrap_up": 300.0, "paused:lunch": 1800.0}
    }


async def _hold_a_call(agent_id: int) -> list[bool]:
    redis = Redis.from_url(redis_url())
    try:
        await state.register(redis, agent_id=agent_id, name="A", campaign_ids=[1])
        await state.set_state(redis, agent_id, AgentState.READY)
        before_call = await state.record_hold(redis, agent_id, 41, on_hold=True)
        assert await state.reserve(redis, campaign_id=1, attempt_id=41) == agent_id
        await state.set_state(redis, agent_id, AgentState.ON_CALL, attempt_id=41)
        other_call = await state.record_hold(redis, agent_id, 99, on_hold=True)
        held = await state.record_hold(redis, agent_id, 41, on_hold=True)
        resumed = await state.record_hold(redis, agent_id, 41, on_hold=False)
        live = await state.status(redis, agent_id)
        assert (live.state, live.attempt_id) == (AgentState.ON_CALL, 41)
        await state.start_wrap_up(redis, agent_id, 41, seconds=60)
        return [before_call, other_call, held, resumed]
    finally:
        await redis.aclose()


def test_hold_and_resume_split_the_call_in_the_history(session: Session, redis: SyncRedis) -> None:
    """The live state stays on_call; the history gets an on_hold stretch between two on_call
    ones, and nothing for an agent who is not on that call."""
    agent = make_user(session, role=Role.AGENT, access=[make_client(session)])
    session.commit()
    assert run_async(_hold_a_call(agent.id)) == [False, False, True, True]

    assert record_activity(redis, consumer="test") == 6
    session.rollback()
    rows = session.scalars(select(AgentActivity).order_by(AgentActivity.id)).all()
    assert [(r.state, r.attempt_id) for r in rows] == [
        ("ready", None),
        ("reserved", 41),
        ("on_call", 41),
        ("on_hold", 41),
        ("on_call", 41),
        ("wrap_up", 41),
    ]
