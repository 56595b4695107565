"""Property: for debtors with random sets of candidate zones and random instants, the scheduler
selects exactly those for whom the instant is inside the window in every candidate zone.

The oracle reads the profile's hours and the `holidays` calendar directly, not the compliance
module's window functions; every pick is also checked by the per-contact compliance check.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.compliance import base_profile, check_account_contact
from campaigns.debtor_zones import encode_zones
from campaigns.models import Channel, ComplianceProfile, ContactPoint
from campaigns.scheduler import build_selection, pick_eligible
from tests.campaigns.test_scheduler_eligibility import make_campaign
from tests.factories import make_account, make_client

HOMES = {
    "MX": "America/Mexico_City",
    "CO": "America/Bogota",
    "CL": "America/Santiago",
    "PE": "America/Lima",
    "US": "America/New_York",
}
POOL = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Mexico_City",
    "America/Tijuana",
    "America/Cancun",
    "America/Hermosillo",
    "America/Santiago",
    "America/Punta_Arenas",
    "Pacific/Easter",
    "America/Bogota",
    "America/Lima",
]


def _open_everywhere(country: str, zones: list[str], now: datetime) -> bool:
    profile = base_profile(ComplianceProfile(country))
    for zone in zones:
        local = now.astimezone(ZoneInfo(zone))
        hours = profile.hours[local.weekday()]
        if hours is None or not hours.start <= local.time().replace(tzinfo=None) < hours.end:
            return False
        if local.date() in holidays.country_holidays(country, years=local.year):
            return False
    return True


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    country=st.sampled_from(sorted(HOMES)),
    debtors=st.lists(
        st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True),
        min_size=1,
        max_size=6,
    ),
    now=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    channel=st.sampled_from(["voice", "sms"]),
)
def test_only_debtors_inside_the_window_in_every_candidate_zone_are_selected(
    session: Session, country: str, debtors: list[list[str]], now: datetime, channel: str
) -> None:
    try:
        _check(session, country, debtors, now, channel)
    finally:
        session.rollback()


def _check(
    session: Session, country: str, debtors: list[list[str]], now: datetime, channel: str
) -> None:
    home = HOMES[country]
    client = make_client(
        session,
        name=f"Cable {country}",
        country=country,
        timezone=home,
        currency="USD",
        profile=ComplianceProfile(country),
    )
    today = now.astimezone(ZoneInfo(home)).date()
    expected = set()
    for n, zones in enumerate(debtors):
        account = make_account(
            session,
            client=client,
            ref=f"Z{n:02d}",
            phone=f"+1212555{n:04d}",
            today=today,
            timezone=zones[0],
        )
        account.debtor.timezones = encode_zones(zones)
        if _open_everywhere(country, zones, now):
            expected.add(account.id)
    session.flush()
    step: dict[str, object] = {"day": 0, "channel": channel}
    if channel == "sms":
        step["template"] = "recordatorio"
    campaign = make_campaign(session, client, steps=[step])

    selection = build_selection(session, campaign=campaign, client=client, now=now)
    picks = pick_eligible(session, selection, messages=100, calls=100)
    assert {p.account_id for p in picks} == expected
    for pick in picks:
        point = session.scalars(
            select(ContactPoint).where(ContactPoint.id == pick.contact_point_id)
        ).one()
        decision = check_account_contact(
            session,
            account_id=pick.account_id,
            channel=Channel(pick.channel),
            contact_point_id=point.id,
            now=now,
            context="property",
        )
        assert decision.allowed, (pick, decision.rule, decision.detail("en"))
