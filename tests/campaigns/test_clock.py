"""Time is an input: the domain never reads the wall clock and no table fills a time by itself."""

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import DateTime, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.models import AuditEvent, Base
from campaigns.models.base import UTCDateTime

ROOT = Path(__file__).resolve().parents[2]

# Where "now" may be read: the wall clock's definition, the entry points of jobs, webhooks and the
# simulated carrier (the edge of the world). The web app and the CLI in console/ are the edges
# themselves (requests, commands, the dialing loop, the websocket hub).
EDGES = {
    "campaigns/models/base.py",
    "campaigns/jobs.py",
    "telephony/jobs.py",
    "telephony/webhooks.py",
    "telephony/inbound_calls/webhooks.py",
}
EDGE_FOLDERS = ("telephony/sandbox/", "console/")
CLOCK_CALLS = {"utcnow", "now", "today", "time", "utcfromtimestamp", "fromtimestamp"}
CLOCK_OWNERS = {"datetime", "date", "time"}


def _wall_clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "utcnow":
            found.append(f"{node.lineno}: utcnow()")
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in CLOCK_CALLS
            and isinstance(func.value, ast.Name)
            and func.value.id in CLOCK_OWNERS
        ):
            found.append(f"{node.lineno}: {func.value.id}.{func.attr}()")
    return found


def test_the_domain_never_reads_the_wall_clock() -> None:
    offenders = []
    for package in ("campaigns", "telephony"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in EDGES or name.startswith(EDGE_FOLDERS) or "/migrations/" in name:
                continue
            offenders += [f"{name}:{read}" for read in _wall_clock_reads(path)]
    assert offenders == [], "services take `now`; read the clock at the edge and pass it down"


def test_the_guard_sees_a_wall_clock_read(tmp_path: Path) -> None:
    sample = tmp_path / "service.py"
    sample.write_text(
        "from datetime import UTC, date, datetime\n"
        "def f():\n"
        "    return datetime.now(UTC), date.today(), utcnow()\n"
    )
    assert _wall_clock_reads(sample) == ["3: datetime.now()", "3: date.today()", "3: utcnow()"]


def test_no_time_column_takes_the_wall_clock_by_default() -> None:
    stamped = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, UTCDateTime | DateTime):
                assert column.default is None, f"{table.name}.{column.name} has a default"
                assert column.server_default is None, f"{table.name}.{column.name}"
                if not column.nullable:
                    stamped.append(f"{table.name}.{column.name}")
    assert "attempts.created_at" in stamped and "audit_events.created_at" in stamped


def test_a_row_without_its_time_is_refused(session: Session) -> None:
    assert inspect(AuditEvent).columns["created_at"].default is None
    session.add(AuditEvent(actor_label="t", action="a", entity_type="account"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    at = datetime(2031, 5, 4, 3, 2, tzinfo=UTC)
    session.add(AuditEvent(actor_label="t", action="a", entity_type="account", created_at=at))
    session.flush()
    assert session.query(AuditEvent).one().created_at == at
