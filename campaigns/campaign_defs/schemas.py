"""A campaign definition as managers write it (JSON, YAML or the API), and as the API returns it.

The shapes here are structural only; the rules that need the database or the compliance checks
(days overdue inside 1-90, statuses, templates, WhatsApp templates) are applied by the service so
that they answer with a translated 422 naming the field.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from campaigns.models import CampaignStatus, DialingMode

StepChannel = Literal["sms", "voice", "whatsapp"]
RetryResult = Literal["no_answer", "busy", "machine", "failed"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountFilter(_Strict):
    """Which accounts of the client the campaign works (every criterion is ANDed)."""

    min_days_overdue: int = 1
    max_days_overdue: int = 90
    min_balance: Decimal | None = None
    max_balance: Decimal | None = None
    products: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    aging_buckets: list[str] = Field(default_factory=list)
    statuses: list[str] = Field(default_factory=lambda: ["active", "promised", "plan"])


class Step(_Strict):
    """One contact of the sequence: `day` days (24 h periods) after the account's first attempt."""

    day: int = Field(ge=0, le=365)
    channel: StepChannel
    template: str | None = None


class RetryRule(_Strict):
    """How long to wait after a result before trying the same step again, and how many tries."""

    wait_minutes: int = Field(ge=1, le=10080)
    max_tries: int = Field(ge=1, le=10)


def default_retry_rules() -> dict[RetryResult, RetryRule]:
    """Retry rules used for any result the definition leaves out."""
    return {
        "no_answer": RetryRule(wait_minutes=240, max_tries=3),
        "busy": RetryRule(wait_minutes=30, max_tries=3),
        "machine": RetryRule(wait_minutes=1440, max_tries=2),
        "failed": RetryRule(wait_minutes=60, max_tries=2),
    }


RecycleResult = Literal["broken_promise", "no_answer", "busy", "machine", "failed"]


class RecycleRule(_Strict):
    """How long after the result the account comes back, and how many times at most."""

    delay_minutes: int = Field(ge=0, le=43200)
    max_recycles: int = Field(ge=0, le=10)


def default_recycle_rules() -> dict[RecycleResult, RecycleRule]:
    """Recycling rules used for any result the definition leaves out (max 0: never)."""
    return {
        "broken_promise": RecycleRule(delay_minutes=1440, max_recycles=2),
        "no_answer": RecycleRule(delay_minutes=240, max_recycles=3),
        "busy": RecycleRule(delay_minutes=240, max_recycles=3),
        "machine": RecycleRule(delay_minutes=1440, max_recycles=1),
        "failed": RecycleRule(delay_minutes=1440, max_recycles=0),
    }


class Recycling(_Strict):
    """Bringing an account back after every step is done: which step is repeated, and when."""

    step: int | None = Field(
        default=None,
        ge=0,
        description="Index of the step repeated (default: the last voice step, else the last)",
    )
    rules: dict[RecycleResult, RecycleRule] = Field(default_factory=dict)


class ScriptBranch(_Strict):
    """An answer the agent can pick, leading to another step of the script."""

    label: str = Field(min_length=1, max_length=200)
    next: str


class ScriptStep(_Strict):
    """One step of the negotiation script: what the agent says (jinja2) and where it can go."""

    id: str = Field(min_length=1, max_length=60)
    text: str = Field(min_length=1)
    branches: list[ScriptBranch] = Field(default_factory=list)


class Script(_Strict):
    """The negotiation script agents follow, as steps with branches."""

    start: str | None = None
    steps: list[ScriptStep] = Field(default_factory=list)


# The dispositions a wrap-up that runs out may record: none needs any other field.
WrapUpDefault = Literal["unrecorded", "no_answer", "refuses", "third_party"]


class CampaignIn(_Strict):
    """A campaign as a manager defines it (the documented campaign file)."""

    name: str = Field(min_length=1, max_length=120)
    client: str = Field(min_length=1, description="The creditor's name")
    priority: int = Field(default=0, ge=0, le=100)
    dialing_mode: DialingMode = DialingMode.PROGRESSIVE
    caller_id: str | None = None
    max_lines: int = Field(default=50, ge=1, le=1000)
    filter: AccountFilter = Field(default_factory=AccountFilter)
    steps: list[Step] = Field(min_length=1)
    retry_rules: dict[RetryResult, RetryRule] = Field(default_factory=dict)
    recycling: Recycling = Field(default_factory=Recycling)
    script: Script = Field(default_factory=Script)
    templates: dict[str, str] = Field(default_factory=dict)
    wrap_up_seconds: int | None = Field(
        default=None, ge=5, le=1800, description="Wrap-up after each call (None: the default)"
    )
    wrap_up_max_seconds: int | None = Field(
        default=None, ge=5, le=3600, description="The most an agent may extend its wrap-up to"
    )
    wrap_up_default_disposition: WrapUpDefault | None = Field(
        default=None,
        description="Recorded when the wrap-up runs out without a valid form (None: unrecorded)",
    )
    record_calls: bool = Field(
        default=False, description="Record calls, after the country's recording disclosure"
    )
    agents: list[str] | None = Field(
        default=None, description="Usernames of the agents who work it (None keeps the current)"
    )
    supervisors: list[str] | None = Field(
        default=None,
        description="Usernames of supervisors given the creditor, so they follow it (None: none)",
    )


class CampaignOut(BaseModel):
    """A campaign as stored, with its lifecycle."""

    id: int
    name: str
    client_id: int
    client: str
    status: CampaignStatus
    priority: int
    dialing_mode: DialingMode
    caller_id: str | None
    max_lines: int
    filter: dict[str, Any]
    steps: list[Any]
    retry_rules: dict[str, Any]
    recycling: dict[str, Any]
    script: dict[str, Any]
    templates: dict[str, Any]
    wrap_up_seconds: int | None = None
    wrap_up_max_seconds: int | None = None
    wrap_up_default_disposition: str | None = None
    record_calls: bool = False
    created_at: datetime
    created_by_id: int | None
    started_at: datetime | None
    started_by_id: int | None
    paused_at: datetime | None
    paused_by_id: int | None
    finished_at: datetime | None
    finished_by_id: int | None


class PreviewAccount(BaseModel):
    """One account of a preview: what would happen to it, or the rule that excludes it."""

    account_id: int
    account_ref: str
    debtor: str
    days_overdue: int
    balance: Decimal
    step: int | None
    channel: str | None
    rule: str | None
    zones: list[str] = []  # the debtor's candidate time zones, primary first
    recycle: str | None = None


class PreviewOut(BaseModel):
    """Who a campaign would contact at a moment, and why it would skip everyone else."""

    campaign_id: int
    campaign: str
    at: datetime
    matched: int
    eligible: int
    excluded: dict[str, int]
    contacted: list[PreviewAccount]
    skipped: list[PreviewAccount]
