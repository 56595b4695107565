"""Presence on a real web process: the server keeps an open socket present without the
browser's heartbeats, a reconnect within the grace resumes the preview, and a browser closed
past the grace frees the account and the agent's due callbacks and shows it offline."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import AuditEvent, Callback, Role
from campaigns.redis_conn import redis_url
from tests.agent_socket import open_socket, open_supervisor_socket, receive, sign_in
from tests.console.test_wrap_up_e2e import agent_update
from tests.factories import (
    make_account,
    make_campaign,
    make_client,
    make_user,
    zone_where_it_is_midday,
)
from tests.processes import web_server

pytestmark = pytest.mark.slow
GRACE = 3


def test_grace_resume_then_a_closed_browser_frees_what_the_agent_held(session: Session) -> None:
    client = make_client(session, country="US", timezone="UTC")
    agent = make_user(session, username="agente-p", role=Role.AGENT, access=[client])
    make_user(session, username="super-p", role=Role.SUPERVISOR, access=[client])
    make_campaign(session, client=client, agents=[agent], mode="preview")
    zone, today = zone_where_it_is_midday(), datetime.now(UTC).date()
    shown = make_account(session, client=client, phone="+525512349601", timezone=zone, today=today)
    other = make_account(
        session, client=client, phone="+525512349602", ref="P-2", timezone=zone, today=today
    )
    callback = Callback(
        client_id=client.id,
        account_id=other.id,
        owner_agent_id=agent.id,
        due_at=datetime.now(UTC) + timedelta(seconds=2),
        created_at=datetime.now(UTC) - timedelta(days=1),
    )
    session.add(callback)
    session.commit()
    store = redis.Redis.from_url(redis_url())
    lock = f"acuerdo:preview-lock:{shown.id}"

    with web_server(ACUERDO_HEARTBEAT_GRACE_SECONDS=str(GRACE)) as url:
        cookie = sign_in(url, "agente-p")
        with open_socket(url, cookie) as socket:
            receive(socket, "snapshot")
            socket.send(json.dumps({"type": "set_state", "state": "ready"}))
            assert receive(socket, "preview")["account_id"] == shown.id
            time.sleep(GRACE + 2)
            socket.send(json.dumps({"type": "resync"}))
            kept = receive(socket, "snapshot")
            assert kept["agent"]["state"] == "reserved", "an open socket stays present"
            assert kept["preview"]["account_id"] == shown.id
        with open_socket(url, cookie) as again:
            resumed = receive(again, "snapshot")
            assert resumed["agent"]["state"] == "reserved"
            assert resumed["preview"]["account_id"] == shown.id
        assert store.exists(lock)

        with open_supervisor_socket(url, sign_in(url, "super-p")) as wallboard:
            receive(wallboard, "snapshot")
            gone_at = time.monotonic()
            agent_update(wallboard, agent.id, state="offline")
            assert time.monotonic() - gone_at >= 1
        assert not store.exists(lock)

    session.rollback()
    assert session.get_one(Callback, callback.id).owner_agent_id is None
    released = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "callback.released")
    ).one()
    assert released.data == {"callback_id": callback.id, "from_agent_id": agent.id}
