"""`acuerdo demo`: the whole product on the embedded defaults, in one command."""

import json
import os
import signal
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from campaigns import migrate
from campaigns.db import session_scope
from campaigns.models import utcnow
from campaigns.portfolio_import.service import import_portfolio
from campaigns.redis_conn import redis_url, stop_embedded_redis
from campaigns.settings import get_settings
from console.demo import seed
from console.demo.processes import Process, start_all, stop_all, wait_until_one_exits


def demo(
    host: Annotated[str, typer.Option(help="Address the web app listens on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the web app")] = 8000,
    sandbox_port: Annotated[int, typer.Option(help="Port of the carrier sandbox")] = 8081,
    speed: Annotated[
        float, typer.Option(help="Sandbox time speed-up (60 = a minute a second)")
    ] = 1.0,
    setup_only: Annotated[bool, typer.Option(help="Seed the demo data and exit")] = False,
    inbound_calls_per_hour: Annotated[
        float, typer.Option(help="Simulated debtors calling the creditors' numbers back, per hour")
    ] = 20.0,
) -> None:
    """Migrate, seed a demo creditor portfolio and users, and run every process until Ctrl-C."""
    settings = get_settings()
    migrate.upgrade()
    now = utcnow()
    today = now.astimezone(ZoneInfo("America/Mexico_City")).date()
    with session_scope() as session:
        creditors = seed.ensure_creditors(session, now=now)
        seed.ensure_users(session, now=now)
    files = seed.portfolio_files(today)
    for client, _kind in creditors:
        name = f"cartera-{client.name.lower().replace(' ', '-')}.csv"
        path = settings.var_dir / "demo" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[client.name])
        with session_scope() as session:
            summary = import_portfolio(
                session,
                client_id=client.id,
                filename=name,
                content=files[client.name],
                uploaded_by_id=None,
                today=today,
                now=now,
            )
        typer.echo(f"{client.name}: {json.dumps(summary.as_json(), ensure_ascii=False)}")
    with session_scope() as session:
        for campaign in seed.ensure_campaigns(session, now=now):
            typer.echo(f"campaign {campaign.name!r}: {campaign.dialing_mode}, {campaign.status}")
    typer.echo("\nDemo users (username / password / role):")
    for user in seed.DEMO_USERS:
        typer.echo(f"  {user.username:<12} {user.password:<24} {user.role}")
    if setup_only:
        if not settings.redis_url:
            stop_embedded_redis(settings.var_dir)
        return

    web = f"http://localhost:{port}"
    env = dict(os.environ)
    env.update(
        {
            "ACUERDO_REDIS_URL": redis_url(),
            "ACUERDO_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "ACUERDO_SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}",
            "ACUERDO_ALLOWED_ORIGINS": json.dumps([web, f"http://127.0.0.1:{port}"]),
            # The demo is served over plain http on this machine; production keeps Secure cookies.
            "ACUERDO_COOKIE_SECURE": "false",
        }
    )
    processes = [
        Process(
            "sandbox",
            [
                "sandbox",
                "--host",
                "127.0.0.1",
                "--port",
                str(sandbox_port),
                "--speed",
                str(speed),
                "--inbound-calls-per-hour",
                str(inbound_calls_per_hour),
            ],
        ),
        Process("web", ["serve", "--host", host, "--port", str(port)]),
        Process("worker", ["worker"]),
        Process("scheduler", ["scheduler"]),
    ]
    signal.signal(signal.SIGTERM, _interrupt)
    start_all(processes, env)
    typer.echo(f"\nAcuerdo is running. Open {web}/ and sign in (Ctrl-C stops everything).")
    typer.echo(f"Carrier sandbox: http://127.0.0.1:{sandbox_port}/sandbox/calls")
    try:
        exited = wait_until_one_exits(processes)
        typer.echo(f"{exited.name} stopped; stopping the rest.", err=True)
    except KeyboardInterrupt:
        typer.echo("\nStopping...")
    finally:
        stop_all(processes)
        if not settings.redis_url:
            stop_embedded_redis(settings.var_dir)
    typer.echo("Stopped.")


def _interrupt(_signum: int, _frame: object) -> None:
    """SIGTERM stops the demo as Ctrl-C does: every process it started is stopped too."""
    raise KeyboardInterrupt


def register(app: typer.Typer) -> None:
    """Attach the demo command to the main app."""
    app.command("demo")(demo)
