"""Call cards: an answered call whose screen was built at the dial is routed in one Redis round
trip (agent reserved and on the call, the offer with the agent's name published, the history
written), never to two calls at once, never once the call is over; the database write that
follows the answer is not lost when the web process stops before it."""

import json
from datetime import UTC, datetime

from redis import Redis as SyncRedis
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import GREETED, ROUTED, Attempt, AttemptEvent, Channel, ContactPoint, Role
from campaigns.redis_conn import redis_url
from console import call_cards
from console.agents import state
from console.agents.activity import record_activity
from console.agents.state import AgentState
from console.call_cards import ROUTES_STREAM, Routed
from tests.console.test_dialer import run_async
from tests.factories import make_account, make_campaign, make_client, make_user

SID = "CA" + "5" * 32
NAME = 'Ana "Q" López'


def a_dialed_call(session: Session, redis: SyncRedis, *, agents: int = 1) -> tuple[int, list[int]]:
    client = make_client(session)
    users = [
        make_user(session, username=f"agente{n}", role=Role.AGENT, client=client)
        for n in range(agents)
    ]
    campaign = make_campaign(session, client=client, agents=users)
    account = make_account(session, client=client)
    point = session.scalars(select(ContactPoint)).one()
    attempt = Attempt(
        client_id=client.id,
        account_id=account.id,
        campaign_id=campaign.id,
        contact_point_id=point.id,
        channel=Channel.VOICE,
        status="ringing",
        provider_sid=SID,
        created_at=datetime.now(UTC),
    )
    _dial(session, redis, attempt)
    return attempt.id, [user.id for user in users]


async def _answer_with_ready_agents(
    agent_ids: list[int], campaign_id: int, attempt_id: int, answers: int
) -> tuple[list[Routed], list[dict[str, object]]]:
    redis = Redis.from_url(redis_url())
    try:
        for agent_id in agent_ids:
            await state.register(
                redis, agent_id=agent_id, name='Ana "Q" López', campaign_ids=[campaign_id]
            )
            await state.set_state(redis, agent_id, AgentState.READY)
        async with redis.pubsub() as pubsub:
            await pubsub.psubscribe("agent:*")
            await pubsub.get_message(timeout=1)
            routed = [
                await call_cards.route(
                    redis, attempt_id=attempt_id, call_sid=SID, answered_by="human"
                )
                for _ in range(answers)
            ]
            frames = []
            while (message := await pubsub.get_message(timeout=0.5)) is not None:
                if message["type"] == "pmessage":
                    frames.append(json.loads(message["data"]))
        return routed, frames
    finally:
        await redis.aclose()


def test_an_answered_call_pops_the_screen_with_the_agents_name_in_one_round_trip(
    session: Session, redis: SyncRedis
) -> None:
    attempt_id, (agent_id,) = a_dialed_call(session, redis)
    campaign_id = session.get_one(Attempt, attempt_id).campaign_id
    assert campaign_id is not None
    routed, frames = run_async(_answer_with_ready_agents([agent_id], campaign_id, attempt_id, 2))

    assert [r.kind for r in routed] == ["new", "routed"], "a repeated answer reuses the bridge"
    assert routed[0].agent_id == agent_id == routed[1].agent_id
    assert f"acuerdo-attempt-{attempt_id}</Conference>" in routed[0].twiml
    offers = [f for f in frames if f["type"] == "offer"]
    assert len(offers) == 1 and offers[0]["attempt_id"] == attempt_id
    screen = offers[0]["screen"]
    start = screen["script"]["steps"][screen["script"]["start"]]["text"]
    assert NAME in start and call_cards.AGENT_NAME_TOKEN not in json.dumps(screen)
    assert screen["verified"] is False and screen["direction"] == "outbound"
    current = run_async(_status(agent_id))
    assert (current.state, current.attempt_id) == (AgentState.ON_CALL, attempt_id)
    assert record_activity(redis, consumer="test") == 3  # ready, reserved, on_call

    # The web process stopped before writing the database: the stream entry is written later.
    assert redis.xlen(ROUTES_STREAM) == 1
    assert call_cards.replay_routes(redis, now=routed[0].at) == 0, "a fresh entry is left alone"
    assert call_cards.replay_routes(redis, now=routed[0].at + 60) == 1
    assert call_cards.replay_routes(redis, now=routed[0].at + 60) == 0
    session.rollback()
    stored = session.get_one(Attempt, attempt_id)
    assert stored.agent_id == agent_id and stored.answered_by == "human"
    events = session.scalars(
        select(AttemptEvent).where(
            AttemptEvent.attempt_id == attempt_id, AttemptEvent.status == ROUTED
        )
    ).all()
    assert len(events) == 1


def test_written_twice_the_route_is_stored_once(session: Session, redis: SyncRedis) -> None:
    """Routed as its answer webhook came: the debtor's greeting ended and an agent took the call
    at that moment, each stored once."""
    attempt_id, (agent_id,) = a_dialed_call(session, redis)
    routed = Routed("new", agent_id=agent_id, attempt_id=attempt_id, answered_by="human", at=1e9)
    call_cards.record_route(redis, routed)
    call_cards.record_route(redis, routed)
    session.rollback()
    events = session.scalars(
        select(AttemptEvent).where(AttemptEvent.attempt_id == attempt_id).order_by(AttemptEvent.id)
    ).all()
    assert [e.status for e in events] == [GREETED, ROUTED]
    assert {e.occurred_at.replace(tzinfo=UTC) for e in events} == {datetime.fromtimestamp(1e9, UTC)}


def test_no_agent_takes_two_calls_and_a_finished_call_routes_nobody(
    session: Session, redis: SyncRedis
) -> None:
    first, (agent_id,) = a_dialed_call(session, redis)
    campaign_id = session.get_one(Attempt, first).campaign_id
    assert campaign_id is not None
    second = _another_call(session, redis, first)
    run_async(_answer_with_ready_agents([agent_id], campaign_id, first, 1))
    assert run_async(_route(second)).kind == "none", "the only agent is on the first call"

    run_async(_forget(second))
    assert run_async(_route(second)).kind == "nocard"


def _another_call(session: Session, redis: SyncRedis, like: int) -> int:
    model = session.get_one(Attempt, like)
    attempt = Attempt(
        **{c: getattr(model, c) for c in ("client_id", "account_id", "campaign_id")},
        contact_point_id=model.contact_point_id,
        channel=Channel.VOICE,
        status="ringing",
        created_at=datetime.now(UTC),
    )
    return _dial(session, redis, attempt)


def _dial(session: Session, redis: SyncRedis, attempt: Attempt) -> int:
    """Store the placed call and build its card, as the worker does once it placed it."""
    session.add(attempt)
    session.commit()
    assert call_cards.prepare(redis, attempt.id)
    return attempt.id


async def _status(agent_id: int) -> state.AgentStatus:
    redis = Redis.from_url(redis_url())
    try:
        return await state.status(redis, agent_id)
    finally:
        await redis.aclose()


async def _route(attempt_id: int) -> Routed:
    redis = Redis.from_url(redis_url())
    try:
        return await call_cards.route(redis, attempt_id=attempt_id, call_sid="", answered_by=None)
    finally:
        await redis.aclose()


async def _forget(attempt_id: int) -> None:
    redis = Redis.from_url(redis_url())
    try:
        await call_cards.forget(redis, attempt_id)
    finally:
        await redis.aclose()
