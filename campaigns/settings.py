"""Acuerdo's settings: one object, read once from ACUERDO_* environment variables."""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import field_validator
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
    # rq retries of a dispatch the provider throttled (429), failed (5xx) or never answered:
    # seconds to wait before each retry; after the last one the attempt ends failed.
    dispatch_retry_seconds: list[int] = [5, 15, 60, 180, 600]

    route_wait_seconds: float = 2.0
    wrap_up_seconds: int = 60
    # The longest a wrap-up may be extended to by the agent, unless the campaign says otherwise.
    wrap_up_max_seconds: int = 300
    heartbeat_grace_seconds: int = 30
    # What a debtor on hold hears (an MP3, or TwiML with <Play>), fetched by Twilio.
    hold_music_url: str = (
        "http://com.twilio.sounds.music.s3.amazonaws.com/oldDog_-_endless_goodbye_%28instr.%29.mp3"
    )
    socket_queue_limit: int = 200

    default_locale: str = "es_MX"
    agency_name: str = "Acuerdo Cobranza"
    # The BPO's own zone: where "today" starts and ends for the wallboard and creditors' pages.
    operating_timezone: str = "America/Mexico_City"

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
    # An agent's unsaved outcome form, kept in Redis and replayed on every reconnect.
    draft_max_bytes: int = 16_384

    # Carrier sandbox: where it posts debtors' inbound SMS / WhatsApp (like a number's SmsUrl);
    # empty means {public_base_url}/twilio/sms/inbound and /twilio/whatsapp/inbound.
    sandbox_sms_inbound_url: str = ""
    sandbox_whatsapp_inbound_url: str = ""
    # ... and where it sends debtors' calls to our numbers (a number's VoiceUrl); empty means
    # {public_base_url}/twilio/voice/inbound.
    sandbox_voice_inbound_url: str = ""

    # Scheduler: message attempts created per campaign per tick (calls are bounded by max_lines).
    scheduler_batch_size: int = 500
    # The agreements pass (reminders, kept and broken promises) runs this often, all day long, so
    # each debtor is reminded inside their own window on their own local date.
    agreements_pass_minutes: int = 15

    # Files creditors send (portfolios, payments): what a reader accepts before it refuses a file.
    import_max_rows: int = 2_000_000
    import_max_columns: int = 200
    import_max_line_chars: int = 65_536
    import_max_uncompressed_mb: int = 1024
    import_max_compression_ratio: int = 100
    # Message templates and scripts (rendered in jinja2's sandbox on save and at send time).
    template_max_iterations: int = 10_000
    template_max_output_chars: int = 20_000
    template_max_seconds: float = 1.0
    # Recovery sweep (inside `acuerdo scheduler`): what counts as stuck, and how often to look.
    recovery_sweep_seconds: float = 15.0
    # An attempt still pending this long after it was created has lost its dispatch job.
    stuck_pending_seconds: int = 120
    # A call or message with no news from the provider this long is fetched from the provider.
    reconcile_after_seconds: int = 120
    # Messages left `sent` are asked about only this long (some carriers never confirm delivery).
    reconcile_max_age_hours: int = 48
    # An agent on a call that ended this long ago (and was not released) is released.
    agent_release_grace_seconds: int = 30
    # `acuerdo doctor`: a queue whose oldest job waited this long is late.
    queue_late_seconds: int = 300

    # Self-service page (campaigns/self_service): links in reminders are signed with this secret
    # (required in live mode; a fixed sandbox secret otherwise) and expire after
    # `self_service_link_days`; a verified debtor's session lasts `self_service_session_minutes`.
    # Verification with the document's last digits is refused after
    # `self_service_link_max_failures` failures per link, or `self_service_address_max_failures`
    # per address, within `self_service_failure_window_minutes`.
    self_service_secret: str = ""
    self_service_link_days: int = 7
    self_service_session_minutes: int = 15
    self_service_digits: int = 4
    self_service_link_max_failures: int = 5
    self_service_address_max_failures: int = 20
    self_service_failure_window_minutes: int = 60
    # Every request to /s/ from one address counts: past this many in the window, 429.
    self_service_requests_per_window: int = 60
    self_service_request_window_seconds: int = 600

    @field_validator("operating_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from error
        return value

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
    def self_service_key(self) -> bytes:
        """The key self-service links are signed with; a fixed sandbox key when unset in sandbox
        mode (live mode without a secret signs nothing: links are refused)."""
        if self.self_service_secret or self.twilio_mode == "live":
            return self.self_service_secret.encode()
        return b"acuerdo-sandbox-self-service-secret-0000"

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
