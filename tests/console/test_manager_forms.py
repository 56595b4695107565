"""The manager's form posts, now run in the threadpool with the form read on the event loop."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Role, User
from tests.console.conftest import sign_in
from tests.factories import make_client, make_user


def test_a_manager_adds_a_user_and_a_bad_campaign_is_refused_field_by_field(
    session: Session, web: TestClient
) -> None:
    client = make_client(session)
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    session.commit()
    sign_in(web, "gerente")

    added = web.post(
        "/manager/users",
        data={
            "username": "agente7",
            "full_name": "Agente Siete",
            "role": "agent",
            "locale": "es_MX",
            "password": "una-contraseña-larga-7",
            "clients": [client.name],
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    session.rollback()
    assert session.scalars(select(User).where(User.username == "agente7")).one().role == "agent"

    refused = web.post(
        "/manager/campaigns/save",
        data={
            "name": "Mora",
            "client": client.name,
            "dialing_mode": "progressive",
            "step_day": "",
            "step_channel": "",
        },
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert 'id="error-steps"' in refused.text and "Agregue al menos uno." in refused.text
