"""The `acuerdo` command line: one typer app, one module per group of commands."""

import typer

from console.cli import admin, imports, run

app = typer.Typer(
    name="acuerdo",
    help="Acuerdo: outbound collections contact center for early-stage debt.",
    no_args_is_help=True,
    add_completion=False,
)
admin.register(app)
imports.register(app)
run.register(app)


def main() -> None:
    """Entry point of the `acuerdo` console script."""
    app()
