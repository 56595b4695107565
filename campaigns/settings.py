"""Acuerdo's settings: one object, read once from ACUERDO_* environment variables."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

# Fixed, documented test credentials used in sandbox mode when none are configured, so that the
# web app, the workers and the carrier sandbox all agree without any set-up.
SANDBOX_ACCOUNT_SID = "AC00000000000000000000000000000000"
SANDBOX_AUTH_TOKEN = "acuerdo-sandbox-auth-token-0000000"
SANDBOX_API_KEY_SID = "SK00000000000000000000000000000000"
SANDBOX_TWIML_APP_SID = "AP00000000000000000000000000000000"


class Settings(BaseSettings):
    """Everything a process needs to know about its environment."""

    model_config = SettingsConfigDict(env_prefix="ACUERDO_", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str = ""

    twilio_mode: Literal["sandbox", "live"] = "sandbox"
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    sandbox_url: str = "http://127.0.0.1:8081"
    # Agents' browser phones (Twilio Voice JavaScript SDK): an API key and the TwiML app.
    twilio_api_key_sid: str = ""
    twilio_api_key_secret: str = ""
    twilio_twiml_app_sid: str = ""
    public_base_url: str = "http://127.0.0.1:8000"

    default_caller_id: str = "+525550000100"
    default_sms_sender: str = "+525550000200"
    calls_per_second: float = 1.0
    messages_per_second: float = 1.0
    whatsapp_per_second: float = 10.0
    ring_timeout_seconds: int = 25
    dispatch_lock_seconds: int = 30

    route_wait_seconds: float = 2.0
    wrap_up_seconds: int = 60
    heartbeat_grace_seconds: int = 30
    socket_queue_limit: int = 200

    default_locale: str = "es_MX"
    agency_name: str = "Acuerdo Cobranza"

    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    cookie_secure: bool = True
    allowed_origins: list[str] = []
    # Sign-in throttling (console/auth/throttle.py): after `login_max_failures` failures for a
    # username, each further attempt waits login_delay_seconds * 2^(failures - max), up to the
    # cap; failures are forgotten after `login_failure_memory_hours` without one. An address
    # (the peer, or X-Forwarded-For when the peer is a trusted proxy) may fail
    # `login_address_max_failures` times per window. A browser that signed in as the user
    # before (device cookie) is not held by either limit.
    login_max_failures: int = 5
    login_delay_seconds: float = 2.0
    login_delay_max_seconds: float = 300.0
    login_failure_memory_hours: int = 24
    login_address_max_failures: int = 50
    login_address_window_minutes: int = 15
    login_device_days: int = 90
    trusted_proxies: list[str] = []

    # The edge: request bodies (JSON, forms) and file uploads (multipart) past these sizes get
    # 413; an agent's websocket message past its limit, or a draft past its own, an error frame.
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 100_000_000
    ws_message_max_bytes: int = 64_000
    draft_max_bytes: int = 16_000

    # Carrier sandbox: where it posts debtors' inbound SMS / WhatsApp (like a number's SmsUrl);
    # empty means {public_base_url}/twilio/sms/inbound and /twilio/whatsapp/inbound.
    sandbox_sms_inbound_url: str = ""
    sandbox_whatsapp_inbound_url: str = ""

    # Scheduler: message attempts created per campaign per tick (calls are bounded by max_lines).
    scheduler_batch_size: int = 500

    @property
    def resolved_database_url(self) -> str:
        """The configured database URL, or a SQLite file under the var directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'acuerdo.db').resolve()}"

    @property
    def origins(self) -> list[str]:
        """Origins allowed to open websockets and send unsafe requests."""
        return self.allowed_origins or [self.public_base_url.rstrip("/")]

    @property
    def account_sid(self) -> str:
        """Twilio account SID; the fixed sandbox SID when unset in sandbox mode."""
        if self.twilio_account_sid or self.twilio_mode == "live":
            return self.twilio_account_sid
        return SANDBOX_ACCOUNT_SID

    @property
    def voice_key(self) -> tuple[str, str, str]:
        """API key SID, its secret and the TwiML app SID for agents' browser phones."""
        if self.twilio_mode == "live" or self.twilio_api_key_sid:
            return self.twilio_api_key_sid, self.twilio_api_key_secret, self.twilio_twiml_app_sid
        return SANDBOX_API_KEY_SID, self.auth_token, SANDBOX_TWIML_APP_SID

    @property
    def auth_token(self) -> str:
        """Twilio auth token; the fixed sandbox token when unset in sandbox mode."""
        if self.twilio_auth_token or self.twilio_mode == "live":
            return self.twilio_auth_token
        return SANDBOX_AUTH_TOKEN


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
