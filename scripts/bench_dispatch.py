"""Dispatch throughput through the carrier sandbox, and the achieved call rate against the CPS.

Starts a carrier sandbox, the web app (for the webhooks) and rq workers as real processes on
127.0.0.1, creates attempts, and measures:
  * SMS jobs per second with 1 and 2 workers (message rate limit lifted, so the job path is timed),
    beside the floor measured in the same run: the same workers running as many bare jobs
    (`os.getpid`), so the ratio is what our job costs over rq's own work. A rate runs from the
    first job's start to the last job's end (rq's own times), so worker start-up is left out;
  * the CPU each SMS job costs: in the worker (the job function in a loop in this process, and
    the workers' own CPU less their start-up), in the sandbox and in the web app (its webhooks);
  * calls at ACUERDO_CALLS_PER_SECOND=30 (or --cps) with 2 workers already running, as they are
    in production when the scheduler enqueues calls (the calls are enqueued once both workers
    wait for jobs, so their start-up is left out): the achieved calls per second (by the
    sandbox's clock) from the first call to the last, and steadily (without the first and the
    last second), and the most calls started in any one second, which must not exceed the CPS. A
    machine too slow to run the whole path at 30 calls a second shows the limit at a lower --cps.

    python scripts/bench_dispatch.py [--messages 300] [--calls 300] [--cps 30]
                                     [--database-url URL] [--quick]
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from local_ports import free_port, wait_http

ONE_SECOND = timedelta(seconds=1)


def midday_zone() -> str:
    """A fixed-offset zone where it is about midday now: jobs check the contact rules when they
    send, so the benchmark's debtors must be inside their window whenever it runs."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """CPU seconds used by this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_for(done: Callable[[], bool], what: str, timeout: float = 300) -> None:
    """Poll `done` once a second until it holds, or stop the benchmark (a poll costs the
    machine that runs the measured processes too)."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"waited {timeout:g} s for {what}")
        time.sleep(1.0)


def most_in_one_second(starts: list[datetime]) -> int:
    """The most starts within any window of one second."""
    most, first = 0, 0
    for last, start in enumerate(starts):
        while (start - starts[first]).total_seconds() >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def steady_rate(starts: list[datetime]) -> float:
    """Starts per second after the first second and before the last one (0 when too few)."""
    inside = [s for s in starts if starts[0] + ONE_SECOND <= s < starts[-1] - ONE_SECOND]
    span = (inside[-1] - inside[0]).total_seconds() if len(inside) > 1 else 0.0
    return (len(inside) - 1) / span if span else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--cps", type=float, default=30, help="the calls per second configured")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check it still runs")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.calls = 20, 20

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
    from rq import Worker
    from rq.job import Job
    from sqlalchemy import text

    from campaigns import migrate
    from campaigns.db import get_engine, session_scope
    from campaigns.dispatch_queue import dispatch_job_id, enqueue_attempt
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
    sandbox = subprocess.Popen(
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
    )
    web = subprocess.Popen(
        [sys.executable, "-m", "console", "serve", "--port", str(web_port)],
        env=env,
        stderr=subprocess.DEVNULL,
    )
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

        def start_workers(
            count: int, extra: dict[str, str], *flags: str
        ) -> list[subprocess.Popen[bytes]]:
            return [
                subprocess.Popen(
                    [sys.executable, "-m", "console", "worker", *flags],
                    env={**env, **extra},
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(count)
            ]

        def run_workers(count: int, extra: dict[str, str]) -> float:
            """Run `count` burst workers until the queues are empty; their CPU seconds."""
            before = children_cpu()
            for worker in start_workers(count, extra, "--burst"):
                worker.wait()
            return children_cpu() - before

        def run_waiting_workers(
            count: int, extra: dict[str, str], enqueue: Callable[[], object], job_ids: list[str]
        ) -> None:
            """Start `count` workers, wait until each waits for jobs, then `enqueue` and wait
            until every job in `job_ids` has finished; stop the workers (warm shutdown)."""
            workers = start_workers(count, extra)
            try:
                wait_for(lambda: len(Worker.all(connection=get_redis())) == count, "workers")
                enqueue()
                wait_for(
                    lambda: all(
                        job is not None and job.ended_at is not None
                        for job in Job.fetch_many(job_ids, connection=get_redis())
                    ),
                    "the call jobs",
                )
            finally:
                for worker in workers:
                    worker.terminate()
                for worker in workers:
                    worker.wait(timeout=30)

        def jobs_per_second(job_ids: list[str]) -> float:
            """Jobs over the time from the first one's start to the last one's end."""
            jobs = [job for job in Job.fetch_many(job_ids, connection=get_redis()) if job]
            assert len(jobs) == len(job_ids), "some jobs are gone"
            started = min(job.started_at for job in jobs if job.started_at)
            ended = max(job.ended_at for job in jobs if job.ended_at)
            return len(jobs) / (ended - started).total_seconds()

        def in_sandbox_and_web(work: Callable[[], float]) -> tuple[float, float, float]:
            """Run `work`; its result and the sandbox's and web app's CPU seconds meanwhile
            (after the webhooks the work caused have been delivered)."""
            sandbox_before, web_before = process_cpu(sandbox.pid), process_cpu(web.pid)
            result = work()
            time.sleep(3)
            sandbox_cpu = process_cpu(sandbox.pid) - sandbox_before
            return result, sandbox_cpu, process_cpu(web.pid) - web_before

        startup_cpu = run_workers(1, {})  # a worker on empty queues: its start-up alone
        sms_rows = []
        for workers in (1, 2):
            queue = get_queue(DISPATCH_QUEUE)
            floor_ids = [queue.enqueue("os.getpid").id for _ in range(args.messages)]
            run_workers(workers, {})
            floor = jobs_per_second(floor_ids)
            ids = make_attempts(args.messages, Channel.SMS, f"55{workers}1")
            for attempt_id in ids:
                enqueue_attempt(attempt_id)
            worker_cpu, sandbox_cpu, web_cpu = in_sandbox_and_web(
                lambda count=workers: run_workers(count, {})
            )
            rate = jobs_per_second([dispatch_job_id(attempt_id) for attempt_id in ids])
            per_job = {
                "worker": (worker_cpu - workers * startup_cpu) / len(ids),
                "sandbox": sandbox_cpu / len(ids),
                "web": web_cpu / len(ids),
            }
            sms_rows.append((workers, floor, rate, per_job))

        from telephony.client import warm_twilio_client
        from telephony.jobs import dispatch_attempt

        warm_twilio_client()
        ids = make_attempts(args.messages, Channel.SMS, "5599")
        started, cpu_started = time.perf_counter(), time.process_time()
        for attempt_id in ids:
            dispatch_attempt(attempt_id)
        in_process = len(ids) / (time.perf_counter() - started)
        in_process_cpu = (time.process_time() - cpu_started) / len(ids)

        httpx.post(f"http://127.0.0.1:{sandbox_port}/sandbox/reset", json={})
        ids = make_attempts(args.calls, Channel.VOICE, "5630")
        run_waiting_workers(
            2,
            {"ACUERDO_CALLS_PER_SECOND": str(args.cps)},
            lambda: [enqueue_attempt(attempt_id) for attempt_id in ids],
            [dispatch_job_id(attempt_id) for attempt_id in ids],
        )
        placed = httpx.get(f"http://127.0.0.1:{sandbox_port}/sandbox/calls").json()
        starts = sorted(datetime.fromisoformat(call["created_at"]) for call in placed)
        span = (starts[-1] - starts[0]).total_seconds()
        achieved = (len(starts) - 1) / span if span else float("inf")

        print(f"\ndatabase: {get_engine().dialect.name}; redis: {redis_url()}; ", end="")
        print(f"load average: {os.getloadavg()[0]:.1f}\n")
        print("| workers | floor: bare rq jobs/s | SMS jobs/s | ratio floor/SMS |")
        print("|---|---|---|---|")
        for workers, floor, rate, _per_job in sms_rows:
            print(f"| {workers} | {floor:.1f} | {rate:.1f} | {floor / rate:.1f}x |")
        print(
            f"\nthe SMS job function in a loop, in one process: {in_process:.1f} jobs/s, ", end=""
        )
        print(f"{in_process_cpu * 1000:.1f} ms CPU per job\n")
        print(
            "| CPU ms per SMS job | workers | in the worker (less start-up) | sandbox | web app |"
        )
        print("|---|---|---|---|---|")
        for workers, _floor, _rate, per_job in sms_rows:
            cells = " | ".join(f"{per_job[key] * 1000:.1f}" for key in ("worker", "sandbox", "web"))
            print(f"| SMS | {workers} | {cells} |")
        print(
            "\n| calls | workers | configured CPS | achieved calls/s | steady calls/s"
            " | most in one second |"
        )
        print("|---|---|---|---|---|---|")
        print(
            f"| {len(starts)} | 2 | {args.cps:g} | {achieved:.2f} | {steady_rate(starts):.2f}"
            f" | {most_in_one_second(starts)} |"
        )
    finally:
        for proc in (sandbox, web):
            proc.terminate()
            proc.wait(timeout=10)
        if not args.redis_url:
            stop_embedded_redis(var)


if __name__ == "__main__":
    main()
