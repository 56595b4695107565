"""The campaigns API over real HTTP: managers only, and only their creditors' campaigns."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from campaigns.models import Role
from tests.campaigns.test_scheduler_eligibility import SMS_TEMPLATE, account
from tests.console.conftest import sign_in
from tests.factories import make_client, make_user


def definition(client: str = "Cablevisión Norte", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Temprana",
        "client": client,
        "steps": [
            {"day": 0, "channel": "sms", "template": "recordatorio"},
            {"day": 1, "channel": "voice"},
        ],
        "templates": {"recordatorio": SMS_TEMPLATE},
    }
    body.update(changes)
    return body


def test_manager_defines_previews_starts_and_pauses_a_campaign(
    web: TestClient, session: Session
) -> None:
    client = make_client(session)
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    account(session, client, "API1", days_overdue=5)
    session.commit()
    sign_in(web, "gerente")

    refused = web.post("/api/campaigns", json=definition(filter={"max_days_overdue": 91}))
    assert refused.status_code == 422
    assert refused.json()["error"].startswith("filter.max_days_overdue es 91, pero solo se")

    created = web.post("/api/campaigns", json=definition())
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]
    assert created.json()["status"] == "draft"

    edited = web.put(f"/api/campaigns/{campaign_id}", json=definition(priority=7))
    assert edited.status_code == 200 and edited.json()["priority"] == 7

    preview = web.get(
        f"/api/campaigns/{campaign_id}/preview", params={"at": "2026-11-25T23:30:00-06:00"}
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["excluded"] == {"outside_hours": 1}
    assert preview.json()["skipped"][0]["account_ref"] == "API1"

    started = web.post(f"/api/campaigns/{campaign_id}/start")
    assert started.status_code == 200 and started.json()["started_by_id"] is not None
    assert web.put(f"/api/campaigns/{campaign_id}", json=definition()).status_code == 409
    paused = web.post(f"/api/campaigns/{campaign_id}/pause")
    assert paused.json()["status"] == "paused"
    assert [c["id"] for c in web.get("/api/campaigns").json()] == [campaign_id]
    assert web.post(f"/api/campaigns/{campaign_id}/finish").json()["status"] == "finished"


def test_non_managers_get_403_and_other_creditors_campaigns_are_invisible(
    web: TestClient, session: Session
) -> None:
    mine = make_client(session)
    theirs = make_client(session, name="Otra Telefonía")
    make_user(session, username="gerente", role=Role.MANAGER, access=[mine])
    make_user(session, username="otro", role=Role.MANAGER, access=[theirs])
    make_user(session, username="agente", role=Role.AGENT, access=[mine])
    session.commit()

    sign_in(web, "gerente")
    campaign_id = web.post("/api/campaigns", json=definition()).json()["id"]
    web.post("/auth/logout")

    sign_in(web, "agente")
    assert web.get("/api/campaigns").status_code == 403
    assert web.post(f"/api/campaigns/{campaign_id}/start").status_code == 403
    web.post("/auth/logout")

    sign_in(web, "otro")
    assert web.get("/api/campaigns").json() == []
    assert web.get(f"/api/campaigns/{campaign_id}").status_code == 404
    assert web.post(f"/api/campaigns/{campaign_id}/start").status_code == 404
    assert web.get(f"/api/campaigns/{campaign_id}/preview").status_code == 404
    assert web.post("/api/campaigns", json=definition()).status_code == 404
    assert web.post("/api/campaigns", json=definition(client="Otra Telefonía")).status_code == 201
