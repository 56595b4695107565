"""Contact windows in the debtor's local time: edges, time zones, DST changes, days and holidays."""

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.compliance import PROFILES, check_contact, open_pairs, zones_open_now
from campaigns.models import ComplianceProfile
from tests.campaigns.test_compliance_check import context, local

P = ComplianceProfile


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[arg-type,misc]


def rule_at(profile: P, tz: str, country: str, now: datetime) -> str | None:
    return check_contact(context(profile=profile, tz=tz, country=country, now=now)).rule


# (profile, zone, country, local wall-clock moment, expected rule). Start included, end excluded.
LOCAL_EDGES = [
    # Mexico: 07:00-22:00 every day. Monday 23 Nov 2026.
    (P.MX, "America/Mexico_City", "MX", (2026, 11, 23, 6, 59, 59), "outside_hours"),
    (P.MX, "America/Mexico_City", "MX", (2026, 11, 23, 7, 0, 0), None),
    (P.MX, "America/Mexico_City", "MX", (2026, 11, 23, 21, 59, 59), None),
    (P.MX, "America/Mexico_City", "MX", (2026, 11, 23, 22, 0, 0), "outside_hours"),
    (P.MX, "America/Mexico_City", "MX", (2026, 11, 22, 10, 0, 0), None),  # Sunday
    (P.MX, "America/Cancun", "MX", (2026, 11, 23, 7, 0, 0), None),
    (P.MX, "America/Cancun", "MX", (2026, 11, 23, 22, 0, 0), "outside_hours"),
    (P.MX, "America/Mexico_City", "MX", (2026, 9, 16, 10, 0, 0), "holiday"),  # Independence Day
    (P.MX, "America/Mexico_City", "MX", (2026, 9, 15, 21, 59, 59), None),
    (P.MX, "America/Mexico_City", "MX", (2026, 9, 17, 7, 0, 0), None),
    # Colombia: Mon-Fri 07:00-19:00, Sat 08:00-15:00, never Sundays or holidays.
    (P.CO, "America/Bogota", "CO", (2026, 11, 23, 6, 59, 59), "outside_hours"),
    (P.CO, "America/Bogota", "CO", (2026, 11, 23, 7, 0, 0), None),
    (P.CO, "America/Bogota", "CO", (2026, 11, 23, 18, 59, 59), None),
    (P.CO, "America/Bogota", "CO", (2026, 11, 23, 19, 0, 0), "outside_hours"),
    (P.CO, "America/Bogota", "CO", (2026, 11, 21, 7, 59, 59), "outside_hours"),  # Saturday
    (P.CO, "America/Bogota", "CO", (2026, 11, 21, 8, 0, 0), None),
    (P.CO, "America/Bogota", "CO", (2026, 11, 21, 14, 59, 59), None),
    (P.CO, "America/Bogota", "CO", (2026, 11, 21, 15, 0, 0), "outside_hours"),
    (P.CO, "America/Bogota", "CO", (2026, 11, 22, 10, 0, 0), "day_not_allowed"),  # Sunday
    (P.CO, "America/Bogota", "CO", (2026, 1, 12, 10, 0, 0), "holiday"),  # Epiphany, moved
    (P.CO, "America/Bogota", "CO", (2026, 7, 20, 10, 0, 0), "holiday"),  # Independence Day
    (P.CO, "America/Bogota", "CO", (2026, 11, 16, 10, 0, 0), "holiday"),  # Cartagena, moved
    # Chile: Mon-Fri 08:00-20:00; Saturday closed unless the client opens it.
    (P.CL, "America/Santiago", "CL", (2026, 11, 23, 7, 59, 59), "outside_hours"),
    (P.CL, "America/Santiago", "CL", (2026, 11, 23, 8, 0, 0), None),
    (P.CL, "America/Santiago", "CL", (2026, 11, 23, 19, 59, 59), None),
    (P.CL, "America/Santiago", "CL", (2026, 11, 23, 20, 0, 0), "outside_hours"),
    (P.CL, "America/Santiago", "CL", (2026, 11, 21, 10, 0, 0), "day_not_allowed"),
    (P.CL, "America/Santiago", "CL", (2026, 9, 18, 10, 0, 0), "holiday"),  # Fiestas Patrias
    # Peru: 07:00-20:00, never Saturdays, Sundays or holidays.
    (P.PE, "America/Lima", "PE", (2026, 11, 23, 6, 59, 59), "outside_hours"),
    (P.PE, "America/Lima", "PE", (2026, 11, 23, 7, 0, 0), None),
    (P.PE, "America/Lima", "PE", (2026, 11, 23, 19, 59, 59), None),
    (P.PE, "America/Lima", "PE", (2026, 11, 23, 20, 0, 0), "outside_hours"),
    (P.PE, "America/Lima", "PE", (2026, 11, 21, 10, 0, 0), "day_not_allowed"),
    (P.PE, "America/Lima", "PE", (2026, 11, 22, 10, 0, 0), "day_not_allowed"),
    (P.PE, "America/Lima", "PE", (2026, 7, 28, 10, 0, 0), "holiday"),  # Independence Day
    (P.PE, "America/Lima", "PE", (2026, 7, 27, 19, 59, 59), None),
    # United States: 08:00-21:00 every day.
    (P.US, "America/New_York", "US", (2026, 11, 23, 7, 59, 59), "outside_hours"),
    (P.US, "America/New_York", "US", (2026, 11, 23, 8, 0, 0), None),
    (P.US, "America/New_York", "US", (2026, 11, 23, 20, 59, 59), None),
    (P.US, "America/New_York", "US", (2026, 11, 23, 21, 0, 0), "outside_hours"),
    (P.US, "America/New_York", "US", (2026, 11, 22, 10, 0, 0), None),  # Sunday
    (P.US, "America/New_York", "US", (2026, 11, 26, 10, 0, 0), "holiday"),  # Thanksgiving
]


@pytest.mark.parametrize(("profile", "tz", "country", "wall", "rule"), LOCAL_EDGES)
def test_window_edges_in_local_time(
    profile: P, tz: str, country: str, wall: tuple[int, ...], rule: str | None
) -> None:
    now = local(tz, *wall)
    assert rule_at(profile, tz, country, now) == rule
    expected = set() if rule else {(tz, country)}
    assert open_pairs(PROFILES[profile], [(tz, country)], now) == expected


# The same UTC instants fall on different sides of a window after a DST change.
DST_EDGES = [
    # Tijuana follows US DST (PST -8 -> PDT -7 on 8 Mar 2026, back on 1 Nov).
    (P.MX, "America/Tijuana", "MX", utc(2026, 3, 7, 14, 59, 59), "outside_hours"),  # 06:59 PST
    (P.MX, "America/Tijuana", "MX", utc(2026, 3, 7, 15, 0, 0), None),  # 07:00 PST
    (P.MX, "America/Tijuana", "MX", utc(2026, 3, 9, 13, 59, 59), "outside_hours"),  # 06:59 PDT
    (P.MX, "America/Tijuana", "MX", utc(2026, 3, 9, 14, 0, 0), None),  # 07:00 PDT
    (P.MX, "America/Tijuana", "MX", utc(2026, 3, 9, 4, 59, 59), None),  # 21:59 PDT on Sunday
    (P.MX, "America/Tijuana", "MX", utc(2026, 3, 9, 5, 0, 0), "outside_hours"),  # 22:00 PDT
    (P.MX, "America/Tijuana", "MX", utc(2026, 10, 31, 14, 0, 0), None),  # 07:00 PDT
    (P.MX, "America/Tijuana", "MX", utc(2026, 11, 2, 14, 59, 59), "outside_hours"),  # 06:59 PST
    (P.MX, "America/Tijuana", "MX", utc(2026, 11, 2, 15, 0, 0), None),
    # Mexico City has had no DST since 2022: the same UTC instant is 07:00 in March and November.
    (P.MX, "America/Mexico_City", "MX", utc(2026, 3, 9, 13, 0, 0), None),
    (P.MX, "America/Mexico_City", "MX", utc(2026, 3, 9, 12, 59, 59), "outside_hours"),
    # Santiago: -03 until 5 Apr 2026, -04 until 6 Sep 2026, then -03 again.
    (P.CL, "America/Santiago", "CL", utc(2026, 4, 2, 11, 0, 0), None),  # Thu 08:00 -03
    (P.CL, "America/Santiago", "CL", utc(2026, 4, 2, 10, 59, 59), "outside_hours"),
    (P.CL, "America/Santiago", "CL", utc(2026, 4, 6, 11, 30, 0), "outside_hours"),  # 07:30 -04
    (P.CL, "America/Santiago", "CL", utc(2026, 4, 6, 12, 0, 0), None),  # Mon 08:00 -04
    (P.CL, "America/Santiago", "CL", utc(2026, 4, 6, 23, 59, 59), None),  # 19:59 -04
    (P.CL, "America/Santiago", "CL", utc(2026, 4, 7, 0, 0, 0), "outside_hours"),  # 20:00 -04
    (P.CL, "America/Santiago", "CL", utc(2026, 9, 4, 11, 30, 0), "outside_hours"),  # 07:30 -04
    (P.CL, "America/Santiago", "CL", utc(2026, 9, 7, 11, 30, 0), None),  # Mon 08:30 -03
    (P.CL, "America/Santiago", "CL", utc(2026, 9, 7, 23, 0, 0), "outside_hours"),  # 20:00 -03
    # New York: EST -5 until 8 Mar 2026, then EDT -4.
    (P.US, "America/New_York", "US", utc(2026, 3, 6, 12, 30, 0), "outside_hours"),  # 07:30 EST
    (P.US, "America/New_York", "US", utc(2026, 3, 6, 13, 0, 0), None),  # 08:00 EST
    (P.US, "America/New_York", "US", utc(2026, 3, 9, 12, 0, 0), None),  # 08:00 EDT
    (P.US, "America/New_York", "US", utc(2026, 3, 9, 11, 59, 59), "outside_hours"),
    (P.US, "America/New_York", "US", utc(2026, 3, 8, 7, 30, 0), "outside_hours"),  # 03:30 EDT
    (P.US, "America/New_York", "US", utc(2026, 3, 9, 0, 59, 59), None),  # Sun 20:59 EDT
    (P.US, "America/New_York", "US", utc(2026, 3, 9, 1, 0, 0), "outside_hours"),  # 21:00 EDT
]


@pytest.mark.parametrize(("profile", "tz", "country", "now", "rule"), DST_EDGES)
def test_window_edges_across_dst_changes(
    profile: P, tz: str, country: str, now: datetime, rule: str | None
) -> None:
    assert rule_at(profile, tz, country, now) == rule


def test_zones_open_now_names_exactly_the_zones_inside_their_window() -> None:
    zones = ["America/Mexico_City", "America/Cancun", "America/Tijuana", "America/Bogota"]
    # 12:30 UTC on Monday 23 Nov: 06:30 CDMX, 07:30 Cancun, 04:30 Tijuana, 07:30 Bogota.
    now = utc(2026, 11, 23, 12, 30)
    assert zones_open_now(PROFILES[P.MX], zones, ["MX"], now) == {
        "America/Cancun",
        "America/Bogota",
    }
    assert zones_open_now(PROFILES[P.MX], zones, ["MX"], now + timedelta(hours=1)) == {
        "America/Cancun",
        "America/Bogota",
        "America/Mexico_City",
    }
    # 16 September is a holiday in Mexico, not in Colombia.
    holiday = utc(2026, 9, 16, 16, 0)
    assert zones_open_now(PROFILES[P.MX], zones, ["MX"], holiday) == set()
    assert zones_open_now(PROFILES[P.MX], zones, ["CO"], holiday) == set(zones)
    # With several countries a zone is open only if it is open in all of them.
    assert zones_open_now(PROFILES[P.MX], zones, ["MX", "CO"], holiday) == set()
    pairs = [("America/Bogota", "CO"), ("America/Mexico_City", "MX")]
    assert open_pairs(PROFILES[P.MX], pairs, holiday) == {("America/Bogota", "CO")}


def test_holidays_come_from_the_debtors_country_not_the_creditors() -> None:
    # A Peruvian creditor's debtor living in Mexico: 28 July is a Peruvian holiday only.
    now = local("America/Mexico_City", 2026, 7, 28, 10, 0)
    assert rule_at(P.PE, "America/Mexico_City", "MX", now) is None
    assert rule_at(P.PE, "America/Lima", "PE", now) == "holiday"
    assert rule_at(P.MX, "America/Mexico_City", "XX", now) is None  # no calendar, no holidays
