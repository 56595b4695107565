"""Redial: the agent calls the same account again on the same number right after a call.

The new call passes the same compliance check as any call at the moment the agent asks (hours,
frequency caps, opt-outs, the debtor's zones), and is placed for the same agent.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.audit import record
from campaigns.compliance import check_account_contact
from campaigns.dispatch_queue import enqueue_attempt_after_commit
from campaigns.errors import Forbidden
from campaigns.i18n import _
from campaigns.models import Account, Attempt, AttemptStatus, Channel
from campaigns.scheduler.preview_dialing import ContactNotAllowed


def start_redial(session: Session, *, attempt_id: int, agent_id: int, now: datetime) -> int:
    """Check the contact again now and create a new call to the same number for the agent."""
    previous = session.get(Attempt, attempt_id)
    if previous is None or previous.agent_id != agent_id:
        raise Forbidden(_("This call is not yours to work on."))
    decision = check_account_contact(
        session,
        account_id=previous.account_id,
        channel=Channel.VOICE,
        contact_point_id=previous.contact_point_id,
        now=now,
        context="redial",
        campaign_id=previous.campaign_id,
    )
    if not decision.allowed:
        raise ContactNotAllowed(
            _("This account cannot be called now: {reason}"), reason=decision.detail(None)
        )
    dedup = f"redial:{previous.id}"
    if session.scalar(select(Attempt.id).where(Attempt.dedup_key == dedup)) is not None:
        raise ContactNotAllowed(
            _("This account cannot be called now: {reason}"),
            reason=_("this call was already redialed"),
        )
    attempt = Attempt(
        client_id=previous.client_id,
        account_id=previous.account_id,
        campaign_id=previous.campaign_id,
        contact_point_id=previous.contact_point_id,
        agent_id=agent_id,
        channel=Channel.VOICE,
        status=AttemptStatus.PENDING,
        dedup_key=dedup,
        step_index=previous.step_index,
        try_number=previous.try_number,
        created_at=now,
    )
    session.add(attempt)
    session.flush()
    record(
        session,
        action="call.redialed",
        entity=session.get_one(Account, previous.account_id),
        actor_label=f"agent:{agent_id}",
        at=now,
        actor_id=agent_id,
        data={"attempt_id": attempt.id, "previous_attempt_id": previous.id},
    )
    enqueue_attempt_after_commit(session, attempt.id)
    return attempt.id
