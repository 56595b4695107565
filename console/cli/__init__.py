"""The `acuerdo` command line: one typer app, one module per group of commands."""

import typer

from campaigns.log_privacy import install_log_privacy
from console.cli import admin, demo, doctor, imports, run
from console.cli import campaigns as campaigns_cli
from console.cli import payments as payments_cli
from console.cli import sandbox as sandbox_cli
from console.cli import simulate as simulate_cli
from console.cli import zones as zones_cli

app = typer.Typer(
    name="acuerdo",
    help="Acuerdo: outbound collections contact center for early-stage debt.",
    no_args_is_help=True,
    add_completion=False,
)
admin.register(app)
imports.register(app)
run.register(app)
demo.register(app)
sandbox_cli.register(app)
simulate_cli.register(app)
payments_cli.register(app)
campaigns_cli.register(app)
zones_cli.register(app)
doctor.register(app)


def main() -> None:
    """Entry point of the `acuerdo` console script."""
    install_log_privacy()
    app()
