"""Debtors' own contact preferences: the channels and local hours they accept.

A preference only ever refuses more: the compliance check applies the law's rules first and then
this one, so hours wider than the legal window widen nothing. The same rule runs in the
scheduler's selection (SQL, `preference_refusal_sql`) and in the one contact check
(`preference_refusal`), so a debtor who narrowed their hours is neither selected nor sent to
outside them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from campaigns.compliance.windows import local_time
from campaigns.models import Channel, ContactPreference

MINUTES_PER_DAY = 24 * 60
ACCEPTS = {
    Channel.VOICE: ContactPreference.accepts_voice,
    Channel.SMS: ContactPreference.accepts_sms,
    Channel.WHATSAPP: ContactPreference.accepts_whatsapp,
}


class StoredPreference(Protocol):
    """A stored preference's columns, such as a ContactPreference row."""

    @property
    def accepts_voice(self) -> bool: ...

    @property
    def accepts_sms(self) -> bool: ...

    @property
    def accepts_whatsapp(self) -> bool: ...

    @property
    def earliest_minute(self) -> int | None: ...

    @property
    def latest_minute(self) -> int | None: ...


@dataclass(frozen=True)
class Preference:
    """What the debtor accepts: channels, and local hours as minutes of the day [earliest,
    latest)."""

    channels: frozenset[Channel]
    earliest_minute: int | None = None
    latest_minute: int | None = None

    @classmethod
    def of(cls, row: StoredPreference) -> "Preference":
        """The preference a stored row says."""
        accepted = {
            Channel.VOICE: row.accepts_voice,
            Channel.SMS: row.accepts_sms,
            Channel.WHATSAPP: row.accepts_whatsapp,
        }
        return cls(
            frozenset(ch for ch, yes in accepted.items() if yes) | {Channel.EMAIL},
            row.earliest_minute,
            row.latest_minute,
        )

    def hours_text(self) -> str:
        """The accepted hours as HH:MM-HH:MM ('' when not narrowed)."""
        if self.earliest_minute is None or self.latest_minute is None:
            return ""
        return f"{clock(self.earliest_minute)}-{clock(self.latest_minute)}"


def clock(minute: int) -> str:
    """Minutes of the day as HH:MM."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def minute_of_day(now: datetime, tz: str) -> int:
    """The local minute of the day in a zone."""
    local = local_time(now, tz)
    return local.hour * 60 + local.minute


def preference_refusal(
    preference: Preference | None, channel: Channel, now: datetime, zones: Sequence[str]
) -> bool:
    """Whether the debtor's preference refuses this channel now (in any candidate zone)."""
    if preference is None:
        return False
    if channel not in preference.channels:
        return True
    start, end = preference.earliest_minute, preference.latest_minute
    if start is None or end is None:
        return False
    return any(not start <= minute_of_day(now, tz) < end for tz in zones)


def load_preference(session: Session, debtor_id: int) -> Preference | None:
    """The debtor's stored preference, if they chose one."""
    row = session.scalar(select(ContactPreference).where(ContactPreference.debtor_id == debtor_id))
    return Preference.of(row) if row is not None else None


def preference_refusal_sql(
    debtor_id: Any, channel: Any, earliest_minute: Any, latest_minute: Any
) -> ColumnElement[bool]:
    """The same rule in SQL, for the scheduler's selection: the debtor has a preference that
    refuses the step's channel, or whose hours exclude the earliest or latest local minute of
    the debtor's candidate zones now."""
    refuses_channel = or_(
        *(and_(channel == str(ch), column.is_(False)) for ch, column in ACCEPTS.items())
    )
    outside_hours = and_(
        ContactPreference.earliest_minute.is_not(None),
        ContactPreference.latest_minute.is_not(None),
        or_(
            ContactPreference.earliest_minute > earliest_minute,
            ContactPreference.latest_minute <= latest_minute,
        ),
    )
    return exists().where(
        ContactPreference.debtor_id == debtor_id, or_(refuses_channel, outside_hours)
    )


def minutes_by_zone_key(
    zones_of: Mapping[str, tuple[str, ...]], now: datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Per stored zone list: the earliest and the latest local minute of the day now."""
    low: dict[str, int] = {}
    high: dict[str, int] = {}
    for key, zones in zones_of.items():
        minutes = [minute_of_day(now, tz) for tz in zones] or [0]
        low[key], high[key] = min(minutes), max(minutes)
    return low, high
