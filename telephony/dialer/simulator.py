"""The dialer simulator: one campaign, or several sharing one team, on a simulated contact floor
that drives the real pacer and the real agent allocation (the core is `simulated_floor.py`).

`simulate(config, mode)` runs one campaign worked by the whole team; `simulate_shared(config)`
runs several campaigns over one team (`three_campaigns` is the floor of issue 14). Both run the
same floor: the split of the ready agents, routing, the call process and what the pacer sees are
one piece of code.

A `SimulationConfig` is the world: team, debtors, distributions, limits, seed. Answer shares are
the rate times the hour curve, or, with an `answer_profile` (PROFILES: `daily` is 8% in the
morning, 30% at lunch, 15% in the afternoon, 25% in the evening), given hour by hour. The
campaign starts with yesterday's duration samples and a rolling abandon window of
`prior_live_answers` and `prior_abandons` (0 and 0: a fresh campaign); the last-24-hours window is
the run, and the abandon rate reported is the run's own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from campaigns.models.enums import DialingMode
from telephony.dialer.pacing_contract import PacerParameters
from telephony.dialer.simulated_floor import Floor

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
    clairvoyant: bool = False
    """Tell the pacer when each busy agent will free (`PacingSnapshot.frees_in_s`), which no real
    dialing loop knows: for the upper bound of `clairvoyant()` only."""

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


@dataclass(frozen=True)
class CampaignSpec:
    """One campaign of the floor: its mode, priority, team and debtors."""

    name: str
    mode: DialingMode
    priority: int
    agents: tuple[int, ...]
    """Indexes (0 .. agents - 1) of the floor's agents assigned to the campaign."""
    answer_rate: float = 0.25
    answer_profile: tuple[float, ...] = ()


@dataclass(frozen=True)
class SharedSimulationConfig:
    """A team of `agents` shared by `campaigns`, in the `world` of a `SimulationConfig`."""

    agents: int
    campaigns: tuple[CampaignSpec, ...]
    world: SimulationConfig = SimulationConfig()


@dataclass(frozen=True)
class CampaignResult:
    """One campaign of a shared shift."""

    name: str
    mode: str
    priority: int
    agents: int
    calls_placed: int
    live_answers: int
    abandons: int
    abandon_rate: float
    predictive_share: float
    talk_minutes: float


@dataclass(frozen=True)
class SharedResult:
    """A shared shift: per campaign, and the floor's talk share and progressive coverage."""

    agents: int
    hours: float
    ratio_to_ceiling: float
    progressive_overcommitted_seconds: int
    """Seconds in which the progressive campaigns had more calls ringing or waiting than ready
    agents across all of them, right after the loop launched its calls (0 is the contract)."""
    campaigns: tuple[CampaignResult, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return asdict(self)


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def simulate(config: SimulationConfig, mode: DialingMode) -> SimulationResult:
    """Run one simulated shift of one campaign worked by the whole team, in one dialing mode;
    deterministic for the config's seed."""
    spec = CampaignSpec(
        "campaign",
        mode,
        1,
        tuple(range(config.agents)),
        answer_rate=config.answer_rate,
        answer_profile=config.answer_profile,
    )
    floor = Floor(config, config.agents, (spec,)).run()
    campaign = floor.campaigns[0]
    talk, wrap = floor.busy_seconds()
    seconds = floor.env.now
    logged_in = config.agents * seconds
    busy = (talk + wrap) / logged_in if logged_in else 0.0
    talk_share = talk / logged_in if logged_in else 0.0
    waits = sorted(floor.waits)
    p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))] if waits else 0.0
    hours = seconds / 3600.0
    return SimulationResult(
        mode=str(mode),
        agents=config.agents,
        hours=round(hours, 3),
        answer_rate=config.answer_rate,
        occupancy=round(busy, 4),
        talk_minutes_per_agent_hour=round(talk / 60.0 / (config.agents * hours), 2),
        abandon_rate=_rate(campaign.abandons, campaign.live),
        calls_per_hour=round(campaign.placed / hours, 1),
        wait_p95_s=round(p95, 2),
        idle_share=round(1.0 - busy, 4),
        ceiling=round(config.ceiling, 4),
        ratio_to_ceiling=round(talk_share / config.ceiling, 4),
        predictive_share=_rate(campaign.predictive_seconds, campaign.ticks),
        calls_placed=campaign.placed,
        live_answers=campaign.live,
        abandons=campaign.abandons,
    )


def clairvoyant(config: SimulationConfig) -> SimulationConfig:
    """The same shift for a pacer that knows when every busy agent frees and the true answer
    share of every hour: the bound of the pacer's rule, since all it is left not knowing is which
    debtors answer and when (`bench_pacing.py --clairvoyant`)."""
    knows_the_share = replace(config.pacer, prior_calls=10**9, answer_windows=(), curve_floor=1.0)
    return replace(config, clairvoyant=True, curve_error=0.0, pacer=knows_the_share)


def compare(config: SimulationConfig) -> list[SimulationResult]:
    """Progressive and predictive on the same seed, side by side."""
    return [simulate(config, DialingMode.PROGRESSIVE), simulate(config, DialingMode.PREDICTIVE)]


def simulate_shared(config: SharedSimulationConfig) -> SharedResult:
    """Run one shift of several campaigns sharing one team; deterministic for the world's seed."""
    floor = Floor(config.world, config.agents, config.campaigns).run()
    talk, _wrap = floor.busy_seconds()
    logged_in = config.agents * floor.env.now
    return SharedResult(
        agents=config.agents,
        hours=round(floor.env.now / 3600.0, 3),
        ratio_to_ceiling=round(talk / logged_in / config.world.ceiling, 4) if logged_in else 0.0,
        progressive_overcommitted_seconds=floor.overcommitted,
        campaigns=tuple(
            CampaignResult(
                name=c.spec.name,
                mode=str(c.spec.mode),
                priority=c.spec.priority,
                agents=len(c.members),
                calls_placed=c.placed,
                live_answers=c.live,
                abandons=c.abandons,
                abandon_rate=_rate(c.abandons, c.live),
                predictive_share=_rate(c.predictive_seconds, c.ticks),
                talk_minutes=round(c.talk_total / 60.0, 1),
            )
            for c in floor.campaigns
        ),
    )


def three_campaigns(agents: int, world: SimulationConfig) -> SharedSimulationConfig:
    """The floor of issue 14: a team in three thirds T1, T2, T3, each agent in two campaigns.
    Predictive A (priority 2, 10% answer) works T1 + T2; progressive (priority 1, 25%) T2 + T3;
    predictive B (priority 1, 25%) T1 + T3. A takes T1 and T2 first; progressive and B share T3
    (fair share) and get T1, T2 when A does not need them; every campaign bets on, or waits for,
    agents freed by calls of the others."""
    third = max(1, agents // 3)
    everyone = tuple(range(agents))
    t1, t2, t3 = everyone[:third], everyone[third : 2 * third], everyone[2 * third :]
    return SharedSimulationConfig(
        agents=agents,
        campaigns=(
            CampaignSpec("predictive A", DialingMode.PREDICTIVE, 2, t1 + t2, answer_rate=0.10),
            CampaignSpec("progressive", DialingMode.PROGRESSIVE, 1, t2 + t3, answer_rate=0.25),
            CampaignSpec("predictive B", DialingMode.PREDICTIVE, 1, t1 + t3, answer_rate=0.25),
        ),
        world=world,
    )
