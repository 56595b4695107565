"""The agent activity history: state changes become stretches of time in a state.

The console records every change of an agent's state, in order; `record_changes` turns each one
into a row that closes the agent's open stretch and opens the next. `time_in_state` sums the
stretches of a period (clipped to it), which is what occupancy, pause and handle-time figures are
computed from.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from campaigns.models import AgentActivity, User


@dataclass(frozen=True)
class StateChange:
    """One agent moving to a state at a moment; `event_id` is unique and ordered per agent."""

    event_id: str
    agent_id: int
    state: str
    reason: str
    attempt_id: int | None
    at: datetime


def record_changes(session: Session, *, changes: Sequence[StateChange]) -> int:
    """Store the changes not stored yet, closing each agent's open stretch; how many were new
    (changes of users since deleted are dropped)."""
    known = set(
        session.scalars(
            select(AgentActivity.event_id).where(
                AgentActivity.event_id.in_([c.event_id for c in changes])
            )
        )
    )
    agents = set(session.scalars(select(User.id).where(User.id.in_({c.agent_id for c in changes}))))
    fresh = [c for c in changes if c.event_id not in known and c.agent_id in agents]
    open_rows = {
        row.agent_id: row
        for row in session.scalars(
            select(AgentActivity).where(
                AgentActivity.agent_id.in_({c.agent_id for c in fresh}),
                AgentActivity.ended_at.is_(None),
            )
        )
    }
    for change in fresh:
        current = open_rows.get(change.agent_id)
        if current is not None:
            current.ended_at = max(change.at, current.started_at)
            current.duration_seconds = (current.ended_at - current.started_at).total_seconds()
        row = AgentActivity(
            event_id=change.event_id,
            agent_id=change.agent_id,
            state=change.state,
            reason=change.reason,
            attempt_id=change.attempt_id,
            started_at=change.at,
        )
        session.add(row)
        open_rows[change.agent_id] = row
    session.flush()
    return len(fresh)


def time_in_state(
    session: Session, *, start: datetime, end: datetime, agent_ids: Iterable[int] | None = None
) -> dict[int, dict[str, float]]:
    """Seconds each agent spent in each state within [start, end); paused time is keyed
    `paused:<reason>`, time on a call with the debtor on hold `on_hold` (apart from `on_call`,
    the talk time). A stretch still open counts up to `end`."""
    query = select(AgentActivity).where(
        AgentActivity.started_at < end,
        or_(AgentActivity.ended_at.is_(None), AgentActivity.ended_at > start),
    )
    if agent_ids is not None:
        query = query.where(AgentActivity.agent_id.in_(list(agent_ids)))
    totals: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in session.scalars(query):
        began, ended = max(row.started_at, start), min(row.ended_at or end, end)
        key = f"paused:{row.reason}" if row.state == "paused" and row.reason else row.state
        totals[row.agent_id][key] += max(0.0, (ended - began).total_seconds())
    return {agent: dict(states) for agent, states in totals.items()}
