"""Portfolio import and the escalated-accounts hand-off file."""

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from campaigns.clients import get_client_by_name
from campaigns.db import session_scope
from campaigns.errors import AcuerdoError
from campaigns.escalations import escalations_csv
from campaigns.i18n import DEFAULT_LOCALE, _, translate
from campaigns.models import utcnow
from campaigns.portfolio_import import ImportSummary, import_portfolio
from campaigns.portfolio_import.parse_pool import ParsePool

escalations_app = typer.Typer(
    help="Accounts over 90 days overdue, handed off to extrajudicial collection.",
    no_args_is_help=True,
)

AsOf = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Date the days overdue are counted at (default: today in the creditor's zone).",
    ),
]


def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="The creditor's CSV or XLSX"
        ),
    ],
    client: Annotated[str, typer.Option("--client", help="Creditor name")],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the counts as JSON instead of a summary")
    ] = False,
    as_of: AsOf = None,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress", help="Report progress on stderr (default: on a terminal)"
        ),
    ] = None,
) -> None:
    """Import a creditor's portfolio file; bad rows go to a rejects CSV, good rows are upserted."""
    locale = DEFAULT_LOCALE
    show_progress = sys.stderr.isatty() if progress is None else progress

    bar = sys.stderr.isatty()

    def report(done: int, total: int) -> None:
        message = translate(locale, _("{done} of {total} accounts written"), done=done, total=total)
        if bar:
            typer.echo(f"\r{progress_bar(done, total)} {message}", err=True, nl=done >= total)
        else:
            typer.echo(message, err=True)

    try:
        with ParsePool() as parse_pool, session_scope() as session:
            creditor = get_client_by_name(session, client)
            locale = creditor.locale
            summary = import_portfolio(
                session,
                client_id=creditor.id,
                filename=file.name,
                content=file.read_bytes(),
                now=utcnow(),
                today=as_of.date() if as_of else None,
                on_progress=report if show_progress else None,
                parse_pool=parse_pool,
            )
    except AcuerdoError as error:
        typer.echo(error.render(locale), err=True)
        raise typer.Exit(1) from error
    if json_output:
        typer.echo(json.dumps(summary.as_json()))
    else:
        typer.echo(human_summary(summary, locale))


def progress_bar(done: int, total: int, width: int = 30) -> str:
    """A text bar such as `[#########.....]  60%` for a terminal line redrawn in place."""
    share = min(done / total, 1.0) if total else 1.0
    filled = round(share * width)
    return f"[{'#' * filled}{'.' * (width - filled)}] {share:4.0%}"


def human_summary(summary: ImportSummary, locale: str) -> str:
    """A few lines a manager reads after an import, in the creditor's language."""
    lines = [
        translate(
            locale,
            _("{filename}: {rows} rows read."),
            filename=summary.filename,
            rows=summary.rows_read,
        ),
        translate(
            locale,
            _(
                "New accounts: {imported}. Updated: {updated}. Unchanged: {unchanged}. "
                "Rejected rows: {rejected}."
            ),
            imported=summary.imported,
            updated=summary.updated,
            unchanged=summary.unchanged,
            rejected=summary.rejected,
        ),
    ]
    if summary.escalated:
        lines.append(
            translate(
                locale,
                _(
                    "{escalated} accounts are over 90 days overdue: they are escalated and no "
                    "campaign will contact them (list them with `acuerdo escalations export`)."
                ),
                escalated=summary.escalated,
            )
        )
    if summary.rejects_file:
        lines.append(
            translate(
                locale,
                _("Rejected rows and ignored values are listed in {path}"),
                path=summary.rejects_file,
            )
        )
    if summary.unused_columns:
        lines.append(
            translate(
                locale, _("Columns not used: {columns}"), columns=", ".join(summary.unused_columns)
            )
        )
    return "\n".join(lines)


@escalations_app.command("export")
def escalations_export(
    client: Annotated[str, typer.Option("--client", help="Creditor name")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Write the escalated accounts as CSV for hand-off to extrajudicial collection."""
    locale = DEFAULT_LOCALE
    try:
        with session_scope() as session:
            creditor = get_client_by_name(session, client)
            locale = creditor.locale
            text = escalations_csv(
                session,
                client_id=creditor.id,
                now=utcnow(),
                today=as_of.date() if as_of else None,
            )
    except AcuerdoError as error:
        typer.echo(error.render(locale), err=True)
        raise typer.Exit(1) from error
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8", newline="")
        rows = text.count("\r\n") - 1
        typer.echo(
            translate(
                locale, _("{rows} escalated accounts written to {path}"), rows=rows, path=output
            ),
            err=True,
        )


def register(app: typer.Typer) -> None:
    """Attach `import` and `escalations` to the main app."""
    app.command("import")(import_command)
    app.add_typer(escalations_app, name="escalations")
