"""Time rules in the debtor's local time: contact windows, holidays and cap windows.

These are the building blocks shared by the per-contact check and the scheduler's set-based
selection, so the two cannot disagree: `zones_open_now` says which (time zone, country) pairs may be
contacted at a moment, and `cap_windows` says, for each cap, since when to count which contacts.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from campaigns.compliance.profiles import Counts, Profile, Window
from campaigns.models import Channel

OUTSIDE_HOURS = "outside_hours"
HOLIDAY = "holiday"
DAY_NOT_ALLOWED = "day_not_allowed"


@dataclass(frozen=True)
class ContactEvent:
    """One past contact attempt with a debtor, on any campaign: when, how, and if it connected."""

    at: datetime
    channel: Channel
    connected: bool


@dataclass(frozen=True)
class CapWindow:
    """One cap made concrete at a moment: count `counts` on `channels` since `since` (UTC)."""

    rule: str
    channels: frozenset[Channel]
    counts: Counts
    limit: int
    since: datetime

    def counted(self, event: ContactEvent) -> bool:
        """Whether a past contact counts towards this window."""
        return (
            event.channel in self.channels
            and event.at >= self.since
            and (self.counts == Counts.ATTEMPTS or event.connected)
        )

    def exceeded_by(self, history: Iterable[ContactEvent]) -> bool:
        """Whether one more contact would break the cap, given the history."""
        return sum(1 for event in history if self.counted(event)) >= self.limit


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone of that name."""
    return ZoneInfo(name)


@lru_cache(maxsize=256)
def _holiday_calendar(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays.country_holidays(country.upper(), years=year).keys())
    except NotImplementedError:
        return frozenset()


def warm_calendars(year: int, countries: Iterable[str] = ("MX", "CO", "CL", "PE", "US")) -> None:
    """Load the holiday calendars once in a process that forks per job (an rq worker), so each
    job's contact check does not pay for loading them (~0.35 s) again."""
    for country in countries:
        for each in (year - 1, year, year + 1):
            _holiday_calendar(country, each)


def is_holiday(country: str, day: date) -> bool:
    """Whether a date is a public holiday in the country (no calendar known: never)."""
    return day in _holiday_calendar(country, day.year)


def local_time(now: datetime, tz: str) -> datetime:
    """An aware moment as the wall-clock time in a zone."""
    if now.tzinfo is None:
        raise ValueError("compliance checks need a timezone-aware moment")
    return now.astimezone(zone(tz))


def closed_rule(profile: Profile, tz: str, country: str, now: datetime) -> str | None:
    """Why a debtor in this zone and country may not be contacted now, or None when open."""
    local = local_time(now, tz)
    hours = profile.hours_on(local.weekday())
    if hours is None:
        return DAY_NOT_ALLOWED
    if profile.holidays_block and is_holiday(country, local.date()):
        return HOLIDAY
    if not hours.contains(local.time().replace(tzinfo=None)):
        return OUTSIDE_HOURS
    return None


def closed_in_zones(
    profile: Profile, zones: Sequence[str], country: str, now: datetime
) -> tuple[str, str] | None:
    """The first candidate zone (in order) where a debtor may not be contacted now, with the rule.

    A debtor whose candidate zones differ may be contacted only when every one of them is open.
    """
    for tz in zones:
        rule = closed_rule(profile, tz, country, now)
        if rule is not None:
            return rule, tz
    return None


def open_until(
    profile: Profile, zones: Sequence[str], country: str, now: datetime
) -> datetime | None:
    """When the window closes for a debtor open now in every candidate zone (UTC), else None.

    The earliest of the zones' window ends: what a sender has left before it must stop.
    """
    if closed_in_zones(profile, zones, country, now) is not None:
        return None
    ends = []
    for tz in zones:
        local = local_time(now, tz)
        hours = profile.hours_on(local.weekday())
        if hours is None:  # not reached: the zone is open
            return None
        ends.append(datetime.combine(local.date(), hours.end, tzinfo=zone(tz)).astimezone(UTC))
    return min(ends)


def next_open(
    profile: Profile, zones: Sequence[str], country: str, now: datetime, *, days: int = 14
) -> datetime | None:
    """The first moment from `now` when the window is open in every candidate zone (UTC).

    The windows' intersection opens when the last of them opens, so only the zones' window starts
    are tried. None when no moment in the next `days` days is open (a profile closed all week).
    """
    if closed_in_zones(profile, zones, country, now) is None:
        return now.astimezone(UTC)
    starts = set()
    for tz in zones:
        first = local_time(now, tz).date()
        for offset in range(days + 1):
            day = first + timedelta(days=offset)
            hours = profile.hours_on(day.weekday())
            if hours is not None:
                start = datetime.combine(day, hours.start, tzinfo=zone(tz)).astimezone(UTC)
                if start > now:
                    starts.add(start)
    return next(
        (s for s in sorted(starts) if closed_in_zones(profile, zones, country, s) is None), None
    )


def local_dates(now: datetime, zones: Sequence[str]) -> tuple[date, date]:
    """The earliest and the latest local date among the candidate zones at this moment."""
    days = [local_time(now, tz).date() for tz in zones]
    return min(days), max(days)


def open_pairs(
    profile: Profile, pairs: Iterable[tuple[str, str]], now: datetime
) -> set[tuple[str, str]]:
    """The (time zone, country) pairs whose debtors may be contacted at this moment."""
    return {
        (tz, country)
        for tz, country in set(pairs)
        if closed_rule(profile, tz, country, now) is None
    }


def zones_open_now(
    profile: Profile, zones: Iterable[str], countries: Iterable[str], now: datetime
) -> set[str]:
    """The time zones inside the contact window now and on a holiday in none of the countries.

    Exact when one country is given; with several, a zone is open only if it is open for all of
    them (stricter). Use `open_pairs` to match debtors on zone and country together.
    """
    wanted = set(countries)
    return {
        tz for tz in set(zones) if all(closed_rule(profile, tz, c, now) is None for c in wanted)
    }


def _local_midnight(day: date, tz: str) -> datetime:
    # A midnight skipped by a DST change resolves (fold=0) to the instant the day begins.
    return datetime.combine(day, time(0), tzinfo=zone(tz)).astimezone(UTC)


def window_start(window: Window, now: datetime, tz: str) -> datetime:
    """The UTC moment a cap window opened, for a debtor in this zone (the start counts)."""
    if window == Window.ROLLING_7_DAYS:
        return now.astimezone(UTC) - timedelta(days=7)
    today = local_time(now, tz).date()
    if window == Window.CALENDAR_WEEK:
        today -= timedelta(days=today.weekday())
    return _local_midnight(today, tz)


def cap_windows(profile: Profile, now: datetime, tz: str) -> list[CapWindow]:
    """Every cap of the profile as a concrete window at this moment in this zone."""
    windows: list[CapWindow] = []
    for cap in profile.caps:
        since = window_start(cap.window, now, tz)
        windows.append(CapWindow(cap.rule, cap.channels, cap.counts, cap.limit, since))
        if cap.min_spacing is not None:
            since = now.astimezone(UTC) - cap.min_spacing
            windows.append(CapWindow(f"{cap.rule}_spacing", cap.channels, cap.counts, 1, since))
    return windows


def cap_windows_in(profile: Profile, now: datetime, zones: Sequence[str]) -> list[CapWindow]:
    """The cap windows for a debtor with several candidate zones: each from its earliest start.

    Counting from the earliest start counts every contact any of the zones would count.
    """
    per_zone = [cap_windows(profile, now, tz) for tz in zones]
    return [
        replace(windows[0], since=min(w.since for w in windows))
        for windows in zip(*per_zone, strict=True)
    ]


def cap_refusal(
    profile: Profile,
    channel: Channel,
    now: datetime,
    tz: str | Sequence[str],
    history: Sequence[ContactEvent],
) -> str | None:
    """The rule of the first cap one more contact on this channel would break, or None."""
    zones = (tz,) if isinstance(tz, str) else tuple(tz)
    for window in cap_windows_in(profile, now, zones):
        if channel in window.channels and window.exceeded_by(history):
            return window.rule
    return None
