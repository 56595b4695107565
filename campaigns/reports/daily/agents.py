"""Each agent's day: handled calls, talk time, right-party contacts, promises and amounts
(report_agent_days), and seconds in each state from the activity history
(report_agent_state_days)."""

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.agent_activity import time_in_state
from campaigns.models import Attempt, Outcome, PromiseStatus, PromiseToPay
from campaigns.reports.daily.merged import HUMAN, Merged, Row, of_clients
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
    session: Session, day: date, *, client_ids: Collection[int] | None = None
) -> list[Row]:
    """Each agent's handled calls, talk time, right-party contacts, promises and amount kept in
    the day, per creditor and campaign (of `client_ids` only, when given)."""
    bounds = day_bounds(day)
    start, end = bounds.start, bounds.end
    merged = Merged(AGENT_DIMS, AGENT_MEASURES)
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
    outcome_dims = (Outcome.agent_id, Outcome.client_id, Attempt.campaign_id)
    rpc = session.execute(
        select(*outcome_dims, func.count(Outcome.id))
        .outerjoin(Attempt, Attempt.id == Outcome.attempt_id)
        .where(
            Outcome.created_at >= start,
            Outcome.created_at < end,
            Outcome.right_party,
            Outcome.agent_id.is_not(None),
            *of_clients(Outcome.client_id, client_ids),
        )
        .group_by(*outcome_dims)
    )
    for agent_id, client_id, campaign_id, count in rpc:
        key = {"agent_id": agent_id, "client_id": client_id, "campaign_id": campaign_id}
        merged.add(key, right_party=count)
    # Promises made in the day and promises kept that fell due in the day: two reads, each
    # through its own index (created_at, due_date), then to the outcome and call by their keys.
    made = (PromiseToPay.created_at >= start, PromiseToPay.created_at < end)
    kept = (PromiseToPay.due_date == day, PromiseToPay.status == PromiseStatus.KEPT)
    for where, measure in ((made, "amount_promised"), (kept, "amount_kept")):
        rows = session.execute(
            select(*outcome_dims, func.count(PromiseToPay.id), func.sum(PromiseToPay.amount))
            .join(Outcome, Outcome.id == PromiseToPay.outcome_id)
            .outerjoin(Attempt, Attempt.id == Outcome.attempt_id)
            .where(
                *where,
                Outcome.agent_id.is_not(None),
                *of_clients(PromiseToPay.client_id, client_ids),
            )
            .group_by(*outcome_dims)
        )
        for agent_id, client_id, campaign_id, count, amount in rows:
            key = {"agent_id": agent_id, "client_id": client_id, "campaign_id": campaign_id}
            if measure == "amount_promised":
                merged.add(key, promises=count, amount_promised=amount)
            else:
                merged.add(key, amount_kept=amount)
    return merged.result(day)


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
