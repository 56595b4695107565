"""A call's recording, streamed through Acuerdo from the provider (never a public URL)."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from campaigns.call_recordings import playable_recording
from campaigns.models import Role, User, utcnow
from console.deps import DbId, SessionDep, require_roles
from console.edge.errors import documented
from telephony.recording import fetch_audio

router = APIRouter(prefix="/api/calls", tags=["recordings"], responses=documented(401, 403, 404))
StaffUser = Annotated[User, Depends(require_roles(Role.AGENT, Role.SUPERVISOR, Role.MANAGER))]


@router.get(
    "/{attempt_id}/recording",
    response_class=Response,
    responses={200: {"content": {"audio/wav": {}}}},
)
def recording(attempt_id: DbId, user: StaffUser, db: SessionDep) -> Response:
    """The call's recording as WAV: the agent's own calls, or any call of the supervisor's or
    manager's creditors."""
    recording_sid = playable_recording(db, attempt_id=attempt_id, user=user, now=utcnow())
    return Response(
        fetch_audio(recording_sid),
        media_type="audio/wav",
        headers={"Cache-Control": "no-store", "Content-Disposition": "inline"},
    )
