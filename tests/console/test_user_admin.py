"""Managing users on the web: edit role and creditors, disable (signed out at once, also the
websocket), reset the password (must be changed at sign-in), strong passwords, tenancy."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from campaigns.models import AuditEvent, Role, User, UserClientAccess
from campaigns.settings import get_settings
from console.auth.sessions import COOKIE_NAME
from tests.console.conftest import sign_in
from tests.factories import make_client, make_user


def _access(session: Session, user: User) -> set[int]:
    return set(
        session.scalars(
            select(UserClientAccess.client_id).where(UserClientAccess.user_id == user.id)
        )
    )


def test_a_manager_edits_role_and_creditors_but_keeps_other_creditors_access(
    web: TestClient, session: Session
) -> None:
    mine = make_client(session, name="Cable Norte")
    also_mine = make_client(session, name="Red Veloz")
    not_mine = make_client(session, name="Telefonía Sur")
    make_user(session, username="gerente", role=Role.MANAGER, access=[mine, also_mine])
    agent = make_user(session, username="agente1", access=[mine, not_mine])
    session.commit()
    sign_in(web, "gerente")

    page = web.get(f"/manager/users/{agent.id}")
    assert page.status_code == 200
    assert "Telefonía Sur" not in page.text
    saved = web.post(
        f"/manager/users/{agent.id}",
        data={"full_name": "Ana Pérez", "role": "supervisor", "clients": ["Red Veloz"]},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    session.rollback()
    assert session.get_one(User, agent.id).role == Role.SUPERVISOR
    assert session.get_one(User, agent.id).full_name == "Ana Pérez"
    assert _access(session, agent) == {also_mine.id, not_mine.id}
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.updated")).one()
    assert event.actor_label == "gerente"
    assert event.data["after"] == {"role": "supervisor", "clients": ["Red Veloz"]}


def test_a_manager_cannot_touch_users_of_other_creditors_nor_admins(
    web: TestClient, session: Session
) -> None:
    mine = make_client(session, name="Cable Norte")
    other = make_client(session, name="Telefonía Sur")
    make_user(session, username="gerente", role=Role.MANAGER, access=[mine])
    stranger = make_user(session, username="ajeno", access=[other])
    admin = make_user(session, username="jefa", role=Role.ADMIN, access=[mine])
    session.commit()
    sign_in(web, "gerente")

    assert web.get(f"/manager/users/{stranger.id}").status_code == 404
    assert web.post(f"/manager/users/{stranger.id}/active", data={"active": "0"}).status_code == 404
    assert web.post(f"/manager/users/{stranger.id}/password").status_code == 404
    assert web.post(f"/manager/users/{admin.id}/password").status_code == 403
    session.rollback()
    assert session.get_one(User, stranger.id).is_active


def test_a_disabled_user_is_signed_out_at_once_and_cannot_sign_in(
    web: TestClient, session: Session
) -> None:
    client = make_client(session)
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    make_user(session, username="supervisora", role=Role.SUPERVISOR, access=[client])
    target = session.scalars(select(User).where(User.username == "supervisora")).one()
    session.commit()
    with TestClient(web.app, base_url="https://testserver") as theirs:
        sign_in(theirs, "supervisora")
        assert theirs.get("/supervisor").status_code == 200
        headers = {
            "origin": get_settings().origins[0],
            "cookie": f"{COOKIE_NAME}={theirs.cookies[COOKIE_NAME]}",
        }
        with theirs.websocket_connect("/ws/supervisor", headers=headers) as socket:
            assert socket.receive_json()["type"] == "snapshot"
            sign_in(web, "gerente")
            done = web.post(
                f"/manager/users/{target.id}/active", data={"active": "0"}, follow_redirects=False
            )
            assert done.status_code == 303
            with pytest.raises(WebSocketDisconnect) as closed:
                while True:
                    socket.receive_json()
            assert closed.value.code == 4401
        assert theirs.get("/supervisor", follow_redirects=False).headers["location"] == "/login"
        again = theirs.post(
            "/auth/login", data={"username": "supervisora", "password": "contraseña-segura-1"}
        )
        assert again.status_code == 401
    assert "Deshabilitado" in web.get("/manager/users").text


def test_a_reset_password_must_be_changed_at_the_next_sign_in(
    web: TestClient, session: Session
) -> None:
    client = make_client(session)
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    agent = make_user(session, username="agente1", access=[client])
    session.commit()
    sign_in(web, "gerente")
    page = web.post(f"/manager/users/{agent.id}/password")
    assert page.status_code == 200
    temporary = page.text.split('id="temporary-password">')[1].split("<")[0]
    assert len(temporary) >= 12

    with TestClient(web.app, base_url="https://testserver") as theirs:
        assert (
            theirs.post(
                "/auth/login", data={"username": "agente1", "password": "contraseña-segura-1"}
            ).status_code
            == 401
        )
        sign_in(theirs, "agente1", temporary)
        assert theirs.get("/agent", follow_redirects=False).headers["location"] == (
            "/account/password"
        )
        assert theirs.get("/api/campaigns").status_code == 403
        weak = theirs.post(
            "/account/password",
            data={
                "current_password": temporary,
                "new_password": "agente1",
                "confirm_password": "agente1",
            },
        )
        assert weak.status_code == 422
        common = theirs.post(
            "/account/password",
            data={
                "current_password": temporary,
                "new_password": "Contraseña123",
                "confirm_password": "Contraseña123",
            },
        )
        assert "más comunes" in common.text
        done = theirs.post(
            "/account/password",
            data={
                "current_password": temporary,
                "new_password": "pino-azul-del-norte",
                "confirm_password": "pino-azul-del-norte",
            },
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert theirs.get("/agent").status_code == 200
    session.rollback()
    assert session.get_one(User, agent.id).must_change_password is False


def test_new_users_need_a_strong_password_and_the_list_shows_the_last_sign_in(
    web: TestClient, session: Session
) -> None:
    client = make_client(session, name="Cable Norte")
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    session.commit()
    sign_in(web, "gerente")
    base = {"full_name": "Luis", "role": "agent", "locale": "es_MX", "clients": ["Cable Norte"]}
    for password, words in (
        ("corta", "al menos 10"),
        ("1234567890", "más comunes"),
        ("Luis.Ramos", "no puede ser el usuario"),
    ):
        refused = web.post(
            "/manager/users", data={**base, "username": "luis.ramos", "password": password}
        )
        assert refused.status_code == 422
        assert words in refused.text, password
    added = web.post(
        "/manager/users",
        data={**base, "username": "luis.ramos", "password": "río-verde-2026"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = web.get("/manager/users").text
    luis = page.split("luis.ramos")[1].split("</tr>")[0]
    assert "Nunca" in luis
    gerente = page.split("<td>gerente</td>")[1].split("</tr>")[0]
    assert "Nunca" not in gerente
    session.rollback()
    signed_in = session.scalars(select(User.last_login_at).where(User.username == "gerente")).one()
    assert signed_in is not None
