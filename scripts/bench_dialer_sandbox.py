"""Progressive against predictive through the real system: dialing loop, workers, sandbox, agents.

Each run starts, on 127.0.0.1 with a fresh SQLite database and embedded Redis, the carrier sandbox
(a flat answer rate all day), the web app, rq workers and `acuerdo scheduler` (whose dialing loop
asks the pacer every second), then signs in simulated agents who work over real websockets as the
browser console does: they go ready, take the offer when a debtor answers, and when the debtor
hangs up wrap up for a while (triangular 5-20 s, mode 8) and save a `refuses` outcome. A
supervisor socket counts the loop's pacing decisions. After the run the shift is measured from the
agents' own state changes and the database.

The campaign starts as a real one would in mid-shift (`floor_campaign.py`): its last two hours
hold 400 calls drawn from the same world (what the pacer learns answer rate, ring, talk and
wrap-up times from) and its 30-day abandon window also holds yesterday's 300 live answers with 3
abandons. The last 24 hours hold only today's calls, so the day's bet starts cautious. The abandon
rate reported is the run's own calls, not either window.

    python scripts/bench_dialer_sandbox.py [--agents 20] [--answer-rates 0.1 0.25 0.5]
        [--minutes 8] [--modes progressive predictive] [--cps 8] [--workers 2] [--seed 1]
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from floor_agents import WRAP, work_shift
from floor_campaign import MACHINE_SHARE, RING, RING_TIMEOUT, TALK, seed_campaign
from local_ports import free_port, wait_http


def world(answer_rate: float, cps: float, seed: int) -> dict[str, Any]:
    """A network where `answer_rate` of calls reach a person and 15% a machine, all day."""
    answered = answer_rate + MACHINE_SHARE
    return {
        "seed": seed,
        "calls_per_second": cps,
        "answer_probability_by_hour": {h: answered for h in range(24)},
        "machine_rate": MACHINE_SHARE / answered,
        "busy_rate": 0,
        "failed_rate": 0,
        "ring_seconds": RING,
        "talk_seconds": TALK,
        "machine_listen_seconds": {"min": 10, "max": 20},
        "numbers": [],
    }


def measure(campaign_id: int, start: float, end: float) -> dict[str, Any]:
    """Calls, answers, abandons and answer-to-agent waits of the calls placed in [start, end)."""
    from sqlalchemy import select

    from campaigns.db import read_scope
    from campaigns.models import Attempt, AttemptEvent, Channel
    from telephony.voice import ROUTED

    begin, finish = (datetime.fromtimestamp(t, UTC) for t in (start, end))
    with read_scope() as session:
        calls = session.scalars(
            select(Attempt).where(
                Attempt.campaign_id == campaign_id,
                Attempt.channel == Channel.VOICE,
                Attempt.created_at >= begin,
                Attempt.created_at < finish,
            )
        ).all()
        routed = dict(
            session.execute(
                select(AttemptEvent.attempt_id, AttemptEvent.occurred_at).where(
                    AttemptEvent.status == ROUTED
                )
            ).all()
        )
        live = [c for c in calls if c.answered_by == "human"]
        waits = [
            (routed[c.id] - c.answered_at).total_seconds()
            for c in live
            if c.id in routed and c.answered_at is not None
        ]
        return {
            "calls": len(calls),
            "live": len(live),
            "machines": sum(1 for c in calls if c.answered_by and c.answered_by != "human"),
            "abandoned": sum(1 for c in live if c.abandoned),
            "wait_p95": sorted(waits)[int(0.95 * (len(waits) - 1))] if waits else 0.0,
        }


def start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    output = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "console", *argv], env=env, stdout=output, stderr=output
    )


def run_case(
    mode: str, agents: int, answer_rate: float, args: argparse.Namespace
) -> dict[str, Any]:
    """One shift in one mode: fresh database and Redis, every process started and stopped."""
    var = Path(tempfile.mkdtemp(prefix=f"acuerdo-dial-{mode}-"))
    sandbox_port, web_port = free_port(), free_port()
    web = f"http://127.0.0.1:{web_port}"
    os.environ.update(
        {
            "ACUERDO_VAR_DIR": str(var),
            "ACUERDO_DATABASE_URL": f"sqlite:///{var / 'bench.db'}",
            "ACUERDO_SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}",
            "ACUERDO_PUBLIC_BASE_URL": web,
            "ACUERDO_ALLOWED_ORIGINS": json.dumps([web]),
            "ACUERDO_COOKIE_SECURE": "false",
            "ACUERDO_CALLS_PER_SECOND": str(args.cps),
            "ACUERDO_RING_TIMEOUT_SECONDS": str(RING_TIMEOUT),
            "ACUERDO_TWILIO_MODE": "sandbox",
        }
    )
    os.environ.pop("ACUERDO_REDIS_URL", None)
    from campaigns import migrate
    from campaigns.redis_conn import get_redis, redis_url, stop_embedded_redis
    from console.auth.sessions import create_session

    migrate.upgrade()
    os.environ["ACUERDO_REDIS_URL"] = redis_url()
    campaign_id, agent_ids, supervisor_id = seed_campaign(mode, agents, answer_rate, args.seed)
    cookies = [create_session(get_redis(), user_id=a) for a in agent_ids]
    supervisor = create_session(get_redis(), user_id=supervisor_id)
    world_file = var / "world.json"
    world_file.write_text(json.dumps(world(answer_rate, args.cps, args.seed)))
    env, log = dict(os.environ), var / "processes.log"
    processes = [
        start(["sandbox", "--port", str(sandbox_port), "--world", str(world_file)], env, log),
        start(["serve", "--port", str(web_port)], env, log),
    ]
    try:
        wait_http(f"http://127.0.0.1:{sandbox_port}/sandbox/calls")
        wait_http(f"{web}/auth/me")
        processes += [start(["worker"], env, log) for _ in range(args.workers)]
        processes.append(start(["scheduler"], env, log))
        began = time.time()
        shift = asyncio.run(work_shift(web, cookies, supervisor, args.minutes * 60, args.seed))
        ended = time.time()
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
    measured_from = began + args.warmup
    figures = measure(campaign_id, measured_from, ended)
    states = shift.seconds_in(measured_from, ended)
    logged_in = agents * (ended - measured_from)
    talk, wrap = states.get("on_call", 0.0), states.get("wrap_up", 0.0)
    stop_embedded_redis(var)
    return {
        "mode": mode,
        "agents": agents,
        "answer_rate": answer_rate,
        "minutes": (ended - measured_from) / 60,
        "talk_min_per_agent_hour": talk / 60 / (logged_in / 3600),
        "occupancy": (talk + wrap + states.get("reserved", 0.0)) / logged_in,
        "idle": states.get("ready", 0.0) / logged_in,
        "ceiling": talk / (talk + wrap) if talk + wrap else 0.0,
        "abandon_rate": figures["abandoned"] / figures["live"] if figures["live"] else 0.0,
        "calls_per_hour": figures["calls"] / ((ended - measured_from) / 3600),
        "predictive_share": (
            shift.pacing.count("predictive") / len(shift.pacing) if shift.pacing else 0.0
        ),
        "errors": len(shift.errors),
        "reasons": dict(shift.reasons),
        **figures,
    }


def run_in_child(mode: str, agents: int, answer_rate: float, argv: list[str]) -> dict[str, Any]:
    """One run in its own interpreter, so every run starts with fresh settings and engines."""
    done = subprocess.run(
        [sys.executable, __file__, *argv, "--one", mode, str(agents), str(answer_rate)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, nargs="+", default=[20])
    parser.add_argument("--answer-rates", type=float, nargs="+", default=[0.1, 0.25, 0.5])
    parser.add_argument("--modes", nargs="+", default=["progressive", "predictive"])
    parser.add_argument("--minutes", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds not measured")
    parser.add_argument("--cps", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one JSON object per run as well")
    parser.add_argument(
        "--one", nargs=3, metavar=("MODE", "AGENTS", "RATE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        mode, agents, rate = args.one
        print(json.dumps(run_case(mode, int(agents), float(rate), args)))
        return
    shared = [
        f"--minutes={args.minutes}",
        f"--warmup={args.warmup}",
        f"--cps={args.cps}",
        f"--workers={args.workers}",
        f"--seed={args.seed}",
    ]
    print(
        f"{args.minutes:g} real minutes per run ({args.warmup:g} s warm-up not measured), "
        f"CPS {args.cps:g}, {args.workers} rq workers, talk {TALK}, wrap-up {WRAP}\n"
    )
    print(
        "| agents | answer | mode | talk min/agent-h | occupancy | idle | abandon | "
        "live / abandoned | calls/h | wait p95 s | paced predictively | talk / (talk + wrap) |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for agents in args.agents:
        for answer_rate in args.answer_rates:
            for mode in args.modes:
                r = run_in_child(mode, agents, answer_rate, shared)
                if args.json:
                    print(json.dumps(r), file=sys.stderr)
                print(
                    f"| {agents} | {answer_rate:.0%} | {mode} | "
                    f"{r['talk_min_per_agent_hour']:.1f} | {r['occupancy']:.0%} | "
                    f"{r['idle']:.0%} | {r['abandon_rate']:.2%} | {r['live']} / {r['abandoned']} "
                    f"| {r['calls_per_hour']:.0f} | {r['wait_p95']:.1f} | "
                    f"{r['predictive_share']:.0%} | {r['ceiling']:.0%} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
