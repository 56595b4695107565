"""An in-process client of the real app (real database and Redis), over https for Secure cookies."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from console.app import create_app
from tests.telephony.conftest import sandbox, sandbox_server  # noqa: F401


@pytest.fixture
def web() -> Iterator[TestClient]:
    with TestClient(create_app(), base_url="https://testserver") as client:
        yield client


def sign_in(client: TestClient, username: str, password: str = "contraseña-segura-1") -> None:
    response = client.post("/auth/login", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
