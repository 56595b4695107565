"""`acuerdo sandbox`: the carrier sandbox that stands in for Twilio in tests and demos."""

from pathlib import Path
from typing import Annotated

import typer

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
) -> None:
    """Run the carrier sandbox: Twilio's REST API over a simulated network of debtors."""
    if world is not None and not world.is_file():
        raise typer.BadParameter(f"{world} is not a file", param_hint="--world")
    serve(host=host, port=port, world_file=world, seed=seed, speed=speed, calls_per_second=cps)


def register(app: typer.Typer) -> None:
    """Attach the sandbox command to the main app."""
    app.command("sandbox")(sandbox)
