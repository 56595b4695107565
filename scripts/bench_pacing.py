"""Pacing benchmark: progressive vs predictive over team sizes and answer rates.

For each cell (team size x person-answer rate) both modes run the same simulated shift (same seed,
same debtors) with the default distributions of `acuerdo simulate`: talk lognormal mean 180 s
(sd 120), wrap-up mean 30 s (sd 15), answered calls ring lognormal median 12 s, unanswered calls
ring 25 s, machines answer 15% of calls, the default hour-of-day answer curve from 09:00, CPS 30.
The abandon window is the whole shift, which starts empty (a fresh campaign).

    python scripts/bench_pacing.py                 # 3 simulated hours per cell, seed 1
    python scripts/bench_pacing.py --hours 2 --seeds 1,2,3 --json

Prints a Markdown table: talk minutes per agent hour in each mode, predictive's gain and abandon
rate, the share of seconds predictive actually paced (the rest fell back to progressive), and each
mode's talk share as a fraction of the ceiling talk / (talk + wrap-up).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from multiprocessing import Pool

from campaigns.models.enums import DialingMode
from telephony.dialer.simulator import SimulationConfig, SimulationResult, simulate

TEAMS = (5, 20, 50, 150)
ANSWER_RATES = (0.10, 0.25, 0.50)


def _run(job: tuple[int, float, float, int, str]) -> SimulationResult:
    agents, answer_rate, hours, seed, mode = job
    config = SimulationConfig(agents=agents, answer_rate=answer_rate, hours=hours, seed=seed)
    return simulate(replace(config), DialingMode(mode))


def main() -> None:
    """Run the grid and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=3.0, help="simulated hours per cell")
    parser.add_argument("--seeds", default="1", help="comma-separated seeds")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print raw results as JSON")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [
        (agents, rate, args.hours, seed, mode)
        for agents in TEAMS
        for rate in ANSWER_RATES
        for seed in seeds
        for mode in (DialingMode.PROGRESSIVE.value, DialingMode.PREDICTIVE.value)
    ]
    started = time.perf_counter()
    with Pool(args.processes) as pool:
        results = pool.map(_run, sorted(jobs, key=lambda j: -j[0]), chunksize=1)
    elapsed = time.perf_counter() - started
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
        return
    by_key = {(r.agents, r.answer_rate, r.mode, i): r for i, r in enumerate(results)}
    print(
        f"{args.hours:g} simulated hours per cell, seeds {args.seeds}, "
        f"{len(jobs)} runs in {elapsed:.0f} s on {args.processes} processes\n"
    )
    print(
        "| agents | answer | progressive talk min/agent-h | predictive talk min/agent-h | gain "
        "| predictive abandon | paced predictively | progressive / ceiling "
        "| predictive / ceiling |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for agents in TEAMS:
        for rate in ANSWER_RATES:
            cell = [r for (a, ar, _m, _i), r in by_key.items() if a == agents and ar == rate]
            prog = [r for r in cell if r.mode == DialingMode.PROGRESSIVE]
            pred = [r for r in cell if r.mode == DialingMode.PREDICTIVE]
            talk_prog = sum(r.talk_minutes_per_agent_hour for r in prog) / len(prog)
            talk_pred = sum(r.talk_minutes_per_agent_hour for r in pred) / len(pred)
            abandon = max(r.abandon_rate for r in pred)
            worst = max(worst, abandon)
            share = sum(r.predictive_share for r in pred) / len(pred)
            ceiling_prog = sum(r.ratio_to_ceiling for r in prog) / len(prog)
            ceiling_pred = sum(r.ratio_to_ceiling for r in pred) / len(pred)
            print(
                f"| {agents} | {rate:.0%} | {talk_prog:.1f} | {talk_pred:.1f} "
                f"| {talk_pred / talk_prog - 1:+.0%} | {abandon:.2%} | {share:.0%} "
                f"| {ceiling_prog:.0%} | {ceiling_pred:.0%} |"
            )
    print(f"\nworst predictive abandon rate over all cells and seeds: {worst:.2%}")


if __name__ == "__main__":
    main()
