"""rq jobs of the campaigns package (enqueued by dotted path, e.g. by the scheduler)."""

from datetime import date
from typing import Any

from campaigns.agreements.reminders import run_daily
from campaigns.db import session_scope
from campaigns.models import utcnow


def run_agreements_daily(today: str | None = None) -> dict[str, Any]:
    """The daily agreements pass: reminders for tomorrow, kept and broken promises for today."""
    with session_scope() as session:
        summary = run_daily(
            session, now=utcnow(), today=date.fromisoformat(today) if today else None
        )
    return summary.as_json()
