"""The `acuerdo` command line: one typer app, one module per group of commands.

A command's module (and what it imports: SQLAlchemy, FastAPI, uvicorn, twilio, alembic...) is
loaded only when that command runs or shows its own help, so `acuerdo --help` starts at once.
"""

import importlib
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

# Each top-level command: the module that registers it and the line `acuerdo --help` shows.
COMMANDS: dict[str, tuple[str, str]] = {
    "import": (
        "console.cli.imports",
        "Import a creditor's portfolio file; bad rows go to a rejects CSV, good rows are upserted.",
    ),
    "serve": (
        "console.cli.run",
        "Run the web app (console, APIs and Twilio webhooks) under uvicorn.",
    ),
    "worker": (
        "console.cli.run",
        "Run an rq worker for the dispatch and default queues (it outlives Redis restarts).",
    ),
    "scheduler": (
        "console.cli.run",
        "Run the scheduler: ticks schedule campaigns; the dialing loop paces calls every second.",
    ),
    "demo": (
        "console.cli.demo",
        "Migrate, seed a demo creditor portfolio and users, and run every process until Ctrl-C.",
    ),
    "sandbox": (
        "console.cli.sandbox",
        "Run the carrier sandbox: Twilio's REST API over a simulated network of debtors.",
    ),
    "call-in": (
        "console.cli.sandbox",
        "Make a simulated debtor call one of the creditor's numbers now (the carrier sandbox).",
    ),
    "simulate": (
        "console.cli.simulate",
        "Simulate a shift with the real pacer and print occupancy, talk minutes and abandons.",
    ),
    "db": ("console.cli.admin", "Database schema."),
    "clients": ("console.cli.admin", "Creditors whose portfolios are collected."),
    "users": ("console.cli.admin", "People who sign in."),
    "escalations": (
        "console.cli.imports",
        "Accounts over 90 days overdue, handed off to extrajudicial collection.",
    ),
    "payments": ("console.cli.payments", "Payments reported by creditors."),
    "reminders": ("console.cli.payments", "Reminders and due-date checks of promises and plans."),
    "campaigns": (
        "console.cli.campaigns",
        "Contact strategies over a creditor's portfolio (see docs/campaigns.md).",
    ),
    "debtors": ("console.cli.zones", "Debtors of every creditor."),
    "reports": (
        "console.cli.reports",
        "Report figures: roll up closed days into the summary tables (see docs/reports.md).",
    ),
    "self-service": ("console.cli.self_service", "The debtors' self-service page."),
    "doctor": (
        "console.cli.doctor",
        "List attempts, jobs, agents, webhooks and queues that are stuck, late or failing.",
    ),
}


def _load(name: str) -> Any:
    """The click command `name`, built from the typer app of the module that registers it."""
    module = importlib.import_module(COMMANDS[name][0])
    holder = typer.Typer()
    holder.callback()(lambda: None)  # a group even when the module registers one command
    module.register(holder)
    return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]


class LazyGroup(TyperGroup):
    """The top-level group: lists commands from COMMANDS and imports a module on first use.

    A command registered on `app` the usual way (`module.register(app)`) works too: it is
    loaded at start-up, listed after the lazy ones."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS) + [name for name in self.commands if name not in COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = _load(cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, help_) for name, (_module, help_) in COMMANDS.items()]
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows += [
            (name, command.get_short_help_str(limit))
            for name, command in self.commands.items()
            if name not in COMMANDS and not command.hidden
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="acuerdo",
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def _acuerdo() -> None:
    """Acuerdo: outbound collections contact center for early-stage debt."""


def main() -> None:
    """Entry point of the `acuerdo` console script."""
    from campaigns.log_privacy import install_log_privacy

    install_log_privacy()
    app()
