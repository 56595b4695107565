"""Hold time from the agent activity history: a call's talk is split around the stretch its
debtor spent on hold, and the Agents report, the rollup and the wallboard's occupancy count hold
as handling time. One call, worked out by hand."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from campaigns.agent_activity import StateChange, record_changes, time_in_state
from campaigns.models import Attempt, AttemptStatus, Channel
from campaigns.reports import build_report
from campaigns.reports.rollup import rollup
from campaigns.reports.table import ReportFilter
from campaigns.wallboard import occupancy
from tests.factories import make_account, make_campaign, make_client, make_user

DAY = date(2026, 11, 10)
NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, second, tzinfo=UTC)


# The agent's half hour: ready, a call with 90 s on hold in the middle, wrap-up, a pause.
SHIFT = [
    ("ready", "", False, at(15, 0)),  # ready 600 s
    ("reserved", "", True, at(15, 10)),  # reserved 5 s
    ("on_call", "", True, at(15, 10, 5)),  # talk 120 s
    ("on_hold", "", True, at(15, 12, 5)),  # hold 90 s
    ("on_call", "", True, at(15, 13, 35)),  # talk 90 s
    ("wrap_up", "", True, at(15, 15, 5)),  # wrap-up 60 s
    ("paused", "break", False, at(15, 16, 5)),  # pause 600 s
    ("ready", "", False, at(15, 26, 5)),  # ready 235 s
    ("offline", "", False, at(15, 30)),
]
# Logged in 15:00 -> 15:30 = 1800 s; talk 210, hold 90, wrap-up 60: handling 360 s.


@pytest.fixture
def worked(session: Session) -> tuple[int, int]:
    client = make_client(session, name="Cable Andino")
    agent = make_user(session, username="agente-espera", access=[client])
    campaign = make_campaign(session, client=client, agents=[agent])
    account = make_account(session, client=client, ref="H1")
    call = Attempt(
        client_id=client.id,
        account_id=account.id,
        campaign_id=campaign.id,
        channel=Channel.VOICE,
        status=AttemptStatus.COMPLETED,
        answered_by="human",
        agent_id=agent.id,
        answered_at=at(15, 10),
        duration_seconds=300,
        created_at=at(15, 9, 50),
    )
    session.add(call)
    session.flush()
    record_changes(
        session,
        changes=[
            StateChange(f"{i}-0", agent.id, state, reason, call.id if on_call else None, when)
            for i, (state, reason, on_call, when) in enumerate(SHIFT, start=1)
        ],
    )
    session.commit()
    return client.id, campaign.id


def test_hold_is_summed_apart_from_talk(session: Session, worked: tuple[int, int]) -> None:
    totals = time_in_state(session, start=at(15, 0), end=at(15, 30))
    (states,) = totals.values()
    assert states == {
        "ready": 835.0,
        "reserved": 5.0,
        "on_call": 210.0,
        "on_hold": 90.0,
        "wrap_up": 60.0,
        "paused:break": 600.0,
    }


@pytest.mark.parametrize("source", ["live", "rolled up"])
def test_agents_report_splits_talk_and_hold(
    session: Session, worked: tuple[int, int], source: str
) -> None:
    client_id, _ = worked
    if source == "rolled up":
        rollup(session, date_from=DAY, date_to=DAY, now=NOW)
        session.commit()
    report_filter = ReportFilter(
        client_ids=frozenset({client_id}), date_from=DAY, date_to=DAY, now=NOW
    )
    built = build_report(session, "agents", report_filter)
    (row,) = next(s for s in built.sections if s.key == "agents").rows
    assert (row["talk_seconds"], row["hold_seconds"], row["wrap_up_seconds"]) == (210, 90, 60)
    assert (row["paused_seconds"], row["logged_in_seconds"]) == (600, 1800)
    assert row["average_handle_seconds"] == 360  # (210 + 90 + 60) / 1 call
    assert row["occupancy"] == pytest.approx(360 / 1800)


def test_the_wallboard_occupancy_counts_hold_as_handling(
    session: Session, worked: tuple[int, int]
) -> None:
    _, campaign_id = worked
    # Read at 15:30: busy 210 + 90 + 60 = 360 s of 1800 s signed in.
    assert occupancy(session, campaign_ids=[campaign_id], now=at(15, 30)) == pytest.approx(0.2)
