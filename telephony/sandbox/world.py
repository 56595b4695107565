"""The sandbox's world: who answers, who is busy, who replies STOP, loaded from JSON or YAML.

Every decision for a number is drawn from a random generator seeded with the world's seed, the
number and how many times that number was reached before, so the same seed and the same world
give the same outcomes per number.
"""

import fnmatch
import random
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator


class CallOutcome(StrEnum):
    HUMAN = "human"
    MACHINE = "machine"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    INVALID = "invalid"
    OPTED_OUT = "opted-out"


class SmsOutcome(StrEnum):
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"


class Seconds(BaseModel):
    """A duration in simulated seconds: fixed, uniform between min and max, or triangular."""

    model_config = ConfigDict(extra="forbid")

    min: float = Field(ge=0)
    max: float = Field(ge=0)
    mode: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, value: Any) -> Any:
        if isinstance(value, int | float):
            return {"min": value, "max": value}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> "Seconds":
        if self.max < self.min:
            raise ValueError("max must not be below min")
        return self

    def draw(self, rng: random.Random) -> float:
        """One duration."""
        if self.mode is not None:
            return rng.triangular(self.min, self.max, self.mode)
        return rng.uniform(self.min, self.max)


class NumberRule(BaseModel):
    """Fixed behaviour for one number (`number`), a glob (`match`) or a regular expression."""

    model_config = ConfigDict(extra="forbid")

    number: str | None = None
    match: str | None = None
    regex: str | None = None
    call: CallOutcome | None = None
    sms: SmsOutcome | None = None
    mobile: bool | None = None
    reply: str | None = None
    reply_seconds: Seconds | None = None
    ring_seconds: Seconds | None = None
    talk_seconds: Seconds | None = None
    digits: str | None = None
    # Failures of Twilio's API itself: the HTTP statuses (429, 500, 503) answered to the first
    # creates of a call or message to this number, one per request, before it is served again;
    # with `api_errors_repeat` the last one is answered to every later create too.
    api_errors: list[Literal[429, 500, 502, 503]] = []
    api_errors_repeat: bool = False

    @model_validator(mode="after")
    def _one_selector(self) -> "NumberRule":
        if sum(x is not None for x in (self.number, self.match, self.regex)) != 1:
            raise ValueError("a number rule needs exactly one of number, match or regex")
        if self.regex is not None:
            re.compile(self.regex)
        return self

    def applies_to(self, number: str) -> bool:
        """Whether the rule is about this number (a `whatsapp:` prefix is ignored)."""
        bare = number.removeprefix("whatsapp:")
        if self.number is not None:
            return bare == self.number.removeprefix("whatsapp:")
        if self.match is not None:
            return fnmatch.fnmatchcase(bare, self.match)
        return re.search(str(self.regex), bare) is not None


class Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str
    weight: float = Field(default=1.0, gt=0)


class SmsWorld(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delivered: float = Field(default=0.93, ge=0)
    undelivered: float = Field(default=0.05, ge=0)
    failed: float = Field(default=0.02, ge=0)
    sending_seconds: Seconds = Seconds(min=0.2, max=0.5)
    sent_seconds: Seconds = Seconds(min=0.5, max=1.5)
    delivery_seconds: Seconds = Seconds(min=2, max=8)
    reply_probability: float = Field(default=0.1, ge=0, le=1)
    reply_seconds: Seconds = Seconds(min=30, max=600)
    replies: list[Reply] = [
        Reply(body="SI", weight=4),
        Reply(body="STOP", weight=1),
        Reply(body="BAJA", weight=1),
        Reply(body="Ya pagué, gracias", weight=2),
        Reply(body="¿Quién habla?", weight=2),
    ]


class GatherWorld(BaseModel):
    model_config = ConfigDict(extra="forbid")

    press_probability: float = Field(default=0.7, ge=0, le=1)
    digits: str = "1"
    seconds: Seconds = Seconds(min=1, max=4)


class InboundCallsWorld(BaseModel):
    """Debtors calling the creditors' numbers back (a debtor we called or texted before)."""

    model_config = ConfigDict(extra="forbid")

    calls_per_hour: float = Field(default=0.0, ge=0)
    # What a caller presses at each menu, in order ("" lets a menu time out): "1" asks for an
    # advisor at the main menu; a caller asked for an account number types the one given.
    answers: list[str] = ["1"]
    patience_seconds: Seconds = Seconds(min=120, max=600)


def _default_rules() -> list[NumberRule]:
    return [
        NumberRule(match="*0001", call=CallOutcome.BUSY),
        NumberRule(match="*0002", call=CallOutcome.NO_ANSWER),
        NumberRule(match="*0003", call=CallOutcome.FAILED),
        NumberRule(match="*0004", call=CallOutcome.MACHINE),
        NumberRule(match="*0005", call=CallOutcome.HUMAN, sms=SmsOutcome.DELIVERED),
        NumberRule(match="*0006", call=CallOutcome.INVALID),
        NumberRule(match="*0007", call=CallOutcome.OPTED_OUT),
        NumberRule(match="*0008", mobile=False),
        NumberRule(match="*0009", sms=SmsOutcome.UNDELIVERED),
        NumberRule(match="*0010", sms=SmsOutcome.FAILED),
    ]


class World(BaseModel):
    """Everything the sandbox needs to behave like a phone network full of debtors."""

    model_config = ConfigDict(extra="forbid")

    seed: int = 1
    speed: float = Field(default=1.0, gt=0)
    calls_per_second: float = Field(default=1.0, gt=0)
    timezone: str = "America/Mexico_City"
    answer_probability_by_hour: dict[int, float] = {
        **{h: 0.15 for h in range(0, 8)},
        **{h: 0.35 for h in range(8, 10)},
        **{h: 0.45 for h in range(10, 14)},
        **{h: 0.35 for h in range(14, 17)},
        **{h: 0.5 for h in range(17, 21)},
        **{h: 0.25 for h in range(21, 24)},
    }
    machine_rate: float = Field(default=0.3, ge=0, le=1)
    busy_rate: float = Field(default=0.1, ge=0, le=1)
    failed_rate: float = Field(default=0.02, ge=0, le=1)
    ring_seconds: Seconds = Seconds(min=3, max=20, mode=6)
    talk_seconds: Seconds = Seconds(min=20, max=240, mode=60)
    machine_listen_seconds: Seconds = Seconds(min=60, max=120)
    amd_seconds: Seconds = Seconds(min=2, max=4)
    say_words_per_second: float = Field(default=2.5, gt=0)
    play_seconds: float = Field(default=10.0, ge=0)
    gather: GatherWorld = GatherWorld()
    inbound_calls: InboundCallsWorld = InboundCallsWorld()
    sms: SmsWorld = SmsWorld()
    numbers: list[NumberRule] = Field(default_factory=_default_rules)
    templates: dict[str, str] = {}
    whatsapp_window_hours: float = 24.0
    messaging_service_sender: str = "+15005550006"
    api_delay_seconds: float = Field(default=0.0, ge=0)

    def rule_for(self, number: str) -> NumberRule | None:
        """The first rule about a number."""
        return next((r for r in self.numbers if r.applies_to(number)), None)

    def answer_probability(self, at: datetime) -> float:
        """Probability that a debtor picks up at a moment, by the hour in the world's zone."""
        hour = at.astimezone(ZoneInfo(self.timezone)).hour
        return self.answer_probability_by_hour.get(hour, 0.35)


@dataclass(frozen=True)
class CallPlan:
    """What will happen to one call, decided when it is placed."""

    outcome: CallOutcome
    ring_seconds: float
    talk_seconds: float
    amd_seconds: float
    machine_detail: str
    press_digits: bool
    digits: str
    gather_seconds: float


@dataclass(frozen=True)
class SmsPlan:
    """What will happen to one message, decided when it is sent."""

    outcome: SmsOutcome
    sending_seconds: float
    sent_seconds: float
    delivery_seconds: float
    reply: str | None
    reply_seconds: float


def load_world(path: Path | None, **overrides: Any) -> World:
    """A world from a JSON or YAML file (defaults when no file), with overrides applied."""
    data: dict[str, Any] = {}
    if path is not None:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        if loaded is not None and not isinstance(loaded, dict):
            raise ValueError(f"{path}: the world file must hold a mapping")
        data = loaded or {}
    data.update({k: v for k, v in overrides.items() if v is not None})
    return World.model_validate(data)


def _rng(world: World, *parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in (world.seed, *parts)))


def is_valid_address(number: str) -> bool:
    """Whether a To/From is something the network can reach: E.164, client:, sip: or whatsapp:."""
    if number.startswith(("client:", "sip:")):
        return len(number) > 7
    bare = number.removeprefix("whatsapp:")
    return re.fullmatch(r"\+[1-9]\d{6,14}", bare) is not None


def plan_call(world: World, *, to: str, attempt: int, at: datetime) -> CallPlan:
    """The deterministic plan for the n-th call to a number since the world was reset."""
    rng = _rng(world, "call", to, attempt)
    rule = world.rule_for(to)
    answer_roll, machine_roll, busy_roll, failed_roll = (rng.random() for _ in range(4))
    ring = (rule.ring_seconds if rule and rule.ring_seconds else world.ring_seconds).draw(rng)
    talk = (rule.talk_seconds if rule and rule.talk_seconds else world.talk_seconds).draw(rng)
    listen = world.machine_listen_seconds.draw(rng)
    amd = world.amd_seconds.draw(rng)
    machine_detail = rng.choice(["machine_end_beep", "machine_end_silence", "machine_end_other"])
    press = rng.random() < world.gather.press_probability
    gather_seconds = world.gather.seconds.draw(rng)
    if to.startswith(("client:", "sip:")):
        outcome = CallOutcome.HUMAN
    elif rule is not None and rule.call is not None:
        outcome = rule.call
    elif failed_roll < world.failed_rate:
        outcome = CallOutcome.FAILED
    elif busy_roll < world.busy_rate:
        outcome = CallOutcome.BUSY
    elif answer_roll >= world.answer_probability(at):
        outcome = CallOutcome.NO_ANSWER
    elif machine_roll < world.machine_rate:
        outcome = CallOutcome.MACHINE
    else:
        outcome = CallOutcome.HUMAN
    digits = rule.digits if rule and rule.digits is not None else world.gather.digits
    if rule is not None and rule.digits is not None:
        press = True
    return CallPlan(
        outcome=outcome,
        ring_seconds=ring,
        talk_seconds=listen if outcome is CallOutcome.MACHINE else talk,
        amd_seconds=amd,
        machine_detail=machine_detail,
        press_digits=press and outcome is CallOutcome.HUMAN,
        digits=digits,
        gather_seconds=gather_seconds,
    )


def plan_message(world: World, *, to: str, attempt: int) -> SmsPlan:
    """The deterministic plan for the n-th message to a number since the world was reset."""
    rng = _rng(world, "sms", to, attempt)
    rule = world.rule_for(to)
    sms = world.sms
    roll = rng.random() * (sms.delivered + sms.undelivered + sms.failed or 1.0)
    if rule is not None and rule.sms is not None:
        outcome = rule.sms
    elif roll < sms.delivered:
        outcome = SmsOutcome.DELIVERED
    elif roll < sms.delivered + sms.undelivered:
        outcome = SmsOutcome.UNDELIVERED
    else:
        outcome = SmsOutcome.FAILED
    sending = sms.sending_seconds.draw(rng)
    sent = sms.sent_seconds.draw(rng)
    delivery = sms.delivery_seconds.draw(rng)
    reply_roll = rng.random()
    reply: str | None = None
    if rule is not None and rule.reply is not None:
        reply = rule.reply
    elif reply_roll < sms.reply_probability and sms.replies:
        reply = rng.choices([r.body for r in sms.replies], [r.weight for r in sms.replies])[0]
    reply_spec = rule.reply_seconds if rule and rule.reply_seconds else sms.reply_seconds
    reply_seconds = reply_spec.draw(rng)
    if outcome is not SmsOutcome.DELIVERED:
        reply = None
    return SmsPlan(
        outcome=outcome,
        sending_seconds=sending,
        sent_seconds=sent,
        delivery_seconds=delivery,
        reply=reply,
        reply_seconds=reply_seconds,
    )


def is_mobile(world: World, number: str) -> bool:
    """Whether a number can receive SMS (a rule can mark it as a landline)."""
    rule = world.rule_for(number)
    return rule is None or rule.mobile is None or rule.mobile
