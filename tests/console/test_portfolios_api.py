"""Portfolio upload over HTTP: managers only, their creditors only, rejects downloadable."""

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from campaigns.models import Client, Role
from tests.console.conftest import sign_in
from tests.factories import make_account, make_client, make_user

MESSY = Path(__file__).resolve().parent.parent / "data" / "cartera_latin1.csv"


@pytest.fixture
def creditors(session: Session) -> tuple[Client, Client]:
    cable = make_client(session, name="Cable Norte")
    phone = make_client(session, name="Telefonía Sur")
    make_user(session, username="gerente", role=Role.MANAGER, access=[cable])
    make_user(session, username="agente", role=Role.AGENT, access=[cable])
    make_user(session, username="visor", role=Role.CLIENT_VIEWER, client=cable)
    session.commit()
    return cable, phone


def upload(web: TestClient, client_id: int):  # type: ignore[no-untyped-def]
    return web.post(
        "/api/portfolios",
        data={"client_id": str(client_id)},
        files={"file": ("cartera.csv", MESSY.read_bytes(), "text/csv")},
    )


def test_manager_uploads_a_messy_file_and_downloads_its_rejects(
    web: TestClient, creditors: tuple[Client, Client]
) -> None:
    cable, _ = creditors
    sign_in(web, "gerente")
    response = upload(web, cable.id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["imported"], body["updated"], body["rejected"]) == (9, 0, 7)
    rejects = web.get(body["rejects_url"])
    assert rejects.status_code == 200 and "attachment" in rejects.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(rejects.text)))
    assert rows[0][:4] == ["Fila", "Columna", "Valor", "Motivo"]
    assert len([r for r in rows[1:] if r[-1] == "fila rechazada"]) >= 7
    again = upload(web, cable.id).json()
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 9)
    listed = web.get("/api/portfolios").json()
    assert [p["imported"] for p in listed] == [0, 9]


def test_manager_cannot_import_into_another_creditor(
    web: TestClient, creditors: tuple[Client, Client], session: Session
) -> None:
    _, phone = creditors
    sign_in(web, "gerente")
    assert upload(web, phone.id).status_code in (403, 404)


@pytest.mark.parametrize("username", ["agente", "visor"])
def test_other_roles_cannot_upload(
    web: TestClient, creditors: tuple[Client, Client], username: str
) -> None:
    cable, _ = creditors
    sign_in(web, username)
    assert upload(web, cable.id).status_code == 403
    assert web.get("/api/portfolios").status_code == 403


def test_signed_out_upload_is_refused(web: TestClient, creditors: tuple[Client, Client]) -> None:
    assert upload(web, creditors[0].id).status_code == 401


def test_escalations_export_lists_accounts_past_90_days(
    web: TestClient, creditors: tuple[Client, Client], session: Session
) -> None:
    cable, _ = creditors
    make_account(session, client=cable, ref="OLD-1", days_overdue=120)
    session.commit()
    sign_in(web, "gerente")
    response = web.get(f"/api/escalations.csv?client_id={cable.id}")
    assert response.status_code == 200
    assert response.text.splitlines()[0].startswith("Número de cuenta,Nombre,")
