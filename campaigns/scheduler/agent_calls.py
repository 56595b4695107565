"""A call an agent asked for (a preview call, a redial): checked against the contact rules at the
moment the agent asks, created once per dedup key, audited and enqueued after commit."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.audit import record
from campaigns.compliance import check_account_contact
from campaigns.dispatch_queue import enqueue_attempt_after_commit
from campaigns.errors import Conflict
from campaigns.i18n import _
from campaigns.models import Account, Attempt, AttemptStatus, Channel


class ContactNotAllowed(Conflict):
    """The compliance check refused the call the agent asked for."""


def start_agent_call(
    session: Session,
    *,
    account_id: int,
    contact_point_id: int | None,
    campaign_id: int | None,
    agent_id: int,
    dedup_key: str,
    step_index: int,
    try_number: int,
    recycle_reason: str | None = None,
    context: str,
    already_placed: str,
    action: str,
    audit_data: dict[str, Any],
    now: datetime,
) -> int:
    """Check the contact now and create the agent's call attempt (enqueued after commit).

    `already_placed` is the reason given when an attempt with this dedup key exists; the audit
    event `action` records the new attempt's id, then `audit_data`.
    """
    decision = check_account_contact(
        session,
        account_id=account_id,
        channel=Channel.VOICE,
        contact_point_id=contact_point_id,
        now=now,
        context=context,
        campaign_id=campaign_id,
    )
    if not decision.allowed:
        raise ContactNotAllowed(
            _("This account cannot be called now: {reason}"), reason=decision.detail(None)
        )
    if session.scalar(select(Attempt.id).where(Attempt.dedup_key == dedup_key)) is not None:
        raise ContactNotAllowed(
            _("This account cannot be called now: {reason}"), reason=already_placed
        )
    account = session.get_one(Account, account_id)
    attempt = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        campaign_id=campaign_id,
        contact_point_id=contact_point_id,
        agent_id=agent_id,
        channel=Channel.VOICE,
        status=AttemptStatus.PENDING,
        dedup_key=dedup_key,
        step_index=step_index,
        try_number=try_number,
        recycle_reason=recycle_reason,
        created_at=now,
    )
    session.add(attempt)
    session.flush()
    record(
        session,
        action=action,
        entity=account,
        actor_label=f"agent:{agent_id}",
        at=now,
        actor_id=agent_id,
        data={"attempt_id": attempt.id, **audit_data},
    )
    enqueue_attempt_after_commit(session, attempt.id)
    return attempt.id
