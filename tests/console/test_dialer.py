"""The dialing loop asks the pacer and launches that many calls from the eligible set."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.models import (
    Attempt,
    AuditEvent,
    Callback,
    Campaign,
    CampaignStatus,
    Channel,
    Client,
    Outcome,
    Role,
    User,
)
from campaigns.redis_conn import redis_url
from console.agents import state
from console.agents.messages import SUPERVISORS_CHANNEL
from console.agents.state import AgentState
from console.dialer import dial_callbacks, dial_once
from tests.event_loop import run_async
from tests.factories import make_account, make_campaign, make_client, make_user

NOON_MEXICO = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


async def _run(
    agent_states: dict[int, AgentState], campaign_id: int, seconds: int = 1
) -> list[int]:
    """Run the loop for a few seconds; how many calls the pacer asked for each second."""
    redis = Redis.from_url(redis_url())
    try:
        for agent_id, agent_state in agent_states.items():
            await state.register(redis, agent_id=agent_id, name="A", campaign_ids=[campaign_id])
            await state.set_state(redis, agent_id, agent_state)
        asked = []
        for second in range(seconds):
            decisions = await dial_once(redis, NOON_MEXICO.replace(second=second))
            asked.append(decisions[campaign_id].calls if campaign_id in decisions else -1)
        return asked
    finally:
        await redis.aclose()


@pytest.mark.parametrize(
    ("mode", "states", "per_second"),
    [
        ("progressive", [AgentState.READY, AgentState.READY, AgentState.PAUSED], [1, 1, 0]),
        ("progressive", [AgentState.PAUSED, AgentState.ON_CALL], [0, 0, 0]),
        ("predictive", [AgentState.READY], [1, 0, 0]),
    ],
)
def test_loop_launches_one_call_per_ready_agent_within_the_cps(
    session: Session, mode: str, states: list[AgentState], per_second: list[int]
) -> None:
    """Twilio's default 1 call per second: two ready agents get their calls over two seconds."""
    client = make_client(session)
    agents = [
        make_user(session, username=f"agente{n}", role=Role.AGENT, access=[client])
        for n in range(len(states))
    ]
    campaign = make_campaign(session, client=client, agents=agents, mode=mode)
    for n in range(6):
        make_account(
            session,
            client=client,
            phone=f"+5255123450{n:02d}",
            ref=f"R-{n}",
            today=NOON_MEXICO.date(),
        )
    session.commit()
    asked = run_async(
        _run({a.id: s for a, s in zip(agents, states, strict=True)}, campaign.id, seconds=3)
    )
    assert asked == per_second
    session.rollback()
    calls = session.scalars(select(Attempt).where(Attempt.channel == Channel.VOICE)).all()
    assert len(calls) == sum(per_second)
    assert all(c.campaign_id == campaign.id for c in calls)


def test_preview_campaigns_are_not_paced(session: Session) -> None:
    client = make_client(session)
    agent = make_user(session, role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent], mode="preview")
    make_account(session, client=client, today=NOON_MEXICO.date())
    session.commit()
    assert run_async(_run({agent.id: AgentState.READY}, campaign.id)) == [-1]
    session.rollback()
    assert session.scalars(select(Attempt)).all() == []


def _callback(session: Session, *, owner: User | None, due: datetime) -> tuple[Campaign, int]:
    client = make_client(session)
    agent = owner or make_user(session, username="agente5", role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent])
    account = make_account(session, client=client, today=NOON_MEXICO.date())
    attempt = Attempt(
        client_id=client.id,
        account_id=account.id,
        campaign_id=campaign.id,
        channel=Channel.VOICE,
        status="completed",
        agent_id=agent.id,
        created_at=NOON_MEXICO - timedelta(days=3),
    )
    session.add(attempt)
    session.flush()
    outcome = Outcome(
        client_id=client.id,
        account_id=account.id,
        attempt_id=attempt.id,
        agent_id=agent.id,
        disposition="callback",
        created_at=NOON_MEXICO - timedelta(days=3),
    )
    session.add(outcome)
    session.flush()
    callback = Callback(
        client_id=client.id,
        account_id=account.id,
        outcome_id=outcome.id,
        owner_agent_id=owner.id if owner else None,
        due_at=due,
        created_at=NOON_MEXICO - timedelta(days=3),
    )
    session.add(callback)
    session.commit()
    return campaign, callback.id


async def _callbacks_with(agent_id: int, agent_state: AgentState, campaign_id: int) -> list[int]:
    redis = Redis.from_url(redis_url())
    try:
        await state.register(redis, agent_id=agent_id, name="A", campaign_ids=[campaign_id])
        await state.set_state(redis, agent_id, agent_state)
        placed = await dial_callbacks(redis, NOON_MEXICO)
        after = await state.status(redis, agent_id)
        return [*placed, -1 if after.state != AgentState.RESERVED else after.attempt_id or 0]
    finally:
        await redis.aclose()


def test_personal_callback_waits_for_its_agent_then_rings_for_them(session: Session) -> None:
    client = make_client(session, name="Callbacks")
    owner = make_user(session, username="duena", role=Role.AGENT, access=[client])
    session.commit()
    campaign, callback_id = _callback(session, owner=owner, due=NOON_MEXICO)
    busy = run_async(_callbacks_with(owner.id, AgentState.ON_CALL, campaign.id))
    assert busy == [-1]
    ready = run_async(_callbacks_with(owner.id, AgentState.READY, campaign.id))
    attempt_id = ready[0]
    assert ready == [attempt_id, attempt_id]
    session.rollback()
    attempt = session.get_one(Attempt, attempt_id)
    assert attempt.agent_id == owner.id and attempt.dedup_key == f"callback:{callback_id}"
    assert session.get_one(Callback, callback_id).status == "done"


def test_personal_callback_of_an_agent_gone_offline_goes_to_the_campaign(
    session: Session,
) -> None:
    client = make_client(session, name="Callbacks")
    owner = make_user(session, username="duena", role=Role.AGENT, access=[client])
    session.commit()
    campaign, callback_id = _callback(session, owner=owner, due=NOON_MEXICO)
    placed = run_async(_callbacks_with(owner.id, AgentState.OFFLINE, campaign.id))
    assert len(placed) == 2 and placed[-1] == -1
    session.rollback()
    attempt = session.get_one(Attempt, placed[0])
    assert attempt.agent_id is None and attempt.campaign_id == campaign.id
    assert session.get_one(Callback, callback_id).owner_agent_id is None


def test_callback_not_yet_due_is_left_alone(session: Session) -> None:
    campaign, callback_id = _callback(session, owner=None, due=NOON_MEXICO.replace(hour=23))
    agent_id = session.scalars(select(User.id)).first() or 0
    assert run_async(_callbacks_with(agent_id, AgentState.READY, campaign.id)) == [-1]
    session.rollback()
    assert session.get_one(Callback, callback_id).status == "pending"


async def _shared_floor(
    agents: dict[int, list[int]], ready: list[int], seconds: int
) -> tuple[list[int], dict[int, int]]:
    """Agents in several campaigns, some ready; calls launched per second, and the allocation."""
    redis = Redis.from_url(redis_url())
    try:
        for agent_id, campaign_ids in agents.items():
            await state.register(redis, agent_id=agent_id, name="A", campaign_ids=campaign_ids)
            await state.set_state(
                redis, agent_id, AgentState.READY if agent_id in ready else AgentState.PAUSED
            )
        launched = []
        for second in range(seconds):
            before = await redis.llen("rq:queue:dispatch")
            await dial_once(redis, NOON_MEXICO.replace(second=second))
            launched.append(await redis.llen("rq:queue:dispatch") - before)
        owners = {
            int(agent): int(campaign)
            for agent, campaign in (await redis.hgetall(state.ALLOCATION_KEY)).items()
        }
        return launched, owners
    finally:
        await redis.aclose()


def test_campaigns_sharing_agents_never_dial_twice_for_one_agent(session: Session) -> None:
    """Two ready agents in three campaigns (two progressive, one predictive): two calls in all,
    not one per campaign per agent, and no more while they ring."""
    client = make_client(session)
    agents = [
        make_user(session, username=f"agente{n}", role=Role.AGENT, access=[client])
        for n in range(3)
    ]
    campaigns = [
        make_campaign(session, client=client, name=f"Campaña {mode} {n}", agents=agents, mode=mode)
        for n, mode in enumerate(["progressive", "progressive", "predictive"])
    ]
    for n in range(12):
        make_account(
            session,
            client=client,
            phone=f"+5255123451{n:02d}",
            ref=f"S-{n}",
            today=NOON_MEXICO.date(),
        )
    session.commit()
    ready = [agents[0].id, agents[1].id]
    launched, owners = run_async(
        _shared_floor({a.id: [c.id for c in campaigns] for a in agents}, ready, seconds=4)
    )
    assert sum(launched) == len(ready)
    session.rollback()
    calls = session.scalars(select(Attempt).where(Attempt.channel == Channel.VOICE)).all()
    assert len(calls) == len(ready)
    per_campaign = {c.id: sum(1 for call in calls if call.campaign_id == c.id) for c in campaigns}
    assert sorted(per_campaign.values()) == [0, 1, 1]
    # Each ringing call keeps an agent of its own campaign, which routing takes first.
    assert sorted(owners) == sorted(ready)
    assert sorted(owners.values()) == sorted(c for c, n in per_campaign.items() if n)


async def _reserve_for(campaign_id: int, owners: dict[int, int], ready: list[int]) -> int | None:
    redis = Redis.from_url(redis_url())
    try:
        for agent_id in ready:
            await state.register(redis, agent_id=agent_id, name="A", campaign_ids=[1, 2])
            await state.set_state(redis, agent_id, AgentState.READY)
        await state.publish_allocation(redis, owners)
        return await state.reserve(redis, campaign_id=campaign_id, attempt_id=99)
    finally:
        await redis.aclose()


def test_an_answered_call_takes_the_agent_its_campaign_dialed_for() -> None:
    """Agent 5 is the longest idle, but the loop gave it to campaign 1: campaign 2's answered
    call takes agent 6, so campaign 1's call still finds its agent."""
    assert run_async(_reserve_for(2, {5: 1, 6: 2}, ready=[5, 6])) == 6
    assert run_async(_reserve_for(2, {}, ready=[5, 6])) == 5


async def _dial_and_listen(seconds: list[datetime]) -> list[dict[str, Any]]:
    """Run the loop at the given instants; the supervisors' messages it published."""
    redis = Redis.from_url(redis_url())
    pubsub = redis.pubsub()
    try:
        await pubsub.subscribe(SUPERVISORS_CHANNEL)
        await pubsub.get_message(timeout=1)
        for now in seconds:
            await dial_once(redis, now)
        heard = []
        while message := await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5):
            heard.append(json.loads(message["data"]))
        return heard
    finally:
        await pubsub.aclose()
        await redis.aclose()


def _answered(session: Session, campaign: Campaign, *, at: datetime, abandoned: bool) -> None:
    account = make_account(
        session,
        client=session.get_one(Client, campaign.client_id),
        phone=f"+52551234{session.scalar(select(func.count(Attempt.id))) or 0:04d}",
        ref=f"AB-{at.isoformat()}-{abandoned}-{session.scalar(select(func.count(Attempt.id)))}",
        today=NOON_MEXICO.date(),
    )
    session.add(
        Attempt(
            client_id=campaign.client_id,
            account_id=account.id,
            campaign_id=campaign.id,
            channel=Channel.VOICE,
            status="completed",
            answered_by="human",
            abandoned=abandoned,
            created_at=at,
            answered_at=at,
            ended_at=at + timedelta(seconds=30),
        )
    )
    session.flush()


def test_a_campaign_over_its_abandon_cap_is_paused_and_its_supervisors_told(
    session: Session,
) -> None:
    client = make_client(session)
    agent = make_user(session, role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent], mode="predictive")
    campaign.started_at = NOON_MEXICO - timedelta(days=2)
    for n in range(20):
        _answered(session, campaign, at=NOON_MEXICO - timedelta(hours=n + 1), abandoned=n == 0)
    session.commit()
    # 1 abandon in 20 live answers is 5%, over the 3% cap: paused, and the supervisors are told.
    heard = run_async(_dial_and_listen([NOON_MEXICO]))
    session.rollback()
    assert session.get_one(Campaign, campaign.id).status == "paused"
    notices = [m for m in heard if m["type"] == "campaign_paused"]
    assert [(m["campaign_id"], m["client_id"], m["abandons"]) for m in notices] == [
        (campaign.id, client.id, 1)
    ]
    assert session.scalars(
        select(AuditEvent.actor_label).where(AuditEvent.action == "campaign.paused")
    ).all() == ["dialer: abandon rate over the cap"]
    # A supervisor resumes it knowing the rate: no new abandon since, so it keeps running.
    resumed = session.get_one(Campaign, campaign.id)
    resumed.status, resumed.started_at = CampaignStatus.ACTIVE, NOON_MEXICO
    session.commit()
    run_async(_dial_and_listen([NOON_MEXICO + timedelta(minutes=1)]))
    session.rollback()
    assert session.get_one(Campaign, campaign.id).status == "active"
    # Another abandon while still over the cap pauses it again.
    _answered(session, campaign, at=NOON_MEXICO + timedelta(minutes=2), abandoned=True)
    session.commit()
    run_async(_dial_and_listen([NOON_MEXICO + timedelta(minutes=3)]))
    session.rollback()
    assert session.get_one(Campaign, campaign.id).status == "paused"


def test_a_campaign_within_its_cap_keeps_running(session: Session) -> None:
    client = make_client(session)
    agent = make_user(session, role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent], mode="predictive")
    campaign.started_at = NOON_MEXICO - timedelta(days=2)
    for n in range(40):
        _answered(session, campaign, at=NOON_MEXICO - timedelta(hours=n + 1), abandoned=n == 0)
    session.commit()
    heard = run_async(_dial_and_listen([NOON_MEXICO]))
    session.rollback()
    assert session.get_one(Campaign, campaign.id).status == "active"
    assert [m for m in heard if m["type"] == "campaign_paused"] == []
