"""Who may hear a call's recording: the agent who had the call, and the supervisors and
managers of its creditor (anyone else is told there is no such recording)."""

from datetime import datetime

from sqlalchemy.orm import Session

from campaigns.audit import record
from campaigns.errors import NotFound
from campaigns.i18n import _
from campaigns.models import Attempt, Role, User
from campaigns.tenancy import session_viewer, viewer_for

LISTENERS = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})


def playable_recording(session: Session, *, attempt_id: int, user: User, now: datetime) -> str:
    """The provider's recording SID of a call this user may hear (audited), or NotFound."""
    attempt = session.get(Attempt, attempt_id)
    viewer = session_viewer(session) or viewer_for(session, user)
    role = Role(user.role)
    allowed = attempt is not None and viewer.may_see(attempt.client_id)
    if allowed and attempt is not None and role not in LISTENERS:
        allowed = role == Role.AGENT and attempt.agent_id == user.id
    if not allowed or attempt is None or not attempt.recording_sid:
        raise NotFound(_("There is no recording of that call you may hear."))
    record(
        session,
        action="recording.played",
        entity=attempt,
        actor_label=user.username,
        actor_id=user.id,
        at=now,
        data={"attempt_id": attempt.id},
    )
    return attempt.recording_sid
