"""The evidence pack of an account built from a hand-made history: every contact with the
debtor's local time, the check it passed, the text, agent, outcome and carrier reference; every
reply, promise, plan, dispute, payment and refusal; and its making audited."""

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.accounts.actions import Actor
from campaigns.accounts.evidence import build_evidence_pack, evidence_zip
from campaigns.compliance import record_refusal
from campaigns.compliance.check import refuse
from campaigns.models import (
    Attempt,
    AttemptEvent,
    AttemptStatus,
    AuditEvent,
    Channel,
    Disposition,
    Dispute,
    DisputeStatus,
    InboundMessage,
    Installment,
    Outcome,
    Payment,
    PaymentPlan,
    PromiseStatus,
    PromiseToPay,
    Role,
)
from tests.factories import CREATED_AT, make_account, make_campaign, make_client, make_user

SMS_SENT = datetime(2026, 11, 20, 16, 5, tzinfo=UTC)  # Friday 10:05 in Mexico City
CALL_SENT = datetime(2026, 11, 21, 17, 30, tzinfo=UTC)  # Saturday 11:30
REFUSED_AT = datetime(2026, 11, 22, 5, 0, tzinfo=UTC)  # Saturday 23:00
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


def _history(session: Session) -> tuple[int, int]:
    client = make_client(session, name="Cablevisión Norte")
    account = make_account(session, client=client, ref="CV-77", name="Juana Pérez López")
    account.debtor.national_id = "PELJ800101MDFRPN01"
    point = account.debtor.contact_points[0]
    agent = make_user(session, username="lucia", role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, name="Mora temprana")
    sms = Attempt(
        client_id=client.id, account_id=account.id, campaign_id=campaign.id,
        contact_point_id=point.id, channel=Channel.SMS, status=AttemptStatus.DELIVERED,
        body="Hola Juana, su saldo con Cablevisión Norte es de $1,200.00.",
        provider_sid="SM0001", created_at=SMS_SENT, dispatched_at=SMS_SENT,
    )  # fmt: skip
    call = Attempt(
        client_id=client.id, account_id=account.id, campaign_id=campaign.id,
        contact_point_id=point.id, channel=Channel.VOICE, status=AttemptStatus.COMPLETED,
        agent_id=agent.id, provider_sid="CA0002", duration_seconds=185, answered_by="human",
        created_at=CALL_SENT, dispatched_at=CALL_SENT,
    )  # fmt: skip
    session.add_all([sms, call])
    session.flush()
    session.add(
        AttemptEvent(
            client_id=client.id, attempt_id=sms.id, status="held:outside_hours",
            source="send_check", data={"until": SMS_SENT.isoformat()},
            occurred_at=datetime(2026, 11, 20, 4, 0, tzinfo=UTC),
        )
    )  # fmt: skip
    outcome = Outcome(
        client_id=client.id, account_id=account.id, attempt_id=call.id, agent_id=agent.id,
        disposition=Disposition.PROMISE_TO_PAY, right_party=True, notes="Paga el viernes",
        created_at=CALL_SENT,
    )  # fmt: skip
    session.add(outcome)
    session.flush()
    plan = PaymentPlan(
        client_id=client.id, account_id=account.id, total_amount=Decimal("1200.00"),
        down_payment=Decimal("300.00"), installment_count=2, created_at=CALL_SENT,
    )  # fmt: skip
    session.add(plan)
    session.flush()
    session.add_all(
        [
            PromiseToPay(
                client_id=client.id, account_id=account.id, outcome_id=outcome.id,
                amount=Decimal("400.00"), due_date=date(2026, 11, 27),
                status=PromiseStatus.PENDING, created_at=CALL_SENT,
            ),
            Installment(
                client_id=client.id, plan_id=plan.id, number=0, due_date=date(2026, 11, 27),
                amount=Decimal("300.00"),
            ),
            Dispute(
                client_id=client.id, account_id=account.id, reason="Cobro duplicado",
                status=DisputeStatus.RESOLVED, resolved_at=NOW,
                resolution_note="Se anuló el duplicado", created_at=CREATED_AT,
            ),
            Payment(
                client_id=client.id, account_id=account.id, amount=Decimal("250.50"),
                paid_on=date(2026, 11, 24), reference="DEP-991", source="bank file",
                created_at=NOW,
            ),
            InboundMessage(
                client_id=client.id, provider_sid="SM0003", channel=Channel.SMS,
                contact_point_id=point.id, account_id=account.id,
                body="¿Puedo pagar en dos partes?", handled_as="reply", created_at=SMS_SENT,
            ),
        ]
    )  # fmt: skip
    record_refusal(
        session, account=account, campaign_id=campaign.id, channel=Channel.VOICE,
        decision=refuse("outside_hours", local="23:00", start="07:00", end="22:00"),
        context="scheduler", at=REFUSED_AT,
    )  # fmt: skip
    session.flush()
    return account.id, agent.id


def _rows(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    text = archive.read(f"{name}.csv").decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_pack_holds_the_whole_history_in_spanish(session: Session) -> None:
    account_id, _agent = _history(session)
    pack = build_evidence_pack(
        session, account_id=account_id, locale="es_MX", actor=Actor(None, "gerente"), now=NOW
    )
    archive = zipfile.ZipFile(io.BytesIO(evidence_zip(pack, "es_MX")))

    assert sorted(archive.namelist()) == sorted(
        ["report.html", "contacts.csv", "replies.csv", "promises.csv", "plans.csv",
         "disputes.csv", "payments.csv", "refusals.csv", "audit.csv"]
    )  # fmt: skip
    contacts = _rows(archive, "contacts")
    header, sms, call = contacts
    assert header[:4] == ["Intento", "Enviado (UTC)", "Hora local del deudor", "Canal"]
    assert sms[1] == "2026-11-20T16:05:00+00:00"
    assert sms[2] == "2026-11-20 10:05 America/Mexico_City"
    assert sms[3:7] == ["SMS", "Mora temprana", "Cobranza", "Entregado"]
    assert "Retenido" in sms[7] and "Fuera del horario de contacto del deudor" in sms[7]
    assert "10:05" in sms[7] and "07:00-22:00" in sms[7]
    assert sms[8] == "Hola Juana, su saldo con Cablevisión Norte es de $1,200.00."
    assert sms[-1] == "SM0001"
    assert call[2] == "2026-11-21 11:30 America/Mexico_City"
    assert call[9:14] == ["Lucia", "Promesa de pago", "Paga el viernes", "185", "CA0002"]
    assert _rows(archive, "replies")[1][2:5] == ["SMS", "¿Puedo pagar en dos partes?", "Respuesta"]
    assert _rows(archive, "promises")[1][1:3] == ["$400.00", "2026-11-27"]
    plan = _rows(archive, "plans")[1]
    assert plan[1:4] == ["$1,200.00", "$300.00", "2"]
    assert plan[5] == "0: 2026-11-27 $300.00 (Pendiente)"
    assert _rows(archive, "disputes")[1][1:] == [
        "Cobro duplicado", "Resuelta", "2026-11-25T18:00:00+00:00", "Se anuló el duplicado",
    ]  # fmt: skip
    assert _rows(archive, "payments")[1] == ["2026-11-24", "$250.50", "DEP-991", "bank file"]
    refusal = _rows(archive, "refusals")[1]
    assert refusal[1] == "2026-11-21 23:00 America/Mexico_City"
    assert refusal[2:4] == ["Llamada", "Fuera del horario de contacto del deudor"]
    assert refusal[6] == "Programador de campañas"
    assert refusal[-1] == "Mora temprana"
    report = archive.read("report.html").decode()
    assert "Juana Pérez López" in report and "PELJ800101MDFRPN01" in report
    assert 'lang="es-MX"' in report
    audited = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.evidence_pack")
    ).one()
    assert audited.account_id == account_id and audited.actor_label == "gerente"
    assert audited.data["sections"]["contacts"] == 2


def test_the_pack_is_written_in_the_readers_language_and_neutralises_formulas(
    session: Session,
) -> None:
    account_id, _agent = _history(session)
    session.add(
        Payment(
            client_id=session.get_one(Attempt, 1).client_id, account_id=account_id,
            amount=Decimal("1.00"), paid_on=date(2026, 11, 25), reference="=HYPERLINK(1)",
            source="bank file", created_at=NOW,
        )
    )  # fmt: skip
    session.flush()
    pack = build_evidence_pack(
        session, account_id=account_id, locale="en", actor=Actor(None, "manager"), now=NOW
    )
    archive = zipfile.ZipFile(io.BytesIO(evidence_zip(pack, "en")))
    assert _rows(archive, "contacts")[0][:2] == ["Attempt", "Sent at (UTC)"]
    assert _rows(archive, "refusals")[1][2:4] == ["Call", "Outside the debtor's contact hours"]
    assert _rows(archive, "contacts")[1][5:7] == ["Collection", "Delivered"]
    assert "'=HYPERLINK(1)" in [row[2] for row in _rows(archive, "payments")]
