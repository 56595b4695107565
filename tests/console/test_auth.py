"""Sign-in: argon2 passwords, server-side sessions, new id at login, throttling, roles."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from campaigns.models import Role
from console.auth.sessions import COOKIE_NAME
from tests.console.conftest import sign_in
from tests.factories import make_user


@pytest.fixture
def agent(session: Session) -> None:
    make_user(session, username="agente1", role=Role.AGENT)
    session.commit()


def test_password_is_stored_as_argon2_hash(session: Session) -> None:
    user = make_user(session, username="ana", password="una-clave-larga")
    assert user.password_hash.startswith("$argon2id$")
    assert "una-clave-larga" not in user.password_hash


def test_sign_in_sets_a_hardened_cookie_and_me_answers(web: TestClient, agent: None) -> None:
    response = web.post(
        "/auth/login", data={"username": "agente1", "password": "contraseña-segura-1"}
    )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    assert web.get("/auth/me").json()["username"] == "agente1"


def test_each_login_issues_a_new_session_id_and_drops_the_old(web: TestClient, agent: None) -> None:
    sign_in(web, "agente1")
    first = web.cookies[COOKIE_NAME]
    sign_in(web, "agente1")
    second = web.cookies[COOKIE_NAME]
    assert first != second
    web.cookies.clear()
    web.cookies.set(COOKIE_NAME, first)
    assert web.get("/auth/me").status_code == 401


def test_wrong_password_is_refused_in_spanish(web: TestClient, agent: None) -> None:
    response = web.post("/auth/login", data={"username": "agente1", "password": "nope"})
    assert response.status_code == 401
    assert response.json() == {"error": "Usuario o contraseña incorrectos."}


def test_repeated_failures_lock_the_username_out(web: TestClient, agent: None) -> None:
    for _ in range(5):
        web.post("/auth/login", data={"username": "agente1", "password": "nope"})
    response = web.post(
        "/auth/login", data={"username": "agente1", "password": "contraseña-segura-1"}
    )
    assert response.status_code == 429


def test_logout_ends_the_session(web: TestClient, agent: None) -> None:
    sign_in(web, "agente1")
    assert web.post("/auth/logout").status_code == 204
    assert web.get("/auth/me").status_code == 401


def test_cross_site_post_is_refused(web: TestClient, agent: None) -> None:
    response = web.post(
        "/auth/login",
        data={"username": "agente1", "password": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_english_reader_gets_english_errors(web: TestClient) -> None:
    response = web.get("/auth/me", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.json() == {"error": "Please sign in."}
