"""A discrete-event contact floor (simpy) that drives the real pacer once every simulated second.

Agents take answered calls, talk, wrap up and become ready again. Debtors answer in person with
the configured share (times an hour-of-day curve), machines answer with the machine share and are
detected and dropped without an agent, the rest ring until the timeout. An answered call waits at
most `abandon_after_s` for an agent, otherwise it is abandoned (the debtor hears the recorded
message). Each call's outcome, ring, talk and wrap-up times are drawn from one random stream in
the order calls are placed, so two modes on the same seed meet the same sequence of debtors.

The pacer sees only what a real dialing loop would: counts, elapsed times, the answer shares and
newest outcomes of the campaign's own recent calls (refreshed every `rate_refresh_s`), ring, talk
and wrap-up samples (every `history_refresh_s`), and the hour curve learnt on earlier days, off by
up to `curve_error` per hour. Answer shares are the rate times the hour curve, or, with an
`answer_profile` (PROFILES: `daily` is 8% in the morning, 30% at lunch, 15% in the afternoon,
25% in the evening), given hour by hour. The simulated campaign starts with yesterday's duration
samples (drawn from the same distributions) and a rolling abandon window of `prior_live_answers` and
`prior_abandons` (0 and 0: a fresh campaign); the last-24-hours window is the run, and the abandon
rate reported is the run's own.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Generator
from dataclasses import asdict, dataclass, field
from typing import Any

import simpy

from campaigns.models.enums import DialingMode
from telephony.dialer.pacer import (
    PacerParameters,
    PacingHistory,
    PacingSnapshot,
    decide,
)

DEFAULT_ANSWER_CURVE: tuple[float, ...] = (
    (0.5,) * 8
    + (0.8, 0.9, 1.0, 1.0, 0.9, 0.85, 0.9, 1.0, 1.1, 1.2, 1.25, 1.2, 1.1, 0.9)
    + (0.5,) * 2
)
"""Person-answer multiplier by local hour of day: low mid-morning, best early evening."""

DAILY_PROFILE: tuple[float, ...] = (
    (0.05,) * 8 + (0.08,) * 5 + (0.30,) * 2 + (0.15,) * 3 + (0.25,) * 3 + (0.12,) * 3
)
"""Person-answer share by local hour that changes through a working day: 8% in the morning
(08:00-13:00, people at work), 30% at lunch (13:00-15:00, at home), 15% in the afternoon
(15:00-18:00), 25% in the early evening (18:00-21:00, back home), 12% late; 5% at night. The
changes are steps at the hour, the hardest case for a pacer that learns from its newest calls."""

PROFILES: dict[str, tuple[float, ...]] = {"flat": (), "daily": DAILY_PROFILE}
"""Named answer profiles: `flat` is the answer rate times the mild hour curve; the others give
the person-answer share of every hour outright."""

HISTORY_SIZE = 200
RATE_WINDOW = 400

_HUMAN, _MACHINE, _NO_ANSWER = 1, 2, 0


@dataclass(frozen=True)
class SimulationConfig:
    """One simulated campaign: team, debtors, distributions, limits, seed."""

    agents: int = 20
    hours: float = 2.0
    answer_rate: float = 0.25
    """Share of placed calls a person answers (daily mean, before the hour curve)."""
    answer_curve: tuple[float, ...] = DEFAULT_ANSWER_CURVE
    answer_profile: tuple[float, ...] = ()
    """Person-answer share by local hour (24 values); when set, replaces rate times curve."""
    curve_error: float = 0.0
    """Relative error of the hour curve the pacer learnt from earlier days (0.2: each hour off
    by up to 20%, drawn from the seed); the floor itself follows the true shares."""
    start_hour: int = 9
    machine_rate: float = 0.15
    """Share of placed calls a machine answers."""
    ring_median_s: float = 12.0
    ring_sigma: float = 0.4
    """Answered calls ring a lognormal time (median, sigma of the log), below the timeout."""
    ring_timeout_s: float = 25.0
    machine_hold_s: float = 4.0
    talk_mean_s: float = 180.0
    talk_sd_s: float = 120.0
    wrap_mean_s: float = 30.0
    wrap_sd_s: float = 15.0
    cps: int = 30
    max_lines: int = 400
    abandon_target: float = 0.03
    abandon_after_s: float = 2.0
    prior_live_answers: int = 0
    prior_abandons: int = 0
    """The campaign's rolling (30-day) window before the shift; 0 and 0 is a fresh campaign. The
    last-24-hours window is the shift itself, and the reported abandon rate is the shift's own."""
    history_refresh_s: int = 60
    """Ring, talk and wrap-up samples are refreshed this often (the loop reads them each second;
    they change slowly)."""
    rate_refresh_s: int = 5
    """The answer and machine shares are refreshed this often."""
    seed: int = 1
    pacer: PacerParameters = field(default_factory=PacerParameters)

    @property
    def ceiling(self) -> float:
        """The best possible talk share: mean talk / (mean talk + mean wrap-up)."""
        return self.talk_mean_s / (self.talk_mean_s + self.wrap_mean_s)

    def person_answer_rate(self, hour: int) -> float:
        """The person-answer share in a local hour, capped so shares add up to at most 1."""
        if len(self.answer_profile) == 24:
            share = self.answer_profile[hour % 24]
        else:
            curve = self.answer_curve[hour % 24] if len(self.answer_curve) == 24 else 1.0
            share = self.answer_rate * curve
        return max(0.0, min(1.0 - self.machine_rate, share))


@dataclass(frozen=True)
class SimulationResult:
    """What a manager reads off a simulated shift."""

    mode: str
    agents: int
    hours: float
    answer_rate: float
    occupancy: float
    talk_minutes_per_agent_hour: float
    abandon_rate: float
    calls_per_hour: float
    wait_p95_s: float
    idle_share: float
    ceiling: float
    ratio_to_ceiling: float
    predictive_share: float
    calls_placed: int
    live_answers: int
    abandons: int

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return asdict(self)


@dataclass
class _Call:
    outcome: int
    ring_s: float
    talk_s: float
    wrap_s: float
    placed_at: float = 0.0


def _lognormal(rng: random.Random, mean: float, sd: float) -> float:
    sigma2 = math.log(1.0 + (sd / mean) ** 2)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2))


class _Floor:
    def __init__(self, env: simpy.Environment, config: SimulationConfig, mode: DialingMode):
        self.env = env
        self.config = config
        self.mode = mode
        self.calls_rng = random.Random(config.seed)
        self.ready: deque[int] = deque(range(config.agents))
        self.talk_start: dict[int, float] = {}
        self.wrap_start: dict[int, float] = {}
        self.ringing: dict[int, float] = {}
        self.waiting: deque[tuple[_Call, simpy.Event, float]] = deque()
        self.next_call_id = 0
        self.talk_total = 0.0
        self.wrap_total = 0.0
        self.placed = 0
        self.live = 0
        self.abandons = 0
        self.waits: list[float] = []
        self.predictive_seconds = 0
        self.ticks = 0
        yesterday = random.Random(config.seed + 1_000_003)
        self.ring_seen: deque[float] = deque(maxlen=HISTORY_SIZE)
        self.talk_seen: deque[float] = deque(maxlen=HISTORY_SIZE)
        self.wrap_seen: deque[float] = deque(maxlen=HISTORY_SIZE)
        for _ in range(HISTORY_SIZE):
            self.ring_seen.append(self._ring_time(yesterday))
            self.talk_seen.append(_lognormal(yesterday, config.talk_mean_s, config.talk_sd_s))
            self.wrap_seen.append(_lognormal(yesterday, config.wrap_mean_s, config.wrap_sd_s))
        self.outcomes: deque[int] = deque(maxlen=RATE_WINDOW)
        learnt = random.Random(config.seed + 2_000_003)
        self.curve = tuple(
            min(
                1.0,
                config.person_answer_rate(h) * (1.0 + config.curve_error * learnt.uniform(-1, 1)),
            )
            for h in range(24)
        )
        self.samples: tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]] = ((), (), ())
        self.rates = (0.0, 0.0, 0)
        self.latest: tuple[bool, ...] = ()

    def hour(self) -> int:
        return (self.config.start_hour + int(self.env.now // 3600)) % 24

    def _ring_time(self, rng: random.Random) -> float:
        limit = self.config.ring_timeout_s - 0.5
        for _ in range(20):
            ring = rng.lognormvariate(math.log(self.config.ring_median_s), self.config.ring_sigma)
            if ring < limit:
                return ring
        return limit

    def _draw_call(self) -> _Call:
        rng = self.calls_rng
        config = self.config
        draw = rng.random()
        human = config.person_answer_rate(self.hour())
        if draw < human:
            outcome = _HUMAN
        elif draw < human + config.machine_rate:
            outcome = _MACHINE
        else:
            outcome = _NO_ANSWER
        ring = self._ring_time(rng)
        talk = _lognormal(rng, config.talk_mean_s, config.talk_sd_s)
        wrap = _lognormal(rng, config.wrap_mean_s, config.wrap_sd_s)
        return _Call(outcome, ring, talk, wrap)

    def _refresh_samples(self) -> None:
        self.samples = (tuple(self.ring_seen), tuple(self.talk_seen), tuple(self.wrap_seen))

    def _refresh_rates(self) -> None:
        count = len(self.outcomes)
        humans = sum(1 for o in self.outcomes if o == _HUMAN)
        machines = sum(1 for o in self.outcomes if o == _MACHINE)
        self.rates = (humans / count if count else 0.0, machines / count if count else 0.0, count)
        self.latest = tuple(o == _HUMAN for o in reversed(self.outcomes))

    def snapshot(self) -> PacingSnapshot:
        now = self.env.now
        ring, talk, wrap = self.samples
        human, machine, count = self.rates
        history = PacingHistory(
            answer_rate=human if count else self.curve[self.hour()],
            machine_rate=machine if count else self.config.machine_rate,
            recent_calls=count,
            recent_person_answers=self.latest,
            answer_rate_by_hour=self.curve,
            ring_to_answer_s=ring,
            talk_s=talk,
            wrap_s=wrap,
            live_answers=self.config.prior_live_answers + self.live,
            abandons=self.config.prior_abandons + self.abandons,
            # The last 24 hours are the shift: each day starts with an empty day window.
            day_live_answers=self.live,
            day_abandons=self.abandons,
        )
        return PacingSnapshot(
            mode=self.mode,
            agents_ready=len(self.ready),
            history=history,
            talk_elapsed_s=tuple(now - t for t in self.talk_start.values()),
            wrap_elapsed_s=tuple(now - t for t in self.wrap_start.values()),
            ringing_elapsed_s=tuple(now - t for t in self.ringing.values()),
            answered_waiting=len(self.waiting),
            hour=self.hour(),
            cps_limit=self.config.cps,
            max_lines=self.config.max_lines,
            ring_timeout_s=self.config.ring_timeout_s,
            abandon_target=self.config.abandon_target,
        )

    def pacing_loop(self) -> Generator[simpy.Event, Any, None]:
        while True:
            if self.ticks % self.config.history_refresh_s == 0:
                self._refresh_samples()
            if self.ticks % self.config.rate_refresh_s == 0:
                self._refresh_rates()
            decision = decide(self.snapshot(), self.config.pacer)
            self.ticks += 1
            if decision.mode_used == DialingMode.PREDICTIVE:
                self.predictive_seconds += 1
            for _ in range(decision.calls):
                self.env.process(self.call(self._draw_call()))
            yield self.env.timeout(1.0)

    def call(self, call: _Call) -> Generator[simpy.Event, Any, None]:
        env = self.env
        call_id = self.next_call_id
        self.next_call_id += 1
        self.placed += 1
        self.ringing[call_id] = env.now
        if call.outcome == _NO_ANSWER:
            yield env.timeout(self.config.ring_timeout_s)
            del self.ringing[call_id]
            self.outcomes.append(_NO_ANSWER)
            return
        yield env.timeout(call.ring_s)
        del self.ringing[call_id]
        self.outcomes.append(call.outcome)
        self.ring_seen.append(call.ring_s)
        if call.outcome == _MACHINE:
            return
        self.live += 1
        if self.ready:
            self.waits.append(0.0)
            env.process(self.handle(self.ready.popleft(), call))
            return
        assigned = env.event()
        entry = (call, assigned, env.now)
        self.waiting.append(entry)
        yield assigned | env.timeout(self.config.abandon_after_s)
        if not assigned.triggered:
            self.waiting.remove(entry)
            self.abandons += 1

    def handle(self, agent: int, call: _Call) -> Generator[simpy.Event, Any, None]:
        env = self.env
        self.talk_start[agent] = env.now
        yield env.timeout(call.talk_s)
        del self.talk_start[agent]
        self.talk_total += call.talk_s
        self.talk_seen.append(call.talk_s)
        self.wrap_start[agent] = env.now
        yield env.timeout(call.wrap_s)
        del self.wrap_start[agent]
        self.wrap_total += call.wrap_s
        self.wrap_seen.append(call.wrap_s)
        self.free(agent)

    def free(self, agent: int) -> None:
        if not self.waiting:
            self.ready.append(agent)
            return
        call, assigned, answered_at = self.waiting.popleft()
        self.waits.append(self.env.now - answered_at)
        assigned.succeed(agent)
        self.env.process(self.handle(agent, call))

    def result(self) -> SimulationResult:
        config = self.config
        end = self.env.now
        talk = self.talk_total + sum(end - t for t in self.talk_start.values())
        wrap = self.wrap_total + sum(end - t for t in self.wrap_start.values())
        logged_in = config.agents * end
        busy = (talk + wrap) / logged_in if logged_in else 0.0
        talk_share = talk / logged_in if logged_in else 0.0
        waits = sorted(self.waits)
        p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))] if waits else 0.0
        hours = end / 3600.0
        return SimulationResult(
            mode=str(self.mode),
            agents=config.agents,
            hours=round(hours, 3),
            answer_rate=config.answer_rate,
            occupancy=round(busy, 4),
            talk_minutes_per_agent_hour=round(talk / 60.0 / (config.agents * hours), 2),
            abandon_rate=round(self.abandons / self.live, 4) if self.live else 0.0,
            calls_per_hour=round(self.placed / hours, 1),
            wait_p95_s=round(p95, 2),
            idle_share=round(1.0 - busy, 4),
            ceiling=round(config.ceiling, 4),
            ratio_to_ceiling=round(talk_share / config.ceiling, 4),
            predictive_share=round(self.predictive_seconds / self.ticks, 4) if self.ticks else 0.0,
            calls_placed=self.placed,
            live_answers=self.live,
            abandons=self.abandons,
        )


def simulate(config: SimulationConfig, mode: DialingMode) -> SimulationResult:
    """Run one simulated shift in one dialing mode; deterministic for the config's seed."""
    env = simpy.Environment()
    floor = _Floor(env, config, mode)
    env.process(floor.pacing_loop())
    env.run(until=config.hours * 3600.0)
    return floor.result()


def compare(config: SimulationConfig) -> list[SimulationResult]:
    """Progressive and predictive on the same seed, side by side."""
    return [simulate(config, DialingMode.PROGRESSIVE), simulate(config, DialingMode.PREDICTIVE)]
