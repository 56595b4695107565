"""Compliance profiles as data: contact hours per weekday, holidays and frequency caps.

The values and their sources are in docs/compliance.md. A profile is frozen; a client's overrides
produce a new, stricter profile (see overrides.py), never a change to these.
"""

from dataclasses import dataclass, field
from datetime import time, timedelta
from enum import StrEnum

from campaigns.models import Channel, ComplianceProfile

ALL_CHANNELS = frozenset(Channel)
MESSAGE_CHANNELS = frozenset({Channel.SMS, Channel.WHATSAPP, Channel.EMAIL})
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Counts(StrEnum):
    """What a cap counts: every attempt, or only the contacts that reached the debtor."""

    ATTEMPTS = "attempts"
    CONNECTED = "connected"


class Window(StrEnum):
    """The period a cap counts over, ending now."""

    LOCAL_DAY = "local_day"  # since the debtor's local midnight
    ROLLING_7_DAYS = "rolling_7_days"  # the last 7 x 24 hours
    CALENDAR_WEEK = "calendar_week"  # since the debtor's local Monday 00:00


@dataclass(frozen=True)
class Hours:
    """A daily contact window in local time: start included, end excluded."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        """Whether a local wall-clock time falls inside the window."""
        return self.start <= moment < self.end

    def within(self, other: "Hours") -> bool:
        """Whether this window lies entirely inside another one."""
        return other.start <= self.start and self.end <= other.end


@dataclass(frozen=True)
class Cap:
    """A frequency cap per debtor, across every campaign and the listed channels.

    A new contact on one of `channels` is refused when `limit` or more counted contacts on those
    channels fall in the window; with `min_spacing`, also when one falls within that spacing.
    """

    name: str
    channels: frozenset[Channel]
    counts: Counts
    limit: int
    window: Window
    min_spacing: timedelta | None = None

    @property
    def rule(self) -> str:
        """The stable id a refusal by this cap carries."""
        return f"cap:{self.name}"


@dataclass(frozen=True)
class Profile:
    """The contact rules of one jurisdiction (or of a client's stricter version of one)."""

    code: ComplianceProfile
    hours: tuple[Hours | None, ...]  # Monday..Sunday; None means no contact that day
    holidays_block: bool
    caps: tuple[Cap, ...] = ()
    consent_required: frozenset[Channel] = frozenset({Channel.WHATSAPP})
    # Days the law allows but the profile leaves closed unless a client opens them (CL Saturday).
    optional_hours: tuple[tuple[int, Hours], ...] = ()
    extra_phrases: tuple[str, ...] = field(default=())

    def hours_on(self, weekday: int) -> Hours | None:
        """The contact window on a weekday (0 = Monday), or None when the day is closed."""
        return self.hours[weekday]


def _h(start: int, end: int) -> Hours:
    return Hours(time(start), time(end))


def _every_day(hours: Hours) -> tuple[Hours | None, ...]:
    return (hours,) * 7


PROFILES: dict[ComplianceProfile, Profile] = {
    ComplianceProfile.MX: Profile(
        code=ComplianceProfile.MX,
        hours=_every_day(_h(7, 22)),
        holidays_block=True,
    ),
    ComplianceProfile.CO: Profile(
        code=ComplianceProfile.CO,
        hours=(*(_h(7, 19),) * 5, _h(8, 15), None),
        holidays_block=True,
        caps=(
            Cap("co_daily", ALL_CHANNELS, Counts.ATTEMPTS, 1, Window.LOCAL_DAY),
            Cap("co_weekly", ALL_CHANNELS, Counts.CONNECTED, 1, Window.ROLLING_7_DAYS),
        ),
    ),
    ComplianceProfile.CL: Profile(
        code=ComplianceProfile.CL,
        hours=(*(_h(8, 20),) * 5, None, None),
        holidays_block=True,
        caps=(
            Cap("cl_calls", frozenset({Channel.VOICE}), Counts.ATTEMPTS, 1, Window.ROLLING_7_DAYS),
            Cap(
                "cl_messages",
                MESSAGE_CHANNELS,
                Counts.ATTEMPTS,
                2,
                Window.ROLLING_7_DAYS,
                min_spacing=timedelta(days=2),
            ),
        ),
        optional_hours=((5, _h(8, 20)),),
    ),
    ComplianceProfile.PE: Profile(
        code=ComplianceProfile.PE,
        hours=(*(_h(7, 20),) * 5, None, None),
        holidays_block=True,
    ),
    ComplianceProfile.US: Profile(
        code=ComplianceProfile.US,
        hours=_every_day(_h(8, 21)),
        holidays_block=True,
        caps=(
            Cap("us_calls", frozenset({Channel.VOICE}), Counts.ATTEMPTS, 7, Window.ROLLING_7_DAYS),
            Cap(
                "us_after_conversation",
                frozenset({Channel.VOICE}),
                Counts.CONNECTED,
                1,
                Window.ROLLING_7_DAYS,
            ),
        ),
    ),
}


def base_profile(code: ComplianceProfile | str) -> Profile:
    """The unmodified profile of a jurisdiction."""
    return PROFILES[ComplianceProfile(code)]
