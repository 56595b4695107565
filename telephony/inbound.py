"""Messages debtors send us: opt-outs and opt-ins (campaigns/opt_out_words.yaml), and replies."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns import contact_points
from campaigns.agreements import redact_card_numbers
from campaigns.i18n import _, translate
from campaigns.models import (
    Account,
    AccountStatus,
    Channel,
    Client,
    ContactKind,
    ContactPoint,
    InboundMessage,
)
from campaigns.opt_out_words import Intent, Reading, read_reply

CLOSED = (AccountStatus.PAID, AccountStatus.CLOSED)
# The one confirmation an opt-out gets (CTIA: a single reply confirming the opt-out is allowed).
STOPPED_MESSAGES = _(
    "{creditor}: you will not receive more messages on this number. "
    "Reply ALTA to receive them again."
)
STOPPED_CALLS_AND_MESSAGES = _(
    "{creditor}: we will not call you or send you messages on this number any more. "
    "Reply ALTA to receive messages again."
)


@dataclass(frozen=True)
class InboundResult:
    """What the message did and the confirmation to send back, if one is due."""

    handled_as: str
    reply: str | None


def receive(
    session: Session, *, channel: Channel, sid: str, sender: str, body: str, now: datetime
) -> InboundResult:
    """Apply an inbound SMS or WhatsApp message to every contact point with that number."""
    number = sender.removeprefix("whatsapp:")
    reading = read_reply(body)
    handled_as = str(reading.intent)
    points = session.scalars(
        select(ContactPoint).where(
            ContactPoint.kind == ContactKind.PHONE, ContactPoint.value == number
        )
    ).all()
    replies: list[str] = []
    for point in points:
        if _already_received(session, sid=sid, client_id=point.client_id):
            continue
        account = _current_account(session, point)
        session.add(
            InboundMessage(
                client_id=point.client_id,
                provider_sid=sid,
                channel=channel,
                contact_point_id=point.id,
                account_id=account.id if account else None,
                body=redact_card_numbers(body),
                handled_as=handled_as,
                created_at=now,
            )
        )
        client = session.get_one(Client, point.client_id)
        confirmation = _apply_reading(session, point, channel, reading, client, now)
        if confirmation:
            replies.append(confirmation)
    session.flush()
    return InboundResult(handled_as=handled_as, reply=replies[0] if replies else None)


def _already_received(session: Session, *, sid: str, client_id: int) -> bool:
    return (
        session.scalar(
            select(InboundMessage.id).where(
                InboundMessage.provider_sid == sid, InboundMessage.client_id == client_id
            )
        )
        is not None
    )


def _current_account(session: Session, point: ContactPoint) -> Account | None:
    return session.scalar(
        select(Account)
        .where(Account.debtor_id == point.debtor_id, Account.status.not_in(CLOSED))
        .order_by(Account.due_date)
        .limit(1)
    )


def _apply_reading(
    session: Session,
    point: ContactPoint,
    channel: Channel,
    reading: Reading,
    client: Client,
    now: datetime,
) -> str | None:
    source = f"{channel}:keyword"
    stopped = reading.channels(channel)
    if reading.intent == Intent.OPT_OUT and contact_points.stop_channels(
        session, contact_point=point, channels=stopped, source=source, at=now
    ):
        message = STOPPED_MESSAGES if Channel.VOICE not in stopped else STOPPED_CALLS_AND_MESSAGES
        return translate(client.locale, message, creditor=client.name)
    if reading.intent == Intent.OPT_IN and contact_points.opt_in(
        session, contact_point=point, channel=channel, source=source, at=now
    ):
        return translate(
            client.locale,
            _("{creditor}: messages are active again on this number. Reply BAJA to stop."),
            creditor=client.name,
        )
    return None
