"""`acuerdo sandbox`: the carrier sandbox that stands in for Twilio in tests and demos."""

from pathlib import Path
from typing import Annotated

import httpx
import typer

from campaigns.settings import get_settings
from telephony.sandbox import serve


def sandbox(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8081,
    world: Annotated[
        Path | None, typer.Option(help="World file (JSON or YAML); see docs/sandbox.md")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (same seed, same outcomes)")] = None,
    speed: Annotated[
        float | None, typer.Option(help="Time speed-up: 60 makes a minute pass in a second")
    ] = None,
    cps: Annotated[float | None, typer.Option(help="Account calls-per-second limit")] = None,
    inbound_calls_per_hour: Annotated[
        float | None,
        typer.Option(help="Debtors calling our numbers back, per simulated hour"),
    ] = None,
) -> None:
    """Run the carrier sandbox: Twilio's REST API over a simulated network of debtors."""
    if world is not None and not world.is_file():
        raise typer.BadParameter(f"{world} is not a file", param_hint="--world")
    serve(
        host=host,
        port=port,
        world_file=world,
        seed=seed,
        speed=speed,
        calls_per_second=cps,
        inbound_calls_per_hour=inbound_calls_per_hour,
    )


def call_in(
    from_number: Annotated[str, typer.Option("--from", help="The debtor's number (E.164)")],
    to: Annotated[str, typer.Option(help="The creditor's number the debtor dials")],
    press: Annotated[
        list[str] | None,
        typer.Option(help="Keys pressed at each menu, in order (repeat the option)"),
    ] = None,
    patience: Annotated[
        float | None, typer.Option(help="Simulated seconds before the debtor hangs up")
    ] = None,
) -> None:
    """Make a simulated debtor call one of the creditor's numbers now (the carrier sandbox)."""
    payload = {"from_number": from_number, "to": to, "answers": press, "patience_seconds": patience}
    try:
        response = httpx.post(
            f"{get_settings().sandbox_url.rstrip('/')}/sandbox/inbound-call",
            json=payload,
            timeout=20,
        )
    except httpx.HTTPError as error:
        typer.echo(f"the sandbox did not answer: {error}", err=True)
        raise typer.Exit(1) from error
    if response.status_code >= 400:
        typer.echo(response.text, err=True)
        raise typer.Exit(1)
    call = response.json()
    typer.echo(f"{call['sid']}: {call['from']} -> {call['to']} ({call['status']})")


def register(app: typer.Typer) -> None:
    """Attach the sandbox command to the main app."""
    app.command("sandbox")(sandbox)
    app.command("call-in")(call_in)
