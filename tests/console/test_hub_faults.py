"""The hub outlives bad messages: one that cannot be delivered is logged and skipped, and the
next message still reaches the agent's socket (before, one exception ended the listener)."""

import json

import pytest
from sqlalchemy.orm import Session

from campaigns.models import Role
from campaigns.redis_conn import get_redis
from tests.agent_socket import open_socket, receive, sign_in
from tests.factories import make_client, make_user
from tests.processes import web_server

pytestmark = pytest.mark.slow


def test_an_undeliverable_message_does_not_stop_the_hub(session: Session) -> None:
    client = make_client(session)
    agent = make_user(session, username="agente1", role=Role.AGENT, access=[client])
    session.commit()
    with web_server() as url, open_socket(url, sign_in(url, "agente1")) as socket:
        receive(socket, "snapshot")
        redis = get_redis()
        redis.publish("agent:not-a-number", "{}")
        redis.publish("supervisors", '{"client_id": "not json')
        redis.publish(f"agent:{agent.id}", json.dumps({"v": 1, "seq": 1, "type": "probe"}))
        assert receive(socket, "probe", timeout=10)["seq"] == 1
