"""A client's compliance overrides: they may make a profile stricter, never looser.

The `compliance_overrides` JSON of a client (all keys optional):

    {"hours": {"mon": ["08:00", "18:00"], "sun": null},   # narrow a day, or close it (null)
     "holidays_block": true,                               # may only be (or stay) true
     "caps": {"co_daily": 0},                              # lower a profile cap's limit
     "extra_caps": [{"name": "weekly_calls", "channels": ["voice"], "counts": "attempts",
                     "limit": 3, "window": "calendar_week", "min_spacing_hours": 24}],
     "consent_required": ["sms"],                          # channels that need a recorded opt-in
     "extra_phrases": ["demanda"]}                         # more words templates may not use

A day the profile leaves closed may be opened only where the law allows it and the profile says a
client may (Chile's Saturday, 08:00-20:00).
"""

import re
from dataclasses import replace
from datetime import time, timedelta
from typing import Any, Protocol

from campaigns.compliance.profiles import (
    WEEKDAYS,
    Cap,
    Counts,
    Hours,
    Profile,
    Window,
    base_profile,
)
from campaigns.errors import Invalid
from campaigns.i18n import _
from campaigns.models import Channel, ComplianceProfile

KNOWN_KEYS = ("hours", "holidays_block", "caps", "extra_caps", "consent_required", "extra_phrases")
_CAP_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


class ComplianceOverrideError(Invalid):
    """An override that is malformed or would loosen the profile; names the field."""

    def __init__(self, message: str, /, *, field: str, **params: Any) -> None:
        super().__init__(message, field=field, **params)
        self.field = field


def _malformed(field: str) -> ComplianceOverrideError:
    return ComplianceOverrideError(
        _("Compliance override {field} is malformed; see docs/compliance.md for its format."),
        field=field,
    )


def _loosens(field: str, profile: Profile) -> ComplianceOverrideError:
    return ComplianceOverrideError(
        _(
            "Compliance override {field} would loosen the {profile} profile; "
            "a client can only make it stricter."
        ),
        field=field,
        profile=profile.code,
    )


class HasCompliance(Protocol):
    """Anything with a profile code and overrides, such as a Client row."""

    @property
    def compliance_profile(self) -> str: ...

    @property
    def compliance_overrides(self) -> dict[str, Any] | None: ...


def effective_profile(client: HasCompliance) -> Profile:
    """The client's profile with its overrides applied (refusing any that would loosen it)."""
    return apply_overrides(base_profile(client.compliance_profile), client.compliance_overrides)


def validate_overrides(code: ComplianceProfile | str, overrides: dict[str, Any] | None) -> None:
    """Refuse overrides that are malformed or would loosen the profile (422 naming the field)."""
    apply_overrides(base_profile(code), overrides)


def apply_overrides(profile: Profile, overrides: dict[str, Any] | None) -> Profile:
    """A stricter copy of the profile with the overrides merged in."""
    if not overrides:
        return profile
    if not isinstance(overrides, dict):
        raise _malformed("compliance_overrides")
    for key in overrides:
        if key not in KNOWN_KEYS:
            raise ComplianceOverrideError(
                _("Unknown compliance override {field}; the known ones are {known}."),
                field=str(key),
                known=", ".join(KNOWN_KEYS),
            )
    result = profile
    if "hours" in overrides:
        result = replace(result, hours=_hours(profile, overrides["hours"]))
    if "holidays_block" in overrides:
        value = overrides["holidays_block"]
        if not isinstance(value, bool):
            raise _malformed("holidays_block")
        if profile.holidays_block and not value:
            raise _loosens("holidays_block", profile)
        result = replace(result, holidays_block=profile.holidays_block or value)
    if "caps" in overrides:
        result = replace(result, caps=_lowered_caps(profile, overrides["caps"]))
    if "extra_caps" in overrides:
        result = replace(result, caps=result.caps + _extra_caps(result, overrides["extra_caps"]))
    if "consent_required" in overrides:
        channels = _channels("consent_required", overrides["consent_required"])
        result = replace(result, consent_required=profile.consent_required | channels)
    if "extra_phrases" in overrides:
        phrases = overrides["extra_phrases"]
        if not isinstance(phrases, list) or not all(
            isinstance(p, str) and p.strip() for p in phrases
        ):
            raise _malformed("extra_phrases")
        result = replace(result, extra_phrases=profile.extra_phrases + tuple(phrases))
    return result


def _parse_time(value: object, field: str) -> time:
    if not isinstance(value, str) or not re.fullmatch(r"\d{2}:\d{2}", value):
        raise _malformed(field)
    try:
        return time.fromisoformat(value)
    except ValueError as error:
        raise _malformed(field) from error


def _hours(profile: Profile, value: object) -> tuple[Hours | None, ...]:
    if not isinstance(value, dict):
        raise _malformed("hours")
    days = list(profile.hours)
    optional = dict(profile.optional_hours)
    for key, window in value.items():
        field = f"hours.{key}"
        if key not in WEEKDAYS:
            raise _malformed(field)
        weekday = WEEKDAYS.index(key)
        if window is None:
            days[weekday] = None
            continue
        if not isinstance(window, list) or len(window) != 2:
            raise _malformed(field)
        hours = Hours(_parse_time(window[0], field), _parse_time(window[1], field))
        if hours.start >= hours.end:
            raise _malformed(field)
        allowed = profile.hours[weekday] or optional.get(weekday)
        if allowed is None or not hours.within(allowed):
            raise _loosens(field, profile)
        days[weekday] = hours
    return tuple(days)


def _limit(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _malformed(field)
    return value


def _lowered_caps(profile: Profile, value: object) -> tuple[Cap, ...]:
    if not isinstance(value, dict):
        raise _malformed("caps")
    by_name = {cap.name: cap for cap in profile.caps}
    for name, limit in value.items():
        field = f"caps.{name}"
        if name not in by_name:
            raise _malformed(field)
        new_limit = _limit(limit, field)
        if new_limit > by_name[name].limit:
            raise _loosens(field, profile)
        by_name[name] = replace(by_name[name], limit=new_limit)
    return tuple(by_name[cap.name] for cap in profile.caps)


def _channels(field: str, value: object) -> frozenset[Channel]:
    if not isinstance(value, list) or not value:
        raise _malformed(field)
    try:
        return frozenset(Channel(v) for v in value)
    except ValueError as error:
        raise _malformed(field) from error


def _extra_caps(profile: Profile, value: object) -> tuple[Cap, ...]:
    if not isinstance(value, list):
        raise _malformed("extra_caps")
    names = {cap.name for cap in profile.caps}
    caps: list[Cap] = []
    for index, item in enumerate(value):
        field = f"extra_caps[{index}]"
        if not isinstance(item, dict) or not _CAP_NAME.match(str(item.get("name", ""))):
            raise _malformed(field)
        if item["name"] in names:
            raise _malformed(f"{field}.name")
        names.add(item["name"])
        spacing = item.get("min_spacing_hours")
        if spacing is not None and (
            isinstance(spacing, bool) or not isinstance(spacing, int | float) or spacing <= 0
        ):
            raise _malformed(f"{field}.min_spacing_hours")
        try:
            counts = Counts(str(item.get("counts")))
            window = Window(str(item.get("window")))
        except ValueError as error:
            raise _malformed(field) from error
        caps.append(
            Cap(
                name=item["name"],
                channels=_channels(f"{field}.channels", item.get("channels")),
                counts=counts,
                limit=_limit(item.get("limit"), f"{field}.limit"),
                window=window,
                min_spacing=timedelta(hours=spacing) if spacing is not None else None,
            )
        )
    return tuple(caps)
