"""Consent, opt-out and validity of debtors' contact points."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaigns.audit import record
from campaigns.models import (
    Attempt,
    AttemptEvent,
    AttemptStatus,
    Callback,
    CallbackStatus,
    Channel,
    ChannelPermission,
    ContactPoint,
)


def permission(
    session: Session, *, contact_point: ContactPoint, channel: Channel
) -> ChannelPermission:
    """The channel permission row of a contact point, created empty when missing."""
    row = session.scalar(
        select(ChannelPermission).where(
            ChannelPermission.contact_point_id == contact_point.id,
            ChannelPermission.channel == channel,
        )
    )
    if row is None:
        row = ChannelPermission(
            client_id=contact_point.client_id, contact_point_id=contact_point.id, channel=channel
        )
        session.add(row)
        session.flush()
    return row


def is_opted_out(session: Session, *, contact_point: ContactPoint, channel: Channel) -> bool:
    """Whether the debtor opted this channel of the contact point out."""
    return (
        session.scalar(
            select(ChannelPermission.opted_out_at).where(
                ChannelPermission.contact_point_id == contact_point.id,
                ChannelPermission.channel == channel,
            )
        )
        is not None
    )


def opt_out(
    session: Session, *, contact_point: ContactPoint, channel: Channel, source: str, at: datetime
) -> bool:
    """Opt one channel out; True if this changed anything (False when already opted out)."""
    row = permission(session, contact_point=contact_point, channel=channel)
    if row.opted_out_at is not None:
        return False
    row.opted_out_at, row.opt_out_source = at, source
    record(
        session,
        action="contact_point.opted_out",
        entity=contact_point,
        actor_label=source,
        at=at,
        data={"channel": str(channel)},
    )
    return True


def opt_in(
    session: Session, *, contact_point: ContactPoint, channel: Channel, source: str, at: datetime
) -> bool:
    """Record consent for a channel (and lift an opt-out); True if this changed anything."""
    row = permission(session, contact_point=contact_point, channel=channel)
    if row.opted_out_at is None and row.opted_in_at is not None:
        return False
    row.opted_out_at, row.opt_out_source = None, None
    row.opted_in_at, row.opt_in_source = at, source
    record(
        session,
        action="contact_point.opted_in",
        entity=contact_point,
        actor_label=source,
        at=at,
        data={"channel": str(channel)},
    )
    return True


def mark_invalid(
    session: Session, *, contact_point: ContactPoint, reason: str, source: str, at: datetime
) -> None:
    """Flag a contact point as unusable (wrong number, invalid, not mobile)."""
    if contact_point.invalid:
        return
    contact_point.invalid, contact_point.invalid_reason, contact_point.invalid_at = True, reason, at
    record(
        session,
        action="contact_point.invalidated",
        entity=contact_point,
        actor_label=source,
        at=at,
        data={"reason": reason},
    )


NOT_SENT = (AttemptStatus.PENDING, AttemptStatus.DISPATCHING)


def stop_channels(
    session: Session,
    *,
    contact_point: ContactPoint,
    channels: Sequence[Channel],
    source: str,
    at: datetime,
) -> bool:
    """Opt channels of a point out and cancel, in the same transaction, what is queued to it.

    Attempts not yet handed to the provider (pending, dispatching) on those channels are
    cancelled, whatever their account or campaign; pending callbacks to the point too when calls
    are stopped. True if any channel was not opted out before.
    """
    changed = False
    for channel in channels:
        changed = (
            opt_out(session, contact_point=contact_point, channel=channel, source=source, at=at)
            or changed
        )
    queued = (
        session.execute(
            select(Attempt.id)
            .where(
                Attempt.contact_point_id == contact_point.id,
                Attempt.channel.in_(list(channels)),
                Attempt.status.in_(NOT_SENT),
            )
            .with_for_update()
        )
        .scalars()
        .all()
    )
    reason = f"opted out ({source})"
    if queued:
        session.execute(
            update(Attempt)
            .where(Attempt.id.in_(queued))
            .values(status=AttemptStatus.CANCELED, ended_at=at, error_message=reason[:300])
        )
        session.add_all(
            AttemptEvent(
                client_id=contact_point.client_id,
                attempt_id=attempt_id,
                status=AttemptStatus.CANCELED,
                source="opt-out",
                data={"reason": reason},
                occurred_at=at,
            )
            for attempt_id in queued
        )
    if Channel.VOICE in channels:
        session.execute(
            update(Callback)
            .where(
                Callback.contact_point_id == contact_point.id,
                Callback.status == CallbackStatus.PENDING,
            )
            .values(status=CallbackStatus.CANCELLED)
        )
    return changed
