"""Each agent's day: handled calls, talk time, right-party contacts, promises and amounts
(report_agent_days), and seconds in each state from the activity history
(report_agent_state_days)."""

from collections.abc import Collection
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from campaigns.agent_activity import time_in_state
from campaigns.models import Attempt, Outcome, PromiseStatus, PromiseToPay
from campaigns.reports.daily.merged import HUMAN, Merged, Row, of_clients, within_ids
from campaigns.reports.days import day_bounds

AGENT_DIMS = ("agent_id", "client_id", "campaign_id")
AGENT_MEASURES = (
    "handled",
    "talk_seconds",
    "right_party",
    "promises",
    "amount_promised",
    "amount_kept",
)


def agent_rows(
    session: Session,
    day: date,
    measures: Collection[str] = AGENT_MEASURES,
    *,
    client_ids: Collection[int] | None = None,
) -> list[Row]:
    """Each agent's handled calls, talk time, right-party contacts, promises and amount kept in
    the day, per creditor and campaign. Only the queries giving `measures` run, and only for
    `client_ids` when given (a report reading today live asks for what it shows); the rollup
    asks for everything."""
    wanted = frozenset(measures)
    merged = Merged(AGENT_DIMS, AGENT_MEASURES)
    if wanted & {"handled", "talk_seconds"}:
        _handled(session, day, client_ids, merged)
    if "right_party" in wanted:
        _right_party(session, day, client_ids, merged)
    if wanted & {"promises", "amount_promised", "amount_kept"}:
        _promises(session, day, client_ids, merged)
    return merged.result(day)


def _handled(
    session: Session, day: date, client_ids: Collection[int] | None, merged: Merged
) -> None:
    bounds = day_bounds(day)
    start, end = bounds.start, bounds.end
    handled = session.execute(
        select(
            Attempt.agent_id,
            Attempt.client_id,
            Attempt.campaign_id,
            func.count(Attempt.id),
            func.coalesce(func.sum(Attempt.duration_seconds), 0),
        )
        .where(
            Attempt.created_at >= start,
            Attempt.created_at < end,
            Attempt.agent_id.is_not(None),
            Attempt.answered_by == HUMAN,
            *of_clients(Attempt.client_id, client_ids),
        )
        .group_by(Attempt.agent_id, Attempt.client_id, Attempt.campaign_id)
    )
    for agent_id, client_id, campaign_id, count, talk in handled:
        key = {"agent_id": agent_id, "client_id": client_id, "campaign_id": campaign_id}
        merged.add(key, handled=count, talk_seconds=int(talk or 0))


OUTCOME_DIMS = (Outcome.agent_id, Outcome.client_id, Attempt.campaign_id)


def _right_party(
    session: Session, day: date, client_ids: Collection[int] | None, merged: Merged
) -> None:
    bounds = day_bounds(day)
    start, end = bounds.start, bounds.end
    # The day's outcomes and promises are many: their outcomes and calls are read as the slice
    # of ids they point to (within_ids), not looked up one by one nor scanned in full.
    right_party = (
        Outcome.created_at >= start,
        Outcome.created_at < end,
        Outcome.right_party,
        Outcome.agent_id.is_not(None),
        *of_clients(Outcome.client_id, client_ids),
    )
    rpc = session.execute(
        select(*OUTCOME_DIMS, func.count(Outcome.id))
        .outerjoin(
            Attempt,
            and_(
                Attempt.id == Outcome.attempt_id,
                *within_ids(Attempt.id, Outcome.attempt_id, *right_party),
            ),
        )
        .where(*right_party)
        .group_by(*OUTCOME_DIMS)
    )
    for agent_id, client_id, campaign_id, count in rpc:
        key = {"agent_id": agent_id, "client_id": client_id, "campaign_id": campaign_id}
        merged.add(key, right_party=count)


def _promises(
    session: Session, day: date, client_ids: Collection[int] | None, merged: Merged
) -> None:
    bounds = day_bounds(day)
    start, end = bounds.start, bounds.end
    # Promises made in the day and promises kept that fell due in the day: two reads, each
    # through its own index (created_at, due_date). The few falling due are looked up by key.
    made = (
        PromiseToPay.created_at >= start,
        PromiseToPay.created_at < end,
        *of_clients(PromiseToPay.client_id, client_ids),
    )
    outcomes_made = within_ids(Outcome.id, PromiseToPay.outcome_id, *made)
    kept = (
        PromiseToPay.due_date == day,
        PromiseToPay.status == PromiseStatus.KEPT,
        *of_clients(PromiseToPay.client_id, client_ids),
    )
    for where, outcome_slice, call_slice, measure in (
        (made, outcomes_made, within_ids(Attempt.id, Outcome.attempt_id, *outcomes_made), "made"),
        (kept, [], [], "kept"),
    ):
        rows = session.execute(
            select(*OUTCOME_DIMS, func.count(PromiseToPay.id), func.sum(PromiseToPay.amount))
            .join(Outcome, and_(Outcome.id == PromiseToPay.outcome_id, *outcome_slice))
            .outerjoin(Attempt, and_(Attempt.id == Outcome.attempt_id, *call_slice))
            .where(*where, Outcome.agent_id.is_not(None))
            .group_by(*OUTCOME_DIMS)
        )
        for agent_id, client_id, campaign_id, count, amount in rows:
            key = {"agent_id": agent_id, "client_id": client_id, "campaign_id": campaign_id}
            if measure == "made":
                merged.add(key, promises=count, amount_promised=amount)
            else:
                merged.add(key, amount_kept=amount)


def agent_state_rows(
    session: Session, day: date, *, client_ids: Collection[int] | None = None
) -> list[Row]:
    """Seconds each agent spent in each state during the day (from the activity history). An
    agent's time belongs to no one creditor: `client_ids` narrows nothing here (reports keep
    the agents who worked the creditors' campaigns)."""
    bounds = day_bounds(day)
    totals = time_in_state(session, start=bounds.start, end=bounds.end)
    return [
        {"day": day, "agent_id": agent_id, "state": state, "seconds": seconds}
        for agent_id, states in totals.items()
        for state, seconds in states.items()
        if seconds > 0
    ]
