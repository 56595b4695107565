"""The browser phone: an agent fetches its Twilio Voice access token."""

from fastapi import APIRouter
from pydantic import BaseModel

from console.deps import CallTakerUser
from console.edge.errors import documented
from telephony.voice_tokens import TOKEN_SECONDS, agent_identity, voice_token

router = APIRouter(prefix="/api/voice", tags=["voice"], responses=documented(401, 403))


class VoiceToken(BaseModel):
    identity: str
    token: str
    ttl_seconds: int


@router.get("/token")
def token(user: CallTakerUser) -> VoiceToken:
    """A Twilio Voice SDK access token for the signed-in agent's browser phone."""
    return VoiceToken(
        identity=agent_identity(user.id), token=voice_token(user.id), ttl_seconds=TOKEN_SECONDS
    )
