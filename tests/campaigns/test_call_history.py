"""What the pacer learns from a campaign's calls: rates, durations, the abandon window, the lines
in use and the answered calls still waiting for an agent."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from campaigns.call_history import call_history
from campaigns.models import (
    Attempt,
    AttemptEvent,
    AttemptStatus,
    Campaign,
    Channel,
    Outcome,
    Role,
    User,
)
from tests.factories import make_account, make_campaign, make_client, make_user

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def _call(session: Session, campaign: Campaign, account_id: int, **fields: Any) -> Attempt:
    attempt = Attempt(
        client_id=campaign.client_id,
        account_id=account_id,
        campaign_id=campaign.id,
        channel=Channel.VOICE,
        **fields,
    )
    session.add(attempt)
    session.flush()
    return attempt


def _talked(
    session: Session,
    campaign: Campaign,
    agent: User,
    account_id: int,
    placed: datetime,
    *,
    ring: int,
    talk: int,
    wrap: int,
    routed_after: int | None = None,
) -> None:
    """A live answer an agent took, and its outcome saved after `wrap` seconds of wrap-up;
    routed to the agent `routed_after` seconds after the answer, when given."""
    answered = placed + timedelta(seconds=ring)
    ended = answered + timedelta(seconds=talk)
    attempt = _call(
        session,
        campaign,
        account_id,
        status=AttemptStatus.COMPLETED,
        answered_by="human",
        agent_id=agent.id,
        created_at=placed,
        dispatched_at=placed,
        answered_at=answered,
        ended_at=ended,
        duration_seconds=talk,
    )
    session.add(
        Outcome(
            client_id=campaign.client_id,
            account_id=account_id,
            attempt_id=attempt.id,
            agent_id=agent.id,
            disposition="refuses",
            created_at=ended + timedelta(seconds=wrap),
        )
    )
    if routed_after is not None:
        session.add(
            AttemptEvent(
                client_id=campaign.client_id,
                attempt_id=attempt.id,
                status="routed",
                source="acuerdo",
                occurred_at=answered + timedelta(seconds=routed_after),
            )
        )


def test_history_reads_rates_durations_lines_and_the_abandon_window(session: Session) -> None:
    client = make_client(session)
    agent = make_user(session, role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent], mode="predictive")
    account = make_account(session, client=client).id
    placed = NOW - timedelta(minutes=10)
    _talked(session, campaign, agent, account, placed, ring=9, talk=120, wrap=25)
    yesterday = NOW - timedelta(hours=26)
    _talked(session, campaign, agent, account, yesterday, ring=11, talk=60, wrap=15)
    ended = {"created_at": placed, "ended_at": placed + timedelta(seconds=30)}
    _call(
        session,
        campaign,
        account,
        status=AttemptStatus.COMPLETED,
        answered_by="machine_start",
        **ended,
    )
    _call(session, campaign, account, status=AttemptStatus.NO_ANSWER, **ended)
    _call(session, campaign, account, status=AttemptStatus.NO_ANSWER, **ended)
    for when in (NOW - timedelta(days=7), NOW - timedelta(days=40)):  # in and out of 30 days
        _call(
            session,
            campaign,
            account,
            status=AttemptStatus.COMPLETED,
            answered_by="human",
            abandoned=True,
            created_at=when,
            ended_at=when,
        )
    _call(
        session,
        campaign,
        account,
        status=AttemptStatus.QUEUED,
        created_at=NOW - timedelta(seconds=5),
        dispatched_at=NOW - timedelta(seconds=4),
    )
    _call(session, campaign, account, status=AttemptStatus.PENDING, created_at=NOW)
    _call(
        session,
        campaign,
        account,
        status=AttemptStatus.RINGING,
        created_at=NOW - timedelta(seconds=13),
        dispatched_at=NOW - timedelta(seconds=12),
    )
    session.flush()

    history = call_history(session, campaign_id=campaign.id, now=NOW)

    assert (history.answer_rate, history.machine_rate, history.recent_calls) == (0.25, 0.25, 4), (
        "rates come from the last two hours"
    )
    assert history.ring_to_answer_s == (9.0, 11.0), "durations come from the week's live answers"
    assert (history.talk_s, history.wrap_s) == ((120.0, 60.0), (25.0, 15.0))
    assert (history.live_answers, history.abandons) == (3, 1), "the window is 30 days"
    assert (history.day_live_answers, history.day_abandons) == (1, 0)
    assert sorted(history.ringing_elapsed_s) == [0.0, 4.0, 12.0], "ringing since handed over"
    assert history.answered_waiting == 0


def test_answered_calls_not_bridged_yet_are_waiting_unless_a_machine(session: Session) -> None:
    """With machine detection the answer webhook (and routing) comes seconds after the call is
    in progress; a call in that gap needs an agent as much as one known to be a person."""
    client = make_client(session)
    agent = make_user(session, role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent], mode="progressive")
    account = make_account(session, client=client).id
    live = {"status": AttemptStatus.IN_PROGRESS, "created_at": NOW - timedelta(seconds=20)}
    _call(session, campaign, account, answered_by=None, **live)
    _call(session, campaign, account, answered_by="human", **live)
    _call(session, campaign, account, answered_by="machine_end_beep", **live)
    _call(session, campaign, account, answered_by="human", agent_id=agent.id, **live)
    _call(session, campaign, account, answered_by="human", abandoned=True, **live)
    session.flush()

    assert call_history(session, campaign_id=campaign.id, now=NOW).answered_waiting == 2


def test_ring_times_run_to_routing_and_the_newest_outcomes_come_first(session: Session) -> None:
    """Machine detection held the first call 3 s after "in-progress": the pacer's bet is timed
    to the routing (ring to routing, talk from routing to the hang-up, as the loop times the
    agent's call). The newest outcomes list who answered, newest first."""
    client = make_client(session)
    agent = make_user(session, role=Role.AGENT, access=[client])
    campaign = make_campaign(session, client=client, agents=[agent], mode="predictive")
    account = make_account(session, client=client).id
    early = NOW - timedelta(minutes=20)
    _talked(session, campaign, agent, account, early, ring=9, talk=120, wrap=25, routed_after=3)
    _call(
        session,
        campaign,
        account,
        status=AttemptStatus.NO_ANSWER,
        created_at=NOW - timedelta(minutes=5),
        ended_at=NOW - timedelta(minutes=4),
    )
    session.flush()

    history = call_history(session, campaign_id=campaign.id, now=NOW)

    assert history.ring_to_answer_s == (12.0,)
    assert history.talk_s == (117.0,)
    assert history.recent_person_answers == (False, True)
