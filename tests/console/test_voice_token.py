"""Agents get a signed Twilio Voice token for their browser phone; nobody else does."""

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from campaigns.models import Role
from campaigns.settings import get_settings
from tests.console.conftest import sign_in
from tests.factories import make_user


def test_agent_gets_a_token_for_its_own_identity(web: TestClient, session: Session) -> None:
    agent = make_user(session, username="agente1", role=Role.AGENT)
    session.commit()
    sign_in(web, "agente1")
    body = web.get("/api/voice/token").json()
    assert body["identity"] == f"agent-{agent.id}"
    settings = get_settings()
    claims = jwt.decode(body["token"], settings.voice_key[1], algorithms=["HS256"])
    assert claims["grants"]["identity"] == f"agent-{agent.id}"
    assert claims["grants"]["voice"]["incoming"]["allow"] is True
    assert claims["sub"] == settings.account_sid


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CLIENT_VIEWER])
def test_other_roles_get_no_token(web: TestClient, session: Session, role: Role) -> None:
    make_user(session, username="otro", role=role)
    session.commit()
    sign_in(web, "otro")
    assert web.get("/api/voice/token").status_code == 403
