"""Two-way messages: debtors' replies in an inbox with unread counts, and answers from the
account's page.

A reply that is not an opt-out or opt-in (telephony/inbound.py stores it with `handled_as`
"reply") waits unread in the inbox of the creditor's staff. An answer is an Attempt written by
the agent: free text on WhatsApp only inside the 24-hour window after the debtor's last WhatsApp
message, an approved template outside it (campaigns/whatsapp_policy.py); SMS and WhatsApp only
when the contact check allows it now (it runs again at sending). The answer is sent exactly once
by the rq worker through campaigns/dispatch_queue.py, and the whole conversation is part of the
account's timeline and evidence pack.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from campaigns import whatsapp_policy
from campaigns.accounts.account_file import load_account
from campaigns.accounts.actions import ActionRefused, Actor
from campaigns.agreements.notes import check_notes
from campaigns.audit import record
from campaigns.compliance import Purpose, check_account_contact
from campaigns.compliance.text import check_text
from campaigns.dispatch_queue import enqueue_attempt_after_commit
from campaigns.i18n import _
from campaigns.models import (
    Account,
    Attempt,
    AttemptStatus,
    Channel,
    Client,
    ContactKind,
    ContactPoint,
    Debtor,
    InboundMessage,
    User,
)
from campaigns.opt_out_words import Intent

REPLY = str(Intent.REPLY)
MESSAGE_CHANNELS = (Channel.SMS, Channel.WHATSAPP)
MAX_ANSWER = 1000
INBOX_LIMIT = 200


@dataclass(frozen=True)
class InboxRow:
    """One account with unread replies: how many, and the latest."""

    account_id: int
    account_ref: str
    client_name: str
    debtor_name: str
    balance: Decimal
    currency: str
    unread: int
    last_at: datetime
    last_channel: Channel
    last_body: str


@dataclass(frozen=True)
class Line:
    """One message of a conversation, either way."""

    at: datetime
    inbound: bool
    channel: Channel
    text: str
    template_key: str | None
    status: str
    agent: str
    unread: bool


def _unread() -> tuple[ColumnElement[bool], ...]:
    return (
        InboundMessage.handled_as == REPLY,
        InboundMessage.read_at.is_(None),
        InboundMessage.account_id.is_not(None),
    )


def unread_count(session: Session) -> int:
    """Unread replies in the inbox of the creditors the reader works."""
    return int(session.scalar(select(func.count(InboundMessage.id)).where(*_unread())) or 0)


def inbox(session: Session) -> list[InboxRow]:
    """Accounts with unread replies, the oldest waiting first."""
    counts = session.execute(
        select(
            InboundMessage.account_id,
            func.count(InboundMessage.id),
            func.max(InboundMessage.id),
            func.min(InboundMessage.created_at),
        )
        .where(*_unread())
        .group_by(InboundMessage.account_id)
        .order_by(func.min(InboundMessage.created_at))
        .limit(INBOX_LIMIT)
    ).all()
    latest = {
        m.id: m
        for m in session.scalars(
            select(InboundMessage).where(InboundMessage.id.in_([row[2] for row in counts]))
        )
    }
    accounts = {
        a.id: (a, debtor_name, client_name)
        for a, debtor_name, client_name in session.execute(
            select(Account, Debtor.name, Client.name)
            .join(Debtor, Debtor.id == Account.debtor_id)
            .join(Client, Client.id == Account.client_id)
            .where(Account.id.in_([row[0] for row in counts]))
        )
    }
    rows = []
    for account_id, unread, last_id, _first in counts:
        account, debtor_name, client_name = accounts[int(account_id or 0)]
        last = latest[last_id]
        rows.append(
            InboxRow(
                account_id=account.id,
                account_ref=account.account_ref,
                client_name=client_name,
                debtor_name=debtor_name,
                balance=account.balance,
                currency=account.currency,
                unread=int(unread),
                last_at=last.created_at,
                last_channel=Channel(last.channel),
                last_body=last.body,
            )
        )
    return rows


def conversation(session: Session, *, account_id: int) -> list[Line]:
    """Every SMS and WhatsApp message of the account, both ways, oldest first."""
    account = load_account(session, account_id)
    lines = [
        Line(
            at=m.created_at,
            inbound=True,
            channel=Channel(m.channel),
            text=m.body,
            template_key=None,
            status=m.handled_as,
            agent="",
            unread=m.handled_as == REPLY and m.read_at is None,
        )
        for m in session.scalars(
            select(InboundMessage).where(InboundMessage.account_id == account.id)
        )
    ]
    attempts = session.execute(
        select(Attempt, User.full_name)
        .outerjoin(User, User.id == Attempt.agent_id)
        .where(Attempt.account_id == account.id, Attempt.channel.in_(MESSAGE_CHANNELS))
    ).all()
    lines += [
        Line(
            at=a.dispatched_at or a.created_at,
            inbound=False,
            channel=Channel(a.channel),
            text=a.body or "",
            template_key=a.template_key,
            status=str(a.status),
            agent=agent or "",
            unread=False,
        )
        for a, agent in attempts
    ]
    return sorted(lines, key=lambda line: line.at)


def mark_read(session: Session, *, account_id: int, actor: Actor, now: datetime) -> int:
    """Mark the account's unread replies read; how many were."""
    account = load_account(session, account_id)
    result = session.execute(
        update(InboundMessage)
        .where(InboundMessage.account_id == account.id, *_unread())
        .values(read_at=now, read_by_id=actor.user_id)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def whatsapp_window_open(session: Session, *, contact_point_id: int, now: datetime) -> bool:
    """Whether free-text WhatsApp may go to this number now (the debtor wrote in 24 hours)."""
    point = session.scalar(select(ContactPoint).where(ContactPoint.id == contact_point_id))
    return point is not None and whatsapp_policy.inside_session_window(
        session, contact_point=point, now=now
    )


def send_answer(
    session: Session,
    *,
    account_id: int,
    contact_point_id: int,
    channel: Channel,
    text: str,
    template_key: str | None,
    actor: Actor,
    now: datetime,
) -> Attempt:
    """Queue an agent's answer by SMS or WhatsApp, checked now and again at sending."""
    account = load_account(session, account_id)
    client = session.get_one(Client, account.client_id)
    point = session.scalar(select(ContactPoint).where(ContactPoint.id == contact_point_id))
    if point is None or point.debtor_id != account.debtor_id or point.kind != ContactKind.PHONE:
        raise ActionRefused(_("Choose one of the debtor's phone numbers."))
    if channel not in MESSAGE_CHANNELS:
        raise ActionRefused(_("Answer by SMS or WhatsApp."))
    template = (template_key or "").strip() or None
    body = check_notes(" ".join(text.split()))[:MAX_ANSWER] if template is None else None
    if template is None and not body:
        raise ActionRefused(_("Write the answer, or choose an approved template."))
    if channel == Channel.SMS and template is not None:
        raise ActionRefused(_("Templates are for WhatsApp; write the SMS."))
    if body:
        findings = check_text(body, extra_phrases=client.extra_forbidden_phrases or ())
        if findings:
            raise AnswerNotCourteous(findings[0].message, phrase=findings[0].found)
    if channel == Channel.WHATSAPP:
        whatsapp_policy.check_message(
            session,
            client=client,
            contact_point=point,
            template_key=template,
            free_text=template is None,
            now=now,
        )
    decision = check_account_contact(
        session,
        account_id=account.id,
        channel=channel,
        contact_point_id=point.id,
        now=now,
        context="answer",
        # An answer to the debtor's own message: a promise in force does not hold it (as it
        # holds collection), while the contact point, hours, caps and opt-outs still apply.
        purpose=Purpose.REMINDER,
        record=False,
    )
    if not decision.allowed:
        raise AnswerNotAllowed(decision.message or "", **dict(decision.params))
    attempt = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        contact_point_id=point.id,
        agent_id=actor.user_id,
        channel=channel,
        status=AttemptStatus.PENDING,
        template_key=template,
        body=body,
        purpose=Purpose.REMINDER,
        created_at=now,
    )
    session.add(attempt)
    session.flush()
    mark_read(session, account_id=account.id, actor=actor, now=now)
    record(
        session,
        action="account.message_answered",
        entity=attempt,
        actor_label=actor.label,
        actor_id=actor.user_id,
        at=now,
        data={"channel": str(channel), "template": template},
    )
    enqueue_attempt_after_commit(session, attempt.id)
    return attempt


class AnswerNotAllowed(ActionRefused):
    """The contact check refuses a message now; its message says which rule."""


class AnswerNotCourteous(ActionRefused):
    """The answer has a phrase collection messages must not use."""
