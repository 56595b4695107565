"""docs/websocket-protocol.md and the code name the same messages, no more and no fewer."""

import ast
import re
from pathlib import Path

from console.agents.commands import HANDLERS
from console.agents.messages import (
    AGENT_MESSAGES,
    AGENT_REQUESTS,
    SUPERVISOR_MESSAGES,
    SUPERVISOR_REQUESTS,
)

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "websocket-protocol.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    return DOC.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def _table(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and not set(cells[0]) <= {"-", " "} and cells[0] != "type":
            rows.append([re.sub(r"^`|`$", "", cell) for cell in cells])
    return rows


def test_the_agents_requests_are_the_ones_handled() -> None:
    documented = {row[0] for row in _table(_section("Client -> server"))}
    assert documented == AGENT_REQUESTS
    assert set(HANDLERS) | {"resync"} == AGENT_REQUESTS


def test_the_agents_messages_are_the_ones_sent() -> None:
    assert {row[0] for row in _table(_section("Server -> client"))} == AGENT_MESSAGES


def test_the_supervisor_feed_is_the_one_sent() -> None:
    rows = _table(_section("Supervisor feed"))
    assert {r[0] for r in rows if r[1] == "supervisor -> server"} == SUPERVISOR_REQUESTS
    assert {r[0] for r in rows if r[1] == "server -> supervisor"} == SUPERVISOR_MESSAGES


# A "type" key that is not a protocol message: ASGI events and JSON-schema types.
NOT_MESSAGES = {"string", "integer", "number", "boolean", "object", "array", "null"}


def _message_types(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "type"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and value.value not in NOT_MESSAGES
                    and not value.value.startswith(("http.", "websocket.", "lifespan."))
                ):
                    found.add(value.value)
    return found


def test_every_message_the_code_builds_is_documented() -> None:
    built: dict[str, set[str]] = {}
    for package in ("console", "campaigns", "telephony"):
        for path in (ROOT / package).rglob("*.py"):
            if "sandbox" in path.parts:
                continue  # the carrier sandbox speaks Twilio, not this protocol
            for kind in _message_types(path):
                built.setdefault(kind, set()).add(path.relative_to(ROOT).as_posix())
    unknown = {k: v for k, v in built.items() if k not in AGENT_MESSAGES | SUPERVISOR_MESSAGES}
    assert unknown == {}
    assert "campaign" in built and "pacing" in built


def test_no_one_publishes_on_a_channel_without_subscriber() -> None:
    published = []
    for package in ("campaigns", "telephony", "console"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            published += re.findall(r"publish_after_commit\(\s*session,\s*f?\"(\w+):", text)
    assert published == []
