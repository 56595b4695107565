"""When the window opens and closes for a debtor with several candidate zones (for senders that
must stop before the window closes, and jobs that wait for the next one)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.compliance import base_profile, closed_in_zones, next_open, open_until
from campaigns.models import ComplianceProfile

US = base_profile(ComplianceProfile.US)
CL = base_profile(ComplianceProfile.CL)
TX_LA = ("America/Chicago", "America/Denver", "America/Los_Angeles")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_texan_with_a_los_angeles_phone_is_open_from_8_in_los_angeles_to_21_in_chicago() -> None:
    # 8 Mar 2026, the first day of daylight time: CDT -5, MDT -6, PDT -7.
    assert next_open(US, TX_LA, "US", _utc("2026-03-08T12:00")) == _utc("2026-03-08T15:00")
    assert open_until(US, TX_LA, "US", _utc("2026-03-08T12:00")) is None
    assert open_until(US, TX_LA, "US", _utc("2026-03-08T15:00")) == _utc("2026-03-09T02:00")
    assert next_open(US, TX_LA, "US", _utc("2026-03-09T02:00")) == _utc("2026-03-09T15:00")


def test_chile_closes_on_friday_evening_and_opens_on_monday_in_every_zone() -> None:
    zones = ("America/Punta_Arenas", "America/Santiago")  # winter: -3 and -4
    friday = _utc("2026-06-12T22:30")  # 19:30 in Punta Arenas, 18:30 in Santiago
    assert open_until(CL, zones, "CL", friday) == _utc("2026-06-12T23:00")
    assert closed_in_zones(CL, zones, "CL", _utc("2026-06-12T23:00")) == (
        "outside_hours",
        "America/Punta_Arenas",
    )
    assert next_open(CL, zones, "CL", _utc("2026-06-12T23:00")) == _utc("2026-06-15T12:00")


ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Phoenix",
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "America/Santiago",
    "Pacific/Easter",
    "America/Bogota",
]


@settings(max_examples=60, deadline=None)
@given(
    profile=st.sampled_from(sorted(ComplianceProfile)),
    zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True),
    now=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
)
def test_next_open_is_the_first_open_moment_and_open_until_the_first_closed_one(
    profile: ComplianceProfile, zones: list[str], now: datetime
) -> None:
    rules = base_profile(profile)
    country = str(profile)
    opens = next_open(rules, zones, country, now)
    if opens is None:
        return
    assert closed_in_zones(rules, zones, country, opens) is None
    step = timedelta(minutes=10)
    moment = now
    while moment + step < opens:  # closed all the way until it opens
        assert closed_in_zones(rules, zones, country, moment) is not None
        moment += step
    closes = open_until(rules, zones, country, opens)
    assert closes is not None and closes > opens
    assert closed_in_zones(rules, zones, country, closes) is not None
    assert closed_in_zones(rules, zones, country, closes - timedelta(seconds=1)) is None
