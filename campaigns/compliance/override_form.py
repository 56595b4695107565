"""A creditor's stricter-only compliance overrides as form fields, each beside the law's limit.

The settings page shows, per weekday, the contact window the law allows and the creditor's own;
per frequency cap, the law's limit and the creditor's lower one; holidays and channels that need
a recorded opt-in. What the form sends becomes the `compliance_overrides` JSON that
`overrides.apply_overrides` checks (it refuses anything looser than the law).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from campaigns.compliance.overrides import apply_overrides
from campaigns.compliance.profiles import WEEKDAYS, Hours, base_profile
from campaigns.i18n import _
from campaigns.models import Channel, ComplianceProfile

WEEKDAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
PROFILE_NAMES = {
    ComplianceProfile.MX: _("Law of Mexico"),
    ComplianceProfile.CO: _("Law of Colombia"),
    ComplianceProfile.CL: _("Law of Chile"),
    ComplianceProfile.PE: _("Law of Peru"),
    ComplianceProfile.US: _("Law of the United States"),
}
CHANNEL_NAMES = {
    Channel.VOICE: _("Calls"),
    Channel.SMS: _("Text messages (SMS)"),
    Channel.WHATSAPP: _("WhatsApp messages"),
    Channel.EMAIL: _("E-mail"),
}
CAP_NAMES = {
    "co_daily": _("Contacts per day, all channels"),
    "co_weekly": _("Conversations per 7 days, all channels"),
    "cl_calls": _("Calls per 7 days"),
    "cl_messages": _("Messages per 7 days"),
    "us_calls": _("Calls per 7 days"),
    "us_after_conversation": _("Calls per 7 days after a conversation"),
}
# Keys the form does not edit: kept as they are when the form is saved.
KEPT_KEYS = ("extra_caps", "extra_phrases")


@dataclass(frozen=True)
class DayRow:
    """One weekday: the law's window (None: closed) and the creditor's (None: closed)."""

    key: str
    name: str
    law: Hours | None
    mine: Hours | None


@dataclass(frozen=True)
class CapRow:
    """One frequency cap: its translated name, the law's limit and the creditor's."""

    key: str
    name: str
    law: int
    mine: int


@dataclass(frozen=True)
class OverrideForm:
    """What the compliance part of the settings page shows."""

    days: list[DayRow]
    caps: list[CapRow]
    law_blocks_holidays: bool
    holidays_block: bool
    law_consent: list[str]
    consent: list[str]


def override_form(code: ComplianceProfile | str, overrides: dict[str, Any] | None) -> OverrideForm:
    """The law's limits of a profile beside the creditor's current (stricter) values."""
    law = base_profile(code)
    mine = apply_overrides(law, overrides)
    optional = dict(law.optional_hours)
    return OverrideForm(
        days=[
            DayRow(key, WEEKDAY_NAMES[i], law.hours[i] or optional.get(i), mine.hours[i])
            for i, key in enumerate(WEEKDAYS)
        ],
        caps=[
            CapRow(cap.name, CAP_NAMES.get(cap.name, cap.name), cap.limit, current.limit)
            for cap, current in zip(law.caps, mine.caps, strict=False)
        ],
        law_blocks_holidays=law.holidays_block,
        holidays_block=mine.holidays_block,
        law_consent=sorted(law.consent_required),
        consent=sorted(mine.consent_required),
    )


def overrides_from_form(
    code: ComplianceProfile | str,
    form: Mapping[str, str],
    consent: list[str],
    kept: dict[str, Any] | None,
) -> dict[str, Any]:
    """The overrides the form asks for: only what differs from the law, plus the kept keys."""
    law = base_profile(code)
    overrides: dict[str, Any] = {k: v for k, v in (kept or {}).items() if k in KEPT_KEYS}
    hours: dict[str, Any] = {}
    for i, key in enumerate(WEEKDAYS):
        if form.get(f"closed_{key}"):
            if law.hours[i] is not None:
                hours[key] = None
            continue
        start, end = form.get(f"start_{key}", "").strip(), form.get(f"end_{key}", "").strip()
        window = law.hours[i]
        if not start and not end:
            continue
        if window is None or (start, end) != (_hhmm(window.start), _hhmm(window.end)):
            hours[key] = [start, end]
    if hours:
        overrides["hours"] = hours
    if form.get("holidays_block") and not law.holidays_block:
        overrides["holidays_block"] = True
    caps: dict[str, Any] = {}
    for cap in law.caps:
        text = form.get(f"cap_{cap.name}", "").strip()
        if text and text != str(cap.limit):
            caps[cap.name] = int(text) if text.isdigit() else text
    if caps:
        overrides["caps"] = caps
    extra = sorted(set(consent) - {str(c) for c in law.consent_required})
    if extra:
        overrides["consent_required"] = extra
    return overrides


def _hhmm(moment: Any) -> str:
    return str(moment.strftime("%H:%M"))
