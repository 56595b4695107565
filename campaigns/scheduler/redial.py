"""Redial: the agent calls the same account again on the same number right after a call.

The new call passes the same compliance check as any call at the moment the agent asks (hours,
frequency caps, opt-outs, the debtor's zones), and is placed for the same agent.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from campaigns.errors import Forbidden
from campaigns.i18n import _
from campaigns.models import Attempt
from campaigns.scheduler.agent_calls import start_agent_call


def start_redial(session: Session, *, attempt_id: int, agent_id: int, now: datetime) -> int:
    """Check the contact again now and create a new call to the same number for the agent."""
    previous = session.get(Attempt, attempt_id)
    if previous is None or previous.agent_id != agent_id:
        raise Forbidden(_("This call is not yours to work on."))
    return start_agent_call(
        session,
        account_id=previous.account_id,
        contact_point_id=previous.contact_point_id,
        campaign_id=previous.campaign_id,
        agent_id=agent_id,
        dedup_key=f"redial:{previous.id}",
        step_index=previous.step_index,
        try_number=previous.try_number,
        context="redial",
        already_placed=_("this call was already redialed"),
        action="call.redialed",
        audit_data={"previous_attempt_id": previous.id},
        now=now,
    )
