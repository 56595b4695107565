"""Debtors' time zones: recompute the stored candidate zones from region and phones."""

from typing import Annotated

import typer

from campaigns.clients import get_client_by_name
from campaigns.db import session_scope
from campaigns.debtor_zones import recompute_zones
from campaigns.errors import AcuerdoError

debtors_app = typer.Typer(help="Debtors of every creditor.", no_args_is_help=True)


@debtors_app.command("zones")
def debtors_zones(
    client: Annotated[
        str | None, typer.Option("--client", help="Only this creditor (default: every one)")
    ] = None,
) -> None:
    """Recompute every debtor's candidate time zones (after an upgrade, or new region data)."""
    try:
        with session_scope() as session:
            client_id = get_client_by_name(session, client).id if client else None
            changed = recompute_zones(session, client_id=client_id)
    except AcuerdoError as error:
        raise typer.BadParameter(error.render("en")) from error
    typer.echo(f"{changed} debtors' time zones updated")


def register(app: typer.Typer) -> None:
    """Attach the debtors command group to the main app."""
    app.add_typer(debtors_app, name="debtors")
