"""Set-up commands: database migrations, creditors and users."""

from decimal import Decimal
from typing import Annotated

import typer

from campaigns import clients as clients_service
from campaigns import users
from campaigns.agreements.script_choice import set_product_scripts
from campaigns.db import session_scope
from campaigns.errors import AcuerdoError
from campaigns.models import ComplianceProfile, Role, utcnow

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
clients_app = typer.Typer(help="Creditors whose portfolios are collected.", no_args_is_help=True)
users_app = typer.Typer(help="People who sign in.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest revision."""
    from campaigns import migrate  # alembic: loaded only by the command that needs it

    migrate.upgrade()
    typer.echo("database schema is up to date")


@clients_app.command("add")
def clients_add(
    name: str,
    country: Annotated[str, typer.Option(help="ISO country code, e.g. MX")] = "MX",
    currency: Annotated[str, typer.Option(help="ISO currency code, e.g. MXN")] = "MXN",
    timezone: Annotated[str, typer.Option(help="IANA zone, e.g. America/Mexico_City")] = (
        "America/Mexico_City"
    ),
    locale: Annotated[
        str, typer.Option(help="Language of messages: es_MX, es_CO, es_CL, es_PE, es_US or en")
    ] = "es_MX",
    profile: Annotated[ComplianceProfile, typer.Option(help="Compliance profile")] = (
        ComplianceProfile.MX
    ),
    max_promise_days: Annotated[int, typer.Option(help="Longest promise to pay, in days")] = 15,
    discount: Annotated[str, typer.Option(help="Early-payment discount, percent")] = "10",
    min_down_payment: Annotated[str, typer.Option(help="Plan down payment, percent")] = "20",
    max_installments: Annotated[int, typer.Option(help="Most instalments in a plan")] = 6,
    callback_number: Annotated[str | None, typer.Option(help="Number debtors call back")] = None,
) -> None:
    """Add a creditor with its country, zone, currency, compliance profile and policy."""
    try:
        with session_scope() as session:
            client = clients_service.create_client(
                session,
                name=name,
                country=country,
                currency=currency,
                timezone=timezone,
                locale=locale,
                profile=profile,
                max_promise_days=max_promise_days,
                early_payment_discount_pct=Decimal(discount),
                min_down_payment_pct=Decimal(min_down_payment),
                max_installments=max_installments,
                callback_number=callback_number,
                now=utcnow(),
            )
            typer.echo(f"client {client.id} {client.name} added")
    except AcuerdoError as error:
        raise typer.BadParameter(error.render("en")) from error


@clients_app.command("list")
def clients_list() -> None:
    """List creditors."""
    with session_scope() as session:
        for client in clients_service.list_clients(session):
            typer.echo(
                f"{client.id}\t{client.name}\t{client.country}\t{client.currency}\t"
                f"{client.timezone}\t{client.compliance_profile}"
            )


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[Role, typer.Option(help="agent, supervisor, manager, client_viewer, admin")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    full_name: Annotated[str | None, typer.Option(help="Name shown in the console")] = None,
    client: Annotated[
        list[str] | None, typer.Option(help="Creditor name (repeat for staff with several)")
    ] = None,
) -> None:
    """Add a user; a client_viewer belongs to exactly one creditor."""
    try:
        with session_scope() as session:
            user = users.create_user(
                session,
                username=username,
                password=password,
                role=role,
                full_name=full_name or username,
                client_names=client or [],
                now=utcnow(),
            )
            typer.echo(f"user {user.id} {user.username} ({user.role}) added")
    except AcuerdoError as error:
        raise typer.BadParameter(error.render("en")) from error


@clients_app.command("scripts")
def clients_scripts(
    name: str,
    product: Annotated[
        list[str] | None,
        typer.Option(help='A product and its script, e.g. "Fibra 500 Mbps=internet" (repeat)'),
    ] = None,
    default: Annotated[
        str | None, typer.Option(help="The script of products without their own")
    ] = None,
) -> None:
    """Set which negotiation script each of a creditor's products gets (cable, internet, phone)."""
    mapping: dict[str, str] = {}
    for pair in product or []:
        item, sep, kind = pair.rpartition("=")
        if not sep or not item.strip():
            raise typer.BadParameter(f"expected PRODUCT=SCRIPT, got {pair!r}")
        mapping[item.strip()] = kind.strip()
    try:
        with session_scope() as session:
            client = clients_service.get_client_by_name(session, name)
            stored = set_product_scripts(
                session,
                client=client,
                product_scripts={"products": mapping, "default": default},
                by="cli",
                now=utcnow(),
            )
            typer.echo(f"client {client.id} {client.name}: {stored}")
    except AcuerdoError as error:
        raise typer.BadParameter(error.render("en")) from error


def register(app: typer.Typer) -> None:
    """Attach these command groups to the main app."""
    app.add_typer(db_app, name="db")
    app.add_typer(clients_app, name="clients")
    app.add_typer(users_app, name="users")
