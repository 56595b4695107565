"""A client's overrides make a profile stricter; anything that would loosen it is refused (422)."""

from datetime import time
from typing import Any

import pytest
from sqlalchemy.orm import Session

from campaigns.compliance import (
    PROFILES,
    ComplianceOverrideError,
    Hours,
    apply_overrides,
    check_contact,
    effective_profile,
    validate_overrides,
)
from campaigns.models import Channel, ComplianceProfile
from tests.campaigns.test_compliance_check import context, local
from tests.factories import make_client

P = ComplianceProfile


def test_no_overrides_is_the_profile_itself() -> None:
    assert apply_overrides(PROFILES[P.CO], {}) is PROFILES[P.CO]
    assert apply_overrides(PROFILES[P.CO], None) is PROFILES[P.CO]


def test_overrides_narrow_hours_close_days_lower_caps_and_add_rules() -> None:
    profile = apply_overrides(
        PROFILES[P.CO],
        {
            "hours": {"mon": ["09:00", "17:30"], "sat": None},
            "holidays_block": True,
            "caps": {"co_weekly": 0},
            "consent_required": ["sms"],
            "extra_phrases": ["demanda"],
        },
    )
    assert profile.hours[0] == Hours(time(9), time(17, 30))
    assert profile.hours[1] == PROFILES[P.CO].hours[1]
    assert profile.hours[5] is None
    assert {c.name: c.limit for c in profile.caps} == {"co_daily": 1, "co_weekly": 0}
    assert profile.consent_required == {Channel.SMS, Channel.WHATSAPP}
    assert profile.extra_phrases == ("demanda",)
    assert PROFILES[P.CO].hours[0] == Hours(time(7), time(19))  # the base is untouched


def test_narrowed_hours_are_applied_by_the_check() -> None:
    profile = apply_overrides(PROFILES[P.MX], {"hours": {"mon": ["09:00", "18:00"]}})
    tz = "America/Mexico_City"
    for wall, allowed in [
        ((8, 59, 59), False),
        ((9, 0, 0), True),
        ((17, 59, 59), True),
        ((18, 0, 0), False),
    ]:
        ctx = context(now=local(tz, 2026, 11, 23, *wall))
        ctx = ctx.__class__(**{**ctx.__dict__, "profile": profile})
        assert check_contact(ctx).allowed is allowed, wall


def test_chile_saturday_may_be_opened_by_the_client_within_the_law() -> None:
    profile = apply_overrides(PROFILES[P.CL], {"hours": {"sat": ["09:00", "13:00"]}})
    saturday = local("America/Santiago", 2026, 11, 21, 10, 0)
    ctx = context(profile=P.CL, tz="America/Santiago", country="CL", now=saturday)
    assert check_contact(ctx).rule == "day_not_allowed"
    opened = ctx.__class__(**{**ctx.__dict__, "profile": profile})
    assert check_contact(opened).allowed
    with pytest.raises(ComplianceOverrideError) as error:
        validate_overrides(P.CL, {"hours": {"sat": ["07:00", "13:00"]}})
    assert error.value.field == "hours.sat"


LOOSENING = [
    (P.CO, {"hours": {"sun": ["09:00", "12:00"]}}, "hours.sun"),
    (P.CO, {"hours": {"mon": ["06:59", "19:00"]}}, "hours.mon"),
    (P.CO, {"hours": {"sat": ["08:00", "15:01"]}}, "hours.sat"),
    (P.PE, {"hours": {"sat": ["08:00", "12:00"]}}, "hours.sat"),
    (P.MX, {"hours": {"fri": ["07:00", "22:30"]}}, "hours.fri"),
    (P.US, {"hours": {"wed": ["07:59", "20:00"]}}, "hours.wed"),
    (P.CO, {"holidays_block": False}, "holidays_block"),
    (P.CO, {"caps": {"co_daily": 2}}, "caps.co_daily"),
    (P.US, {"caps": {"us_calls": 8}}, "caps.us_calls"),
    (P.CL, {"caps": {"cl_messages": 3}}, "caps.cl_messages"),
]


@pytest.mark.parametrize(("profile", "overrides", "field"), LOOSENING)
def test_loosening_overrides_are_refused_naming_the_field(
    profile: P, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ComplianceOverrideError) as error:
        validate_overrides(profile, overrides)
    assert error.value.status_code == 422
    assert error.value.field == field
    assert error.value.render("en") == (
        f"Compliance override {field} would loosen the {profile} profile; "
        "a client can only make it stricter."
    )
    assert field in error.value.render("es_MX") and "más estricto" in error.value.render("es_MX")


MALFORMED = [
    ({"weekends": True}, "weekends"),
    ({"hours": ["07:00", "19:00"]}, "hours"),
    ({"hours": {"monday": ["09:00", "10:00"]}}, "hours.monday"),
    ({"hours": {"mon": ["10:00", "09:00"]}}, "hours.mon"),
    ({"hours": {"mon": ["9", "10"]}}, "hours.mon"),
    ({"hours": {"mon": ["09:00", "25:00"]}}, "hours.mon"),
    ({"holidays_block": "yes"}, "holidays_block"),
    ({"caps": {"nope": 1}}, "caps.nope"),
    ({"caps": {"co_daily": -1}}, "caps.co_daily"),
    ({"caps": {"co_daily": True}}, "caps.co_daily"),
    ({"consent_required": ["fax"]}, "consent_required"),
    ({"extra_phrases": "demanda"}, "extra_phrases"),
    (
        {
            "extra_caps": [
                {
                    "name": "co_daily",
                    "channels": ["sms"],
                    "counts": "attempts",
                    "limit": 1,
                    "window": "local_day",
                }
            ]
        },
        "extra_caps[0].name",
    ),
    (
        {
            "extra_caps": [
                {
                    "name": "x",
                    "channels": ["sms"],
                    "counts": "attempts",
                    "limit": 1,
                    "window": "fortnight",
                }
            ]
        },
        "extra_caps[0]",
    ),
    (
        {
            "extra_caps": [
                {
                    "name": "x",
                    "channels": [],
                    "counts": "attempts",
                    "limit": 1,
                    "window": "local_day",
                }
            ]
        },
        "extra_caps[0].channels",
    ),
]


@pytest.mark.parametrize(("overrides", "field"), MALFORMED)
def test_malformed_overrides_are_refused_naming_the_field(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ComplianceOverrideError) as error:
        validate_overrides(P.CO, overrides)
    assert error.value.status_code == 422
    assert error.value.field == field


def test_effective_profile_reads_the_clients_column(session: Session) -> None:
    client = make_client(
        session, country="CO", timezone="America/Bogota", currency="COP", profile=P.CO
    )
    client.compliance_overrides = {"hours": {"sat": None}, "caps": {"co_daily": 0}}
    session.flush()
    profile = effective_profile(client)
    assert profile.code == P.CO
    assert profile.hours[5] is None
    assert profile.caps[0].limit == 0
    client.compliance_overrides = {"hours": {"sun": ["10:00", "12:00"]}}
    with pytest.raises(ComplianceOverrideError):
        effective_profile(client)
