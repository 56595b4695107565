"""Opt-out by reply: ordinary phrasings through the signed webhook cancel what is queued at once.

Also the agent's do-not-contact outcome, which lists the number and stops what is queued to it.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements import parse_outcome, record_outcome
from campaigns.contact_points import stop_channels
from campaigns.models import (
    Account,
    Attempt,
    AttemptStatus,
    Callback,
    CallbackStatus,
    Channel,
    ChannelPermission,
    ContactPoint,
    DoNotContact,
    InboundMessage,
)
from campaigns.opt_out_words import Intent, Scope, read_reply, vocabulary
from campaigns.settings import get_settings
from console.app import create_app
from telephony.dispatch_statements import record_sent
from tests.campaigns.agreements_helpers import NOW, answered_call
from tests.factories import make_account, make_client
from tests.telephony.test_webhooks import inbound, post_signed

OPT_OUTS = [
    "baja",
    "BAJA",
    "BAJA por favor",
    "Baja por favor",
    "Baja, por favor.",
    "  bája!!  ",
    "stop",
    "STOP.",
    "Stop please",
    "alto",
    "cancelar",
    "parar",
    "no molestar",
    "unsubscribe",
    "no me llamen más",
    "No me llamen mas!!",
    "ya no me escriban",
    "Ya no me escriban, gracias",
    "dejen de llamarme",
    "Ya basta, no me llamen más por favor",
    "no más",
    "Ya pagué, STOP",
    "ＢＡＪＡ",
    "Ya no quiero mensajes",
    "Quítenme de su lista, gracias",
    "Borren mi número por favor",
    "Remove me",
    "No quiero que me llamen",
]
ORDINARY_REPLIES = [
    "no me llamen más tarde, mejor mañana",
    "¿cómo cancelo la deuda?",
    "¿Puedo cancelar la deuda en dos pagos?",
    "Si pago hoy, ¿baja el saldo?",
    "Sí, pago el viernes",
    "no",
    "gracias",
    "Hola, ¿me pueden llamar a las 5?",
    "No, gracias",
    "No me interesa el descuento, pago completo el viernes",
    "Número equivocado",
    "mi número cambió, ya no me escriban a este, escríbanme al 5512345600 por favor gracias",
]


@pytest.mark.parametrize("body", OPT_OUTS)
def test_ordinary_phrasings_of_stop_are_opt_outs(body: str) -> None:
    assert read_reply(body).intent == Intent.OPT_OUT


@pytest.mark.parametrize("body", ORDINARY_REPLIES)
def test_replies_that_only_contain_an_opt_out_word_go_to_the_agents(body: str) -> None:
    assert read_reply(body).intent == Intent.REPLY


def test_the_phrase_says_which_channels_stop() -> None:
    assert read_reply("BAJA").channels(Channel.SMS) == (Channel.SMS,)
    assert read_reply("STOP").channels(Channel.WHATSAPP) == (Channel.WHATSAPP,)
    assert read_reply("no me llamen más").scope == Scope.CALLS
    assert read_reply("no me llamen más").channels(Channel.SMS) == (Channel.SMS, Channel.VOICE)
    assert set(read_reply("no molestar").channels(Channel.SMS)) == set(Channel) - {Channel.EMAIL}
    assert read_reply("alta por favor").intent == Intent.OPT_IN


def test_every_listed_phrase_is_read_as_listed() -> None:
    vocab = vocabulary()
    for phrase, scope in vocab.opt_out.items():
        reading = read_reply(" ".join(phrase).upper() + ", por favor")
        assert (reading.intent, reading.scope) == (Intent.OPT_OUT, scope), phrase
    for phrase in vocab.opt_in:
        assert read_reply(" ".join(phrase)).intent == Intent.OPT_IN, phrase


@pytest.fixture
def web() -> Iterator[TestClient]:
    with TestClient(create_app(), base_url="https://testserver") as client:
        yield client


def _attempt(
    session: Session, account: Account, channel: Channel, status: AttemptStatus, point_id: int
) -> Attempt:
    attempt = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        contact_point_id=point_id,
        channel=channel,
        status=status,
        created_at=NOW,
    )
    session.add(attempt)
    session.flush()
    return attempt


def _queue(session: Session) -> dict[str, Attempt]:
    """Two accounts of one debtor's number, with attempts in every state, and another number."""
    account = make_account(session)
    point = session.scalars(select(ContactPoint)).one()
    second = Account(
        client_id=account.client_id,
        debtor_id=account.debtor_id,
        account_ref="ACC-SECOND",
        original_balance=account.balance,
        balance=account.balance,
        currency=account.currency,
        due_date=account.due_date,
        created_at=NOW,
    )
    session.add(second)
    other_point = ContactPoint(
        client_id=account.client_id,
        debtor_id=account.debtor_id,
        kind=point.kind,
        value="+525512340000",
        line_type=point.line_type,
        created_at=NOW,
    )
    session.add_all([second, other_point])
    session.flush()
    attempts = {
        "sms_pending": _attempt(session, account, Channel.SMS, AttemptStatus.PENDING, point.id),
        "sms_dispatching": _attempt(
            session, second, Channel.SMS, AttemptStatus.DISPATCHING, point.id
        ),
        "sms_sent": _attempt(session, account, Channel.SMS, AttemptStatus.QUEUED, point.id),
        "voice_pending": _attempt(session, account, Channel.VOICE, AttemptStatus.PENDING, point.id),
        "other_number": _attempt(
            session, account, Channel.SMS, AttemptStatus.PENDING, other_point.id
        ),
    }
    session.add(
        Callback(
            client_id=account.client_id,
            account_id=account.id,
            contact_point_id=point.id,
            due_at=NOW,
            created_at=NOW,
        )
    )
    session.commit()
    return attempts


def _statuses(session: Session, attempts: dict[str, Attempt]) -> dict[str, AttemptStatus]:
    session.rollback()
    return {name: session.get_one(Attempt, a.id).status for name, a in attempts.items()}


def test_baja_por_favor_cancels_queued_messages_to_the_number_at_once(
    web: TestClient, session: Session
) -> None:
    attempts = _queue(session)
    response = inbound(web, "BAJA por favor", "SM" + "a" * 32)
    assert response.status_code == 200
    assert "ya no recibirá mensajes en este número" in response.text
    assert _statuses(session, attempts) == {
        "sms_pending": AttemptStatus.CANCELED,
        "sms_dispatching": AttemptStatus.CANCELED,
        "sms_sent": AttemptStatus.QUEUED,
        "voice_pending": AttemptStatus.PENDING,
        "other_number": AttemptStatus.PENDING,
    }
    permission = session.scalars(select(ChannelPermission)).one()
    assert permission.channel == Channel.SMS and permission.opted_out_at is not None
    assert session.scalars(select(Callback.status)).one() == CallbackStatus.PENDING
    assert session.scalars(select(InboundMessage.handled_as)).one() == "opt_out"


def test_no_me_llamen_mas_stops_calls_and_messages_and_pending_callbacks(
    web: TestClient, session: Session
) -> None:
    attempts = _queue(session)
    response = inbound(web, "No me llamen más!!", "SM" + "b" * 32)
    assert "ya no le llamaremos ni le enviaremos mensajes" in response.text
    statuses = _statuses(session, attempts)
    assert statuses["voice_pending"] == AttemptStatus.CANCELED
    assert statuses["sms_pending"] == AttemptStatus.CANCELED
    assert statuses["other_number"] == AttemptStatus.PENDING
    opted = {p.channel for p in session.scalars(select(ChannelPermission)) if p.opted_out_at}
    assert opted == {Channel.SMS, Channel.VOICE}
    assert session.scalars(select(Callback.status)).one() == CallbackStatus.CANCELLED


def test_an_ordinary_reply_cancels_nothing(web: TestClient, session: Session) -> None:
    attempts = _queue(session)
    response = inbound(web, "no me llamen más tarde, mejor mañana", "SM" + "c" * 32)
    assert "<Message>" not in response.text
    assert _statuses(session, attempts)["voice_pending"] == AttemptStatus.PENDING
    assert _statuses(session, attempts)["sms_pending"] == AttemptStatus.PENDING
    assert session.scalars(select(ChannelPermission)).all() == []
    assert session.scalars(select(InboundMessage.handled_as)).one() == "reply"


def test_the_confirmation_is_in_the_creditors_language_and_sent_once(
    web: TestClient, session: Session
) -> None:
    client = make_client(session, name="Cable USA", country="US", currency="USD")
    client.locale = "en"
    make_account(session, client=client)
    session.commit()
    first = inbound(web, "Stop please", "SM" + "d" * 32)
    assert "Cable USA: you will not receive more messages on this number." in first.text
    again = inbound(web, "stop.", "SM" + "e" * 32)
    assert again.status_code == 200 and "<Message>" not in again.text


def test_an_agents_do_not_contact_lists_the_number_and_stops_every_account(
    session: Session,
) -> None:
    attempts = _queue(session)
    account = session.get_one(Account, attempts["sms_pending"].account_id)
    for key in ("dnc-1", "dnc-2"):
        record_outcome(
            session,
            account_id=account.id,
            attempt_id=answered_call(session, account).id,
            agent_id=None,
            outcome=parse_outcome({"disposition": "do_not_contact"}),
            submission_key=key,
            now=NOW,
        )
    session.commit()
    statuses = _statuses(session, attempts)
    assert statuses["sms_dispatching"] == AttemptStatus.CANCELED  # the debtor's other account
    assert statuses["voice_pending"] == AttemptStatus.CANCELED
    assert statuses["other_number"] == AttemptStatus.PENDING
    listed = session.scalars(select(DoNotContact)).one()
    assert listed.value == "+525512345678" and listed.client_id == account.client_id


def test_a_request_that_went_out_while_cancelled_is_recorded_as_sent(session: Session) -> None:
    attempts = _queue(session)
    inbound_now = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    point = session.get_one(ContactPoint, attempts["sms_dispatching"].contact_point_id)
    stop_channels(
        session, contact_point=point, channels=(Channel.SMS,), source="test", at=inbound_now
    )
    record_sent(
        session.connection(),
        attempt_id=attempts["sms_dispatching"].id,
        sid="SM" + "f" * 32,
        provider_status="queued",
        now=inbound_now,
    )
    session.commit()
    assert _statuses(session, attempts)["sms_dispatching"] == AttemptStatus.QUEUED


def test_a_whatsapp_reply_stops_whatsapp_and_calls_on_that_number(
    web: TestClient, session: Session
) -> None:
    attempts = _queue(session)
    point = session.get_one(ContactPoint, attempts["sms_pending"].contact_point_id)
    account = session.get_one(Account, attempts["sms_pending"].account_id)
    whatsapp = _attempt(session, account, Channel.WHATSAPP, AttemptStatus.PENDING, point.id)
    session.commit()
    params = {
        "MessageSid": "SM" + "9" * 32,
        "From": "whatsapp:+525512345678",
        "To": "whatsapp:+525550000200",
        "Body": "Dejen de llamarme, por favor.",
        "AccountSid": get_settings().account_sid,
    }
    response = post_signed(web, "/twilio/whatsapp/inbound", params)
    assert "ya no le llamaremos ni le enviaremos mensajes" in response.text
    statuses = _statuses(session, attempts)
    assert session.get_one(Attempt, whatsapp.id).status == AttemptStatus.CANCELED
    assert statuses["voice_pending"] == AttemptStatus.CANCELED
    assert statuses["sms_pending"] == AttemptStatus.PENDING  # SMS was not asked about
    opted = {p.channel for p in session.scalars(select(ChannelPermission)) if p.opted_out_at}
    assert opted == {Channel.WHATSAPP, Channel.VOICE}
