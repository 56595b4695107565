"""Several campaigns sharing one team of agents, simulated second by second with the real pacer
and the real allocation (`telephony/dialer/allocation.py`).

Every simulated second the floor does what `console/dialer.py` does: it splits the ready agents
among the paced campaigns (`allocate`, priority then fair share, calls in flight covered first),
counts each busy agent for the campaign that gets it when it frees (`freeing_campaign`), asks
each campaign's pacer in processing order with its share of the agents, launches the calls and
hands back the agents a campaign did not use. An answered call goes, like the console's routing
(`console/agents/state.py`, `_RESERVE`), to the longest-idle ready agent of its campaign that the
split gave to that campaign, else to the longest-idle ready agent of its campaign; none within
the 2-second grace is an abandon. An agent who frees takes the oldest answered call waiting in
any campaign it works for.

Each campaign draws its debtors from its own random stream (its answer share or hourly profile),
so a campaign meets the same debtors whatever the others do. The world (ring, talk and wrap-up
distributions, CPS, prior windows, curve error, seed) is a `SimulationConfig`.

What it reports, per campaign: calls, live answers, abandons, the share of seconds paced
predictively; for the floor: talk share of the ceiling, and the seconds in which the progressive
campaigns had more calls in flight than ready agents across all of them.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Generator
from dataclasses import asdict, dataclass, replace
from typing import Any

import simpy

from campaigns.models.enums import DialingMode
from telephony.dialer.allocation import (
    Allocation,
    CampaignDemand,
    allocate,
    freeing_campaign,
    processing_order,
)
from telephony.dialer.pacer import PacingHistory, PacingSnapshot, decide
from telephony.dialer.simulator import HISTORY_SIZE, RATE_WINDOW, SimulationConfig

_HUMAN, _MACHINE, _NO_ANSWER = 1, 2, 0


@dataclass(frozen=True)
class SharedCampaign:
    """One campaign of the shared floor: its mode, priority, team and debtors."""

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
    campaigns: tuple[SharedCampaign, ...]
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


def _lognormal(rng: random.Random, mean: float, sd: float) -> float:
    sigma2 = math.log(1.0 + (sd / mean) ** 2)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2))


@dataclass
class _Call:
    campaign: int
    outcome: int
    ring_s: float
    talk_s: float
    wrap_s: float


class _Campaign:
    """One campaign's calls, history and counters."""

    def __init__(self, index: int, spec: SharedCampaign, world: SimulationConfig) -> None:
        self.index = index
        self.spec = spec
        self.config = replace(
            world, answer_rate=spec.answer_rate, answer_profile=spec.answer_profile
        )
        self.members = frozenset(spec.agents)
        self.rng = random.Random(world.seed * 1_000 + index)
        self.ringing: dict[int, float] = {}
        self.waiting: deque[tuple[_Call, simpy.Event, float]] = deque()
        self.outcomes: deque[int] = deque(maxlen=RATE_WINDOW)
        yesterday = random.Random(world.seed * 1_000 + index + 1_000_003)
        self.ring_seen: deque[float] = deque(maxlen=HISTORY_SIZE)
        self.talk_seen: deque[float] = deque(maxlen=HISTORY_SIZE)
        self.wrap_seen: deque[float] = deque(maxlen=HISTORY_SIZE)
        for _ in range(HISTORY_SIZE):
            self.ring_seen.append(self.ring_time(yesterday))
            self.talk_seen.append(_lognormal(yesterday, world.talk_mean_s, world.talk_sd_s))
            self.wrap_seen.append(_lognormal(yesterday, world.wrap_mean_s, world.wrap_sd_s))
        learnt = random.Random(world.seed * 1_000 + index + 2_000_003)
        self.curve = tuple(
            min(
                1.0,
                self.config.person_answer_rate(h)
                * (1.0 + world.curve_error * learnt.uniform(-1, 1)),
            )
            for h in range(24)
        )
        self.samples: tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]] = ((), (), ())
        self.rates = (0.0, 0.0, 0)
        self.latest: tuple[bool, ...] = ()
        self.placed = self.live = self.abandons = 0
        self.predictive_seconds = self.ticks = 0
        self.talk_total = 0.0

    def ring_time(self, rng: random.Random) -> float:
        limit = self.config.ring_timeout_s - 0.5
        for _ in range(20):
            ring = rng.lognormvariate(math.log(self.config.ring_median_s), self.config.ring_sigma)
            if ring < limit:
                return ring
        return limit

    def draw(self, hour: int) -> _Call:
        draw = self.rng.random()
        human = self.config.person_answer_rate(hour)
        if draw < human:
            outcome = _HUMAN
        elif draw < human + self.config.machine_rate:
            outcome = _MACHINE
        else:
            outcome = _NO_ANSWER
        ring = self.ring_time(self.rng)
        talk = _lognormal(self.rng, self.config.talk_mean_s, self.config.talk_sd_s)
        wrap = _lognormal(self.rng, self.config.wrap_mean_s, self.config.wrap_sd_s)
        return _Call(self.index, outcome, ring, talk, wrap)

    def refresh(self, tick: int) -> None:
        if tick % self.config.history_refresh_s == 0:
            self.samples = (tuple(self.ring_seen), tuple(self.talk_seen), tuple(self.wrap_seen))
        if tick % self.config.rate_refresh_s == 0:
            count = len(self.outcomes)
            humans = sum(1 for o in self.outcomes if o == _HUMAN)
            machines = sum(1 for o in self.outcomes if o == _MACHINE)
            self.rates = (
                humans / count if count else 0.0,
                machines / count if count else 0.0,
                count,
            )
            self.latest = tuple(o == _HUMAN for o in reversed(self.outcomes))

    @property
    def in_flight(self) -> int:
        return len(self.ringing) + len(self.waiting)

    def history(self, hour: int) -> PacingHistory:
        ring, talk, wrap = self.samples
        human, machine, count = self.rates
        return PacingHistory(
            answer_rate=human if count else self.curve[hour],
            machine_rate=machine if count else self.config.machine_rate,
            recent_calls=count,
            recent_person_answers=self.latest,
            answer_rate_by_hour=self.curve,
            ring_to_answer_s=ring,
            talk_s=talk,
            wrap_s=wrap,
            live_answers=self.config.prior_live_answers + self.live,
            abandons=self.config.prior_abandons + self.abandons,
            day_live_answers=self.live,
            day_abandons=self.abandons,
        )


class _SharedFloor:
    def __init__(self, env: simpy.Environment, config: SharedSimulationConfig) -> None:
        self.env = env
        self.config = config
        self.world = config.world
        self.campaigns = [_Campaign(i, c, config.world) for i, c in enumerate(config.campaigns)]
        self.ready: dict[int, float] = {a: 0.0 for a in range(config.agents)}
        """Ready agent -> when it became ready (longest idle first)."""
        self.busy: dict[int, tuple[int, float, bool]] = {}
        """Busy agent -> (campaign of its call, since, True while talking)."""
        self.owner_of: dict[int, int] = {}
        self.next_call_id = 0
        self.talk_total = self.wrap_total = 0.0
        self.overcommitted = 0
        self.ticks = 0

    def hour(self) -> int:
        return (self.world.start_hour + int(self.env.now // 3600)) % 24

    def demands(self) -> list[CampaignDemand]:
        return [
            CampaignDemand(c.index, c.spec.priority, c.members, c.in_flight)
            for c in self.campaigns
            if c.spec.mode in (DialingMode.PROGRESSIVE, DialingMode.PREDICTIVE)
        ]

    def snapshot(self, campaign: _Campaign, ready: int, busy: list[int]) -> PacingSnapshot:
        now = self.env.now
        talking = tuple(now - self.busy[a][1] for a in busy if self.busy[a][2])
        wrapping = tuple(now - self.busy[a][1] for a in busy if not self.busy[a][2])
        return PacingSnapshot(
            mode=campaign.spec.mode,
            agents_ready=ready,
            history=campaign.history(self.hour()),
            talk_elapsed_s=talking,
            wrap_elapsed_s=wrapping,
            ringing_elapsed_s=tuple(now - t for t in campaign.ringing.values()),
            answered_waiting=len(campaign.waiting),
            hour=self.hour(),
            cps_limit=self.world.cps,
            max_lines=self.world.max_lines,
            ring_timeout_s=self.world.ring_timeout_s,
            abandon_target=self.world.abandon_target,
        )

    def pacing_loop(self) -> Generator[simpy.Event, Any, None]:
        while True:
            for campaign in self.campaigns:
                campaign.refresh(self.ticks)
            self.ticks += 1
            demands = self.demands()
            busy: dict[int, list[int]] = {}
            for agent, (call_campaign, _since, _talking) in self.busy.items():
                owner = freeing_campaign(agent, call_campaign, demands)
                if owner is not None:
                    busy.setdefault(owner, []).append(agent)
            allocation: Allocation = allocate(
                demands, sorted(self.ready, key=self.ready.__getitem__)
            )
            for demand in processing_order(demands):
                campaign = self.campaigns[demand.campaign_id]
                mine = allocation.take(demand)
                decision = decide(
                    self.snapshot(campaign, len(mine), busy.get(campaign.index, [])),
                    self.world.pacer,
                )
                campaign.ticks += 1
                if decision.mode_used == DialingMode.PREDICTIVE:
                    campaign.predictive_seconds += 1
                for _ in range(decision.calls):
                    self.env.process(self.call(campaign, campaign.draw(self.hour())))
                allocation.hand_back(demand, demand.in_flight + decision.calls)
            self.owner_of = allocation.owner_of()
            self._check_progressive()
            yield self.env.timeout(1.0)

    def _check_progressive(self) -> None:
        progressive = [c for c in self.campaigns if c.spec.mode == DialingMode.PROGRESSIVE]
        if not progressive:
            return
        members = frozenset().union(*(c.members for c in progressive))
        in_flight = sum(c.in_flight for c in progressive)
        if in_flight > sum(1 for a in self.ready if a in members):
            self.overcommitted += 1

    def route(self, campaign: _Campaign) -> int | None:
        """The console's routing: an agent split to this campaign first, longest idle first."""
        candidates = sorted(
            (a for a in self.ready if a in campaign.members), key=self.ready.__getitem__
        )
        if not candidates:
            return None
        mine = [a for a in candidates if self.owner_of.get(a) == campaign.index]
        agent = (mine or candidates)[0]
        del self.ready[agent]
        return agent

    def call(self, campaign: _Campaign, call: _Call) -> Generator[simpy.Event, Any, None]:
        env = self.env
        call_id = self.next_call_id
        self.next_call_id += 1
        campaign.placed += 1
        campaign.ringing[call_id] = env.now
        if call.outcome == _NO_ANSWER:
            yield env.timeout(self.world.ring_timeout_s)
            del campaign.ringing[call_id]
            campaign.outcomes.append(_NO_ANSWER)
            return
        yield env.timeout(call.ring_s)
        del campaign.ringing[call_id]
        campaign.outcomes.append(call.outcome)
        campaign.ring_seen.append(call.ring_s)
        if call.outcome == _MACHINE:
            return
        campaign.live += 1
        agent = self.route(campaign)
        if agent is not None:
            env.process(self.handle(agent, call))
            return
        assigned = env.event()
        entry = (call, assigned, env.now)
        campaign.waiting.append(entry)
        yield assigned | env.timeout(self.world.abandon_after_s)
        if not assigned.triggered:
            campaign.waiting.remove(entry)
            campaign.abandons += 1

    def handle(self, agent: int, call: _Call) -> Generator[simpy.Event, Any, None]:
        env = self.env
        campaign = self.campaigns[call.campaign]
        self.busy[agent] = (call.campaign, env.now, True)
        yield env.timeout(call.talk_s)
        self.talk_total += call.talk_s
        campaign.talk_total += call.talk_s
        campaign.talk_seen.append(call.talk_s)
        self.busy[agent] = (call.campaign, env.now, False)
        yield env.timeout(call.wrap_s)
        self.wrap_total += call.wrap_s
        campaign.wrap_seen.append(call.wrap_s)
        del self.busy[agent]
        self.free(agent)

    def free(self, agent: int) -> None:
        waiting = [c for c in self.campaigns if agent in c.members and c.waiting]
        if not waiting:
            self.ready[agent] = self.env.now
            return
        campaign = min(waiting, key=lambda c: c.waiting[0][2])
        call, assigned, _answered_at = campaign.waiting.popleft()
        assigned.succeed(agent)
        self.env.process(self.handle(agent, call))

    def result(self) -> SharedResult:
        end = self.env.now
        talk = self.talk_total + sum(
            end - since for _c, since, talking in self.busy.values() if talking
        )
        logged_in = self.config.agents * end
        ceiling = self.world.ceiling
        return SharedResult(
            agents=self.config.agents,
            hours=round(end / 3600.0, 3),
            ratio_to_ceiling=round(talk / logged_in / ceiling, 4) if logged_in else 0.0,
            progressive_overcommitted_seconds=self.overcommitted,
            campaigns=tuple(
                CampaignResult(
                    name=c.spec.name,
                    mode=str(c.spec.mode),
                    priority=c.spec.priority,
                    agents=len(c.members),
                    calls_placed=c.placed,
                    live_answers=c.live,
                    abandons=c.abandons,
                    abandon_rate=round(c.abandons / c.live, 4) if c.live else 0.0,
                    predictive_share=(round(c.predictive_seconds / c.ticks, 4) if c.ticks else 0.0),
                    talk_minutes=round(c.talk_total / 60.0, 1),
                )
                for c in self.campaigns
            ),
        )


def simulate_shared(config: SharedSimulationConfig) -> SharedResult:
    """Run one shared shift; deterministic for the world's seed."""
    env = simpy.Environment()
    floor = _SharedFloor(env, config)
    env.process(floor.pacing_loop())
    env.run(until=config.world.hours * 3600.0)
    return floor.result()


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
            SharedCampaign("predictive A", DialingMode.PREDICTIVE, 2, t1 + t2, answer_rate=0.10),
            SharedCampaign("progressive", DialingMode.PROGRESSIVE, 1, t2 + t3, answer_rate=0.25),
            SharedCampaign("predictive B", DialingMode.PREDICTIVE, 1, t1 + t3, answer_rate=0.25),
        ),
        world=world,
    )
