"""The self-service page over HTTP (the real app in-process): links refused alike, nothing but the
masked identity before verification, a short session cookie after it, actions as form posts."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Account, AccountStatus, AuditEvent, DoNotContact, PromiseToPay
from campaigns.self_service import Purpose, make_token
from campaigns.self_service.links import link_token
from campaigns.settings import get_settings
from console.pages.self_service import SESSION_COOKIE
from tests.factories import make_account, make_client, reachable_now

REFUSED_ES = "Este enlace no es válido o ya venció"
NOT_VERIFIED_ES = "No pudimos verificar estos datos"


def _account(
    session: Session,
    *,
    creditor: str = "Cablevisión Norte",
    ref: str = "CV-1",
    document: str = "PELJ800101HDFRRN07",
) -> Account:
    client = make_client(session, name=creditor)
    acc = make_account(session, client=client, ref=ref, **reachable_now())
    acc.debtor.national_id = document
    session.commit()
    return acc


def test_forged_expired_and_other_purpose_links_get_one_answer(
    web: TestClient, session: Session
) -> None:
    acc = _account(session)
    now = datetime.now(UTC)
    good = link_token(acc, now)
    account_id, expires, mac = good.split(".")
    refused = [
        f"{account_id}.{expires}.{mac[::-1]}",
        link_token(acc, now - timedelta(days=30)),
        make_token(Purpose.SESSION, acc.id, now + timedelta(minutes=5)),
        "999999.1.x",
    ]
    bodies = set()
    for token in refused:
        response = web.get(f"/s/{token}")
        assert response.status_code == 404
        assert REFUSED_ES in response.text
        assert "Juana" not in response.text and "J****" not in response.text
        bodies.add(response.text.replace(token, "TOKEN"))  # the language form returns here
    assert len(bodies) == 1
    shown = web.get(f"/s/{good}")
    assert shown.status_code == 200
    assert "J**** P****" in shown.text and "Cablevisión Norte" in shown.text
    assert "Juana" not in shown.text and "1,200" not in shown.text and "CV-1" not in shown.text


def test_verification_opens_a_session_limited_to_the_link_and_actions_take_effect(
    web: TestClient, session: Session
) -> None:
    acc = _account(session)
    token = link_token(acc, datetime.now(UTC))
    wrong = web.post(f"/s/{token}/verify", data={"digits": "1234"})
    assert wrong.status_code == 422 and NOT_VERIFIED_ES in wrong.text
    assert web.post(f"/s/{token}/promise", data={"due_date": "2030-01-01", "nonce": "x"},
                    follow_redirects=False).headers["location"] == f"/s/{token}"  # fmt: skip

    right = web.post(f"/s/{token}/verify", data={"digits": "0107"}, follow_redirects=False)
    assert right.status_code == 303
    cookie = right.cookies.get(SESSION_COOKIE)
    assert cookie and "httponly" in right.headers["set-cookie"].lower()
    assert "path=/s/" in right.headers["set-cookie"].lower()
    page = web.get(f"/s/{token}")
    assert "Juana Pérez" in page.text and "$1,200.00" in page.text

    today = datetime.now(UTC).astimezone(ZoneInfo("America/Mexico_City")).date()
    promised = web.post(
        f"/s/{token}/promise",
        data={"due_date": (today + timedelta(days=3)).isoformat(), "nonce": "n1"},
        follow_redirects=False,
    )
    assert promised.status_code == 303, promised.text
    assert "done=promise" in promised.headers["location"]
    confirmed = web.get(promised.headers["location"])
    assert "Gracias. Su promesa de pago quedó registrada" in confirmed.text
    session.rollback()
    assert session.get_one(Account, acc.id).status == AccountStatus.PROMISED
    assert session.scalars(select(PromiseToPay)).one().due_date == today + timedelta(days=3)

    late = web.post(
        f"/s/{token}/promise",
        data={"due_date": (today + timedelta(days=40)).isoformat(), "nonce": "n2"},
    )
    assert late.status_code == 422 and "fuera de la política" in late.text

    copy = web.get(f"/s/{token}/my-data")
    assert copy.headers["content-type"].startswith("application/json")
    assert json.loads(copy.text)["debtor"]["name"] == "Juana Pérez"

    opposed = web.post(
        f"/s/{token}/data-request", data={"kind": "opposition"}, follow_redirects=False
    )
    assert opposed.status_code == 303
    session.rollback()
    assert session.scalars(select(DoNotContact.debtor_id)).all() == [acc.debtor_id]
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.account_id == acc.id)
    ).all()
    assert "self_service.verification_failed" in actions and "self_service.verified" in actions
    assert "data_request.filed" in actions and "data_request.copy_downloaded" in actions


def test_one_debtors_session_does_not_open_another_debtors_link(
    web: TestClient, session: Session
) -> None:
    mine = _account(session)
    theirs = _account(session, creditor="Red Veloz", ref="RV-9", document="XX99887766")
    now = datetime.now(UTC)
    mine_token, their_token = link_token(mine, now), link_token(theirs, now)
    assert web.post(f"/s/{mine_token}/verify", data={"digits": "0107"}).status_code == 200
    assert "Juana Pérez" in web.get(f"/s/{mine_token}").text
    other = web.get(f"/s/{their_token}")
    assert other.status_code == 200 and "$1,200.00" not in other.text
    assert "Red Veloz" in other.text  # only the creditor and the masked name
    moved = web.post(
        f"/s/{their_token}/dispute",
        data={"reason": "not_mine", "nonce": "z"},
        follow_redirects=False,
    )
    assert moved.status_code == 303 and moved.headers["location"] == f"/s/{their_token}"
    session.rollback()
    assert session.get_one(Account, theirs.id).status == AccountStatus.ACTIVE


def test_an_address_past_the_request_limit_waits(web: TestClient, session: Session) -> None:
    acc = _account(session)
    token = link_token(acc, datetime.now(UTC))
    limit = get_settings().self_service_requests_per_window
    for _request in range(limit):
        assert web.get(f"/s/{token}").status_code == 200
    refused = web.get(f"/s/{token}")
    assert refused.status_code == 429
    assert "Demasiadas solicitudes desde su conexión" in refused.text
    assert web.get(f"/s/{token}x").status_code == 429  # forged links count too
