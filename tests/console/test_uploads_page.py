"""Uploads on the web: payments, do-not-contact lists and withdrawals, each with its counts and a
rejects report in the reader's language; withdrawn and listed accounts leave campaigns at once."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    AuditEvent,
    DoNotContact,
    Payment,
    Role,
)
from campaigns.scheduler import run_tick
from tests.campaigns.test_scheduler_eligibility import NOW, account, make_campaign, rules
from tests.console.conftest import sign_in
from tests.factories import make_client, make_user


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def test_payments_in_words_are_recorded_and_rejects_come_in_the_readers_language(
    web: TestClient, session: Session
) -> None:
    client = make_client(session)
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    account(session, client, "CV-1", balance="2500.00")
    account(session, client, "CV-2", balance="9000.00")
    session.commit()
    sign_in(web, "gerente")
    content = _csv(
        "Cuenta,Monto,Fecha de pago,Folio",
        'CV-1,"2,5 mil pesos",20/11/2026,F-1',
        "CV-2,1 mil MXN,21/11/2026,F-2",
        "CV-9,100,21/11/2026,F-3",
        "CV-2,50 USD,21/11/2026,F-4",
    )
    page = web.post(
        "/manager/uploads/payments",
        data={"client_id": str(client.id)},
        files={"file": ("pagos.csv", content, "text/csv")},
    )
    assert page.status_code == 200, page.text
    assert "Pagos registrados" in page.text and "$3,500.00" in page.text
    assert '<th scope="col">Fila</th>' in page.text and "No existe la cuenta CV-9" in page.text
    assert "El monto está en USD" in page.text
    session.rollback()
    amounts = sorted(str(p.amount) for p in session.scalars(select(Payment)))
    assert amounts == ["1000.00", "2500.00"]

    web.post("/language", data={"locale": "en", "next": "/manager/uploads"})
    english = web.post(
        "/manager/uploads/payments",
        data={"client_id": str(client.id)},
        files={"file": ("pagos.csv", content, "text/csv")},
    )
    assert '<th scope="col">Row</th>' in english.text and "Already recorded" in english.text


def test_a_do_not_contact_list_stops_contact_and_only_admins_list_for_the_whole_bpo(
    web: TestClient, session: Session
) -> None:
    client = make_client(session)
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    listed = account(session, client, "A", phone="+525512345678")
    account(session, client, "B", phone="+525512340000")
    campaign = make_campaign(session, client, steps=[{"day": 0, "channel": "voice"}])
    session.commit()
    assert rules(session, campaign, NOW) == {"A": None, "B": None}
    session.rollback()
    sign_in(web, "gerente")
    page = web.post(
        "/manager/uploads/do-not-contact",
        data={"scope": str(client.id)},
        files={
            "file": (
                "no-contactar.csv",
                _csv("Teléfono,Motivo", "55 1234 5678,pidió no ser contactado", "12,"),
                "text/csv",
            )
        },
    )
    assert page.status_code == 200, page.text
    assert "Agregados a la lista" in page.text and "12 no es un" in page.text
    session.rollback()
    entry = session.scalars(select(DoNotContact)).one()
    assert (entry.client_id, entry.value) == (client.id, "+525512345678")
    after = rules(session, campaign, NOW)
    assert after["A"] is not None and after["B"] is None
    assert listed.status == AccountStatus.ACTIVE

    refused = web.post(
        "/manager/uploads/do-not-contact",
        data={"scope": "all"},
        files={"file": ("x.csv", _csv("Teléfono", "5512345678"), "text/csv")},
    )
    assert refused.status_code == 403
    assert "Solo un administrador" in refused.text


def test_withdrawn_accounts_leave_every_campaign_at_once(web: TestClient, session: Session) -> None:
    client = make_client(session)
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    account(session, client, "A")
    account(session, client, "B")
    campaign = make_campaign(session, client, steps=[{"day": 0, "channel": "voice"}])
    run_tick(session, now=NOW)
    pending = session.scalars(select(Attempt)).all()
    assert len(pending) == 2
    session.commit()
    sign_in(web, "gerente")
    page = web.post(
        "/manager/uploads/withdrawals",
        data={"client_id": str(client.id)},
        files={
            "file": (
                "retiros.csv",
                _csv("Número de cuenta,Motivo", "A,recuperada", "Z,"),
                "text/csv",
            )
        },
    )
    assert page.status_code == 200, page.text
    assert "Cuentas retiradas" in page.text and "No existe la cuenta Z" in page.text
    session.rollback()
    withdrawn = session.scalars(select(Account).where(Account.account_ref == "A")).one()
    assert withdrawn.status == AccountStatus.CLOSED
    statuses = {a.account_id: a.status for a in session.scalars(select(Attempt))}
    assert statuses[withdrawn.id] == AttemptStatus.CANCELED
    matched = rules(session, campaign, NOW)
    assert "A" not in matched
    assert session.scalars(
        select(AuditEvent.action).where(AuditEvent.account_id == withdrawn.id)
    ).all() == ["account.withdrawn"]
