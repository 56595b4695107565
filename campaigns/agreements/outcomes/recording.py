"""Checking an outcome submission against the account, the attempt and the contact point, and
writing it once per submission key with its effects and audit event."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.agreements.errors import (
    AccountNotOpen,
    AgreementNotFound,
    AttemptMismatch,
    ContactPointRequired,
    OutcomeAlreadyRecorded,
)
from campaigns.agreements.notes import check_notes
from campaigns.agreements.outcomes.effects import OutcomeEffects
from campaigns.agreements.schemas import DisputeIn, OutcomeIn, PaidAlreadyIn, is_right_party
from campaigns.audit import record
from campaigns.i18n import _
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    Client,
    ContactPoint,
    Disposition,
    Outcome,
    User,
)

CLOSED = frozenset({AccountStatus.PAID, AccountStatus.CLOSED, AccountStatus.ESCALATED})
AGREEMENTS = frozenset({Disposition.PROMISE_TO_PAY, Disposition.PAYMENT_PLAN, Disposition.CALLBACK})


def record_outcome(
    session: Session,
    *,
    account_id: int,
    attempt_id: int | None,
    agent_id: int | None,
    outcome: OutcomeIn,
    submission_key: str,
    now: datetime,
    today: date | None = None,
    actor_label: str | None = None,
) -> Outcome:
    """Record an outcome and its effects, once per submission key and once per attempt.

    A second submission for an attempt that already has an outcome (the same agent in two tabs)
    gets the first outcome back, even when both race; another agent's is a conflict.
    `actor_label` names who recorded it in the audit trail when it was not an agent (the debtor
    on the self-service page).
    """
    existing = session.scalar(select(Outcome).where(Outcome.submission_key == submission_key))
    if existing is not None:
        return existing
    account = session.get(Account, account_id)
    if account is None:
        raise AgreementNotFound(_("No account with id {id}."), id=account_id)
    client = session.get_one(Client, account.client_id)
    today = today or now.astimezone(ZoneInfo(client.timezone)).date()
    attempt = _attempt(session, account, attempt_id)
    first = _first_outcome(session, attempt_id, agent_id)
    if first is not None:
        return first
    if agent_id is not None and session.get(User, agent_id) is None:
        raise AgreementNotFound(_("No agent with id {id}."), id=agent_id)
    notes = check_notes(outcome.notes)
    if isinstance(outcome, DisputeIn):
        check_notes(outcome.reason)
    if isinstance(outcome, PaidAlreadyIn):
        check_notes(outcome.reference)
    disposition = Disposition(outcome.disposition)
    if disposition in AGREEMENTS | {Disposition.DISPUTE} and account.status in CLOSED:
        raise AccountNotOpen(
            _("The account is {status}; an agreement can no longer be recorded on it."),
            status=account.status,
        )
    point = _contact_point(session, account, outcome.contact_point_id, attempt)

    row = Outcome(
        client_id=account.client_id,
        account_id=account.id,
        attempt_id=attempt.id if attempt else None,
        agent_id=agent_id,
        disposition=disposition,
        right_party=is_right_party(outcome),
        notes=notes,
        submission_key=submission_key,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        first = session.scalar(
            select(Outcome).where(Outcome.submission_key == submission_key)
        ) or _first_outcome(session, attempt_id, agent_id)
        if first is None:
            raise
        return first

    effects = OutcomeEffects(session, client, account, row, point, agent_id, now, today)
    data = effects.apply(outcome)
    record(
        session,
        action="outcome.recorded",
        entity=row,
        actor_id=agent_id,
        actor_label=actor_label or (f"agent:{agent_id}" if agent_id else "system"),
        at=now,
        data={"disposition": str(disposition), "attempt_id": row.attempt_id, **data},
    )
    session.flush()
    return row


def _attempt(session: Session, account: Account, attempt_id: int | None) -> Attempt | None:
    if attempt_id is None:
        return None
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise AgreementNotFound(_("No attempt with id {id}."), id=attempt_id)
    if attempt.account_id != account.id:
        raise AttemptMismatch(
            _("Attempt {attempt} is not a contact with account {account}; reload the account."),
            attempt=attempt_id,
            account=account.id,
        )
    return attempt


def _first_outcome(
    session: Session, attempt_id: int | None, agent_id: int | None
) -> Outcome | None:
    """The attempt's outcome if it has one and this agent recorded it; another's is a conflict."""
    if attempt_id is None:
        return None
    first = session.scalar(select(Outcome).where(Outcome.attempt_id == attempt_id))
    if first is None or first.agent_id == agent_id:
        return first
    raise OutcomeAlreadyRecorded(
        _("This contact already has an outcome ({disposition}); it cannot be changed."),
        disposition=first.disposition,
    )


def _contact_point(
    session: Session, account: Account, point_id: int | None, attempt: Attempt | None
) -> ContactPoint | None:
    point_id = point_id or (attempt.contact_point_id if attempt else None)
    if point_id is None:
        return None
    point = session.get(ContactPoint, point_id)
    if point is None or point.debtor_id != account.debtor_id:
        raise ContactPointRequired(
            _("Contact point {id} is not one of this debtor's; choose one of the debtor's."),
            id=point_id,
        )
    return point
