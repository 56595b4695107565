"""Access tokens for agents' browser phones (Twilio Voice JavaScript SDK)."""

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from campaigns.settings import get_settings

TOKEN_SECONDS = 3600


def agent_identity(agent_id: int) -> str:
    """The client identity an agent's browser registers as (`client:agent-7` in TwiML and REST)."""
    return f"agent-{agent_id}"


def voice_token(agent_id: int) -> str:
    """A signed, short-lived token letting the agent's browser receive and place calls."""
    settings = get_settings()
    key_sid, key_secret, app_sid = settings.voice_key
    token = AccessToken(
        settings.account_sid,
        key_sid,
        key_secret,
        identity=agent_identity(agent_id),
        ttl=TOKEN_SECONDS,
    )
    token.add_grant(VoiceGrant(incoming_allow=True, outgoing_application_sid=app_sid))
    return str(token.to_jwt())
