"""Recording an agent's outcome form: one transaction through the agreements service."""

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from campaigns.agreements.outcomes import record_outcome
from campaigns.agreements.schemas import parse_outcome
from campaigns.db import read_scope, session_scope
from campaigns.errors import Forbidden, Invalid
from campaigns.i18n import _
from campaigns.models import Attempt, Outcome, utcnow


class FormInvalid(Invalid):
    """The outcome form is missing something or has a wrong value."""


def form_error(error: ValidationError) -> FormInvalid:
    """A readable error naming the fields to fix."""
    fields = sorted({".".join(str(p) for p in e["loc"][1:] or e["loc"]) for e in error.errors()})
    return FormInvalid(_("Check these fields of the form: {fields}."), fields=", ".join(fields))


def submit_outcome(
    *, attempt_id: int, agent_id: int, key: str, form: dict[str, Any]
) -> dict[str, Any]:
    """Validate and record the outcome of the agent's call; the same key records it once."""
    try:
        outcome_in = parse_outcome(form)
    except ValidationError as error:
        raise form_error(error) from error
    with session_scope() as session:
        attempt = session.get(Attempt, attempt_id)
        if attempt is None or attempt.agent_id != agent_id:
            raise Forbidden(_("This call is not yours to work on."))
        outcome = record_outcome(
            session,
            account_id=attempt.account_id,
            attempt_id=attempt.id,
            agent_id=agent_id,
            outcome=outcome_in,
            submission_key=key,
            now=utcnow(),
        )
        return {"outcome_id": outcome.id, "disposition": str(outcome.disposition)}


def recorded_for_attempt(*, agent_id: int, attempt_id: int) -> dict[str, Any] | None:
    """The outcome this agent already recorded for this call (from another tab), if any."""
    with read_scope() as session:
        outcome = session.scalar(
            select(Outcome).where(Outcome.attempt_id == attempt_id, Outcome.agent_id == agent_id)
        )
        if outcome is None:
            return None
        return {"outcome_id": outcome.id, "disposition": str(outcome.disposition)}


def recorded_with_key(*, agent_id: int, key: str) -> dict[str, Any] | None:
    """The outcome this agent already recorded with this submission key, if any."""
    with read_scope() as session:
        outcome = session.scalar(
            select(Outcome).where(Outcome.submission_key == key, Outcome.agent_id == agent_id)
        )
        if outcome is None:
            return None
        return {"outcome_id": outcome.id, "disposition": str(outcome.disposition)}
