"""Debtors in several zones in each of the five countries: the scheduler's selection, the campaign
preview, the per-contact compliance check and the reminders agree on who may be contacted, at
instants around the window's edges and the DST changes.

The expected sets are worked out by hand from each zone's offset on that date (in the comments).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements.messages import may_text
from campaigns.compliance import check_account_contact
from campaigns.debtor_zones import debtor_zones, refresh_debtor_zones
from campaigns.models import Account, Channel, Client, ComplianceProfile, ContactPoint
from campaigns.scheduler import build_selection, pick_eligible
from campaigns.scheduler.eligibility.zones import ZoneCache
from campaigns.scheduler.preview import preview_campaign
from tests.campaigns.test_scheduler_eligibility import make_campaign
from tests.factories import make_account, make_client


@dataclass(frozen=True)
class Debtor:
    ref: str
    region: str | None
    phone: str
    stated: str | None = None


@dataclass(frozen=True)
class Country:
    zone: str
    currency: str
    debtors: tuple[Debtor, ...]


COUNTRIES = {
    "US": Country(
        "America/New_York",
        "USD",
        (
            Debtor("NYC", "New York", "+12126391234"),
            Debtor("CHI", "Illinois", "+13122061234"),
            Debtor("DEN", "Colorado", "+13038661234"),
            Debtor("PHX", "Arizona", "+16022621234", stated="America/Phoenix"),
            Debtor("LAX", "California", "+13102061234"),
            Debtor("HNL", "Hawaii", "+18089561234"),
            Debtor("TX-LA", "Texas", "+13102061235"),  # Chicago, Denver and Los Angeles
            Debtor("AZ", "Arizona", "+16022621235"),  # Phoenix and Denver (the Navajo Nation)
        ),
    ),
    "CL": Country(
        "America/Santiago",
        "CLP",
        (
            Debtor("SCL", "Región Metropolitana", "+56961234501"),
            Debtor("PUQ", "Magallanes", "+56961234502"),
            Debtor("IPC", "Isla de Pascua", "+56961234503"),
            Debtor("PUQ-ARG", "Magallanes", "+541143211234"),  # and a Buenos Aires phone
        ),
    ),
    "MX": Country(
        "America/Mexico_City",
        "MXN",
        (
            Debtor("CUN", "Quintana Roo", "+529981230101"),
            Debtor("TIJ", "Baja California", "+526641230102"),
            Debtor("HMO", "Sonora", "+526621230103"),
            Debtor("CDMX", "CDMX", "+525512340104"),
            Debtor("CDMX-TIJ", "CDMX", "+526641230105"),  # a phone from Tijuana
        ),
    ),
    "CO": Country(
        "America/Bogota",
        "COP",
        (
            Debtor("BOG", "Bogotá D.C.", "+573001230101"),
            Debtor("MDE", "Antioquia", "+573001230102"),
            Debtor("MIA", "Antioquia", "+573001230103", stated="America/New_York"),
        ),
    ),
    "PE": Country(
        "America/Lima",
        "PEN",
        (
            Debtor("LIM", "Lima", "+51912340101"),
            Debtor("CUZ", "Cusco", "+51912340102"),
            Debtor("AQP-LA", "Arequipa", "+13102061236"),  # a phone from Los Angeles
        ),
    ),
}

US_ALL = {"NYC", "CHI", "DEN", "PHX", "LAX", "HNL", "TX-LA", "AZ"}
CASES = [
    # US, 8 Mar 2026: DST begins (EDT -4, CDT -5, MDT -6, MST -7 in Phoenix, PDT -7, HST -10).
    ("US", "2026-03-07T13:30", {"NYC"}),  # the day before: EST 08:30, CST 07:30
    ("US", "2026-03-08T13:30", {"NYC", "CHI"}),  # EDT 09:30, CDT 08:30, MDT 07:30
    ("US", "2026-03-08T14:59", {"NYC", "CHI", "DEN"}),  # 07:59 in Phoenix and Los Angeles
    ("US", "2026-03-08T15:00", US_ALL - {"HNL"}),  # 08:00 in Phoenix and Los Angeles
    ("US", "2026-03-09T01:00", US_ALL - {"NYC"}),  # 21:00 in New York: the end is excluded
    ("US", "2026-03-09T02:00", {"DEN", "PHX", "LAX", "HNL", "AZ"}),  # 21:00 in Chicago
    ("US", "2026-03-09T04:30", {"HNL"}),  # 22:30 Denver, 21:30 Phoenix and LA, 18:30 Honolulu
    ("US", "2026-10-31T13:30", {"NYC", "CHI"}),  # EDT 09:30, CDT 08:30
    ("US", "2026-11-01T13:30", {"NYC"}),  # DST over: EST 08:30, CST 07:30
    # Chile, winter (Santiago -4, Punta Arenas -3 all year, Easter Island -6; Buenos Aires -3).
    ("CL", "2026-06-10T11:30", {"PUQ", "PUQ-ARG"}),  # Santiago 07:30, Punta Arenas 08:30
    ("CL", "2026-06-10T12:30", {"SCL", "PUQ", "PUQ-ARG"}),  # Easter Island 06:30
    ("CL", "2026-06-10T23:30", {"SCL", "IPC"}),  # Punta Arenas 20:30, Santiago 19:30
    ("CL", "2026-06-11T01:30", {"IPC"}),  # Easter Island 19:30 (Wednesday)
    # Chile, summer (Santiago -3, Easter Island -5).
    ("CL", "2026-12-02T11:30", {"SCL", "PUQ", "PUQ-ARG"}),  # Easter Island 06:30
    ("CL", "2026-12-05T15:00", set()),  # Saturday: closed unless the creditor opens it
    # Mexico: Tijuana follows US DST (PST -8 until 8 Mar, then PDT -7); Cancún -5, Sonora -7.
    ("MX", "2026-03-06T14:00", {"CUN", "HMO", "CDMX"}),  # Tijuana 06:00
    ("MX", "2026-03-09T12:59", {"CUN"}),  # CDMX 06:59, Cancún 07:59
    ("MX", "2026-03-09T14:00", {"CUN", "TIJ", "HMO", "CDMX", "CDMX-TIJ"}),  # Tijuana 07:00
    ("MX", "2026-03-10T03:30", {"TIJ", "HMO", "CDMX", "CDMX-TIJ"}),  # Cancún 22:30
    ("MX", "2026-03-10T04:00", {"TIJ", "HMO"}),  # CDMX 22:00
    # Colombia (-5; Mon-Fri 07-19, Sat 08-15); one debtor stated to live in New York (EDT -4).
    ("CO", "2026-06-10T11:59", {"MIA"}),  # Bogotá 06:59, New York 07:59
    ("CO", "2026-06-10T12:00", {"BOG", "MDE", "MIA"}),
    ("CO", "2026-06-10T23:30", {"BOG", "MDE"}),  # New York 19:30
    ("CO", "2026-06-13T12:59", {"MIA"}),  # Saturday: Bogotá 07:59, New York 08:59
    ("CO", "2026-06-14T15:00", set()),  # Sunday
    # Peru (-5; Mon-Fri 07-20); a debtor with a Los Angeles phone (PDT -7).
    ("PE", "2026-06-10T12:00", {"LIM", "CUZ"}),  # Los Angeles 05:00
    ("PE", "2026-06-10T15:00", {"LIM", "CUZ", "AQP-LA"}),
    ("PE", "2026-06-11T00:59", {"LIM", "CUZ", "AQP-LA"}),  # Lima 19:59
    ("PE", "2026-06-11T01:00", set()),  # Lima 20:00
]


def _portfolio(session: Session, country: str, now: datetime) -> tuple[Client, dict[str, Account]]:
    spec = COUNTRIES[country]
    client = make_client(
        session,
        name=f"Cable {country}",
        country=country,
        timezone=spec.zone,
        currency=spec.currency,
        profile=ComplianceProfile(country),
    )
    today = now.astimezone(ZoneInfo(spec.zone)).date()
    accounts = {}
    for debtor in spec.debtors:
        account = make_account(
            session, client=client, ref=debtor.ref, phone=debtor.phone, today=today
        )
        account.debtor.region = debtor.region
        account.debtor.stated_timezone = debtor.stated
        refresh_debtor_zones(session, debtor=account.debtor)
        accounts[debtor.ref] = account
    return client, accounts


@pytest.mark.parametrize(
    ("country", "at", "expected"), CASES, ids=[f"{c}-{a}" for c, a, _ in CASES]
)
def test_selection_preview_check_and_reminders_agree_in_every_zone(
    session: Session, country: str, at: str, expected: set[str]
) -> None:
    now = datetime.fromisoformat(at).replace(tzinfo=UTC)
    client, accounts = _portfolio(session, country, now)
    campaign = make_campaign(session, client, steps=[{"day": 0, "channel": "voice"}])

    selection = build_selection(
        session, campaign=campaign, client=client, now=now, zones=ZoneCache()
    )
    by_id = {a.id: ref for ref, a in accounts.items()}
    picked = {by_id[p.account_id] for p in pick_eligible(session, selection, messages=0, calls=99)}
    preview = preview_campaign(session, campaign_id=campaign.id, at=now, limit=100)
    previewed = {row.account_ref for row in preview.contacted}
    shown = {row.account_ref: row.zones for row in [*preview.contacted, *preview.skipped]}
    assert shown == {ref: list(debtor_zones(a.debtor)) for ref, a in accounts.items()}
    checked = set()
    reminded = set()
    for ref, account in accounts.items():
        point = session.scalars(
            select(ContactPoint).where(ContactPoint.debtor_id == account.debtor_id)
        ).one()
        decision = check_account_contact(
            session,
            account_id=account.id,
            channel=Channel.VOICE,
            contact_point_id=point.id,
            now=now,
            context="test",
        )
        if decision.allowed:
            checked.add(ref)
        if may_text(session, account=account, now=now, context="test") is not None:
            reminded.add(ref)

    assert picked == expected
    assert previewed == expected
    assert checked == expected
    assert reminded == expected
