"""Commands that run Acuerdo's processes: web server, rq worker, scheduler."""

import asyncio
import logging
import signal
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Annotated

import typer
import uvicorn
from redis.asyncio import Redis
from redis.exceptions import RedisError
from rq import Retry, SimpleWorker

from campaigns.compliance.windows import warm_calendars
from campaigns.db import session_scope
from campaigns.events import DEFAULT_QUEUE, DISPATCH_QUEUE, get_queue
from campaigns.log_privacy import install_log_privacy
from campaigns.models import utcnow
from campaigns.operating_day import operating_day
from campaigns.redis_conn import get_redis, redis_url
from campaigns.scheduler import run_tick
from campaigns.settings import get_settings
from campaigns.startup_heap import freeze_startup_heap
from console.agents.activity import record_activity
from console.call_cards import replay_routes
from console.dialer import dial_forever
from console.resilience import Backoff, TaskSet, forever
from console.sweeper import sweep_forever
from telephony.client import warm_twilio_client

log = logging.getLogger("acuerdo.scheduler")
worker_log = logging.getLogger("acuerdo.worker")
# The agreements pass runs every 15 minutes: an outage while it runs is retried within the period.
PASS_RETRY = Retry(max=3, interval=[10, 60, 300])


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Run the web app (console, APIs and Twilio webhooks) under uvicorn."""
    uvicorn.run(
        "console.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=False,
    )


def worker(
    burst: Annotated[bool, typer.Option(help="Stop when the queues are empty")] = False,
) -> None:
    """Run an rq worker for the dispatch and default queues (it outlives Redis restarts).

    Jobs run in the worker's own process, not in a fork per job: the engine, the Redis client and
    the Twilio client (with their connections) are kept from one job to the next. rq still
    enforces each job's timeout (SIGALRM), and a worker killed mid-job leaves its job to the
    recovery sweep exactly as a killed fork did.

    A placed call's card (its screen, kept in Redis for the answer) is built by a thread of the
    worker while the worker goes on to its next job: building it was half of a call job's time,
    and a call job waits for its slot. A card not built when the call is answered (the worker
    was killed, Redis was down) is built by the answer."""
    from console import call_cards
    from telephony.jobs import CALL_PLACED

    logging.basicConfig(level=logging.INFO)
    install_log_privacy()
    warm_calendars(utcnow().year)
    warm_twilio_client()
    cards = ThreadPoolExecutor(max_workers=1, thread_name_prefix="call-cards")

    def prepare_card(attempt_id: int) -> None:
        try:
            call_cards.prepare(get_redis(), attempt_id)
        except Exception:
            worker_log.exception("building the card of attempt %s", attempt_id)

    CALL_PLACED.append(lambda attempt_id: cards.submit(prepare_card, attempt_id))
    freeze_startup_heap()
    backoff = Backoff()
    while True:
        rq_worker = None
        try:
            rq_worker = SimpleWorker([DISPATCH_QUEUE, DEFAULT_QUEUE], connection=get_redis())
            if rq_worker.work(burst=burst, with_scheduler=True):
                backoff.reset()
        except (RedisError, OSError):
            worker_log.exception("the rq worker lost Redis")
        if burst or getattr(rq_worker, "_shutdown_requested_date", None) is not None:
            return
        worker_log.warning("the rq worker stopped on its own; starting it again")
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        backoff.sleep()


def scheduler(
    interval: Annotated[float, typer.Option(help="Seconds between ticks")] = 5.0,
    once: Annotated[bool, typer.Option(help="Run one tick and stop")] = False,
    at: Annotated[
        datetime | None,
        typer.Option(help="With --once: run the tick as if at this ISO date-time (UTC if naive)"),
    ] = None,
    dial: Annotated[bool, typer.Option(help="Run the dialing loop (paced calls) too")] = True,
) -> None:
    """Run the scheduler: ticks schedule campaigns; the dialing loop paces calls every second."""
    logging.basicConfig(level=logging.INFO)
    install_log_privacy()
    if at is not None and not once:
        raise typer.BadParameter("--at only goes with --once")
    if once:
        _tick(at if at is None or at.tzinfo else at.replace(tzinfo=UTC), paced_calls=False)
        return
    freeze_startup_heap()
    asyncio.run(_run_scheduler(interval, dial))


def _tick(at: datetime | None, *, paced_calls: bool) -> None:
    now = at or utcnow()
    with session_scope() as session:
        summary = run_tick(session, now=now, paced_calls=paced_calls)
    log.info(
        "tick at %s: %d attempts created, %d accounts escalated, %d campaigns failed",
        now.isoformat(),
        summary.created,
        summary.escalated,
        len(summary.failed),
    )
    record_activity(get_redis())
    replay_routes(get_redis())
    enqueue_agreements_pass(now, fixed=at is not None)
    enqueue_reports_rollup(now, fixed=at is not None)
    enqueue_reports_snapshot(now, fixed=at is not None)


def enqueue_agreements_pass(now: datetime, *, fixed: bool = False) -> bool:
    """Enqueue the agreements pass once per period (every 15 minutes by default), whoever ticks.

    It runs through the day so every debtor is reminded inside their own window; a tick run
    `--at` a moment passes that moment to the pass.
    """
    period = max(1, get_settings().agreements_pass_minutes) * 60
    slot = int(now.timestamp()) // period
    if not get_redis().set(f"acuerdo:agreements-pass:{slot}", 1, nx=True, ex=2 * period):
        return False
    get_queue(DEFAULT_QUEUE).enqueue(
        "campaigns.jobs.run_agreements_daily",
        now=now.isoformat() if fixed else None,
        job_id=f"agreements-pass-{slot}",
        retry=PASS_RETRY,
    )
    return True


def enqueue_reports_rollup(now: datetime, *, fixed: bool = False) -> bool:
    """Enqueue the reports rollup once per operating day, whoever ticks: the first tick of a day
    rolls up the days just closed (the job re-rolls the last week, so late data lands too)."""
    day = operating_day(now).date
    if not get_redis().set(f"acuerdo:reports-rollup:{day.isoformat()}", 1, nx=True, ex=2 * 86400):
        return False
    get_queue(DEFAULT_QUEUE).enqueue(
        "campaigns.jobs.run_reports_rollup",
        now=now.isoformat() if fixed else None,
        job_id=f"reports-rollup-{day.isoformat()}",
        retry=PASS_RETRY,
    )
    return True


def enqueue_reports_snapshot(now: datetime, *, fixed: bool = False) -> bool:
    """Enqueue today's portfolio snapshot for reports once per period (the agreements pass's),
    whoever ticks."""
    period = max(1, get_settings().agreements_pass_minutes) * 60
    slot = int(now.timestamp()) // period
    if not get_redis().set(f"acuerdo:reports-snapshot:{slot}", 1, nx=True, ex=2 * period):
        return False
    get_queue(DEFAULT_QUEUE).enqueue(
        "campaigns.jobs.run_reports_snapshot",
        now=now.isoformat() if fixed else None,
        job_id=f"reports-snapshot-{slot}",
        retry=PASS_RETRY,
    )
    return True


async def _run_scheduler(interval: float, dial: bool) -> None:
    redis = Redis.from_url(redis_url())
    tasks = TaskSet()
    if dial:
        tasks.spawn(dial_forever(redis), "dialing loop")
    tasks.spawn(sweep_forever(redis), "recovery sweep")
    try:
        await forever(
            "scheduler tick", lambda: asyncio.to_thread(_tick, None, paced_calls=dial), interval
        )
    finally:
        await tasks.cancel_all()
        await redis.aclose()


def register(app: typer.Typer) -> None:
    """Attach these commands to the main app."""
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.command("scheduler")(scheduler)
