"""The carrier sandbox: a real HTTP server that speaks Twilio's REST API and simulates debtors.

Run it with `acuerdo sandbox` (or `python -m telephony.sandbox`); point the SDK at it with
`telephony.client.twilio_client()`. See docs/sandbox.md.
"""

from pathlib import Path

import uvicorn

from campaigns.settings import Settings, get_settings
from telephony.sandbox.api import create_app
from telephony.sandbox.network import Network
from telephony.sandbox.world import World, load_world

__all__ = ["Network", "World", "build_network", "create_app", "load_world", "serve"]


def build_network(world: World, settings: Settings | None = None) -> Network:
    """A sandbox network with the account, token and inbound webhooks from settings."""
    settings = settings or get_settings()
    base = settings.public_base_url.rstrip("/")
    return Network(
        world,
        account_sid=settings.account_sid,
        auth_token=settings.auth_token,
        sms_inbound_url=settings.sandbox_sms_inbound_url or f"{base}/twilio/sms/inbound",
        whatsapp_inbound_url=(
            settings.sandbox_whatsapp_inbound_url or f"{base}/twilio/whatsapp/inbound"
        ),
        voice_inbound_url=settings.sandbox_voice_inbound_url or f"{base}/twilio/voice/inbound",
        voice_status_url=f"{base}/twilio/voice/status",
    )


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8081,
    world_file: Path | None = None,
    seed: int | None = None,
    speed: float | None = None,
    calls_per_second: float | None = None,
    inbound_calls_per_hour: float | None = None,
) -> None:
    """Serve the sandbox until interrupted."""
    world = load_world(world_file, seed=seed, speed=speed, calls_per_second=calls_per_second)
    if inbound_calls_per_hour is not None:
        inbound = world.inbound_calls.model_copy(update={"calls_per_hour": inbound_calls_per_hour})
        world = world.model_copy(update={"inbound_calls": inbound})
    app = create_app(build_network(world))
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
