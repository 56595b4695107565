"""The account pages over HTTP: who may search, open, reveal, act and download the evidence
pack, for which creditor; errors next to the form in the reader's language."""

import io
import zipfile

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import AuditEvent, ContactPoint, DoNotContact, Role
from tests.console.conftest import sign_in
from tests.factories import make_account, make_client, make_user


def _setup(session: Session) -> tuple[int, int, int]:
    mine = make_client(session, name="Cablevisión Norte")
    theirs = make_client(session, name="Red Veloz")
    account = make_account(
        session, client=mine, name="Juana Pérez López", ref="CV-1", phone="+525512345678"
    )
    account.debtor.national_id = "PELJ800101MDFRPN01"
    other = make_account(session, client=theirs, name="Pedro Gómez", ref="RV-1")
    make_user(session, username="gerente", role=Role.MANAGER, access=[mine])
    make_user(session, username="super", role=Role.SUPERVISOR, access=[mine])
    make_user(session, username="agente", role=Role.AGENT, access=[mine])
    make_user(session, username="visor", role=Role.CLIENT_VIEWER, client=mine)
    make_user(session, username="visor2", role=Role.CLIENT_VIEWER, client=theirs)
    session.commit()
    return account.id, other.id, account.debtor.contact_points[0].id


def test_a_manager_finds_an_account_by_phone_and_reveals_it_audited(
    web: TestClient, session: Session
) -> None:
    account_id, other_id, _point = _setup(session)
    sign_in(web, "gerente")
    found = web.get("/accounts", params={"q": "(55) 1234-5678"})
    assert found.status_code == 200
    assert f'href="/accounts/{account_id}"' in found.text
    assert "Juana P. L." in found.text and "Juana Pérez López" not in found.text
    hidden = web.get("/accounts", params={"q": "RV-1"}).text
    assert '<span id="hit-count" class="badge">0</span>' in hidden
    assert f'href="/accounts/{other_id}"' not in hidden

    page = web.get(f"/accounts/{account_id}")
    assert page.status_code == 200
    assert "Juana P. L." in page.text and "PELJ800101MDFRPN01" not in page.text
    assert "•••••••••5678" in page.text
    revealed = web.post(f"/accounts/{account_id}/reveal")
    assert revealed.status_code == 200
    assert "Juana Pérez López" in revealed.text and "PELJ800101MDFRPN01" in revealed.text
    session.rollback()
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.identity_revealed")
    ).one()
    assert audit.account_id == account_id and audit.actor_label == "gerente"
    assert web.get(f"/accounts/{other_id}").status_code == 404


def test_an_agent_sees_the_masked_page_and_cannot_reveal_or_act(
    web: TestClient, session: Session
) -> None:
    account_id, _other, point_id = _setup(session)
    sign_in(web, "agente")
    page = web.get(f"/accounts/{account_id}")
    assert page.status_code == 200
    assert "Juana P. L." in page.text and 'id="reveal"' not in page.text
    assert web.post(f"/accounts/{account_id}/reveal").status_code == 403
    dnc = web.post(f"/accounts/{account_id}/do-not-contact", data={"reason": "x"})
    assert dnc.status_code == 403
    assert web.get(f"/accounts/{account_id}/evidence.zip").status_code == 403
    session.rollback()
    assert session.scalars(select(AuditEvent)).all() == []
    assert session.get_one(ContactPoint, point_id).invalid is False


def test_a_supervisor_corrects_a_phone_and_marks_do_not_contact(
    web: TestClient, session: Session
) -> None:
    account_id, _other, point_id = _setup(session)
    sign_in(web, "super")
    wrong = web.post(f"/accounts/{account_id}/phones/{point_id}", data={"phone": "12"})
    assert wrong.status_code == 422
    assert 'id="error-phone_' in wrong.text and "12 no es un teléfono válido" in wrong.text
    fixed = web.post(
        f"/accounts/{account_id}/phones/{point_id}",
        data={"phone": "55 8765 4321"},
        follow_redirects=False,
    )
    assert fixed.status_code == 303
    marked = web.post(
        f"/accounts/{account_id}/do-not-contact",
        data={"reason": "Pidió no ser contactado por escrito"},
    )
    assert marked.status_code == 200
    assert "El deudor está en la lista de no contactar" in marked.text
    session.rollback()
    points = session.scalars(select(ContactPoint).order_by(ContactPoint.id)).all()
    mine = [(p.value, p.invalid) for p in points if p.id >= point_id and p.debtor_id]
    assert ("+525512345678", True) in mine and ("+525587654321", False) in mine
    assert session.scalars(select(DoNotContact.reason)).all() == [
        "Pidió no ser contactado por escrito"
    ]


def test_the_evidence_pack_is_for_managers_and_the_creditors_own_viewer(
    web: TestClient, session: Session
) -> None:
    account_id, _other, _point = _setup(session)
    sign_in(web, "visor")
    pack = web.get(f"/accounts/{account_id}/evidence.zip")
    assert pack.status_code == 200
    assert pack.headers["content-type"] == "application/zip"
    assert 'filename="evidence-CV-1.zip"' in pack.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(pack.content)).namelist()
    assert "report.html" in names and "contacts.csv" in names
    sign_in(web, "visor2")
    assert web.get(f"/accounts/{account_id}/evidence.zip").status_code == 404
    session.rollback()
    made = session.scalars(
        select(AuditEvent.actor_label).where(AuditEvent.action == "account.evidence_pack")
    ).all()
    assert made == ["visor"]
