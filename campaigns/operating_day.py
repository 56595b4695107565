"""The BPO's operating day: one "today" for the wallboard, the creditors' pages and reports."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from campaigns.settings import get_settings


@dataclass(frozen=True)
class OperatingDay:
    """One calendar day in the operating zone, as the UTC instants where it starts and ends."""

    date: date
    start: datetime
    end: datetime
    timezone: str


def operating_day(now: datetime, *, timezone: str | None = None) -> OperatingDay:
    """The operating day `now` falls in (the configured zone unless one is given)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    name = timezone or get_settings().operating_timezone
    zone = ZoneInfo(name)
    local_date = now.astimezone(zone).date()
    start = datetime.combine(local_date, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(local_date + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return OperatingDay(date=local_date, start=start, end=end, timezone=name)
