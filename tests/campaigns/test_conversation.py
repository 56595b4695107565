"""Replies and answers: unread replies per account, WhatsApp free text only inside the 24-hour
window (approved templates outside it), answers only when the contact check allows them."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.accounts.actions import ActionRefused, Actor
from campaigns.accounts.conversation import (
    AnswerNotAllowed,
    AnswerNotCourteous,
    conversation,
    inbox,
    mark_read,
    send_answer,
    unread_count,
)
from campaigns.models import (
    Account,
    Attempt,
    AttemptStatus,
    Channel,
    Client,
    InboundMessage,
    PromiseToPay,
    Role,
)
from campaigns.tenancy import scope_session, viewer_for
from campaigns.whatsapp_policy import WhatsAppNotAllowed
from tests.factories import TODAY_NOON, make_account, make_client, make_user, opt_in

NOW = TODAY_NOON  # 12:00 in Mexico City
AGENT = Actor(None, "lucia")


def _reply(session: Session, account: Account, body: str, *, at: datetime, channel: Channel,
           handled_as: str = "reply", sid: str | None = None) -> InboundMessage:  # fmt: skip
    point = account.debtor.contact_points[0]
    message = InboundMessage(
        client_id=account.client_id, provider_sid=sid or f"SM{body[:10]}{at.timestamp()}",
        channel=channel, contact_point_id=point.id, account_id=account.id, body=body,
        handled_as=handled_as, created_at=at,
    )  # fmt: skip
    session.add(message)
    session.flush()
    return message


def _whatsapp_client(session: Session) -> Client:
    client = make_client(session)
    client.whatsapp_sender = "+525550000300"
    client.whatsapp_templates = {"recordatorio": "HX0001"}
    session.flush()
    return client


def test_unread_replies_are_counted_per_account_and_opt_outs_are_not(session: Session) -> None:
    client = make_client(session)
    first = make_account(session, client=client, ref="A-1", phone="+525512340001")
    second = make_account(session, client=client, ref="A-2", phone="+525512340002")
    _reply(session, first, "¿Puedo pagar el viernes?", at=NOW - timedelta(hours=2),
           channel=Channel.SMS)  # fmt: skip
    _reply(session, first, "¿Me confirman?", at=NOW - timedelta(hours=1), channel=Channel.SMS)
    _reply(session, second, "BAJA", at=NOW - timedelta(hours=3), channel=Channel.SMS,
           handled_as="opt_out")  # fmt: skip

    assert unread_count(session) == 2
    rows = inbox(session)
    assert [(r.account_ref, r.unread, r.last_body) for r in rows] == [("A-1", 2, "¿Me confirman?")]
    assert mark_read(session, account_id=first.id, actor=AGENT, now=NOW) == 2
    assert unread_count(session) == 0 and inbox(session) == []


def test_a_reader_sees_only_the_replies_of_their_creditors(session: Session) -> None:
    mine = make_client(session, name="Cablevisión Norte")
    theirs = make_client(session, name="Red Veloz")
    ours = make_account(session, client=mine, phone="+525512340001")
    other = make_account(session, client=theirs, phone="+525512340002")
    _reply(session, ours, "Hola", at=NOW, channel=Channel.SMS)
    _reply(session, other, "Hola", at=NOW, channel=Channel.SMS)
    agent = make_user(session, username="lucia", role=Role.AGENT, access=[mine])
    session.flush()
    scope_session(session, viewer_for(session, agent))
    assert unread_count(session) == 1
    assert [r.account_id for r in inbox(session)] == [ours.id]


def test_whatsapp_free_text_only_inside_the_window_and_templates_outside(
    session: Session,
) -> None:
    account = make_account(session, client=_whatsapp_client(session))
    point = account.debtor.contact_points[0]
    opt_in(session, point, Channel.WHATSAPP, NOW - timedelta(days=10))
    _reply(session, account, "Hola, ¿cuánto debo?", at=NOW - timedelta(hours=23),
           channel=Channel.WHATSAPP)  # fmt: skip

    def answer(text: str, template: str | None, now: datetime) -> Attempt:
        return send_answer(
            session, account_id=account.id, contact_point_id=point.id, channel=Channel.WHATSAPP,
            text=text, template_key=template, actor=AGENT, now=now,
        )  # fmt: skip

    inside = answer("Hola Juana, su saldo es de $1,200.00.", None, NOW)
    assert inside.body == "Hola Juana, su saldo es de $1,200.00." and inside.template_key is None
    assert inside.status == AttemptStatus.PENDING
    later = NOW + timedelta(hours=2)  # 25 hours after the debtor's message
    with pytest.raises(WhatsAppNotAllowed) as refused:
        answer("¿Sigue ahí?", None, later)
    assert "24" in refused.value.render("en")
    template = answer("", "recordatorio", later)
    assert template.body is None and template.template_key == "recordatorio"
    with pytest.raises(WhatsAppNotAllowed):
        answer("", "cobranza_dura", later)
    lines = conversation(session, account_id=account.id)
    assert [(line.inbound, line.channel) for line in lines] == [
        (True, Channel.WHATSAPP), (False, Channel.WHATSAPP), (False, Channel.WHATSAPP),
    ]  # fmt: skip
    assert not lines[0].unread  # answering read it


def test_an_sms_answer_obeys_the_contact_check_and_courtesy(session: Session) -> None:
    account = make_account(session)
    point = account.debtor.contact_points[0]
    _reply(session, account, "¿Me pueden llamar?", at=NOW, channel=Channel.SMS)

    def answer(text: str, now: datetime) -> Attempt:
        return send_answer(
            session, account_id=account.id, contact_point_id=point.id, channel=Channel.SMS,
            text=text, template_key=None, actor=AGENT, now=now,
        )  # fmt: skip

    night = datetime(2026, 11, 24, 5, 30, tzinfo=UTC)  # 23:30 in Mexico City
    with pytest.raises(AnswerNotAllowed) as refused:
        answer("Claro, le llamamos mañana.", night)
    assert "23:30" in refused.value.render("en")
    with pytest.raises(AnswerNotCourteous):
        answer("Si no paga hoy lo demandaremos.", NOW)
    with pytest.raises(ActionRefused):
        answer("   ", NOW)
    sent = answer("Claro, le llamamos mañana a las 10.", NOW)
    assert sent.channel == Channel.SMS and sent.agent_id is None
    assert session.scalars(select(Attempt.body)).all() == ["Claro, le llamamos mañana a las 10."]
    assert unread_count(session) == 0


def test_a_debtor_with_a_promise_in_force_still_gets_an_answer(session: Session) -> None:
    # The promise holds collection calls and messages, not the answer to the debtor's question.
    account = make_account(session)
    point = account.debtor.contact_points[0]
    session.add(
        PromiseToPay(
            client_id=account.client_id, account_id=account.id, amount=account.balance,
            due_date=NOW.date() + timedelta(days=5), created_at=NOW - timedelta(days=1),
        )
    )  # fmt: skip
    _reply(session, account, "¿A qué cuenta deposito?", at=NOW, channel=Channel.SMS)
    sent = send_answer(
        session, account_id=account.id, contact_point_id=point.id, channel=Channel.SMS,
        text="Le enviamos los datos de pago en un momento.", template_key=None, actor=AGENT,
        now=NOW + timedelta(minutes=5),
    )  # fmt: skip
    assert sent.purpose == "reminder"
    assert sent.status == AttemptStatus.PENDING
