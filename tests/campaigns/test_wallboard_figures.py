"""The wallboard's floor figures for one operating day, from stored calls and agent activity."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from campaigns.models import (
    GREETED,
    ROUTED,
    Account,
    AgentActivity,
    Attempt,
    AttemptEvent,
    AttemptStatus,
    Campaign,
    Channel,
    Client,
    Outcome,
    PromiseToPay,
    Role,
    User,
)
from campaigns.wallboard import service_levels
from console.supervision import supervisor_view
from tests.factories import make_account, make_campaign, make_client, make_user

NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # 12:00 in Mexico City
T = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def _call(
    session: Session,
    campaign: Campaign,
    account: Account,
    *,
    answered: datetime | None,
    routed_after: float | None = None,
    greeted_after: float | None = None,
    abandoned: bool = False,
    status: AttemptStatus = AttemptStatus.COMPLETED,
    created: datetime | None = None,
) -> Attempt:
    attempt = Attempt(
        client_id=campaign.client_id,
        account_id=account.id,
        campaign_id=campaign.id,
        channel=Channel.VOICE,
        status=status,
        answered_by="human" if answered else None,
        answered_at=answered,
        abandoned=abandoned,
        created_at=created or (answered or NOW) - timedelta(seconds=10),
    )
    session.add(attempt)
    session.flush()
    for status, after in ((GREETED, greeted_after), (ROUTED, routed_after)):
        if answered and after is not None:
            session.add(
                AttemptEvent(
                    client_id=campaign.client_id,
                    attempt_id=attempt.id,
                    status=status,
                    source="acuerdo",
                    data={},
                    occurred_at=answered + timedelta(seconds=after),
                )
            )
    return attempt


def _stretch(
    session: Session,
    agent_id: int,
    state: str,
    start: datetime,
    seconds: float | None,
    attempt_id: int | None = None,
) -> datetime:
    end = start + timedelta(seconds=seconds) if seconds is not None else None
    session.add(
        AgentActivity(
            event_id=f"{agent_id}-{start.timestamp()}",
            agent_id=agent_id,
            state=state,
            reason="",
            attempt_id=attempt_id,
            started_at=start,
            ended_at=end,
            duration_seconds=seconds,
        )
    )
    return end or start


def _floor(session: Session) -> tuple[Client, User, User, Campaign, Account]:
    """A creditor with an agent and a supervisor, one campaign and one account."""
    client = make_client(session)
    agent = make_user(session, username="agente-k", role=Role.AGENT, access=[client])
    supervisor = make_user(session, username="super-k", role=Role.SUPERVISOR, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent])
    account = make_account(session, client=client, today=date(2026, 11, 30))
    return client, agent, supervisor, campaign, account


def test_service_level_handle_time_occupancy_rates_and_live_calls(session: Session) -> None:
    client, agent, supervisor, campaign, account = _floor(session)
    quick = _call(session, campaign, account, answered=T, routed_after=1.5)
    slow = _call(session, campaign, account, answered=T + timedelta(hours=1), routed_after=3)
    _call(session, campaign, account, answered=T + timedelta(minutes=90), abandoned=True)
    _call(session, campaign, account, answered=T - timedelta(days=20), abandoned=True)
    _call(session, campaign, account, answered=T - timedelta(days=40), abandoned=True)
    ringing = _call(
        session,
        campaign,
        account,
        answered=None,
        status=AttemptStatus.RINGING,
        created=NOW - timedelta(seconds=30),
    )
    outcome = Outcome(
        client_id=client.id,
        account_id=account.id,
        attempt_id=quick.id,
        agent_id=agent.id,
        disposition="promise_to_pay",
        right_party=True,
        created_at=T + timedelta(minutes=4),
    )
    session.add(outcome)
    session.flush()
    session.add(
        PromiseToPay(
            client_id=client.id,
            account_id=account.id,
            outcome_id=outcome.id,
            amount=Decimal("1500.00"),
            due_date=date(2026, 12, 5),
            created_at=T + timedelta(minutes=4),
        )
    )
    at = _stretch(session, agent.id, "ready", datetime(2026, 11, 30, 15, 0, tzinfo=UTC), 3601.5)
    at = _stretch(session, agent.id, "on_call", at, 180, quick.id)
    at = _stretch(session, agent.id, "wrap_up", at, 30, quick.id)
    at = _stretch(session, agent.id, "ready", at, (slow.answered_at - at).total_seconds() + 3)  # type: ignore[operator]
    at = _stretch(session, agent.id, "on_call", at, 120, slow.id)
    at = _stretch(session, agent.id, "wrap_up", at, 30, slow.id)
    signed_in = (at - datetime(2026, 11, 30, 15, 0, tzinfo=UTC)).total_seconds()
    _stretch(session, agent.id, "offline", at, None)
    session.commit()

    view = supervisor_view(supervisor.id, NOW)
    (figures,) = view["campaigns"]
    assert figures["contacts"] == 3 and figures["abandoned"] == 1
    assert figures["abandon_rate_30d"] == pytest.approx(2 / 4)
    assert figures["service_level"] == pytest.approx(1 / 3)
    assert figures["average_handle_seconds"] == pytest.approx((210 + 150) / 2)
    hours = (NOW - (T - timedelta(seconds=10))).total_seconds() / 3600
    assert figures["connects_per_hour"] == pytest.approx(3 / hours)
    assert figures["rpc_per_hour"] == pytest.approx(1 / hours)
    assert figures["currency"] == "MXN" and figures["amount_promised_text"] == "$1,500.00"
    assert figures["creditor"] == client.name and figures["client_id"] == client.id
    assert view["occupancy"] == pytest.approx(360 / signed_in)
    assert view["operating_day"] == "2026-11-30"
    (call,) = view["calls"]
    assert call["attempt_id"] == ringing.id and call["age_seconds"] == 30
    assert call["campaign"] == campaign.name and call["status"] == "ringing"


def test_service_level_counts_from_the_debtors_greeting_not_the_pick_up(session: Session) -> None:
    """Machine detection listens to the debtor's greeting (2-4 s) before the answer webhook: the
    2 seconds to reach an agent run from there. Calls stored before that milestone count from
    the pick-up."""
    client = make_client(session)
    campaign = make_campaign(session, client=client)
    account = make_account(session, client=client, today=date(2026, 11, 30))
    _call(session, campaign, account, answered=T, greeted_after=3, routed_after=3.5)
    _call(session, campaign, account, answered=T, greeted_after=3, routed_after=6)
    _call(session, campaign, account, answered=T, routed_after=1.5)
    _call(session, campaign, account, answered=T, greeted_after=2.5, abandoned=True)
    session.commit()

    levels = service_levels(session, T - timedelta(hours=1), NOW)
    assert levels == {campaign.id: pytest.approx(2 / 4)}


def test_a_call_still_being_handled_is_not_averaged_as_a_short_one(session: Session) -> None:
    """Average handle time counts a call once its wrap-up is over: the call on the line 10 s
    into it would pull a 2-minute average down to 65 s."""
    _client, agent, supervisor, campaign, account = _floor(session)
    done = _call(session, campaign, account, answered=T, routed_after=1)
    talking = _call(session, campaign, account, answered=NOW - timedelta(seconds=11))
    at = _stretch(session, agent.id, "on_call", T + timedelta(seconds=1), 100, done.id)
    at = _stretch(session, agent.id, "wrap_up", at, 20, done.id)
    _stretch(session, agent.id, "ready", at, (NOW - timedelta(seconds=10) - at).total_seconds())
    _stretch(session, agent.id, "on_call", NOW - timedelta(seconds=10), None, talking.id)
    session.commit()

    (figures,) = supervisor_view(supervisor.id, NOW)["campaigns"]
    assert figures["average_handle_seconds"] == pytest.approx(120)
