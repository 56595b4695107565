"""Transfers of a live call to another agent or a supervisor of the same creditor (signed in to
the console and ready): who may take it, and the record.

The attempt belongs to the agent who holds the call: after a transfer the new agent records the
outcome. Each transfer is an attempt event and an audit entry (from, to, warm or cold).
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.audit import record
from campaigns.errors import Forbidden, Invalid
from campaigns.i18n import _
from campaigns.models import Account, Attempt, AttemptEvent, Role, User, UserClientAccess

TRANSFERRED = "transferred"


def transfer_targets(session: Session, *, client_id: int, agent_id: int) -> list[int]:
    """The other active agents and supervisors allowed to work this creditor's accounts."""
    return list(
        session.scalars(
            select(User.id)
            .join(UserClientAccess, UserClientAccess.user_id == User.id)
            .where(
                UserClientAccess.client_id == client_id,
                User.role.in_((Role.AGENT, Role.SUPERVISOR)),
                User.is_active.is_(True),
                User.id != agent_id,
            )
            .order_by(User.id)
        )
    )


def check_transfer(session: Session, *, attempt_id: int, from_agent: int, to_agent: int) -> None:
    """Refuse a transfer of someone else's call, or to someone who may not work its creditor."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.agent_id != from_agent:
        raise Forbidden(_("This call is not yours to work on."))
    if to_agent not in transfer_targets(session, client_id=attempt.client_id, agent_id=from_agent):
        raise Invalid(_("Choose another agent of this creditor to transfer the call to."))


def record_transfer(
    session: Session,
    *,
    attempt_id: int,
    from_agent: int,
    to_agent: int,
    warm: bool,
    now: datetime,
) -> None:
    """The call now belongs to `to_agent`, who records its outcome."""
    check_transfer(session, attempt_id=attempt_id, from_agent=from_agent, to_agent=to_agent)
    attempt = session.get_one(Attempt, attempt_id, with_for_update=True)
    attempt.agent_id = to_agent
    data = {"from_agent_id": from_agent, "to_agent_id": to_agent, "warm": warm}
    session.add(AttemptEvent.on(attempt, TRANSFERRED, now, data=data))
    record(
        session,
        action="call.transferred",
        entity=session.get_one(Account, attempt.account_id),
        actor_label=f"agent:{from_agent}",
        at=now,
        actor_id=from_agent,
        data={"attempt_id": attempt.id, **data},
    )
