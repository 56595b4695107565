"""The supervisor's feed is pushed: agent states as they change, figures every few seconds,
and only for the creditors the supervisor works."""

import json
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis
from sqlalchemy.orm import Session

from campaigns.campaign_defs import pause_campaign
from campaigns.models import Role
from campaigns.redis_conn import redis_url
from console.agents.commands import handle
from console.dialer import dial_once
from tests.agent_socket import go_ready, open_socket, open_supervisor_socket, receive, sign_in
from tests.console.test_dialer import run_async
from tests.factories import make_campaign, make_client, make_user
from tests.processes import web_server

pytestmark = pytest.mark.slow


def test_feed_pushes_agent_states_and_own_campaign_figures(session: Session) -> None:
    cable = make_client(session, name="Cable Norte")
    phone = make_client(session, name="Telefonía Sur")
    agent = make_user(session, username="agente1", role=Role.AGENT, access=[cable])
    make_user(session, username="supervisora", role=Role.SUPERVISOR, access=[cable])
    make_campaign(session, client=cable, name="Cable temprana", agents=[agent])
    make_campaign(session, client=phone, name="Telefonía temprana")
    session.commit()
    with web_server() as url:
        supervisor_cookie = sign_in(url, "supervisora")
        with open_supervisor_socket(url, supervisor_cookie) as feed:
            snapshot = json.loads(feed.recv(timeout=10))
            assert snapshot["type"] == "snapshot"
            assert [c["name"] for c in snapshot["campaigns"]] == ["Cable temprana"]
            with open_socket(url, sign_in(url, "agente1")) as agent_socket:
                go_ready(agent_socket)
                pushed = receive(feed, "agent")
                assert pushed["agent_id"] == agent.id and pushed["state"] == "ready"
            live = receive(feed, "live", timeout=10)
            assert [c["name"] for c in live["campaigns"]] == ["Cable temprana"]


def test_pacing_decisions_reach_only_supervisors_of_that_creditor(session: Session) -> None:
    """Every second the dialing loop tells supervisors how it paced each campaign; a supervisor
    of one creditor never hears about another creditor's campaigns."""
    cable = make_client(session, name="Cable Norte")
    phone = make_client(session, name="Telefonía Sur")
    agent = make_user(session, username="agente1", role=Role.AGENT, access=[cable])
    make_user(session, username="supervisora", role=Role.SUPERVISOR, access=[cable])
    own = make_campaign(session, client=cable, name="Cable temprana", agents=[agent])
    other = make_campaign(session, client=phone, name="Telefonía temprana", mode="predictive")
    session.commit()
    with web_server() as url, open_supervisor_socket(url, sign_in(url, "supervisora")) as feed:
        receive(feed, "snapshot")
        decisions = run_async(_dial_once_and_pause(agent.id))
        assert set(decisions) == {own.id, other.id}
        pacing = []
        while (message := json.loads(feed.recv(timeout=10)))["type"] != "agent":
            if message["type"] == "pacing":
                pacing.append(message)
    assert [(m["campaign_id"], m["client_id"]) for m in pacing] == [(own.id, cable.id)]
    assert pacing[0]["mode"] == "progressive" and pacing[0]["asked"] == 0
    assert pacing[0]["reason"].startswith("Progresivo")


async def _dial_once_and_pause(agent_id: int) -> list[int]:
    """One second of the dialing loop, then an agent change published after its messages."""
    redis = Redis.from_url(redis_url())
    try:
        decisions = await dial_once(redis, datetime.now(UTC))
        await handle(redis, agent_id, {"type": "set_state", "state": "paused", "reason": "break"})
        return list(decisions)
    finally:
        await redis.aclose()


def test_campaign_status_changes_reach_only_supervisors_of_that_creditor(
    session: Session,
) -> None:
    """Pausing a campaign shows at once on the wallboards of its creditor's supervisors."""
    cable = make_client(session, name="Cable Norte")
    phone = make_client(session, name="Telefonía Sur")
    make_user(session, username="supervisora", role=Role.SUPERVISOR, access=[cable])
    own = make_campaign(session, client=cable, name="Cable temprana")
    other = make_campaign(session, client=phone, name="Telefonía temprana")
    session.commit()
    with web_server() as url, open_supervisor_socket(url, sign_in(url, "supervisora")) as feed:
        receive(feed, "snapshot")
        moment = datetime.now(UTC)
        for campaign in (other, own):
            pause_campaign(session, campaign_id=campaign.id, by_id=None, by_label="cli", now=moment)
            session.commit()
        pushed = receive(feed, "campaign", timeout=10)
        assert (pushed["campaign_id"], pushed["client_id"]) == (own.id, cable.id)
        assert (pushed["status"], pushed["by"], pushed["name"]) == (
            "paused",
            "cli",
            "Cable temprana",
        )
