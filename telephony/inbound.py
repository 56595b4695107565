"""Messages debtors send us: opt-out and opt-in keywords, and replies for the agents."""

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns import contact_points
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

OPT_OUT_WORDS = frozenset(
    {
        "STOP",
        "STOPALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "REVOKE",
        "OPTOUT",
        "BAJA",
        "ALTO",
        "CANCELAR",
        "NO MAS",
    }
)
OPT_IN_WORDS = frozenset({"START", "UNSTOP", "ALTA"})
CLOSED = (AccountStatus.PAID, AccountStatus.CLOSED)


@dataclass(frozen=True)
class InboundResult:
    """What the message did and the confirmation to send back, if one is due."""

    handled_as: str
    reply: str | None


def keyword(body: str) -> str:
    """The message as a keyword: upper case, no accents, no punctuation, single spaces."""
    text = unicodedata.normalize("NFKD", body).encode("ascii", "ignore").decode()
    cleaned = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text.upper())
    return " ".join(cleaned.split())


def receive(
    session: Session, *, channel: Channel, sid: str, sender: str, body: str, now: datetime
) -> InboundResult:
    """Apply an inbound SMS or WhatsApp message to every contact point with that number."""
    number = sender.removeprefix("whatsapp:")
    word = keyword(body)
    handled_as = (
        "opt_out" if word in OPT_OUT_WORDS else "opt_in" if word in OPT_IN_WORDS else "reply"
    )
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
                body=body,
                handled_as=handled_as,
                created_at=now,
            )
        )
        client = session.get_one(Client, point.client_id)
        confirmation = _apply_keyword(session, point, channel, handled_as, client, now)
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


def _apply_keyword(
    session: Session,
    point: ContactPoint,
    channel: Channel,
    handled_as: str,
    client: Client,
    now: datetime,
) -> str | None:
    source = f"{channel}:keyword"
    if handled_as == "opt_out" and contact_points.opt_out(
        session, contact_point=point, channel=channel, source=source, at=now
    ):
        return translate(
            client.locale,
            _(
                "{creditor}: you will not receive more messages on this number. "
                "Reply ALTA to receive them again."
            ),
            creditor=client.name,
        )
    if handled_as == "opt_in" and contact_points.opt_in(
        session, contact_point=point, channel=channel, source=source, at=now
    ):
        return translate(
            client.locale,
            _("{creditor}: messages are active again on this number. Reply BAJA to stop."),
            creditor=client.name,
        )
    return None
