"""Adding a creditor from the manager's page: the creator works for it, names stay unique."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Client, Role, UserClientAccess
from tests.console.conftest import sign_in
from tests.factories import make_client, make_user


def test_manager_adds_a_creditor_and_a_taken_name_is_refused(
    web: TestClient, session: Session
) -> None:
    theirs = make_client(session, name="Telefonía Sur")
    manager = make_user(session, username="gerente", role=Role.MANAGER)
    session.commit()
    sign_in(web, "gerente")
    form = {"name": "Cable Norte", "country": "MX", "currency": "MXN", "profile": "MX"}

    added = web.post("/manager/creditors", data=form, follow_redirects=False)
    assert added.status_code == 303, added.text
    assert "<td>Cable Norte</td>" in web.get("/manager").text

    again = web.post("/manager/creditors", data=form)
    assert again.status_code == 422
    assert "Ya existe un acreedor llamado Cable Norte." in again.text
    hidden = web.post("/manager/creditors", data={**form, "name": theirs.name})
    assert hidden.status_code == 422
    assert "Telefonía Sur" in hidden.text and "<td>Telefonía Sur</td>" not in hidden.text

    session.rollback()
    created = session.scalars(select(Client).where(Client.name == "Cable Norte")).one()
    access = session.scalars(
        select(UserClientAccess.client_id).where(UserClientAccess.user_id == manager.id)
    ).all()
    assert access == [created.id]


def test_a_creditor_is_added_with_its_regional_language(web: TestClient, session: Session) -> None:
    make_user(session, username="gerente", role=Role.MANAGER)
    session.commit()
    sign_in(web, "gerente")
    page = web.get("/manager").text
    assert '<option value="es_CO">Español (Colombia)</option>' in page
    form = {"name": "Cable Bogotá", "country": "CO", "currency": "COP", "profile": "CO"}
    added = web.post("/manager/creditors", data={**form, "locale": "es_CO"})
    assert added.status_code == 200, added.text
    refused = web.post("/manager/creditors", data={**form, "name": "Otro", "locale": "es_AR"})
    assert refused.status_code == 422
    assert "Idioma no admitido: es_AR" in refused.text
    session.rollback()
    assert session.scalars(select(Client.locale).where(Client.name == "Cable Bogotá")).one() == (
        "es_CO"
    )
