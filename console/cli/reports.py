"""`acuerdo reports rollup`: the daily report figures computed into the summary tables."""

import json
from datetime import datetime
from typing import Annotated

import typer

from campaigns.db import session_scope
from campaigns.errors import AcuerdoError
from campaigns.i18n import DEFAULT_LOCALE, _, translate
from campaigns.models import utcnow
from campaigns.reports.rollup import rollup

reports_app = typer.Typer(help="Reports: the daily figures they read.", no_args_is_help=True)


@reports_app.command("rollup")
def rollup_command(
    date_from: Annotated[
        datetime,
        typer.Option("--from", formats=["%Y-%m-%d"], help="First operating day to compute"),
    ],
    date_to: Annotated[
        datetime,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Last operating day (before today)"),
    ],
    json_output: Annotated[bool, typer.Option("--json", help="Print the counts as JSON")] = False,
) -> None:
    """Compute (or rebuild) the report figures of every closed day of a range; idempotent."""
    try:
        with session_scope() as session:
            summary = rollup(
                session, date_from=date_from.date(), date_to=date_to.date(), now=utcnow()
            )
    except AcuerdoError as error:
        typer.echo(error.render(DEFAULT_LOCALE), err=True)
        raise typer.Exit(1) from error
    if json_output:
        typer.echo(json.dumps(summary.as_json()))
        return
    typer.echo(
        translate(
            DEFAULT_LOCALE,
            _("Days rolled up: {days}. Summary rows written: {rows}."),
            days=summary.days,
            rows=summary.rows,
        )
    )


def register(app: typer.Typer) -> None:
    """Attach `reports` to the main app."""
    app.add_typer(reports_app, name="reports")
