"""Every API route refuses the signed-out (401) and the roles it does not serve (403)."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from campaigns.models import Role
from console.app import create_app
from tests.console.conftest import sign_in
from tests.factories import make_client, make_user

# Agents' own: the browser phone's token, and the recordings of their own calls (another agent's
# call answers 404: tests/console/test_recording_e2e.py).
AGENT_ROUTES = {"/api/voice/token", "/api/calls/1/recording"}


def api_routes() -> list[tuple[str, str]]:
    """Every documented /api route and method, path parameters filled in."""
    routes = []
    for path, operations in create_app().openapi()["paths"].items():
        if path.startswith("/api/"):
            filled = re.sub(r"\{[^}]+\}", "1", path)
            routes.extend((method.upper(), filled) for method in sorted(operations))
    return routes


ROUTES = api_routes()


def call(web: TestClient, method: str, path: str) -> int:
    return web.request(method, path, params={"client_id": "1"}).status_code


def test_there_are_api_routes_to_check() -> None:
    assert len(ROUTES) >= 10


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_signed_out_gets_401(web: TestClient, method: str, path: str) -> None:
    assert call(web, method, path) == 401


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_client_viewer_gets_403(web: TestClient, session: Session, method: str, path: str) -> None:
    make_user(session, username="visor", role=Role.CLIENT_VIEWER, client=make_client(session))
    session.commit()
    sign_in(web, "visor")
    assert call(web, method, path) == 403


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[1] not in AGENT_ROUTES])
def test_agent_gets_403_outside_its_console(
    web: TestClient, session: Session, method: str, path: str
) -> None:
    make_user(session, username="agente", role=Role.AGENT)
    session.commit()
    sign_in(web, "agente")
    assert call(web, method, path) == 403
