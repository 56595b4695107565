"""One "today": the BPO's operating day in its zone, for the wallboard and the creditors' pages."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from campaigns.kpis import todays_figures
from campaigns.models import Account, Attempt, AttemptStatus, Channel, Outcome, PromiseToPay
from campaigns.operating_day import operating_day
from campaigns.settings import get_settings
from tests.factories import make_account, make_campaign, make_client

# 01:00 UTC on 1 December is 19:00 on 30 November in Mexico City (UTC-6, no DST).
EVENING_MEXICO = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_the_operating_zone_is_mexico_city_by_default() -> None:
    assert get_settings().operating_timezone == "America/Mexico_City"


def test_at_seven_in_the_evening_the_day_is_the_local_one() -> None:
    day = operating_day(EVENING_MEXICO)
    assert day.date == date(2026, 11, 30)
    assert day.start == datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    assert day.end == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert day.start <= EVENING_MEXICO < day.end


def test_a_day_with_a_clock_change_is_23_or_25_hours_long() -> None:
    spring = operating_day(datetime(2027, 3, 14, 15, 0, tzinfo=UTC), timezone="America/New_York")
    autumn = operating_day(datetime(2027, 11, 7, 15, 0, tzinfo=UTC), timezone="America/New_York")
    assert spring.end - spring.start == timedelta(hours=23)
    assert autumn.end - autumn.start == timedelta(hours=25)


def _promised_call(session: Session, account: Account, campaign_id: int, at: datetime) -> None:
    """A call answered by the debtor at `at`, with a right-party outcome and a promise of 100."""
    attempt = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        campaign_id=campaign_id,
        channel=Channel.VOICE,
        status=AttemptStatus.COMPLETED,
        answered_by="human",
        created_at=at,
    )
    session.add(attempt)
    session.flush()
    outcome = Outcome(
        client_id=account.client_id,
        account_id=account.id,
        attempt_id=attempt.id,
        disposition="promise_to_pay",
        right_party=True,
        created_at=at,
    )
    session.add(outcome)
    session.flush()
    session.add(
        PromiseToPay(
            client_id=account.client_id,
            account_id=account.id,
            outcome_id=outcome.id,
            amount=Decimal("100.00"),
            due_date=date(2026, 12, 5),
            created_at=at,
        )
    )


def test_the_days_figures_at_one_utc_include_the_afternoons_contacts(session: Session) -> None:
    client = make_client(session)
    campaign = make_campaign(session, client=client)
    account = make_account(session, client=client)
    afternoon = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # 14:00 in Mexico City
    last_night = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # 23:00 on the 29th there
    for at in (afternoon, afternoon + timedelta(hours=2), last_night):
        _promised_call(session, account, campaign.id, at)
    session.flush()

    [figures] = todays_figures(session, now=EVENING_MEXICO)
    assert (figures.attempts, figures.contacts, figures.right_party_contacts) == (2, 2, 2)
    assert (figures.promises, figures.amount_promised) == (2, Decimal("200.00"))

    # The next morning in Mexico City (still the 1st in UTC) is a new day with nothing in it.
    [morning] = todays_figures(session, now=datetime(2026, 12, 1, 14, 0, tzinfo=UTC))
    assert (morning.attempts, morning.promises) == (0, 0)


def test_one_creditors_figures_are_only_its_campaigns(session: Session) -> None:
    """The creditor's page asks for its own campaigns' figures: the others are never read."""
    afternoon = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    per_client = {}
    for name, calls in (("Acreedor Alfa", 1), ("Acreedor Bravo", 3)):
        client = make_client(session, name=name)
        campaign = make_campaign(session, client=client, name=f"Campaña {name}")
        account = make_account(session, client=client)
        for n in range(calls):
            _promised_call(session, account, campaign.id, afternoon + timedelta(minutes=n))
        per_client[name] = (client.id, campaign.id)
    session.flush()

    [bravo] = todays_figures(session, now=EVENING_MEXICO, client_id=per_client["Acreedor Bravo"][0])
    assert bravo.campaign_id == per_client["Acreedor Bravo"][1]
    assert (bravo.attempts, bravo.right_party_contacts, bravo.promises) == (3, 3, 3)
    assert bravo.amount_promised == Decimal("300.00")
    assert len(todays_figures(session, now=EVENING_MEXICO)) == 2
