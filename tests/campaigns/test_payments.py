"""Importing creditors' payments files: messy files, rejects, idempotency, kept agreements and
settled accounts that stop being contacted at once; the CLI and the HTTP upload."""

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements import import_payments, parse_outcome, record_outcome
from campaigns.compliance import check_account_contact
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    Callback,
    CallbackStatus,
    Channel,
    Client,
    InstallmentStatus,
    Payment,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
    Role,
)
from console.app import create_app
from tests.campaigns.agreements_helpers import NOW, TODAY, dispatch_jobs, phone_of, sms_attempts
from tests.factories import make_account, make_client, make_user

MESSY = (
    "Número de Cuenta;Importe;Fecha de Pago;Folio;Sucursal\r\n"
    "ACC-00001;1.200,00;20/11/2026;F-001;Centro\r\n"
    "ACC-00002;$ 300;2026-11-21;F-002;Norte\r\n"
    "ACC-00099;100,00;21/11/2026;F-003;Sur\r\n"
    "ACC-00002;;21/11/2026;F-004;Sur\r\n"
    "ACC-00002;50,00;31/02/2026;F-005;Sur\r\n"
    "ACC-00002;50,00;30/11/2026;F-006;Sur\r\n"
    "ACC-00002;0,00;21/11/2026;F-007;Sur\r\n"
    "ACC-00002;25,00;21/11/2026;F-002;Sur\r\n"
    "ACC-00002;25,00;21/11/2026;;Sur\r\n"
    ";;;;\r\n"
    "ACC-00002;USD 10;21/11/2026;F-008;Sur\r\n"
).encode("latin-1")


def _accounts(session: Session) -> tuple[Client, Account, Account]:
    client = make_client(session)
    first = make_account(session, client=client)
    second = make_account(session, client=client, phone="+525512345679", name="Pedro Ruiz")
    return client, first, second


def _import(session: Session, client: Client, content: bytes, name: str = "pagos.csv"):  # type: ignore[no-untyped-def]
    return import_payments(
        session, client_id=client.id, filename=name, content=content, today=TODAY, now=NOW
    )


def test_a_messy_file_records_good_rows_and_explains_every_reject(session: Session) -> None:
    client, first, second = _accounts(session)
    summary = _import(session, client, MESSY)
    session.commit()

    assert (summary.rows_read, summary.recorded, summary.rejected) == (10, 2, 8)
    assert summary.amount == Decimal("1500.00")
    assert summary.unused_columns == ["Sucursal"]
    assert first.balance == Decimal("0") and first.status == AccountStatus.PAID
    assert second.balance == Decimal("900.00") and second.status == AccountStatus.ACTIVE
    rejects = list(csv.reader(io.StringIO(summary.rejects_csv)))
    assert rejects[0] == ["Fila", "Columna", "Valor", "Motivo", "Resultado"]
    by_row = {int(r[0]): r for r in rejects[1:]}
    assert by_row[4][1:3] == ["Número de Cuenta", "ACC-00099"]
    assert "No existe la cuenta ACC-00099" in by_row[4][3]
    assert by_row[5][1:4] == ["Importe", "", "El monto está vacío."]
    assert by_row[6][1] == "Fecha de Pago" and by_row[6][2] == "31/02/2026"
    assert by_row[7][3] == "La fecha de pago 2026-11-30 está en el futuro."
    assert by_row[8][3] == "Un pago debe ser mayor que cero (0,00)."
    assert (
        by_row[9][3]
        == "La referencia F-002 ya aparece en la fila 3; solo se registra la primera fila."
    )
    assert by_row[10][1] == "Folio" and "referencia está vacía" in by_row[10][3]
    assert by_row[12][1] == "Importe" and "USD" in by_row[12][3]
    assert summary.rejects_file is not None
    assert summary.rejects_file.read_bytes().decode("utf-8-sig") == summary.rejects_csv


def test_importing_the_same_file_twice_records_nothing_new(session: Session) -> None:
    client, first, second = _accounts(session)
    _import(session, client, MESSY)
    session.commit()
    again = _import(session, client, MESSY)
    session.commit()
    # Rows whose reference is already recorded are skipped, including the in-file duplicate.
    assert (again.recorded, again.already_recorded, again.rejected) == (0, 3, 7)
    assert len(session.scalars(select(Payment)).all()) == 2
    assert second.balance == Decimal("900.00")


def test_a_settled_account_stops_all_contact_at_once(session: Session) -> None:
    client, first, _second = _accounts(session)
    point = phone_of(session, first)
    pending = [
        Attempt(
            client_id=client.id,
            account_id=first.id,
            contact_point_id=point.id,
            channel=channel,
            status=status,
            body="x" if channel == Channel.SMS else None,
            created_at=NOW,
        )
        for channel, status in [
            (Channel.VOICE, AttemptStatus.PENDING),
            (Channel.SMS, AttemptStatus.QUEUED),
            (Channel.SMS, AttemptStatus.DELIVERED),
        ]
    ]
    session.add_all(pending)
    callback = Callback(
        client_id=client.id,
        account_id=first.id,
        contact_point_id=point.id,
        due_at=NOW + timedelta(hours=3),
        created_at=NOW,
    )
    session.add(callback)
    session.commit()

    content = b"cuenta,monto,fecha,referencia\nACC-00001,1200.00,2026-11-22,R-1\n"
    summary = _import(session, client, content)
    session.commit()

    assert summary.accounts_settled == 1 and summary.attempts_cancelled == 2
    assert [a.status for a in pending] == [
        AttemptStatus.CANCELED,
        AttemptStatus.CANCELED,
        AttemptStatus.DELIVERED,
    ]
    assert callback.status == CallbackStatus.CANCELLED
    assert first.status == AccountStatus.PAID
    decision = check_account_contact(
        session,
        account_id=first.id,
        channel=Channel.VOICE,
        contact_point_id=point.id,
        now=NOW,
        context="test",
    )
    assert decision.rule == "account_status"


def test_a_partial_payment_reduces_the_balance_and_contact_goes_on(session: Session) -> None:
    client, first, _ = _accounts(session)
    _import(session, client, b"cuenta,pago,fecha_pago,folio\nACC-00001,200,22/11/2026,P1\n")
    session.commit()
    assert first.balance == Decimal("1000.00") and first.status == AccountStatus.ACTIVE
    assert sms_attempts(session, first) == []


def _promise(session: Session, account: Account, amount: str) -> PromiseToPay:
    due = (TODAY + timedelta(days=5)).isoformat()
    record_outcome(
        session,
        account_id=account.id,
        attempt_id=None,
        agent_id=None,
        outcome=parse_outcome({"disposition": "promise_to_pay", "amount": amount, "due_date": due}),
        submission_key="p",
        now=NOW - timedelta(days=1),
    )
    session.commit()
    return session.scalars(select(PromiseToPay)).one()


def test_a_discounted_promise_paid_is_kept_and_the_discount_written_off(session: Session) -> None:
    client, first, _ = _accounts(session)
    promise = _promise(session, first, "1080.00")
    jobs_before = set(dispatch_jobs())

    summary = _import(
        session, client, b"account,amount,date,reference\nACC-00001,1080.00,2026-11-23,K-1\n"
    )
    thanks = [a for a in sms_attempts(session, first) if (a.dedup_key or "").startswith("thanks")]
    assert len(thanks) == 1
    assert set(dispatch_jobs()) == jobs_before  # not before the commit
    session.commit()

    assert summary.promises_kept == 1 and summary.accounts_settled == 1
    assert promise.status == PromiseStatus.KEPT
    assert first.balance == Decimal("0") and first.status == AccountStatus.PAID
    assert thanks[0].status == AttemptStatus.PENDING
    assert thanks[0].body is not None and "recibimos su pago a Cablevisión Norte" in thanks[0].body
    assert f"dispatch-attempt-{thanks[0].id}" in dispatch_jobs()


def test_a_payment_short_of_the_promise_does_not_keep_it(session: Session) -> None:
    client, first, _ = _accounts(session)
    promise = _promise(session, first, "1200.00")
    _import(session, client, b"account,amount,date,reference\nACC-00001,500,2026-11-23,S-1\n")
    session.commit()
    assert promise.status == PromiseStatus.PENDING
    assert first.balance == Decimal("700.00") and first.status == AccountStatus.PROMISED


def test_plan_instalments_are_paid_in_order_and_the_plan_continues(session: Session) -> None:
    client, first, _ = _accounts(session)
    form = {
        "disposition": "payment_plan",
        "down_payment": "240.00",
        "installments": 2,
        "first_due_date": (TODAY + timedelta(days=3)).isoformat(),
    }
    record_outcome(
        session,
        account_id=first.id,
        attempt_id=None,
        agent_id=None,
        outcome=parse_outcome(form),
        submission_key="plan",
        now=NOW,
    )
    session.commit()
    plan = session.scalars(select(PaymentPlan)).one()

    summary = _import(session, client, b"cuenta,monto,fecha,folio\nACC-00001,300,23/11/2026,A\n")
    session.commit()
    assert summary.installments_paid == 1
    statuses = [(i.number, i.status, i.paid_amount) for i in plan.installments]
    assert statuses == [
        (0, InstallmentStatus.PAID, Decimal("240.00")),
        (1, InstallmentStatus.PENDING, Decimal("60.00")),
        (2, InstallmentStatus.PENDING, Decimal("0.00")),
    ]
    assert plan.status == PlanStatus.ACTIVE and first.status == AccountStatus.PLAN
    assert first.balance == Decimal("900.00")

    _import(session, client, b"cuenta,monto,fecha,folio\nACC-00001,900,23/11/2026,B\n")
    session.commit()
    assert str(plan.status) == PlanStatus.COMPLETED and str(first.status) == AccountStatus.PAID


def test_an_xlsx_payments_file(session: Session) -> None:
    from openpyxl import Workbook

    client, first, _ = _accounts(session)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Cuenta", "Monto", "Fecha", "Referencia"])
    sheet.append(["ACC-00001", 150.5, TODAY - timedelta(days=1), 778899])
    buffer = io.BytesIO()
    book.save(buffer)
    summary = _import(session, client, buffer.getvalue(), name="pagos.xlsx")
    assert summary.recorded == 1
    assert session.scalars(select(Payment)).one().reference == "778899"
    assert first.balance == Decimal("1049.50")


def test_payments_import_command(
    session: Session, child_env: dict[str, str], tmp_path: Path
) -> None:
    client, first, _ = _accounts(session)
    session.commit()
    path = tmp_path / "pagos.csv"
    path.write_bytes(
        b"cuenta,importe,fecha,referencia\nACC-00001,1200,2026-11-20,CLI-1\n"
        b"NOPE,1,2026-11-20,CLI-2\n"
    )
    command = [
        sys.executable,
        "-m",
        "console",
        "payments",
        "import",
        str(path),
        "--client",
        client.name,
    ]
    result = subprocess.run(
        [*command, "--json"],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert (counts["recorded"], counts["rejected"], counts["accounts_settled"]) == (1, 1, 1)
    human = subprocess.run(
        command, env=child_env, capture_output=True, text=True, timeout=120, check=False
    )
    assert "Ya registrados: 1" in human.stdout
    session.rollback()  # end the read snapshot; see what the other side committed
    assert session.get_one(Account, first.id).status == AccountStatus.PAID


@pytest.fixture
def web() -> Iterator[TestClient]:
    with TestClient(create_app(), base_url="https://testserver") as client:
        yield client


def _sign_in(web: TestClient, username: str) -> None:
    response = web.post(
        "/auth/login", data={"username": username, "password": "contraseña-segura-1"}
    )
    assert response.status_code == 200, response.text


def test_a_manager_uploads_a_payments_file(session: Session, web: TestClient) -> None:
    client, first, _ = _accounts(session)
    other = make_client(session, name="Telefonía Sur")
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    session.commit()
    _sign_in(web, "gerente")
    content = b"cuenta,monto,fecha,referencia\nACC-00001,1200,2026-11-20,API-1\n"

    response = web.post(
        "/api/payments/import",
        data={"client_id": str(client.id)},
        files={"file": ("pagos.csv", content, "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["recorded"] == 1 and response.json()["accounts_settled"] == 1

    foreign = web.post(
        "/api/payments/import",
        data={"client_id": str(other.id)},
        files={"file": ("pagos.csv", content, "text/csv")},
    )
    assert foreign.status_code in (403, 404)
    session.rollback()  # end the read snapshot; see what the other side committed
    assert session.get_one(Account, first.id).status == AccountStatus.PAID


def test_an_agent_cannot_upload_payments(session: Session, web: TestClient) -> None:
    client, _first, _ = _accounts(session)
    make_user(session, username="agente", role=Role.AGENT, access=[client])
    session.commit()
    _sign_in(web, "agente")
    response = web.post(
        "/api/payments/import",
        data={"client_id": str(client.id)},
        files={"file": ("p.csv", b"cuenta,monto,fecha,referencia\n", "text/csv")},
    )
    assert response.status_code == 403
    assert session.scalars(select(Payment)).all() == []
