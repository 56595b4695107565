"""The debtors' self-service page from the command line: print an account's signed link."""

from typing import Annotated

import typer
from sqlalchemy import select

from campaigns.clients import get_client_by_name
from campaigns.db import session_scope
from campaigns.errors import AcuerdoError
from campaigns.models import Account, utcnow
from campaigns.self_service import self_service_link

self_service_app = typer.Typer(help="The debtors' self-service page.", no_args_is_help=True)


@self_service_app.command("link")
def link(
    account_ref: Annotated[
        str, typer.Argument(help="The account's reference in the creditor's file")
    ],
    client: Annotated[str, typer.Option("--client", help="The creditor's name")],
) -> None:
    """Print the account's signed, expiring self-service link (what reminders carry)."""
    try:
        with session_scope() as session:
            creditor = get_client_by_name(session, client)
            account = session.scalar(
                select(Account).where(
                    Account.client_id == creditor.id, Account.account_ref == account_ref
                )
            )
            if account is None:
                raise typer.BadParameter(f"no account {account_ref} at {client}")
            typer.echo(self_service_link(account, utcnow()))
    except AcuerdoError as error:
        raise typer.BadParameter(error.render("en")) from error


def register(app: typer.Typer) -> None:
    """Attach the self-service command group to the main app."""
    app.add_typer(self_service_app, name="self-service")
