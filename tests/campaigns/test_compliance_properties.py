"""Properties over generated moments, zones, histories and accounts.

1. No contact outside the rules is ever allowed: the rules are recomputed here independently,
   straight from the table in shared/reference/compliance.md, and must agree with check_contact.
2. The scheduler's set-based building blocks (open zones + cap windows counted like SQL would)
   give the same answer as the per-contact check.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.compliance import (
    PROFILES,
    AccountFacts,
    ContactContext,
    ContactEvent,
    Counts,
    Hours,
    PointFacts,
    apply_overrides,
    cap_windows,
    check_contact,
    open_pairs,
    zones_open_now,
)
from campaigns.models import AccountStatus, Channel, ComplianceProfile

P = ComplianceProfile
ZONES = [
    "America/Mexico_City",
    "America/Cancun",
    "America/Tijuana",
    "America/Bogota",
    "America/Santiago",
    "America/Lima",
    "America/New_York",
    "America/Los_Angeles",
]
COUNTRIES = ["MX", "CO", "CL", "PE", "US"]
MESSAGES = {Channel.SMS, Channel.WHATSAPP, Channel.EMAIL}
DAY, WEEK = timedelta(days=1), timedelta(days=7)

# Straight from the reference table: (start hour, end hour) per weekday, Monday = 0.
HOURS: dict[P, dict[int, tuple[int, int]]] = {
    P.MX: {d: (7, 22) for d in range(7)},
    P.CO: {**{d: (7, 19) for d in range(5)}, 5: (8, 15)},
    P.CL: {d: (8, 20) for d in range(5)},
    P.PE: {d: (7, 20) for d in range(5)},
    P.US: {d: (8, 21) for d in range(7)},
}


@st.composite
def moments(draw: st.DrawFn, tz: str) -> datetime:
    """Any moment in 2026, or a wall-clock moment right at an hour edge in the zone."""
    if draw(st.integers(0, 2)) == 0:
        naive = draw(st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31)))
        return naive.replace(tzinfo=UTC)
    day = draw(st.dates(date(2026, 1, 1), date(2026, 12, 31)))
    hour = draw(st.sampled_from([0, 6, 7, 8, 12, 14, 15, 18, 19, 20, 21, 22]))
    minute, second = draw(st.sampled_from([(0, 0), (59, 59), (0, 1), (30, 0)]))
    wall = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ZoneInfo(tz))
    return wall.astimezone(UTC)


@st.composite
def histories(draw: st.DrawFn, now: datetime, tz: str) -> list[ContactEvent]:
    """Past contacts, many of them exactly at (or a second off) the edges of the cap windows."""
    local = now.astimezone(ZoneInfo(tz))
    midnight = datetime.combine(local.date(), datetime.min.time(), tzinfo=ZoneInfo(tz))
    monday = midnight - timedelta(days=local.weekday())
    edges = [timedelta(0), timedelta(hours=20), 2 * DAY, WEEK, now - midnight, now - monday]
    offsets = st.one_of(
        st.integers(0, 10 * 86400).map(lambda s: timedelta(seconds=s)),
        st.sampled_from(edges),
        st.tuples(st.sampled_from(edges), st.sampled_from([-1, 1])).map(
            lambda e: max(timedelta(0), e[0] + timedelta(seconds=e[1]))
        ),
    )
    events = st.builds(
        lambda offset, channel, connected: ContactEvent(now - offset, channel, connected),
        offsets,
        st.sampled_from(list(Channel)),
        st.booleans(),
    )
    return draw(st.lists(events, max_size=10))


@st.composite
def contexts(draw: st.DrawFn, *, any_account: bool) -> ContactContext:
    code = draw(st.sampled_from(list(P)))
    tz = draw(st.sampled_from(ZONES))
    now = draw(moments(tz))
    today = now.astimezone(ZoneInfo(tz)).date()
    good_account = AccountFacts(AccountStatus.ACTIVE, Decimal("100"), today - timedelta(days=30))
    account, dnc = good_account, False
    point: PointFacts | None = PointFacts(consented=True)
    # Most generated contacts have sound facts, so the time and cap rules get exercised too.
    if any_account and draw(st.integers(0, 3)) == 0:
        account = AccountFacts(
            status=draw(st.sampled_from(list(AccountStatus))),
            balance=draw(st.sampled_from([Decimal("-1"), Decimal("0"), Decimal("0.01")])),
            due_date=today - timedelta(days=draw(st.integers(-3, 95))),
            open_dispute=draw(st.booleans()),
            promise_in_force=draw(st.booleans()),
        )
    if any_account and draw(st.integers(0, 3)) == 0:
        point = draw(
            st.none()
            | st.builds(PointFacts, st.booleans(), st.booleans(), st.booleans(), st.booleans())
        )
        dnc = draw(st.booleans())
    return ContactContext(
        profile=PROFILES[code],
        timezone=tz,
        country=draw(st.sampled_from(COUNTRIES)),
        now=now,
        channel=draw(st.sampled_from(list(Channel))),
        account=account,
        point=point,
        history=draw(histories(now, tz)),
        do_not_contact=dnc,
    )


@cache
def holiday_dates(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year))


def violated(ctx: ContactContext) -> set[str]:
    """Every rule the contact breaks, computed without the code under test."""
    rules: set[str] = set()
    code, now, channel = ctx.profile.code, ctx.now, ctx.channel
    local = now.astimezone(ZoneInfo(ctx.timezone))
    account = ctx.account
    overdue = (local.date() - account.due_date).days
    if account.status in (AccountStatus.PAID, AccountStatus.ESCALATED, AccountStatus.CLOSED):
        rules.add("account_status")
    if account.balance <= 0:
        rules.add("zero_balance")
    if overdue > 90:
        rules.add("over_90_days")
    if overdue < 1:
        rules.add("not_yet_due")
    if account.open_dispute or account.status == AccountStatus.DISPUTED:
        rules.add("open_dispute")
    if account.promise_in_force:
        rules.add("promise_in_force")
    if ctx.do_not_contact:
        rules.add("do_not_contact")
    point = ctx.point
    if point is None or point.invalid or not point.can_receive:
        rules.add("invalid_contact_point")
    elif point.opted_out:
        rules.add("opted_out")
    elif channel == Channel.WHATSAPP and not point.consented:
        rules.add("no_consent_whatsapp")
    window = HOURS[code].get(local.weekday())
    if window is None:
        rules.add("day_not_allowed")
    elif local.date() in holiday_dates(ctx.country, local.year):
        rules.add("holiday")
    elif not (window[0] <= local.hour < window[1]):
        rules.add("outside_hours")
    past = [e for e in ctx.history if e.at <= now]
    within = [e for e in past if now - e.at <= WEEK]
    if code == P.CO:
        if any(e.at.astimezone(ZoneInfo(ctx.timezone)).date() == local.date() for e in past):
            rules.add("cap:co_daily")
        if any(e.connected for e in within):
            rules.add("cap:co_weekly")
    if (
        code == P.CL
        and channel == Channel.VOICE
        and any(e.channel == Channel.VOICE for e in within)
    ):
        rules.add("cap:cl_calls")
    if code == P.CL and channel in MESSAGES:
        if sum(e.channel in MESSAGES for e in within) >= 2:
            rules.add("cap:cl_messages")
        if any(e.channel in MESSAGES and now - e.at <= 2 * DAY for e in past):
            rules.add("cap:cl_messages_spacing")
    if code == P.US and channel == Channel.VOICE:
        if sum(e.channel == Channel.VOICE for e in within) >= 7:
            rules.add("cap:us_calls")
        if any(e.channel == Channel.VOICE and e.connected for e in within):
            rules.add("cap:us_after_conversation")
    return rules


@settings(max_examples=700, deadline=None)
@given(contexts(any_account=True))
def test_no_contact_outside_the_rules_is_allowed(ctx: ContactContext) -> None:
    decision = check_contact(ctx)
    broken = violated(ctx)
    assert decision.allowed == (not broken), (decision.rule, broken)
    if not decision.allowed:
        assert decision.rule in broken


OVERRIDES: list[dict[str, Any] | None] = [
    None,
    {"hours": {"mon": ["09:00", "17:00"], "sat": None}},
    {
        "extra_caps": [
            {
                "name": "week",
                "channels": ["voice", "sms"],
                "counts": "attempts",
                "limit": 2,
                "window": "calendar_week",
                "min_spacing_hours": 20,
            }
        ]
    },
    {
        "extra_caps": [
            {
                "name": "day",
                "channels": ["voice"],
                "counts": "connected",
                "limit": 1,
                "window": "local_day",
            }
        ]
    },
]


@settings(max_examples=700, deadline=None)
@given(contexts(any_account=False), st.sampled_from(OVERRIDES), st.booleans())
def test_set_based_selection_agrees_with_the_contact_check(
    ctx: ContactContext, overrides: dict[str, Any] | None, always_open: bool
) -> None:
    code = ctx.profile.code
    if code == P.CL and overrides and "hours" in overrides:
        overrides = {"hours": {"mon": ["09:00", "17:00"], "sat": ["09:00", "13:00"]}}
    profile = apply_overrides(ctx.profile, overrides)
    if always_open:  # so the caps decide often, not only inside the profile's hours
        profile = replace(profile, hours=(Hours(time(0), time.max),) * 7, holidays_block=False)
    ctx = ContactContext(**{**ctx.__dict__, "profile": profile})
    pair = (ctx.timezone, ctx.country)
    zone_open = ctx.timezone in zones_open_now(profile, [ctx.timezone], [ctx.country], ctx.now)
    assert zone_open == (pair in open_pairs(profile, [pair], ctx.now))
    capped = False
    for window in cap_windows(profile, ctx.now, ctx.timezone):
        # What the scheduler's SQL does: count rows per debtor since the window's start.
        count = sum(
            1
            for e in ctx.history
            if e.at >= window.since
            and e.channel in window.channels
            and (window.counts == Counts.ATTEMPTS or e.connected)
        )
        capped = capped or (ctx.channel in window.channels and count >= window.limit)
    assert check_contact(ctx).allowed == (zone_open and not capped)
