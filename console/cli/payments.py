"""`acuerdo payments import` and `acuerdo reminders run`: money in, agreements followed up."""

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from campaigns.agreements import PaymentImportSummary, import_payments, run_daily
from campaigns.clients import get_client_by_name
from campaigns.db import session_scope
from campaigns.errors import AcuerdoError
from campaigns.i18n import DEFAULT_LOCALE, _, translate
from campaigns.models import utcnow

payments_app = typer.Typer(help="Payments reported by creditors.", no_args_is_help=True)
reminders_app = typer.Typer(
    help="Reminders and due-date checks of promises and plans.", no_args_is_help=True
)


@payments_app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="The payments CSV or XLSX"),
    ],
    client: Annotated[str, typer.Option("--client", help="Creditor name")],
    json_output: Annotated[bool, typer.Option("--json", help="Print the counts as JSON")] = False,
) -> None:
    """Record a creditor's payments file: balances drop, promises are kept, paid accounts stop."""
    locale = DEFAULT_LOCALE
    try:
        with session_scope() as session:
            creditor = get_client_by_name(session, client)
            locale = creditor.locale
            summary = import_payments(
                session,
                client_id=creditor.id,
                filename=file.name,
                content=file.read_bytes(),
                now=utcnow(),
            )
    except AcuerdoError as error:
        typer.echo(error.render(locale), err=True)
        raise typer.Exit(1) from error
    if json_output:
        typer.echo(json.dumps(summary.as_json()))
    else:
        typer.echo(human_summary(summary, locale))


def human_summary(summary: PaymentImportSummary, locale: str) -> str:
    """A few lines a manager reads after a payments import."""
    lines = [
        translate(
            locale,
            _(
                "{filename}: {rows} rows read. Payments recorded: {recorded} ({amount}). "
                "Already recorded: {already}. Rejected rows: {rejected}."
            ),
            filename=summary.filename,
            rows=summary.rows_read,
            recorded=summary.recorded,
            amount=summary.amount,
            already=summary.already_recorded,
            rejected=summary.rejected,
        ),
        translate(
            locale,
            _(
                "Accounts paid in full: {settled} (their pending contacts were cancelled). "
                "Promises kept: {kept}. Instalments paid: {installments}."
            ),
            settled=summary.accounts_settled,
            kept=summary.promises_kept,
            installments=summary.installments_paid,
        ),
    ]
    if summary.rejects_file:
        lines.append(
            translate(locale, _("Rejected rows are listed in {path}"), path=summary.rejects_file)
        )
    return "\n".join(lines)


@reminders_app.command("run")
def run_command(
    today: Annotated[
        datetime | None,
        typer.Option("--today", formats=["%Y-%m-%d"], help="Day to run for (default: today)"),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the counts as JSON")] = False,
) -> None:
    """Send tomorrow's payment reminders and check today's due promises and instalments."""
    with session_scope() as session:
        summary = run_daily(session, now=utcnow(), today=today.date() if today else None)
    if json_output:
        typer.echo(json.dumps(summary.as_json()))
        return
    typer.echo(
        translate(
            DEFAULT_LOCALE,
            _(
                "Reminders sent: {sent} (refused by contact rules: {refused}). Promises kept: "
                "{kept}, broken: {broken}. Plans broken by a missed instalment: {plans}."
            ),
            sent=summary.reminders_sent,
            refused=summary.reminders_refused,
            kept=summary.promises_kept,
            broken=summary.promises_broken,
            plans=summary.plans_broken,
        )
    )


def register(app: typer.Typer) -> None:
    """Attach `payments` and `reminders` to the main app."""
    app.add_typer(payments_app, name="payments")
    app.add_typer(reminders_app, name="reminders")
