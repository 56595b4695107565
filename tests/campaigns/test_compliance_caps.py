"""Every frequency cap at its limit and one past it, and the windows the scheduler counts over."""

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.compliance import (
    PROFILES,
    ContactEvent,
    PointFacts,
    apply_overrides,
    cap_windows,
    check_contact,
)
from campaigns.models import Channel, ComplianceProfile
from tests.campaigns.test_compliance_check import context, local

P = ComplianceProfile
V, S, W, E = Channel.VOICE, Channel.SMS, Channel.WHATSAPP, Channel.EMAIL
# Wednesday 25 Nov 2026 at 11:00 local: inside every profile's window in these zones.
ZONES = {
    P.MX: ("America/Mexico_City", "MX"),
    P.CO: ("America/Bogota", "CO"),
    P.CL: ("America/Santiago", "CL"),
    P.PE: ("America/Lima", "PE"),
    P.US: ("America/New_York", "US"),
}


def now_in(profile: P) -> datetime:
    return local(ZONES[profile][0], 2026, 11, 25, 11, 0)


def ago(profile: P, delta: timedelta, channel: Channel, connected: bool = False) -> ContactEvent:
    return ContactEvent(now_in(profile) - delta, channel, connected)


def rule(profile: P, channel: Channel, history: list[ContactEvent]) -> str | None:
    tz, country = ZONES[profile]
    ctx = context(
        profile=profile,
        tz=tz,
        country=country,
        now=now_in(profile),
        channel=channel,
        history=history,
        point=PointFacts(consented=True),
    )
    return check_contact(ctx).rule


H, D = timedelta(hours=1), timedelta(days=1)
SEC = timedelta(seconds=1)

CASES = [
    # Colombia: one attempt per local day, any channel.
    (P.CO, V, [], None),
    (P.CO, V, [ago(P.CO, H, S)], "cap:co_daily"),
    (P.CO, S, [ago(P.CO, H, V)], "cap:co_daily"),
    (P.CO, V, [ago(P.CO, 11 * H, V)], "cap:co_daily"),  # 00:00 today counts
    (P.CO, V, [ago(P.CO, 11 * H + SEC, V)], None),  # 23:59:59 yesterday does not
    # Colombia: after a connected contact, nothing for 7 days on any channel.
    (P.CO, S, [ago(P.CO, D, V, True)], "cap:co_weekly"),
    (P.CO, V, [ago(P.CO, 7 * D, E, True)], "cap:co_weekly"),  # the window's start counts
    (P.CO, V, [ago(P.CO, 7 * D + SEC, E, True)], None),
    (P.CO, V, [ago(P.CO, D, V), ago(P.CO, 2 * D, V), ago(P.CO, 3 * D, S)], None),
    # Chile: one call a week, answered or not; messages do not count.
    (P.CL, V, [ago(P.CL, 6 * D, V)], "cap:cl_calls"),
    (P.CL, V, [ago(P.CL, 7 * D, V)], "cap:cl_calls"),
    (P.CL, V, [ago(P.CL, 7 * D + SEC, V)], None),
    (P.CL, V, [ago(P.CL, H, S), ago(P.CL, 2 * H, W)], None),
    (P.CL, S, [ago(P.CL, H, V, True)], None),
    # Chile: two messages a week, at least 2 days apart.
    (P.CL, S, [ago(P.CL, 3 * D, S)], None),
    (P.CL, E, [ago(P.CL, 3 * D, S), ago(P.CL, 6 * D, W)], "cap:cl_messages"),
    (P.CL, S, [ago(P.CL, 3 * D, S), ago(P.CL, 7 * D + SEC, W)], None),
    (P.CL, W, [ago(P.CL, 2 * D, S)], "cap:cl_messages_spacing"),
    (P.CL, W, [ago(P.CL, 2 * D - SEC, E)], "cap:cl_messages_spacing"),
    (P.CL, W, [ago(P.CL, 2 * D + SEC, E)], None),
    # United States: 7 calls in 7 days, the 8th is refused; messages are not calls.
    (P.US, V, [ago(P.US, i * D, V) for i in range(1, 7)], None),
    (P.US, V, [ago(P.US, i * D, V) for i in range(1, 8)], "cap:us_calls"),
    (P.US, V, [ago(P.US, i * D + SEC, V) for i in range(1, 8)], None),  # the 7th is 7d+1s ago
    (P.US, S, [ago(P.US, i * H, V) for i in range(1, 9)], None),
    # United States: no call within 7 days after a telephone conversation.
    (P.US, V, [ago(P.US, 7 * D, V, True)], "cap:us_after_conversation"),
    (P.US, V, [ago(P.US, 7 * D + SEC, V, True)], None),
    (P.US, S, [ago(P.US, H, V, True)], None),
    (P.US, V, [ago(P.US, H, S, True)], None),
    # Mexico and Peru have no numeric cap.
    (P.MX, V, [ago(P.MX, i * timedelta(minutes=5), V, True) for i in range(1, 40)], None),
    (P.PE, S, [ago(P.PE, i * timedelta(minutes=5), S, True) for i in range(1, 40)], None),
]


@pytest.mark.parametrize(("profile", "channel", "history", "expected"), CASES)
def test_caps_at_and_past_their_limit(
    profile: P, channel: Channel, history: list[ContactEvent], expected: str | None
) -> None:
    assert rule(profile, channel, history) == expected


def test_cap_windows_give_the_scheduler_a_start_per_cap() -> None:
    now = now_in(P.CO)
    windows = {w.rule: w for w in cap_windows(PROFILES[P.CO], now, "America/Bogota")}
    assert set(windows) == {"cap:co_daily", "cap:co_weekly"}
    assert windows["cap:co_daily"].since == datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
    assert windows["cap:co_daily"].limit == 1
    assert windows["cap:co_weekly"].since == now - timedelta(days=7)
    assert windows["cap:co_weekly"].channels == frozenset(Channel)
    cl = {w.rule: w for w in cap_windows(PROFILES[P.CL], now, "America/Santiago")}
    assert cl["cap:cl_messages_spacing"].since == now - timedelta(days=2)
    assert cl["cap:cl_messages_spacing"].limit == 1
    assert Channel.VOICE not in cl["cap:cl_messages"].channels
    assert cap_windows(PROFILES[P.MX], now, "America/Mexico_City") == []


def test_the_local_day_starts_at_local_midnight_even_when_dst_skips_it() -> None:
    # Santiago skipped 00:00-01:00 on Sunday 6 Sep 2026: the day began at 01:00 -03 (04:00 UTC).
    profile = apply_overrides(
        PROFILES[P.MX],
        {
            "extra_caps": [
                {
                    "name": "daily",
                    "channels": ["voice"],
                    "counts": "attempts",
                    "limit": 1,
                    "window": "local_day",
                }
            ]
        },
    )
    noon = datetime(2026, 9, 6, 15, 0, tzinfo=UTC)
    (window,) = cap_windows(profile, noon, "America/Santiago")
    assert window.since == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    # Tijuana on 1 Nov 2026 (clocks back at 02:00 PDT): the day began at 07:00 UTC.
    (window,) = cap_windows(profile, datetime(2026, 11, 1, 20, 0, tzinfo=UTC), "America/Tijuana")
    assert window.since == datetime(2026, 11, 1, 7, 0, tzinfo=UTC)


def test_a_client_calendar_week_cap_resets_on_the_debtors_monday() -> None:
    profile = apply_overrides(
        PROFILES[P.MX],
        {
            "extra_caps": [
                {
                    "name": "weekly_calls",
                    "channels": ["voice"],
                    "counts": "attempts",
                    "limit": 3,
                    "window": "calendar_week",
                }
            ]
        },
    )
    tz = "America/Mexico_City"
    monday = local(tz, 2026, 11, 23, 9, 0)
    calls = [ContactEvent(monday + i * timedelta(days=1), V, False) for i in range(3)]
    thursday = local(tz, 2026, 11, 26, 9, 0)
    sunday_night = local(tz, 2026, 11, 29, 21, 59)
    next_monday = local(tz, 2026, 11, 30, 7, 0)

    def decide(now: datetime, channel: Channel = V) -> str | None:
        ctx = context(now=now, tz=tz, channel=channel, history=calls)
        return check_contact(ctx.__class__(**{**ctx.__dict__, "profile": profile})).rule

    assert decide(thursday) == "cap:weekly_calls"
    assert decide(sunday_night) == "cap:weekly_calls"
    assert decide(thursday, Channel.SMS) is None
    assert decide(next_monday) is None
    assert decide(local(tz, 2026, 11, 30, 6, 59)) == "outside_hours"


def test_a_client_can_lower_a_cap_to_zero() -> None:
    profile = apply_overrides(PROFILES[P.US], {"caps": {"us_calls": 0}})
    ctx = context(profile=P.US, tz="America/New_York", country="US", now=now_in(P.US))
    strict = ctx.__class__(**{**ctx.__dict__, "profile": profile})
    assert check_contact(strict).rule == "cap:us_calls"
    assert check_contact(ctx).allowed
