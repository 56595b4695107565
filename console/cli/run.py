"""Commands that run Acuerdo's processes: web server, rq worker, scheduler."""

import logging
import time
from datetime import UTC, datetime
from typing import Annotated

import typer
import uvicorn
from rq import Worker

from campaigns.db import session_scope
from campaigns.events import DEFAULT_QUEUE, DISPATCH_QUEUE
from campaigns.models import utcnow
from campaigns.redis_conn import get_redis
from campaigns.scheduler import run_tick
from telephony.jobs import requeue_stuck


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Run the web app (console, APIs and Twilio webhooks) under uvicorn."""
    uvicorn.run(
        "console.app:create_app", factory=True, host=host, port=port, workers=workers,
        log_level="info", proxy_headers=True,
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
) -> None:
    """Run the scheduler: each tick re-enqueues dead dispatches and schedules active campaigns."""
    logging.basicConfig(level=logging.INFO)
    log = logging.getLogger("acuerdo.scheduler")
    if at is not None and not once:
        raise typer.BadParameter("--at only goes with --once")
    while True:
        requeued = requeue_stuck()
        if requeued:
            log.info("re-enqueued %d stuck dispatches", requeued)
        now = utcnow() if at is None else (at if at.tzinfo else at.replace(tzinfo=UTC))
        with session_scope() as session:
            summary = run_tick(session, now=now)
        log.info("tick at %s: %d attempts created, %d accounts escalated, %d campaigns failed",
                 now.isoformat(), summary.created, summary.escalated, len(summary.failed))
        if once:
            return
        time.sleep(interval)


def register(app: typer.Typer) -> None:
    """Attach these commands to the main app."""
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.command("scheduler")(scheduler)
