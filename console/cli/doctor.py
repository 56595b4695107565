"""`acuerdo doctor`: anything stuck, late or failing, with counts (exit code 1 when so)."""

import json
from typing import Annotated

import typer
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from campaigns.db import read_scope
from campaigns.i18n import DEFAULT_LOCALE, _, translate
from campaigns.models import utcnow
from campaigns.redis_conn import get_redis
from console.doctor import Report, diagnose

UNREACHABLE = 2


def _report() -> Report:
    with read_scope() as session:
        return diagnose(session, client=get_redis(), now=utcnow())


def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """List attempts, jobs, agents, webhooks and queues that are stuck, late or failing."""
    try:
        report = _report()
    except (SQLAlchemyError, RedisError, OSError) as error:
        message = translate(
            DEFAULT_LOCALE,
            _("Cannot reach the database or Redis: {error}"),
            error=type(error).__name__,
        )
        if as_json:
            typer.echo(json.dumps({"healthy": False, "error": message}))
        else:
            typer.echo(message, err=True)
        raise typer.Exit(UNREACHABLE) from error
    if as_json:
        typer.echo(json.dumps(report.as_json(DEFAULT_LOCALE), ensure_ascii=False))
    else:
        for check in report.checks:
            mark = "FALLA" if check.problem else "ok"
            detail = f"  {json.dumps(check.detail, ensure_ascii=False)}" if check.detail else ""
            typer.echo(f"[{mark:>5}] {check.text(DEFAULT_LOCALE)}: {check.count}{detail}")
        verdict = _("Everything in order.") if report.healthy else _("Something needs attention.")
        typer.echo(translate(DEFAULT_LOCALE, verdict))
    if not report.healthy:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Attach the command to the main app."""
    app.command("doctor")(doctor)
