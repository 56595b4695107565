"""The supervisor's feed is pushed: agent states as they change, figures every few seconds,
and only for the creditors the supervisor works."""

import json

import pytest
from sqlalchemy.orm import Session
from websockets.sync.client import connect

from campaigns.models import Role
from tests.console.test_agent_flow_e2e import open_socket, receive, sign_in
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
        ws_url = url.replace("http://", "ws://") + "/ws/supervisor"
        headers = {"Cookie": f"acuerdo_session={supervisor_cookie}"}
        with connect(ws_url, additional_headers=headers, origin=url) as feed:  # type: ignore[arg-type]
            snapshot = json.loads(feed.recv(timeout=10))
            assert snapshot["type"] == "snapshot"
            assert [c["name"] for c in snapshot["campaigns"]] == ["Cable temprana"]
            with open_socket(url, sign_in(url, "agente1")) as agent_socket:
                receive(agent_socket, "snapshot")
                agent_socket.send(json.dumps({"type": "set_state", "state": "ready"}))
                receive(agent_socket, "state")
                pushed = receive(feed, "agent")
                assert pushed["agent_id"] == agent.id and pushed["state"] == "ready"
            live = receive(feed, "live", timeout=10)
            assert [c["name"] for c in live["campaigns"]] == ["Cable temprana"]
