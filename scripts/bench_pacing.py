"""Pacing benchmark: progressive vs predictive over team sizes and answer profiles.

For each cell (profile x team size x person-answer rate) both modes run the same simulated shift
(same seed, same debtors) with the default distributions of `acuerdo simulate`: talk lognormal
mean 180 s (sd 120), wrap-up mean 30 s (sd 15), answered calls ring lognormal median 12 s,
unanswered calls ring 25 s, machines answer 15% of calls, CPS 30. Profiles:

- `flat`: the answer rate of the cell times the mild default hour curve, from 09:00;
- `daily`: answer shares that change through the day (simulator.DAILY_PROFILE), from 12:00:
  8% until 13:00, 30% at lunch (13:00-15:00), 15% in the afternoon (15:00-18:00), 25% in the
  early evening (18:00-21:00); `--hours 9` runs the whole afternoon and evening.

Before the single-campaign grid it runs the floor of issue 14 (`--shared yes|no|only`): three
campaigns sharing one team of 8, 30 and 50 agents (simulator.three_campaigns: predictive A
priority 2, progressive and predictive B priority 1, every agent in two of them), split every
second by the real allocation; its floor is the same shift with all three campaigns progressive.
Per campaign: calls, live answers, abandons and the seconds paced predictively; for the team: talk
share of the ceiling beside the floor's, and the seconds in which progressive had more calls in
flight than ready agents across its campaigns (the contract is 0).

The pacer knows the hour curve from earlier days with up to 20% error per hour (`curve_error`).
The campaign has run before: its rolling (30-day) window holds 2,000 live answers with 30
abandons (1.5%) before the shift; its last-24-hours window is the shift, which starts empty. The
abandon rate printed is the shift's own (abandoned / live answers of the shift).

    python scripts/bench_pacing.py                       # 3 simulated hours per cell, seed 1
    python scripts/bench_pacing.py --profile daily --seeds 1,2,3
    python scripts/bench_pacing.py --quick               # a few short cells: does it still run
    python scripts/bench_pacing.py --shared only --seeds 1,2   # only the three shared campaigns
    python scripts/bench_pacing.py --clairvoyant --shared no   # beside the clairvoyant bound

Prints a Markdown table: per cell, talk minutes per agent hour in each mode (progressive is the
floor), their ratio, each mode's talk share as a fraction of the ceiling talk / (talk + wrap-up),
predictive's abandon rate and the share of seconds it actually paced predictively; with
`--clairvoyant`, also the share and abandon rate of the same pacer told when every busy agent
frees and the true answer share (simulator.clairvoyant): the bound of its rule.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from multiprocessing import Pool

from campaigns.models.enums import DialingMode
from telephony.dialer.simulator import (
    PROFILES,
    SharedResult,
    SharedSimulationConfig,
    SimulationConfig,
    SimulationResult,
    clairvoyant,
    simulate,
    simulate_shared,
    three_campaigns,
)

TEAMS = (5, 8, 20, 30, 50, 150)
ANSWER_RATES = (0.10, 0.25, 0.50)
START_HOUR = {"flat": 9, "daily": 12}
PRIOR_LIVE_ANSWERS = 2000
PRIOR_ABANDONS = 30
CURVE_ERROR = 0.2
QUICK_TEAMS = (8, 30)
QUICK_HOURS = 0.25
SHARED_TEAMS = (8, 30, 50)
QUICK_SHARED_TEAMS = (30,)

Cell = tuple[str, int, float]
Job = tuple[str, int, float, float, int, str]


def config_for(
    profile: str, agents: int, answer_rate: float, hours: float, seed: int
) -> SimulationConfig:
    """The simulated campaign of one cell."""
    return SimulationConfig(
        agents=agents,
        hours=hours,
        answer_rate=answer_rate,
        answer_profile=PROFILES[profile],
        curve_error=CURVE_ERROR,
        start_hour=START_HOUR[profile],
        prior_live_answers=PRIOR_LIVE_ANSWERS,
        prior_abandons=PRIOR_ABANDONS,
        seed=seed,
    )


CLAIRVOYANT = "clairvoyant"
"""The job mode of the bound: predictive with a pacer told when each agent frees."""


def _run(job: Job) -> tuple[Job, SimulationResult]:
    profile, agents, answer_rate, hours, seed, mode = job
    config = config_for(profile, agents, answer_rate, hours, seed)
    if mode == CLAIRVOYANT:
        return job, simulate(clairvoyant(config), DialingMode.PREDICTIVE)
    return job, simulate(config, DialingMode(mode))


SharedJob = tuple[int, float, int, bool]


def shared_config(agents: int, hours: float, seed: int, floor: bool) -> SharedSimulationConfig:
    """The three-campaign floor (simulator.three_campaigns); `floor`: every campaign
    progressive, the floor the shared predictive run is compared with."""
    world = config_for("flat", agents, 0.25, hours, seed)
    config = three_campaigns(agents, world)
    if not floor:
        return config
    progressive = tuple(replace(c, mode=DialingMode.PROGRESSIVE) for c in config.campaigns)
    return replace(config, campaigns=progressive)


def _run_shared(job: SharedJob) -> tuple[SharedJob, SharedResult]:
    agents, hours, seed, floor = job
    return job, simulate_shared(shared_config(agents, hours, seed, floor))


def print_shared(done: list[tuple[SharedJob, SharedResult]]) -> None:
    """One row per team, seed and campaign of the shared floor, beside the all-progressive floor."""
    print(
        "\nThree campaigns sharing one team (every agent in two of them; predictive A priority 2,"
        " progressive and predictive B priority 1, fair share):\n"
    )
    print(
        "| agents | seed | campaign | mode | priority | team | calls | live | abandons "
        "| abandon rate | paced predictively | floor talk / ceiling (all progressive) "
        "| talk / ceiling | ratio | progressive over-committed seconds |"
    )
    print("|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    floors = {(j[0], j[2]): r for j, r in done if j[3]}
    for job, result in sorted(done, key=lambda d: (d[0][0], d[0][2])):
        agents, _hours, seed, floor = job
        if floor:
            continue
        base = floors[(agents, seed)].ratio_to_ceiling
        for c in result.campaigns:
            print(
                f"| {agents} | {seed} | {c.name} | {c.mode} | {c.priority} | {c.agents} "
                f"| {c.calls_placed} | {c.live_answers} | {c.abandons} | {c.abandon_rate:.2%} "
                f"| {c.predictive_share:.0%} | {base:.0%} | {result.ratio_to_ceiling:.0%} "
                f"| {result.ratio_to_ceiling / base:.2f} "
                f"| {result.progressive_overcommitted_seconds} |"
            )


def cells(profiles: list[str], teams: tuple[int, ...]) -> list[Cell]:
    """Flat cells at each answer rate; a time-varying profile is one cell per team."""
    out: list[Cell] = []
    for profile in profiles:
        rates = ANSWER_RATES if profile == "flat" else (0.0,)
        out += [(profile, agents, rate) for agents in teams for rate in rates]
    return out


def main() -> None:
    """Run the grid and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--hours", type=float, default=3.0, help="simulated hours per cell")
    parser.add_argument("--seeds", default="1", help="comma-separated seeds")
    parser.add_argument("--profile", choices=["all", *PROFILES], default="all")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="teams 8 and 30, 15 minutes")
    parser.add_argument("--teams", default="", help="comma-separated team sizes (default: all)")
    parser.add_argument("--json", action="store_true", help="print raw results as JSON")
    parser.add_argument(
        "--clairvoyant",
        action="store_true",
        help="also run each cell with a pacer told when every agent frees (an upper bound)",
    )
    parser.add_argument(
        "--shared",
        choices=["yes", "no", "only"],
        default="yes",
        help="also (or only) run three campaigns sharing one team",
    )
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    profiles = list(PROFILES) if args.profile == "all" else [args.profile]
    teams = QUICK_TEAMS if args.quick else TEAMS
    if args.teams:
        teams = tuple(int(t) for t in args.teams.split(","))
    hours = QUICK_HOURS if args.quick else args.hours
    grid = cells(profiles, teams)
    modes = [DialingMode.PROGRESSIVE.value, DialingMode.PREDICTIVE.value]
    if args.clairvoyant:
        modes.append(CLAIRVOYANT)
    jobs: list[Job] = [
        (profile, agents, rate, hours, seed, mode)
        for profile, agents, rate in grid
        for seed in seeds
        for mode in modes
    ]
    if args.shared == "only":
        jobs = []
    shared_jobs: list[SharedJob] = []
    if args.shared != "no":
        shared_teams = QUICK_SHARED_TEAMS if args.quick else SHARED_TEAMS
        shared_jobs = [
            (agents, hours, seed, floor)
            for agents in shared_teams
            for seed in seeds
            for floor in (True, False)
        ]
    started = time.perf_counter()
    with Pool(args.processes) as pool:
        shared = pool.map(_run_shared, sorted(shared_jobs, key=lambda j: -j[0]), chunksize=1)
        done = pool.map(_run, sorted(jobs, key=lambda j: -j[1]), chunksize=1)
    elapsed = time.perf_counter() - started
    if args.json:
        print(
            json.dumps(
                [{"profile": j[0], **r.as_dict()} for j, r in done]
                + [{"profile": "shared", **r.as_dict()} for _j, r in shared],
                indent=2,
            )
        )
        return
    print(
        f"{hours:g} simulated hours per cell, seeds {args.seeds}, "
        f"{len(jobs) + len(shared_jobs)} runs in {elapsed:.0f} s on {args.processes} processes"
    )
    if shared:
        print_shared(shared)
    if not done:
        return
    print_grid(grid, done, args.clairvoyant)


def print_grid(grid: list[Cell], done: list[tuple[Job, SimulationResult]], bound: bool) -> None:
    """One row per cell: progressive (the floor) beside predictive, and with `bound` the
    clairvoyant pacer's share and abandon rate (mean share and worst rate over the seeds)."""
    extra = " clairvoyant / ceiling | clairvoyant abandon |" if bound else ""
    print()
    print(
        "| profile | agents | answer | progressive talk min/agent-h (floor) "
        "| predictive talk min/agent-h | ratio | progressive / ceiling | predictive / ceiling "
        f"| predictive abandon | paced predictively |{extra}"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + "---:|---:|" * bound)
    worst = 0.0
    for profile, agents, rate in grid:
        mine = [(j[5], r) for j, r in done if (j[0], j[1], j[2]) == (profile, agents, rate)]
        prog = [r for mode, r in mine if mode == DialingMode.PROGRESSIVE]
        pred = [r for mode, r in mine if mode == DialingMode.PREDICTIVE]
        best = [r for mode, r in mine if mode == CLAIRVOYANT]
        talk_prog = sum(r.talk_minutes_per_agent_hour for r in prog) / len(prog)
        talk_pred = sum(r.talk_minutes_per_agent_hour for r in pred) / len(pred)
        abandon = max(r.abandon_rate for r in pred)
        worst = max(worst, abandon)
        share = sum(r.predictive_share for r in pred) / len(pred)
        ceiling_prog = sum(r.ratio_to_ceiling for r in prog) / len(prog)
        ceiling_pred = sum(r.ratio_to_ceiling for r in pred) / len(pred)
        answer = f"{rate:.0%}" if profile == "flat" else "8-30%"
        bound_cells = (
            f" {sum(r.ratio_to_ceiling for r in best) / len(best):.1%} "
            f"| {max(r.abandon_rate for r in best):.2%} |"
            if best
            else ""
        )
        print(
            f"| {profile} | {agents} | {answer} | {talk_prog:.1f} | {talk_pred:.1f} "
            f"| {talk_pred / talk_prog:.2f} | {ceiling_prog:.0%} | {ceiling_pred:.0%} "
            f"| {abandon:.2%} | {share:.0%} |{bound_cells}"
        )
    print(f"\nworst predictive abandon rate over all cells and seeds: {worst:.2%}")


if __name__ == "__main__":
    main()
