"""Hostile input is refused at the edge with a 4xx in the reader's language, never a 500."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Outcome, Role
from campaigns.settings import get_settings
from console.agents.outcomes import FormInvalid, submit_outcome
from console.auth.sessions import COOKIE_NAME
from tests.console.conftest import sign_in
from tests.factories import make_campaign, make_client, make_user

PAST_INT32 = 1716005372727
REFUSED_TEXT = "La solicitud contiene caracteres no permitidos"


@pytest.fixture
def manager(web: TestClient, session: Session) -> int:
    client = make_client(session)
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    campaign = make_campaign(session, client=client)
    session.commit()
    sign_in(web, "gerente")
    return campaign.id


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/api/campaigns/{PAST_INT32}"),
        ("PUT", f"/api/campaigns/{PAST_INT32}"),
        ("POST", f"/api/campaigns/{PAST_INT32}/start"),
        ("POST", f"/api/campaigns/{PAST_INT32}/pause"),
        ("POST", f"/api/campaigns/{PAST_INT32}/finish"),
        ("GET", f"/api/campaigns/{PAST_INT32}/preview"),
        ("GET", f"/api/portfolios/{PAST_INT32}/rejects.csv"),
        ("GET", f"/api/escalations.csv?client_id={PAST_INT32}"),
        ("GET", f"/api/portfolios?client_id={PAST_INT32}"),
        ("GET", "/api/campaigns/0"),
    ],
)
def test_ids_past_the_column_type_are_a_spanish_422(
    web: TestClient, manager: int, method: str, path: str
) -> None:
    response = web.request(method, path)
    assert response.status_code == 422
    assert response.json()["error"].startswith("Revise estos valores e intente de nuevo:")


@pytest.mark.parametrize(
    "path",
    [
        f"/viewer/{PAST_INT32}",
        f"/manager/campaigns/{PAST_INT32}",
        f"/manager/campaigns/{PAST_INT32}/preview",
    ],
)
def test_pages_with_ids_past_the_column_type_are_a_422_page(
    web: TestClient, manager: int, path: str
) -> None:
    response = web.get(path)
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]
    assert "Revise estos valores" in response.text


def test_upload_forms_bound_their_ids(web: TestClient, manager: int) -> None:
    files = {"file": ("pagos.csv", b"referencia,monto\n", "text/csv")}
    for path in ("/api/payments/import", "/api/portfolios"):
        response = web.post(path, data={"client_id": str(PAST_INT32)}, files=files)
        assert response.status_code == 422, path
    response = web.post(
        "/manager/campaigns/save", data={"campaign_id": "abc", "name": "x", "client": "y"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "0.5", "1700000000"])
def test_preview_needs_an_iso_moment_in_a_sane_range(
    web: TestClient, manager: int, at: str
) -> None:
    response = web.get(f"/api/campaigns/{manager}/preview", params={"at": at})
    assert response.status_code == 422
    assert "at" in response.json()["error"]


def test_preview_at_an_iso_moment_answers(web: TestClient, manager: int) -> None:
    response = web.get(f"/api/campaigns/{manager}/preview", params={"at": "2026-11-23T18:00:00"})
    assert response.status_code == 200
    assert response.json()["at"].startswith("2026-11-23T18:00:00")


def test_nul_in_a_sign_in_form_is_refused_in_spanish(web: TestClient) -> None:
    response = web.post(
        "/auth/login",
        content=b"username=a%00b&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert response.json()["error"].startswith(REFUSED_TEXT)


def test_control_characters_in_json_query_and_english(web: TestClient, manager: int) -> None:
    body = {"name": "Mora\u0000", "client": "Cablevisión Norte", "steps": [{"day": 0}]}
    response = web.post("/api/campaigns", json=body)
    assert response.status_code == 422
    assert response.json()["error"].startswith(REFUSED_TEXT)
    response = web.get("/api/campaigns", params={"status": "active\x1b"})
    assert response.status_code == 422
    response = web.post("/api/campaigns", json=body, headers={"Accept-Language": "en"})
    assert response.json()["error"].startswith("The request holds characters that are not allowed")


def test_line_breaks_and_tabs_stay_allowed(web: TestClient, manager: int) -> None:
    body = {
        "name": "Mora\ttemprana",
        "client": "Cablevisión Norte",
        "steps": [{"day": 0, "channel": "voice"}],
        "script": {
            "start": "s",
            "steps": [{"id": "s", "text": "Buenos días,\r\nle llamo de {{ creditor }}."}],
        },
    }
    response = web.post("/api/campaigns", json=body)
    assert response.status_code == 201, response.text


def test_bodies_past_the_limit_get_413_declared_or_streamed(web: TestClient, manager: int) -> None:
    limit = get_settings().max_body_bytes
    big = json.dumps({"name": "x" * (limit + 10)}).encode()
    response = web.post("/api/campaigns", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"].startswith("La solicitud es demasiado grande")

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    response = web.post(
        "/api/campaigns", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def _agent_socket_frames(web: TestClient, messages: list[dict[str, Any] | str]) -> list[Any]:
    origin = get_settings().origins[0]
    headers = {"origin": origin, "cookie": f"{COOKIE_NAME}={web.cookies[COOKIE_NAME]}"}
    frames = []
    with web.websocket_connect("/ws/agent", headers=headers) as socket:
        assert socket.receive_json()["type"] == "snapshot"
        for message in messages:
            socket.send_text(message if isinstance(message, str) else json.dumps(message))
            frames.append(socket.receive_json())
    return frames


def test_a_nul_in_outcome_notes_gets_an_error_frame_and_the_socket_stays_open(
    web: TestClient, session: Session
) -> None:
    make_user(session, username="agente", role=Role.AGENT)
    session.commit()
    sign_in(web, "agente")
    outcome = {"disposition": "refuses", "notes": "no paga\u0000"}
    frames = _agent_socket_frames(
        web,
        [
            {"type": "submit_outcome", "attempt_id": 1, "key": "k1", "outcome": outcome},
            {"type": "draft", "attempt_id": 1, "form": {"notes": "x" * 20_000}},
            {"type": "preview_call", "account_id": 1716005372727},
            "x" * (get_settings().ws_message_max_bytes + 1),
            {"type": "heartbeat"},
        ],
    )
    refused, draft, big_id, oversized, ack = frames
    assert refused["type"] == "error" and refused["code"] == "ForbiddenCharacters"
    assert refused["message"].startswith(REFUSED_TEXT) and refused["ref"] == "submit_outcome"
    assert draft["code"] == "MessageTooLarge" and "borrador" in draft["message"]
    assert big_id["type"] == "error" and "account_id" in big_id["message"]
    assert oversized["code"] == "MessageTooLarge"
    assert ack["type"] == "heartbeat_ack"
    assert session.scalars(select(Outcome)).all() == []


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"disposition": "callback", "callback_at": "0001-01-01T00:00:00"}, "callback_at"),
        ({"disposition": "promise_to_pay", "amount": "10", "due_date": "9999-12-31"}, "due_date"),
    ],
)
def test_outcome_dates_out_of_range_are_refused_naming_the_field(
    form: dict[str, str], field: str
) -> None:
    with pytest.raises(FormInvalid) as refused:
        submit_outcome(attempt_id=1, agent_id=1, key="k", form=form)
    assert field in refused.value.render("es_MX")


def test_refusals_follow_the_language_chosen_on_the_sign_in_page(web: TestClient) -> None:
    web.cookies.set("acuerdo_lang", "en")
    response = web.post(
        "/auth/login",
        content=b"username=a%00b&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.json()["error"].startswith("The request holds characters that are not allowed")
