"""Hostile files uploaded over HTTP: a 422 with a clear message, never a 500, nothing written."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.models import Account, Client, Role
from tests import hostile_files
from tests.console.conftest import sign_in
from tests.factories import make_client, make_user

UPLOADS: list[tuple[str, Callable[[], bytes], str, str]] = [
    ("zip_bomb", hostile_files.zip_bomb, "cartera.xlsx", "más de 1024 MB"),
    ("entity_bomb", hostile_files.entity_bomb, "cartera.xlsx", "entidades XML"),
    ("huge_line", hostile_files.huge_line_csv, "cartera.csv", "más de 65536 caracteres"),
    ("nul", hostile_files.nul_csv, "cartera.csv", "carácter NUL"),
    ("many_columns", hostile_files.many_columns_csv, "cartera.csv", "5005 columnas"),
]


@pytest.fixture
def creditor(session: Session) -> Client:
    cable = make_client(session, name="Cable Norte")
    make_user(session, username="gerente", role=Role.MANAGER, access=[cable])
    session.commit()
    return cable


@pytest.mark.parametrize(("name", "make", "filename", "says"), UPLOADS, ids=[u[0] for u in UPLOADS])
def test_hostile_portfolio_and_payment_uploads_are_refused(
    web: TestClient,
    creditor: Client,
    session: Session,
    name: str,
    make: Callable[[], bytes],
    filename: str,
    says: str,
) -> None:
    sign_in(web, "gerente")
    content = make()
    for url in ("/api/portfolios", "/api/payments/import"):
        response = web.post(
            url,
            data={"client_id": str(creditor.id)},
            files={"file": (filename, content, "application/octet-stream")},
        )
        assert response.status_code == 422, (url, response.text)
        assert says in response.text, (url, response.text)
    assert session.scalar(select(func.count(Account.id))) == 0


def test_the_portfolio_page_shows_the_refusal_instead_of_failing(
    web: TestClient, creditor: Client
) -> None:
    sign_in(web, "gerente")
    for make, filename, says in (
        (hostile_files.nul_csv, "cartera.csv", "carácter NUL"),
        (hostile_files.entity_bomb, "cartera.xlsx", "entidades XML"),
    ):
        page = web.post(
            "/manager/portfolios",
            data={"client_id": str(creditor.id)},
            files={"file": (filename, make(), "application/octet-stream")},
        )
        assert page.status_code == 422, page.text[:500]
        assert says in page.text
