"""A debtor's contact history from Attempt rows, and the record of every refusal.

What counts, the same in Python and in SQL (the scheduler reuses these expressions):
- every attempt counts except those never made: status `refused` (compliance said no) or
  `canceled`; a pending or failed attempt counts (stricter: it may have reached the debtor);
- its time is when the conversation began if it connected (`answered_at`), else `created_at`;
- a call is connected when it was answered and not by a machine or fax (`answered_by`); a message
  (SMS, WhatsApp, e-mail) when the provider accepted or delivered it (`sent`, `delivered`).
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from campaigns.compliance.check import Decision
from campaigns.compliance.profiles import Profile
from campaigns.compliance.windows import ContactEvent, cap_windows_in
from campaigns.models import (
    Account,
    Attempt,
    AttemptStatus,
    Channel,
    ContactRefusal,
    MessageDirection,
)
from campaigns.models.base import UTCDateTime
from campaigns.settings import get_settings

NOT_MADE = (AttemptStatus.REFUSED, AttemptStatus.CANCELED)
MESSAGE_REACHED = (AttemptStatus.SENT, AttemptStatus.DELIVERED)

EVENT_TIME: ColumnElement[datetime] = func.coalesce(Attempt.answered_at, Attempt.created_at)
# A call the debtor made to us is not a contact the caps limit (the debtor chose it).
COUNTS: ColumnElement[bool] = and_(
    Attempt.status.not_in(NOT_MADE), Attempt.direction == MessageDirection.OUTBOUND
)
CONNECTED: ColumnElement[bool] = or_(
    and_(
        Attempt.channel == Channel.VOICE,
        Attempt.answered_at.is_not(None),
        or_(
            Attempt.answered_by.is_(None),
            not_(or_(Attempt.answered_by.like("machine%"), Attempt.answered_by == "fax")),
        ),
    ),
    and_(Attempt.channel != Channel.VOICE, Attempt.status.in_(MESSAGE_REACHED)),
)


def history_since(profile: Profile, now: datetime, tz: str | Sequence[str]) -> datetime:
    """The earliest moment any cap of the profile looks back to (now when it has no caps)."""
    zones = (tz,) if isinstance(tz, str) else tuple(tz)
    windows = cap_windows_in(profile, now, zones)
    return min((w.since for w in windows), default=now.astimezone(UTC))


def _history_query(*, sending: bool) -> Select[str, datetime, bool]:
    query = (
        select(Attempt.channel, EVENT_TIME, case((CONNECTED, True), else_=False))
        .join(Account, Account.id == Attempt.account_id)
        .where(
            Account.debtor_id == bindparam("debtor_id"),
            COUNTS,
            bindparam("since", type_=UTCDateTime()) <= EVENT_TIME,
        )
        .order_by(EVENT_TIME)
    )
    if not sending:
        return query
    sending_id = bindparam("sending", type_=Integer())
    return query.where(
        Attempt.id != sending_id,
        not_(and_(Attempt.status == AttemptStatus.PENDING, Attempt.id > sending_id)),
    )


HISTORY = _history_query(sending=False)
HISTORY_BEFORE_SENDING = _history_query(sending=True)


def contact_history(
    db: Session | Connection, *, debtor_id: int, since: datetime, sending: int | None = None
) -> list[ContactEvent]:
    """Every counted contact with a debtor since a moment, across all accounts and campaigns.

    `sending` is the attempt about to go out: it does not count against itself, nor do attempts
    queued after it that have not gone out yet (they wait their turn behind it).
    """
    params = {"debtor_id": debtor_id, "since": since, "sending": sending}
    query = HISTORY if sending is None else HISTORY_BEFORE_SENDING
    rows = db.execute(query, params).all()
    return [ContactEvent(at, Channel(channel), bool(connected)) for channel, at, connected in rows]


class AccountIds(Protocol):
    """An account's id and its creditor's, such as an Account row."""

    @property
    def id(self) -> int: ...

    @property
    def client_id(self) -> int: ...


def record_refusal(
    session: Session,
    *,
    account: AccountIds,
    campaign_id: int | None,
    channel: Channel | None,
    decision: Decision,
    context: str,
    at: datetime,
) -> ContactRefusal:
    """Store why a contact was refused: the rule, its explanation and where it was asked."""
    if decision.allowed or decision.rule is None:
        raise ValueError("only refusals are recorded")
    refusal = ContactRefusal(
        client_id=account.client_id,
        account_id=account.id,
        campaign_id=campaign_id,
        channel=channel,
        rule=decision.rule,
        detail=decision.detail(get_settings().default_locale)[:300],
        context=context[:20],
        checked_at=at,
    )
    session.add(refusal)
    session.flush()
    return refusal
