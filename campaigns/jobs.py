"""rq jobs of the campaigns package (enqueued by dotted path, e.g. by the scheduler)."""

from datetime import UTC, date, datetime
from typing import Any

from campaigns.agreements.reminders import run_daily
from campaigns.db import session_scope
from campaigns.models import utcnow
from campaigns.reports.rollup import nightly_rollup, snapshot_today


def run_agreements_daily(today: str | None = None, now: str | None = None) -> dict[str, Any]:
    """The agreements pass: due reminders and kept and broken promises, on each debtor's date.

    `now` (ISO 8601 with offset) fixes the moment; `today` forces one date for every debtor.
    """
    moment = datetime.fromisoformat(now).astimezone(UTC) if now else utcnow()
    with session_scope() as session:
        summary = run_daily(session, now=moment, today=date.fromisoformat(today) if today else None)
    return summary.as_json()


def run_reports_rollup(now: str | None = None) -> dict[str, Any]:
    """The nightly rollup: the last closed days' report figures into the summary tables.

    `now` (ISO 8601 with offset) fixes the moment.
    """
    moment = datetime.fromisoformat(now).astimezone(UTC) if now else utcnow()
    with session_scope() as session:
        summary = nightly_rollup(session, now=moment)
    return summary.as_json()


def run_reports_snapshot(now: str | None = None) -> dict[str, Any]:
    """Today's portfolio snapshot for reports, stored ahead of the close (every 15 minutes)."""
    moment = datetime.fromisoformat(now).astimezone(UTC) if now else utcnow()
    with session_scope() as session:
        rows = snapshot_today(session, now=moment)
    return {"rows": rows}
