"""Commands that run Acuerdo's processes: web server, rq worker, scheduler."""

import asyncio
import logging
from datetime import UTC, datetime
from typing import Annotated

import typer
import uvicorn
from redis.asyncio import Redis
from rq import Worker

from campaigns.db import session_scope
from campaigns.events import DEFAULT_QUEUE, DISPATCH_QUEUE, get_queue
from campaigns.models import utcnow
from campaigns.redis_conn import get_redis, redis_url
from campaigns.scheduler import run_tick
from console.dialer import dial_forever
from telephony.jobs import requeue_stuck

log = logging.getLogger("acuerdo.scheduler")


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
    """Run an rq worker for the dispatch and default queues."""
    logging.basicConfig(level=logging.INFO)
    Worker([DISPATCH_QUEUE, DEFAULT_QUEUE], connection=get_redis()).work(
        burst=burst, with_scheduler=True
    )


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
    if at is not None and not once:
        raise typer.BadParameter("--at only goes with --once")
    if once:
        _tick(at if at is None or at.tzinfo else at.replace(tzinfo=UTC), paced_calls=False)
        return
    asyncio.run(_run_scheduler(interval, dial))


def _tick(at: datetime | None, *, paced_calls: bool) -> None:
    requeued = requeue_stuck()
    if requeued:
        log.info("re-enqueued %d stuck dispatches", requeued)
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
    if get_redis().set(
        f"acuerdo:agreements-daily:{now.date().isoformat()}", 1, nx=True, ex=2 * 86400
    ):
        get_queue(DEFAULT_QUEUE).enqueue("campaigns.jobs.run_agreements_daily")


async def _run_scheduler(interval: float, dial: bool) -> None:
    redis = Redis.from_url(redis_url())
    dialer = asyncio.create_task(dial_forever(redis)) if dial else None
    try:
        while True:
            await asyncio.to_thread(_tick, None, paced_calls=dial)
            await asyncio.sleep(interval)
    finally:
        if dialer is not None:
            dialer.cancel()
        await redis.aclose()


def register(app: typer.Typer) -> None:
    """Attach these commands to the main app."""
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.command("scheduler")(scheduler)
