"""Creditor A's people never reach creditor B: every page, every CSV and every API route.

Two creditors; a manager, a supervisor, an agent and a client viewer of creditor A. Every route of
the app (pages included, webhooks and static files aside) is called with creditor B's ids: it must
answer 403 or 404 and change nothing of B's. Routes without ids answer, but never show B's data.
"""

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from campaigns.data_requests import RequestKind, file_request
from campaigns.models import (
    AccountStatus,
    Attempt,
    AttemptStatus,
    Campaign,
    CampaignStatus,
    Channel,
    Dispute,
    Portfolio,
    Role,
)
from console.app import create_app
from tests.console.conftest import sign_in
from tests.factories import CREATED_AT, make_account, make_campaign, make_client, make_user

B_MARKERS = ("Acreedor Bravo", "Beatriz Oculta", "Campaña Bravo", "gerente_bravo", "cartera-bravo")
ID_PARAMS = (
    "campaign_id",
    "client_id",
    "portfolio_id",
    "request_id",
    "account_id",
    "point_id",
    "dispute_id",
    "user_id",
    "attempt_id",
)
# /s/ is the debtors' public self-service page: the signed link is its authorisation (see
# tests/console/test_self_service_page.py).
SKIPPED_PREFIXES = ("/twilio/", "/static", "/auth/", "/ws/", "/s/")
ROLES_OF_A = (Role.MANAGER, Role.SUPERVISOR, Role.AGENT, Role.CLIENT_VIEWER)


def _walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):
            inner = prefix + route.include_context.prefix
            yield from _walk(route.original_router.routes, inner)


def app_routes() -> list[tuple[str, APIRoute]]:
    """Every HTTP route and method of the app, documented or not (pages and CSVs included)."""
    found: list[tuple[str, APIRoute]] = []
    for path, route in _walk(create_app().routes):
        if not path.startswith(SKIPPED_PREFIXES):
            assert path == route.path, "routes included with a prefix: teach the test"
            found.extend((method, route) for method in sorted(route.methods or ()))
    return found


ROUTES = app_routes()


def _names(route: APIRoute) -> tuple[set[str], set[str], set[str]]:
    dependant = route.dependant
    path = {p.name for p in dependant.path_params}
    query = {p.name for p in dependant.query_params}
    body = {p.alias for p in dependant.body_params}
    for sub in dependant.dependencies:
        query |= {p.name for p in sub.query_params}
    return path, query, body


def test_the_route_list_covers_pages_csvs_and_api() -> None:
    paths = {route.path for _method, route in ROUTES}
    assert {"/manager/users", "/viewer/{client_id}", "/api/escalations.csv"} <= paths
    assert "/api/portfolios/{portfolio_id}/rejects.csv" in paths and len(ROUTES) >= 30


@pytest.fixture
def bravo(session: Session) -> dict[str, int]:
    """Creditor A with its staff and creditor B with a campaign, an escalated account, an import."""
    a = make_client(session, name="Acreedor Alfa")
    b = make_client(session, name="Acreedor Bravo")
    make_account(session, client=a, name="Ana Visible")
    escalated = make_account(session, client=b, name="Beatriz Oculta", days_overdue=120)
    escalated.status = AccountStatus.ESCALATED
    make_campaign(session, client=a, name="Campaña Alfa")
    campaign = make_campaign(session, client=b, name="Campaña Bravo")
    portfolio = Portfolio(
        client_id=b.id,
        filename="cartera-bravo.csv",
        as_of=date(2026, 11, 23),
        rejects_csv="row,reason\n1,Beatriz Oculta\n",
        created_at=CREATED_AT,
    )
    session.add(portfolio)
    request = file_request(
        session, account=escalated, kind=RequestKind.ACCESS, details="", source="test",
        now=CREATED_AT,
    )  # fmt: skip
    dispute = Dispute(
        client_id=b.id, account_id=escalated.id, reason="Beatriz Oculta", created_at=CREATED_AT
    )
    session.add(dispute)
    recorded = Attempt(
        client_id=b.id, account_id=escalated.id, campaign_id=campaign.id, channel=Channel.VOICE,
        status=AttemptStatus.COMPLETED, recording_sid="RE" + "b" * 32,
        recording_url="https://api.twilio.com/recording-bravo", created_at=CREATED_AT,
    )  # fmt: skip
    session.add(recorded)
    for role in ROLES_OF_A:
        make_user(session, username=f"a_{role}", role=role, client=a, access=[a])
    manager_b = make_user(session, username="gerente_bravo", role=Role.MANAGER, access=[b])
    make_user(session, username="visor_bravo", role=Role.CLIENT_VIEWER, client=b)
    session.commit()
    return {
        "client_id": b.id,
        "campaign_id": campaign.id,
        "portfolio_id": portfolio.id,
        "request_id": request.id,
        "account_id": escalated.id,
        "point_id": escalated.debtor.contact_points[0].id,
        "dispute_id": dispute.id,
        "user_id": manager_b.id,
        "attempt_id": recorded.id,
    }


def _request(web: TestClient, method: str, route: APIRoute, ids: dict[str, int]) -> Any:
    path_names, query_names, body_names = _names(route)
    unknown = path_names - set(ID_PARAMS)
    assert not unknown, f"teach this test the path parameters {unknown} of {route.path}"
    path = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), route.path)
    params = {name: ids[name] for name in query_names if name in ids}
    kwargs: dict[str, Any] = {"params": params}
    if "definition" in body_names:
        kwargs["json"] = {
            "name": "x",
            "client": "Acreedor Bravo",
            "steps": [{"day": 0, "channel": "voice"}],
        }
    elif body_names:
        kwargs["data"] = {name: str(ids.get(name, "x")) for name in body_names if name != "file"}
        if "file" in body_names:
            kwargs["files"] = {"file": ("b.csv", b"referencia,monto\nB-1,10\n", "text/csv")}
    if route.path == "/manager/campaigns/save":
        kwargs["data"] = {
            "campaign_id": str(ids["campaign_id"]),
            "name": "x",
            "client": "Acreedor Alfa",
            "dialing_mode": "progressive",
            "steps": "- day: 0\n  channel: voice\n",
        }
    return web.request(method, path, follow_redirects=False, **kwargs), repr(kwargs)


def _names_b(route: APIRoute) -> bool:
    path_names, query_names, body_names = _names(route)
    return bool((path_names | query_names | body_names) & set(ID_PARAMS)) or (
        route.path == "/manager/campaigns/save"
    )


@pytest.mark.parametrize("role", ROLES_OF_A)
def test_creditor_a_never_reaches_creditor_b(
    web: TestClient, session: Session, bravo: dict[str, int], role: Role
) -> None:
    sign_in(web, f"a_{role}")
    failures = []
    for method, route in ROUTES:
        response, sent = _request(web, method, route, bravo)
        label = f"{method} {route.path} -> {response.status_code}"
        if response.status_code >= 500:
            failures.append(f"{label}: server error")
        elif _names_b(route) and response.status_code not in (403, 404):
            failures.append(f"{label}: expected 403/404 with creditor B's ids")
        shown = [m for m in B_MARKERS if m in response.text and m not in sent]
        if shown:
            failures.append(f"{label}: shows {shown}")
    assert failures == []
    session.rollback()
    assert session.get_one(Campaign, bravo["campaign_id"]).status == CampaignStatus.ACTIVE


def test_a_manager_sees_only_the_users_of_the_creditors_they_work(
    web: TestClient, bravo: dict[str, int]
) -> None:
    sign_in(web, f"a_{Role.MANAGER}")
    page = web.get("/manager/users").text
    assert "a_agent" in page and "a_client_viewer" in page
    assert "gerente_bravo" not in page and "visor_bravo" not in page
