"""The edge on a real `acuerdo serve` process: X-Forwarded-For is believed only from a trusted
proxy, and bodies and uploads past their limits are refused with 413 in Spanish."""

import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.orm import Session

from campaigns.models import Role
from tests.factories import make_client, make_user
from tests.processes import web_server

pytestmark = pytest.mark.slow
LIMITS = {
    "ACUERDO_LOGIN_ADDRESS_MAX_FAILURES": "3",
    "ACUERDO_MAX_BODY_BYTES": "5000",
    "ACUERDO_MAX_UPLOAD_BYTES": "20000",
}


def _fail_from(url: str, forwarded_for: str) -> int:
    response = httpx.post(
        f"{url}/auth/login",
        data={"username": uuid.uuid4().hex, "password": "x"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


@pytest.fixture(scope="module")
def untrusting() -> Iterator[str]:
    with web_server(**LIMITS) as url:
        yield url


def test_rotating_x_forwarded_for_from_an_untrusted_peer_does_not_evade_the_limit(
    untrusting: str,
) -> None:
    statuses = [_fail_from(untrusting, f"192.0.2.{n}") for n in range(1, 6)]
    assert statuses == [401, 401, 401, 429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit() -> None:
    with web_server(ACUERDO_TRUSTED_PROXIES='["127.0.0.1"]', **LIMITS) as url:
        rotating = [_fail_from(url, f"192.0.2.{n}") for n in range(1, 6)]
        same = [_fail_from(url, "198.51.100.4") for _ in range(4)]
    assert rotating == [401] * 5
    assert same == [401, 401, 401, 429]


def test_bodies_and_uploads_past_their_limits_get_413_in_spanish(
    untrusting: str, session: Session
) -> None:
    client = make_client(session)
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    session.commit()
    with httpx.Client(base_url=untrusting) as web:
        signed_in = web.post(
            "/auth/login", data={"username": "gerente", "password": "contraseña-segura-1"}
        )
        assert signed_in.status_code == 200
        web.cookies.set("acuerdo_session", signed_in.cookies["acuerdo_session"])
        big_json = web.post("/api/campaigns", json={"name": "x" * 6000})
        assert big_json.status_code == 413
        assert big_json.json()["error"] == (
            "La solicitud es demasiado grande: el límite es de 5 KB. "
            "Envíe un archivo o texto más pequeño."
        )
        row = b"ACC-1,Juana,5512345678,1200.00,2026-10-01\n"
        files = {"file": ("cartera.csv", row * 600, "text/csv")}
        upload = web.post("/api/portfolios", data={"client_id": str(client.id)}, files=files)
        assert upload.status_code == 413
        small = web.post(
            "/api/portfolios",
            data={"client_id": str(client.id)},
            files={"file": ("cartera.csv", row * 10, "text/csv")},
        )
        assert small.status_code != 413

        def chunks() -> Iterator[bytes]:
            for _ in range(100):
                yield b"x" * 1000

        streamed = web.post(
            "/api/campaigns", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
