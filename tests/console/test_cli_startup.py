"""`acuerdo --help` loads no command module; the help it prints is each command's own."""

import json
import subprocess
import sys

import typer.main

from console.cli import COMMANDS, _load, app

HEAVY = ("sqlalchemy", "fastapi", "uvicorn", "twilio", "alembic", "argon2", "yaml", "openpyxl")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_the_top_level_help_imports_nothing_heavy() -> None:
    loaded = _modules_after(
        "import sys; sys.argv = ['acuerdo', '--help']\n"
        "from console.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert "console.cli" in loaded
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []
    assert [m for m in loaded if m.startswith("console.cli.")] == []


def test_a_command_loads_its_own_module_only() -> None:
    loaded = _modules_after(
        "import sys; sys.argv = ['acuerdo', 'simulate', '--help']\n"
        "from console.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert sorted(m for m in loaded if m.startswith("console.cli.")) == ["console.cli.simulate"]


def test_the_campaign_commands_help_needs_no_database_layer() -> None:
    loaded = _modules_after(
        "import sys; sys.argv = ['acuerdo', 'campaigns', 'preview', '--help']\n"
        "from console.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert "console.cli.campaigns" in loaded
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []


def test_every_listed_help_line_is_the_commands_own() -> None:
    group = typer.main.get_command(app)
    for name, (_module, help_line) in COMMANDS.items():
        command = _load(name)
        assert command.name == name
        assert (command.help or "").strip().splitlines()[0] == help_line, name
    assert group.list_commands(None) == list(COMMANDS)  # type: ignore[arg-type]


def test_importing_users_hashes_nothing() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import campaigns.users as u; print(u._dummy_hash.cache_info())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "currsize=0" in out
