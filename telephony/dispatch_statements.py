"""The dispatch job's common steps, one SQL statement each: claim a pending call or SMS, and
record what the provider answered (see `telephony.dispatch` for the whole sequence).

Each statement writes the attempt's event too: on PostgreSQL in the same statement (a
data-modifying CTE) with no BEGIN or COMMIT around it, so a step is one round trip; SQLite has no
data-modifying CTEs, so there a step is up to three statements, which the caller's transaction
(`with conn.begin():`) keeps together. The statements are built once, at import.
"""

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    FromClause,
    Insert,
    Row,
    Select,
    String,
    Update,
    bindparam,
    case,
    func,
    insert,
    literal,
    select,
    update,
)

from campaigns.models import (
    Attempt,
    AttemptEvent,
    AttemptStatus,
    Campaign,
    Channel,
    Client,
    ContactPoint,
)
from campaigns.models.base import UTCDateTime
from telephony.dispatch import Outbound, outbound_of

CLAIMED = (
    Attempt.id,
    Attempt.client_id,
    Attempt.account_id,
    Attempt.campaign_id,
    Attempt.contact_point_id,
    Attempt.channel,
    Attempt.body,
    Attempt.purpose,
    Attempt.provider_sid,
)
NOW = bindparam("now", type_=UTCDateTime())
# A pending call or SMS with a contact point becomes dispatching (WhatsApp has its template
# policy to pass; `claim` handles it and every other case).
CLAIM_PENDING = (
    update(Attempt)
    .where(
        Attempt.id == bindparam("attempt_id"),
        Attempt.status == AttemptStatus.PENDING,
        Attempt.channel.in_((Channel.SMS, Channel.VOICE)),
        Attempt.contact_point_id.is_not(None),
    )
    .values(
        status=AttemptStatus.DISPATCHING,
        hold_until=None,
        dispatch_tries=Attempt.dispatch_tries + 1,
        dispatching_at=NOW,
    )
    .returning(*CLAIMED)
)


def _destination(attempts: FromClause) -> Select[Any]:
    """The claimed attempt's columns with where and from whom it goes."""
    return (
        select(
            *(attempts.c[column.key] for column in CLAIMED),
            ContactPoint.value.label("to"),
            Client.sms_sender,
            Client.caller_id.label("client_caller_id"),
            Campaign.caller_id.label("campaign_caller_id"),
        )
        .join(ContactPoint, ContactPoint.id == attempts.c.contact_point_id)
        .join(Client, Client.id == attempts.c.client_id)
        .outerjoin(Campaign, Campaign.id == attempts.c.campaign_id)
    )


def claim_pending(conn: Connection, *, attempt_id: int, now: datetime) -> Outbound | None:
    """The common claim in one statement: a pending call or SMS with a contact point becomes
    dispatching (with its event) and the statement returns what to send. None when the attempt
    is not that case: `claim` then decides."""
    row = _logged(
        conn,
        CLAIM_PENDING,
        {"attempt_id": attempt_id, "now": now},
        event="dispatching",
        then=_destination,
    )
    if row is None:
        return None
    return outbound_of(
        row,
        to=row.to,
        sender=row.sms_sender,
        caller_ids=(row.campaign_caller_id, row.client_caller_id),
    )


# The provider took the request. An attempt cancelled while its request was in flight (an
# opt-out) went out: it counts as sent.
_IN_FLIGHT = Attempt.status.in_((AttemptStatus.DISPATCHING, AttemptStatus.CANCELED))
RECORD_SENT = (
    update(Attempt)
    .where(Attempt.id == bindparam("attempt_id"))
    .values(
        provider_sid=func.coalesce(Attempt.provider_sid, bindparam("sid")),
        dispatched_at=func.coalesce(Attempt.dispatched_at, NOW),
        status=case((_IN_FLIGHT, AttemptStatus.QUEUED), else_=Attempt.status),
        ended_at=case((_IN_FLIGHT, None), else_=Attempt.ended_at),
    )
    .returning(Attempt.id, Attempt.client_id)
)


def record_sent(
    conn: Connection, *, attempt_id: int, sid: str, provider_status: str, now: datetime
) -> None:
    """Store the provider's id for the attempt the request created, in one statement."""
    _logged(
        conn,
        RECORD_SENT,
        {"attempt_id": attempt_id, "sid": sid, "now": now},
        event=f"sent:{provider_status}",
    )


def _logged(
    conn: Connection,
    change: Update,
    params: dict[str, Any],
    *,
    event: str,
    then: Callable[[FromClause], Select[Any]] | None = None,
) -> Row[Any] | None:
    """Run an UPDATE ... RETURNING (id, client_id, ...) of one attempt and add its event; return
    the changed row (joined by `then`, if given), or None when nothing changed.

    PostgreSQL runs it all as one statement (data-modifying CTEs). SQLite has no such thing, so
    there it is up to three statements, which the caller's transaction keeps together."""
    params = {**params, "event": event[:30]}
    if conn.dialect.name == "postgresql":
        return conn.execute(_with_event(change, then), params).first()
    row = conn.execute(change, params).first()
    if row is None:
        return None
    conn.execute(_event_insert(select(Attempt).where(Attempt.id == row.id).subquery()), params)
    if then is None:
        return row
    return conn.execute(then(Attempt.__table__).where(Attempt.id == row.id)).first()


@cache
def _with_event(change: Update, then: Callable[[FromClause], Select[Any]] | None) -> Select[Any]:
    """The change, its event and its result as one statement (built once per change)."""
    changed = change.cte("changed")
    logged = _event_insert(changed).cte("logged")
    return (then(changed) if then else select(changed)).add_cte(logged)


def _event_insert(changed: FromClause) -> Insert:
    """INSERT ... SELECT of the event of each changed attempt."""
    return insert(AttemptEvent).from_select(
        ["client_id", "attempt_id", "status", "source", "data", "occurred_at"],
        select(
            changed.c.client_id,
            changed.c.id,
            bindparam("event", type_=String()),
            literal("acuerdo"),
            literal({}, AttemptEvent.__table__.c.data.type),
            NOW,
        ),
    )
