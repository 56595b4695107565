"""The sandbox's memory: calls, messages and conferences, held in one process behind one lock."""

import asyncio
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from telephony.sandbox.world import CallPlan, SmsPlan, World

if TYPE_CHECKING:
    from telephony.sandbox.recordings import RecordingRequest, SimRecording

API_VERSION = "2010-04-01"


def new_sid(prefix: str) -> str:
    """A Twilio-shaped SID: two letters and 32 lowercase hex digits."""
    return prefix + secrets.token_hex(16)


def utcnow() -> datetime:
    return datetime.now(UTC)


def rfc2822(moment: datetime | None) -> str | None:
    """Twilio's date format: `Tue, 31 Aug 2010 20:36:28 +0000`."""
    if moment is None:
        return None
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0))


class TwilioError(Exception):
    """An error the sandbox answers with Twilio's error body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        """Twilio's error body."""
        return {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }


@dataclass
class SimCall:
    sid: str
    account_sid: str
    to: str
    from_: str
    params: dict[str, Any]
    plan: CallPlan
    status: str = "queued"
    direction: str = "outbound-api"
    answered_by: str | None = None
    created: datetime = field(default_factory=utcnow)
    updated: datetime = field(default_factory=utcnow)
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    queue_time_ms: int = 0
    sequence: int = 0
    conference_name: str | None = None
    conference_target: str | None = None
    answered_at: float | None = None
    initiated_at: float | None = None
    webhook_wait: float = 0.0
    webhook_since: float | None = None
    heard: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    twiml_task: asyncio.Task[Any] | None = None
    redirect_to: Any = None
    hangup_requested: bool = False
    left_conference: asyncio.Event = field(default_factory=asyncio.Event)
    # An inbound caller's key presses, one per <Gather> in order (None: the world's gather).
    menu_answers: list[str] | None = None

    def waited_on_webhooks(self) -> float:
        """Seconds (monotonic) spent waiting for TwiML webhooks, including one in flight."""
        ongoing = 0.0 if self.webhook_since is None else time.monotonic() - self.webhook_since
        return self.webhook_wait + ongoing

    @property
    def finished(self) -> bool:
        return self.status in {"completed", "busy", "failed", "no-answer", "canceled"}


@dataclass
class SimMessage:
    sid: str
    account_sid: str
    to: str
    from_: str | None
    body: str
    params: dict[str, Any]
    plan: SmsPlan | None
    status: str = "queued"
    direction: str = "outbound-api"
    messaging_service_sid: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    created: datetime = field(default_factory=utcnow)
    updated: datetime = field(default_factory=utcnow)
    sent: datetime | None = None
    callbacks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SimParticipant:
    call_sid: str
    conference_sid: str
    label: str | None = None
    status: str = "queued"
    muted: bool = False
    hold: bool = False
    hold_url: str | None = None
    coaching: bool = False
    call_sid_to_coach: str | None = None
    start_conference_on_enter: bool = True
    end_conference_on_exit: bool = False
    created: datetime = field(default_factory=utcnow)
    updated: datetime = field(default_factory=utcnow)


@dataclass
class SimConference:
    sid: str
    account_sid: str
    friendly_name: str
    status: str = "init"
    created: datetime = field(default_factory=utcnow)
    updated: datetime = field(default_factory=utcnow)
    reason_ended: str | None = None
    call_sid_ending: str | None = None
    participants: dict[str, SimParticipant] = field(default_factory=dict)
    # Set by a TwiML join with record="record-from-start" (a recordings.RecordingRequest).
    recording: "RecordingRequest | None" = None
    recording_sid: str | None = None


@dataclass
class Store:
    """All state of one sandbox process; every read and write holds `lock`."""

    world: World
    lock: threading.Lock = field(default_factory=threading.Lock)
    calls: dict[str, SimCall] = field(default_factory=dict)
    messages: dict[str, SimMessage] = field(default_factory=dict)
    conferences: dict[str, SimConference] = field(default_factory=dict)
    call_attempts: dict[str, int] = field(default_factory=dict)
    message_attempts: dict[str, int] = field(default_factory=dict)
    api_error_counts: dict[str, int] = field(default_factory=dict)
    sms_opted_out: set[str] = field(default_factory=set)
    last_inbound: dict[str, datetime] = field(default_factory=dict)
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    last_call_start: float = float("-inf")
    inbound_posts: list[dict[str, Any]] = field(default_factory=list)
    recordings: dict[str, "SimRecording"] = field(default_factory=dict)
    recording_callbacks: list[dict[str, Any]] = field(default_factory=list)

    def conference_by_name(self, name: str) -> SimConference | None:
        """The live conference with a friendly name (or the newest one with it)."""
        found = [c for c in self.conferences.values() if c.friendly_name == name]
        live = [c for c in found if c.status != "completed"]
        candidates = live or found
        return candidates[-1] if candidates else None
