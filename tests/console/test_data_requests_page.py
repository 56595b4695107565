"""The managers' data-requests page: filing for an account, overdue deadlines highlighted,
answering, the copy of the data, and only the manager's own creditors."""

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.data_requests import RequestKind, file_request
from campaigns.models import DataSubjectRequest, Role
from tests.console.conftest import sign_in
from tests.factories import make_account, make_client, make_user


def test_a_manager_files_answers_and_sees_overdue_requests(
    web: TestClient, session: Session
) -> None:
    mine = make_client(session)
    theirs = make_client(session, name="Red Veloz")
    account = make_account(session, client=mine, ref="CV-7")
    make_account(session, client=theirs, ref="RV-7", phone="+525512349999")
    file_request(
        session, account=account, kind=RequestKind.ACCESS, details="", source="test",
        now=datetime(2020, 1, 6, 17, tzinfo=UTC),
    )  # fmt: skip
    make_user(session, username="gerente", role=Role.MANAGER, access=[mine])
    make_user(session, username="agente", role=Role.AGENT, access=[mine])
    session.commit()

    sign_in(web, "agente")
    assert web.get("/manager/data-requests").status_code == 403
    sign_in(web, "gerente")
    page = web.get("/manager/data-requests")
    assert page.status_code == 200
    assert 'class="overdue"' in page.text and "Vencida por" in page.text

    filed = web.post(
        "/manager/data-requests",
        data={"client_id": str(mine.id), "account_ref": "CV-7", "kind": "rectification",
              "details": "Corregir domicilio"},
        follow_redirects=False,
    )  # fmt: skip
    assert filed.status_code == 303
    hidden = web.post(
        "/manager/data-requests",
        data={"client_id": str(theirs.id), "account_ref": "RV-7", "kind": "access"},
    )
    assert hidden.status_code == 404 and "No hay una cuenta RV-7" in hidden.text
    page = web.get("/manager/data-requests")
    assert "Corregir domicilio" in page.text and "Quedan" in page.text

    session.rollback()
    access, rectification = session.scalars(
        select(DataSubjectRequest).order_by(DataSubjectRequest.id)
    ).all()
    copy = web.get(f"/manager/data-requests/{access.id}/copy")
    assert copy.status_code == 200 and copy.json()["accounts"][0]["account_ref"] == "CV-7"
    answered = web.post(
        f"/manager/data-requests/{rectification.id}/answer",
        data={"answer": "Domicilio corregido."},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    session.rollback()
    assert session.get_one(DataSubjectRequest, rectification.id).status == "answered"


def test_the_account_page_leads_to_the_request_form_filled_with_the_account(
    web: TestClient, session: Session
) -> None:
    mine = make_client(session)
    account = make_account(session, client=mine, ref="CV 8/1")
    make_user(session, username="gerente", role=Role.MANAGER, access=[mine])
    session.commit()

    sign_in(web, "gerente")
    account_page = web.get(f"/accounts/{account.id}")
    link = account_page.text.split('id="data-request-link" href="', 1)[1].split('"', 1)[0]
    assert link == f"/manager/data-requests?client_id={mine.id}&account=CV%208/1#new-request"
    form = web.get(link).text
    assert f'<option value="{mine.id}" selected>' in form
    assert 'name="account_ref" value="CV 8/1"' in form
