"""Dispatch throughput through the carrier sandbox, and the achieved call rate against the CPS.

Starts a carrier sandbox, the web app (for the webhooks) and burst rq workers as real processes on
127.0.0.1, creates attempts, and measures:
  * SMS jobs per second with 1 and 2 workers (message rate limit lifted, so the job path is timed),
    beside the floor measured in the same run: the same workers running as many bare jobs
    (`os.getpid`), so the ratio is what our job costs over rq's own work;
  * the job function called in a loop in this process (no rq), the job's own cost;
  * calls: the achieved calls per second against the configured ACUERDO_CALLS_PER_SECOND.

    python scripts/bench_dispatch.py [--messages 300] [--calls 20] [--database-url URL] [--quick]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from local_ports import free_port, wait_http


def midday_zone() -> str:
    """A fixed-offset zone where it is about midday now: jobs check the contact rules when they
    send, so the benchmark's debtors must be inside their window whenever it runs."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check it still runs")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.calls = 20, 4

    var = Path(tempfile.mkdtemp(prefix="acuerdo-bench-"))
    sandbox_port, web_port = free_port(), free_port()
    os.environ.update(
        {
            "ACUERDO_VAR_DIR": str(var),
            "ACUERDO_DATABASE_URL": args.database_url or f"sqlite:///{var / 'bench.db'}",
            "ACUERDO_SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}",
            "ACUERDO_PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
            "ACUERDO_MESSAGES_PER_SECOND": "100000",
        }
    )
    if args.redis_url:
        os.environ["ACUERDO_REDIS_URL"] = args.redis_url

    import httpx
    from sqlalchemy import text

    from campaigns import migrate
    from campaigns.db import get_engine, session_scope
    from campaigns.dispatch_queue import enqueue_attempt
    from campaigns.events import DISPATCH_QUEUE, get_queue
    from campaigns.models import (
        Account,
        Attempt,
        Channel,
        ContactKind,
        ContactPoint,
        Debtor,
        utcnow,
    )
    from campaigns.redis_conn import get_redis, redis_url, stop_embedded_redis
    from console.demo.seed import ensure_creditors

    if get_engine().dialect.name == "postgresql":
        with get_engine().begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate.upgrade()
    os.environ["ACUERDO_REDIS_URL"] = redis_url()
    get_redis().flushdb()
    env = dict(os.environ)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "console",
                "sandbox",
                "--port",
                str(sandbox_port),
                "--speed",
                "600",
                "--cps",
                "1000",
            ],
            env=env,
        ),
        subprocess.Popen(
            [sys.executable, "-m", "console", "serve", "--port", str(web_port)],
            env=env,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        wait_http(f"http://127.0.0.1:{sandbox_port}/sandbox/health")
        wait_http(f"http://127.0.0.1:{web_port}/auth/me")
        with session_scope() as session:
            client = ensure_creditors(session, now=utcnow())[0][0]
            client_id = client.id

        def make_attempts(n: int, channel: Channel, prefix: str) -> list[int]:
            ids = []
            with session_scope() as session:
                for i in range(n):
                    debtor = Debtor(
                        client_id=client_id,
                        name="Bench",
                        country="MX",
                        timezone=midday_zone(),
                        created_at=utcnow(),
                    )
                    session.add(debtor)
                    session.flush()
                    point = ContactPoint(
                        client_id=client_id,
                        debtor_id=debtor.id,
                        kind=ContactKind.PHONE,
                        value=f"+52{prefix}{i:06d}",
                        created_at=utcnow(),
                    )
                    account = Account(
                        client_id=client_id,
                        debtor_id=debtor.id,
                        account_ref=f"B-{prefix}-{i}",
                        original_balance=100,
                        balance=100,
                        currency="MXN",
                        due_date=datetime.now(UTC).date() - timedelta(days=30),
                        created_at=utcnow(),
                    )
                    session.add_all([point, account])
                    session.flush()
                    attempt = Attempt(
                        client_id=client_id,
                        account_id=account.id,
                        contact_point_id=point.id,
                        channel=channel,
                        body="Recordatorio de pago" if channel == Channel.SMS else None,
                        created_at=utcnow(),
                    )
                    session.add(attempt)
                    session.flush()
                    ids.append(attempt.id)
            return ids

        def run_workers(count: int, extra: dict[str, str]) -> float:
            started = time.perf_counter()
            workers = [
                subprocess.Popen(
                    [sys.executable, "-m", "console", "worker", "--burst"],
                    env={**env, **extra},
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(count)
            ]
            for worker in workers:
                worker.wait()
            return time.perf_counter() - started

        rows = []
        floors = []
        for workers in (1, 2):
            for _ in range(args.messages):
                get_queue(DISPATCH_QUEUE).enqueue("os.getpid")
            floor = args.messages / run_workers(workers, {})
            floors.append((workers, floor))
            ids = make_attempts(args.messages, Channel.SMS, f"55{workers}1")
            for attempt_id in ids:
                enqueue_attempt(attempt_id)
            elapsed = run_workers(workers, {})
            rows.append(("SMS", workers, len(ids), elapsed, len(ids) / elapsed, "-", "-"))
        from telephony.jobs import dispatch_attempt

        ids = make_attempts(args.messages, Channel.SMS, "5599")
        started = time.perf_counter()
        for attempt_id in ids:
            dispatch_attempt(attempt_id)
        in_process = len(ids) / (time.perf_counter() - started)
        for cps in ("1", "5"):
            for workers in (1, 2):
                httpx.post(f"http://127.0.0.1:{sandbox_port}/sandbox/reset", json={})
                ids = make_attempts(args.calls, Channel.VOICE, f"56{cps}{workers}")
                for attempt_id in ids:
                    enqueue_attempt(attempt_id)
                elapsed = run_workers(workers, {"ACUERDO_CALLS_PER_SECOND": cps})
                created = sorted(
                    datetime.fromisoformat(c["created_at"])
                    for c in httpx.get(f"http://127.0.0.1:{sandbox_port}/sandbox/calls").json()
                )
                span = (created[-1] - created[0]).total_seconds()
                achieved = (len(created) - 1) / span if span else float("inf")
                rows.append(
                    (
                        "calls",
                        workers,
                        len(ids),
                        elapsed,
                        len(ids) / elapsed,
                        cps,
                        f"{achieved:.2f}",
                    )
                )
        print(f"\ndatabase: {get_engine().dialect.name}; redis: {redis_url()}\n")
        print("| floor: bare rq jobs | workers | jobs/s | SMS jobs/s | ratio floor/SMS |")
        print("|---|---|---|---|---|")
        for (workers, floor), row in zip(floors, rows, strict=False):
            print(f"| os.getpid | {workers} | {floor:.1f} | {row[4]:.1f} | {floor / row[4]:.1f}x |")
        print(f"\nthe SMS job function in a loop, in one process: {in_process:.1f} jobs/s\n")
        print("| kind | workers | jobs | seconds | jobs/s | configured CPS | achieved calls/s |")
        print("|---|---|---|---|---|---|---|")
        for kind, workers, jobs, elapsed, rate, cps, achieved in rows:
            print(
                f"| {kind} | {workers} | {jobs} | {elapsed:.1f} | {rate:.1f} | {cps} | {achieved} |"
            )
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
        if not args.redis_url:
            stop_embedded_redis(var)


if __name__ == "__main__":
    main()
