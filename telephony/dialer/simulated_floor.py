"""The simulator's core: a discrete-event contact floor (simpy) of one team working one campaign or
several, driving the real pacer and the real agent allocation once every simulated second.

Every simulated second the floor does what the dialing loop (`console/dialer.py`) does: it splits
the ready agents among the paced campaigns (`allocate`: calls in flight covered first, then
priority and fair share), counts each busy agent for the campaign that gets it when it frees
(`freeing_campaign`), asks each campaign's pacer in processing order with its share of the agents,
launches the calls and hands back the agents a campaign did not use. One campaign with the whole
team is the plain single-campaign floor.

Debtors answer in person with the campaign's share (its rate times the hour curve, or its hourly
profile), machines answer with the machine share and are detected and dropped without an agent,
the rest ring until the timeout. An answered call goes, like the console's routing, to the
longest-idle ready agent of its campaign that the split gave to that campaign, else to the
longest-idle ready agent of its campaign; none within `abandon_after_s` is an abandon. An agent
who frees takes the oldest answered call waiting in any campaign it works for.

Each campaign draws its debtors (outcome, ring, talk and wrap-up times) from its own random
stream in the order it places calls, so two modes on the same seed meet the same debtors, and a
campaign meets the same debtors whatever the others do.

The pacer sees only what a real dialing loop would: counts, elapsed times, the answer shares and
newest outcomes of the campaign's own recent calls (refreshed every `rate_refresh_s`), ring, talk
and wrap-up samples (every `history_refresh_s`), and the hour curve learnt on earlier days, off by
up to `curve_error` per hour. A campaign starts with yesterday's duration samples (drawn from the
same distributions) and a rolling abandon window of `prior_live_answers` and `prior_abandons`;
its last-24-hours window is the run.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Generator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import simpy

from campaigns.models.enums import DialingMode
from telephony.dialer.allocation import (
    CampaignDemand,
    allocate,
    freeing_campaign,
    processing_order,
)
from telephony.dialer.pacer import decide
from telephony.dialer.pacing_contract import PacingHistory, PacingSnapshot

if TYPE_CHECKING:
    from telephony.dialer.simulator import CampaignSpec, SimulationConfig

HISTORY_SIZE = 200
"""Ring, talk and wrap-up samples the pacer is given (the dialing loop reads 200)."""
RATE_WINDOW = 400
"""Recent calls the answer and machine shares come from (the dialing loop reads 400)."""

HUMAN, MACHINE, NO_ANSWER = 1, 2, 0
PACED = (DialingMode.PROGRESSIVE, DialingMode.PREDICTIVE)


@dataclass
class Call:
    campaign: int
    outcome: int
    ring_s: float
    talk_s: float
    wrap_s: float


def lognormal(rng: random.Random, mean: float, sd: float) -> float:
    """A lognormal draw with this mean and standard deviation."""
    sigma2 = math.log(1.0 + (sd / mean) ** 2)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2))


class Campaign:
    """One campaign's debtors, calls, what its pacer knows, and its counters."""

    def __init__(self, index: int, spec: CampaignSpec, world: SimulationConfig) -> None:
        self.index = index
        self.spec = spec
        self.config = replace(
            world, answer_rate=spec.answer_rate, answer_profile=spec.answer_profile
        )
        self.members = frozenset(spec.agents)
        stream = world.seed + 1_000 * index
        self.rng = random.Random(stream)
        self.ringing: dict[int, float] = {}
        self.waiting: deque[tuple[Call, simpy.Event, float]] = deque()
        self.outcomes: deque[int] = deque(maxlen=RATE_WINDOW)
        yesterday = random.Random(stream + 1_000_003)
        self.ring_seen: deque[float] = deque(maxlen=HISTORY_SIZE)
        self.talk_seen: deque[float] = deque(maxlen=HISTORY_SIZE)
        self.wrap_seen: deque[float] = deque(maxlen=HISTORY_SIZE)
        for _ in range(HISTORY_SIZE):
            self.ring_seen.append(self.ring_time(yesterday))
            self.talk_seen.append(lognormal(yesterday, world.talk_mean_s, world.talk_sd_s))
            self.wrap_seen.append(lognormal(yesterday, world.wrap_mean_s, world.wrap_sd_s))
        learnt = random.Random(stream + 2_000_003)
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
        """Ring-to-answer of an answered call: lognormal, below the timeout."""
        limit = self.config.ring_timeout_s - 0.5
        for _ in range(20):
            ring = rng.lognormvariate(math.log(self.config.ring_median_s), self.config.ring_sigma)
            if ring < limit:
                return ring
        return limit

    def draw(self, hour: int) -> Call:
        """The next debtor this campaign calls."""
        draw = self.rng.random()
        human = self.config.person_answer_rate(hour)
        if draw < human:
            outcome = HUMAN
        elif draw < human + self.config.machine_rate:
            outcome = MACHINE
        else:
            outcome = NO_ANSWER
        ring = self.ring_time(self.rng)
        talk = lognormal(self.rng, self.config.talk_mean_s, self.config.talk_sd_s)
        wrap = lognormal(self.rng, self.config.wrap_mean_s, self.config.wrap_sd_s)
        return Call(self.index, outcome, ring, talk, wrap)

    def refresh(self, tick: int) -> None:
        """Re-read the samples and shares, as often as the dialing loop would see them change."""
        if tick % self.config.history_refresh_s == 0:
            self.samples = (tuple(self.ring_seen), tuple(self.talk_seen), tuple(self.wrap_seen))
        if tick % self.config.rate_refresh_s == 0:
            count = len(self.outcomes)
            humans = sum(1 for o in self.outcomes if o == HUMAN)
            machines = sum(1 for o in self.outcomes if o == MACHINE)
            self.rates = (
                humans / count if count else 0.0,
                machines / count if count else 0.0,
                count,
            )
            self.latest = tuple(o == HUMAN for o in reversed(self.outcomes))

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
            # The last 24 hours are the run: each day starts with an empty day window.
            day_live_answers=self.live,
            day_abandons=self.abandons,
        )


class Floor:
    """One team and its campaigns; `run` drives it for the world's hours."""

    def __init__(
        self, world: SimulationConfig, agents: int, campaigns: Sequence[CampaignSpec]
    ) -> None:
        self.env = simpy.Environment()
        self.world = world
        self.agents = agents
        self.campaigns = [Campaign(i, c, world) for i, c in enumerate(campaigns)]
        self.ready: dict[int, float] = {a: 0.0 for a in range(agents)}
        """Ready agent -> when it became ready (longest idle first)."""
        self.busy: dict[int, tuple[int, float, bool]] = {}
        """Busy agent -> (campaign of its call, since, True while talking)."""
        self.frees_at: dict[int, float] = {}
        """Busy agent -> when it frees (told to the pacer only in a clairvoyant world)."""
        self.owner_of: dict[int, int] = {}
        self.next_call_id = 0
        self.talk_total = self.wrap_total = 0.0
        self.waits: list[float] = []
        self.overcommitted = 0
        self.ticks = 0

    def run(self) -> Floor:
        self.env.process(self.pacing_loop())
        self.env.run(until=self.world.hours * 3600.0)
        return self

    def hour(self) -> int:
        return (self.world.start_hour + int(self.env.now // 3600)) % 24

    def demands(self) -> list[CampaignDemand]:
        return [
            CampaignDemand(c.index, c.spec.priority, c.members, c.in_flight)
            for c in self.campaigns
            if c.spec.mode in PACED
        ]

    def snapshot(self, campaign: Campaign, ready: int, busy: list[int]) -> PacingSnapshot:
        now = self.env.now
        talking = tuple(now - self.busy[a][1] for a in busy if self.busy[a][2])
        wrapping = tuple(now - self.busy[a][1] for a in busy if not self.busy[a][2])
        return PacingSnapshot(
            mode=campaign.spec.mode,
            agents_ready=ready,
            history=campaign.history(self.hour()),
            talk_elapsed_s=talking,
            wrap_elapsed_s=wrapping,
            frees_in_s=(
                tuple(self.frees_at[a] - now for a in busy) if self.world.clairvoyant else None
            ),
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
            allocation = allocate(demands, sorted(self.ready, key=self.ready.__getitem__))
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

    def route(self, campaign: Campaign) -> int | None:
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

    def call(self, campaign: Campaign, call: Call) -> Generator[simpy.Event, Any, None]:
        env = self.env
        call_id = self.next_call_id
        self.next_call_id += 1
        campaign.placed += 1
        campaign.ringing[call_id] = env.now
        if call.outcome == NO_ANSWER:
            yield env.timeout(self.world.ring_timeout_s)
            del campaign.ringing[call_id]
            campaign.outcomes.append(NO_ANSWER)
            return
        yield env.timeout(call.ring_s)
        del campaign.ringing[call_id]
        campaign.outcomes.append(call.outcome)
        campaign.ring_seen.append(call.ring_s)
        if call.outcome == MACHINE:
            return
        campaign.live += 1
        agent = self.route(campaign)
        if agent is not None:
            self.waits.append(0.0)
            env.process(self.handle(agent, call))
            return
        assigned = env.event()
        entry = (call, assigned, env.now)
        campaign.waiting.append(entry)
        yield assigned | env.timeout(self.world.abandon_after_s)
        if not assigned.triggered:
            campaign.waiting.remove(entry)
            campaign.abandons += 1

    def handle(self, agent: int, call: Call) -> Generator[simpy.Event, Any, None]:
        env = self.env
        campaign = self.campaigns[call.campaign]
        self.busy[agent] = (call.campaign, env.now, True)
        self.frees_at[agent] = env.now + call.talk_s + call.wrap_s
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
        call, assigned, answered_at = campaign.waiting.popleft()
        self.waits.append(self.env.now - answered_at)
        assigned.succeed(agent)
        self.env.process(self.handle(agent, call))

    def busy_seconds(self) -> tuple[float, float]:
        """Talk and wrap-up seconds so far, the calls still on included."""
        end = self.env.now
        talk, wrap = self.talk_total, self.wrap_total
        for _campaign, since, talking in self.busy.values():
            if talking:
                talk += end - since
            else:
                wrap += end - since
        return talk, wrap
