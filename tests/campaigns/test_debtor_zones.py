"""A debtor's candidate time zones: the rule, the data, import, corrections and backfill."""

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaigns.agreements import parse_outcome, record_outcome
from campaigns.debtor_zones import (
    PhoneNotValid,
    candidate_zones,
    correct_phone,
    correct_region,
    parse_zone,
    phone_zones,
    recompute_zones,
    region_zones,
)
from campaigns.models import (
    Account,
    Attempt,
    AttemptStatus,
    Channel,
    ComplianceProfile,
    ContactPoint,
    Debtor,
    Portfolio,
)
from campaigns.portfolio_import import import_portfolio
from campaigns.timeline import account_timeline
from console.screen import build_screen
from tests.campaigns.agreements_helpers import NOW, answered_call
from tests.factories import CREATED_AT, TODAY, make_account, make_client

NY, CHI, DEN, LA = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"


@pytest.mark.parametrize(
    ("region", "country", "zones"),
    [
        ("Texas", "US", (CHI, DEN)),
        ("tx", "US", (CHI, DEN)),
        ("US-FL", "US", (NY, CHI)),
        ("Hawaii", "US", ("Pacific/Honolulu",)),
        ("Arizona", "US", ("America/Phoenix", DEN)),
        ("Magallanes", "CL", ("America/Punta_Arenas",)),
        ("Isla de Pascua", "CL", ("Pacific/Easter",)),
        ("Región Metropolitana", "CL", ("America/Santiago",)),
        ("Antioquia", "CO", ("America/Bogota",)),
        ("Bogotá", "CO", ("America/Bogota",)),
        ("Cusco", "PE", ("America/Lima",)),
        ("British Columbia", "CA", ("America/Vancouver", "America/Edmonton")),
        ("Quintana Roo", "MX", ("America/Cancun",)),
        ("Narnia", "US", None),
        ("Texas", "CO", None),
    ],
)
def test_regions_of_every_country_map_to_their_zones(
    region: str, country: str, zones: tuple[str, ...] | None
) -> None:
    assert region_zones(region, country=country) == zones


def test_phone_prefixes_give_zones_only_when_they_are_geographic() -> None:
    assert phone_zones("+13102061234") == (LA,)
    assert phone_zones("+18089561234") == ("Pacific/Honolulu",)
    assert phone_zones("+529981234567") == ("America/Cancun",)
    # phonenumbers knows Chile only as a whole: a Chilean number tells a Chilean debtor's zone
    # nothing, but it does place a Mexican creditor's debtor in Chile.
    assert phone_zones("+56961234567", country="CL") == ()
    assert phone_zones("+56961234567", country="MX") == ("America/Santiago",)
    assert phone_zones("+529981234567", country="MX") == ("America/Cancun",)
    assert phone_zones("+18005551234") == ()  # toll-free: every NANP zone
    assert phone_zones("not a phone") == ()


def test_a_stated_zone_alone_else_region_and_phones_together_else_the_creditor() -> None:
    assert candidate_zones(
        stated="America/Phoenix",
        region="Texas",
        country="US",
        phones=["+13102061234"],
        creditor_zone=NY,
    ) == ("America/Phoenix",)
    assert candidate_zones(
        stated=None, region="Texas", country="US", phones=["+13102061234"], creditor_zone=NY
    ) == (CHI, DEN, LA)
    assert candidate_zones(
        stated=None, region=None, country="US", phones=["+18005551234"], creditor_zone=NY
    ) == (NY,)
    assert candidate_zones(
        stated=None, region="Atlantis", country="CL", phones=[], creditor_zone="America/Santiago"
    ) == ("America/Santiago",)


def test_zone_names_are_read_in_any_case_and_nonsense_is_refused() -> None:
    assert parse_zone(" america/chicago ") == CHI
    assert parse_zone("America/Chicgo") is None
    assert parse_zone("Etc/Unknown") is None
    assert parse_zone("Central") is None
    assert parse_zone("EST") is None  # fixed -5: an hour off in New York all summer
    assert parse_zone("Etc/GMT+5") is None
    assert parse_zone("US/Central") == "US/Central"  # a link to America/Chicago


US_FILE = (
    "cuenta,nombre,saldo,dias_mora,telefono,estado,zona_horaria\n"
    "US-1,Ann Lee,100.00,30,212 639 1234,New York,\n"
    "US-2,Bo Diaz,100.00,30,310 206 1234,Texas,\n"
    "US-3,Cy Park,100.00,30,602 262 1234,Arizona,America/Phoenix\n"
    "US-4,Di Ray,100.00,30,800 555 1234,,\n"
    "US-5,Ed Fox,100.00,30,713 247 1234,Texas,America/Chicgo\n"
)


def _us_client(session: Session) -> int:
    client = make_client(
        session,
        name="Cable US",
        country="US",
        timezone=NY,
        currency="USD",
        profile=ComplianceProfile.US,
    )
    return client.id


def _zones(session: Session, ref: str) -> str:
    account = session.scalars(select(Account).where(Account.account_ref == ref)).one()
    return account.debtor.timezones


def test_the_import_stores_every_candidate_zone_and_reports_a_bad_zone_name(
    session: Session,
) -> None:
    client_id = _us_client(session)
    summary = import_portfolio(
        session,
        client_id=client_id,
        filename="us.csv",
        content=US_FILE.encode(),
        today=TODAY,
        now=CREATED_AT,
    )
    assert (summary.imported, summary.rejected) == (5, 0)
    assert {ref: _zones(session, ref) for ref in ("US-1", "US-2", "US-3", "US-4", "US-5")} == {
        "US-1": NY,
        "US-2": f"{CHI} {DEN} {LA}",  # an address in Texas, a phone from Los Angeles
        "US-3": "America/Phoenix",  # stated in the file: authoritative
        "US-4": NY,  # no region, a toll-free number: the creditor's zone
        "US-5": f"{CHI} {DEN}",  # the misspelt zone is ignored, region and phone used
    }
    debtor = session.scalars(select(Debtor).where(Debtor.name == "Bo Diaz")).one()
    assert debtor.timezone == CHI
    portfolio = session.get_one(Portfolio, summary.portfolio_id)
    rejects = list(csv.reader(io.StringIO(portfolio.rejects_csv)))
    assert rejects[1:] == [
        [
            "6",
            "zona_horaria",
            "America/Chicgo",
            "America/Chicgo no es el nombre de una zona horaria (escríbala como "
            "America/Mexico_City); la zona se toma de la región y del teléfono.",
            "valor ignorado",
        ]
    ]

    again = import_portfolio(
        session,
        client_id=client_id,
        filename="us.csv",
        content=US_FILE.encode(),
        today=TODAY,
        now=CREATED_AT,
    )
    assert (again.updated, again.unchanged) == (0, 5)

    moved = US_FILE.replace("310 206 1234,Texas", "310 206 1234,California")
    third = import_portfolio(
        session,
        client_id=client_id,
        filename="us.csv",
        content=moved.encode(),
        today=TODAY,
        now=CREATED_AT,
    )
    assert third.updated == 1
    assert _zones(session, "US-2") == LA


def test_correcting_a_region_or_a_phone_recomputes_the_zones(session: Session) -> None:
    client = make_client(session, country="US", timezone=NY, profile=ComplianceProfile.US)
    account = make_account(session, client=client, phone="+12126391234")
    debtor = account.debtor
    assert correct_region(
        session, debtor_id=debtor.id, region="Texas", actor_label="t", now=CREATED_AT
    ) == (
        CHI,
        DEN,
        NY,
    )
    point = session.scalars(select(ContactPoint).where(ContactPoint.debtor_id == debtor.id)).one()
    zones = correct_phone(
        session,
        contact_point_id=point.id,
        value="(310) 206-1234",
        actor_label="t",
        now=CREATED_AT,
    )
    assert zones == (CHI, DEN, LA)
    assert point.value == "+13102061234"
    with pytest.raises(PhoneNotValid):
        correct_phone(
            session, contact_point_id=point.id, value="123", actor_label="t", now=CREATED_AT
        )
    assert (debtor.timezone, debtor.timezones) == (CHI, f"{CHI} {DEN} {LA}")


def test_a_wrong_number_no_longer_places_the_debtor(session: Session) -> None:
    client = make_client(session, country="US", timezone=NY, profile=ComplianceProfile.US)
    account = make_account(session, client=client, phone="+13102061234")
    correct_region(
        session, debtor_id=account.debtor_id, region="Illinois", actor_label="t", now=CREATED_AT
    )
    assert account.debtor.timezones == f"{CHI} {LA}"
    record_outcome(
        session,
        account_id=account.id,
        attempt_id=answered_call(session, account).id,
        agent_id=None,
        outcome=parse_outcome({"disposition": "wrong_number"}),
        submission_key="k1",
        now=NOW,
    )
    assert account.debtor.timezones == CHI


def test_the_backfill_recomputes_rows_stored_with_the_creditors_zone(session: Session) -> None:
    client = make_client(session, country="US", timezone=NY, profile=ComplianceProfile.US)
    texan = make_account(session, client=client, phone="+17132471234")
    unknown = make_account(session, client=client, phone="+18005551234")
    session.execute(update(Debtor).where(Debtor.id == texan.debtor_id).values(region="Texas"))
    assert texan.debtor.timezones == NY

    assert recompute_zones(session) == 1
    session.expire_all()
    assert session.get_one(Debtor, texan.debtor_id).timezones == f"{CHI} {DEN}"
    assert session.get_one(Debtor, unknown.debtor_id).timezones == NY
    assert recompute_zones(session) == 0


def test_the_cli_recomputes_one_creditors_debtors(
    session: Session, child_env: dict[str, str]
) -> None:
    client = make_client(
        session, name="Cable US", country="US", timezone=NY, profile=ComplianceProfile.US
    )
    other = make_client(session, name="Otro", country="US", timezone=NY)
    texan = make_account(session, client=client, phone="+17132471234")
    untouched = make_account(session, client=other, phone="+17132471235")
    session.execute(update(Debtor).values(region="Texas"))
    session.commit()
    acuerdo = str(Path(sys.executable).parent / "acuerdo")
    done = subprocess.run(
        [acuerdo, "debtors", "zones", "--client", "Cable US"],
        env=child_env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "1 debtors' time zones updated"
    session.expire_all()
    assert session.get_one(Debtor, texan.debtor_id).timezones == f"{CHI} {DEN}"
    assert session.get_one(Debtor, untouched.debtor_id).timezones == NY


def test_the_account_screen_and_timeline_show_the_debtors_local_times(session: Session) -> None:
    client = make_client(session, country="US", timezone=NY, profile=ComplianceProfile.US)
    account = make_account(session, client=client, phone="+13102061234")
    correct_region(
        session, debtor_id=account.debtor_id, region="Illinois", actor_label="t", now=CREATED_AT
    )
    now = datetime(2026, 3, 8, 13, 12, tzinfo=UTC)

    screen = build_screen(session, account_id=account.id, verified=False, now=now)
    assert screen["debtor"]["timezones"] == [CHI, LA]
    assert [(t["zone"], t["time"]) for t in screen["debtor"]["local_times"]] == [
        (CHI, "08:12"),  # CDT: the first day of daylight time
        (LA, "06:12"),
    ]
    session.add(
        Attempt(
            client_id=client.id,
            account_id=account.id,
            channel=Channel.VOICE,
            status=AttemptStatus.NO_ANSWER,
            created_at=datetime(2026, 3, 7, 15, 5, tzinfo=UTC),
        )
    )
    session.flush()
    (entry,) = [e.as_dict() for e in account_timeline(session, account_id=account.id)]
    assert entry["local"] == [
        {"zone": CHI, "at": "2026-03-07T09:05:00-06:00", "time": "09:05"},  # still CST
        {"zone": LA, "at": "2026-03-07T07:05:00-08:00", "time": "07:05"},
    ]
