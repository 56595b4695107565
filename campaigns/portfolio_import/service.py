"""Importing a creditor's portfolio file: every row validated, then written in bulk, in one
transaction that the caller commits (a crash half-way leaves nothing behind).

Accounts are upserted on (client, account ref); debtors are matched on (client, national id) when
the row has one, else through the account. Re-importing a file changes nothing.
"""

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from campaigns.bulk_collector import collect_young, cycle_collector_paused
from campaigns.clients import client_to_change
from campaigns.i18n import _
from campaigns.models import AuditEvent, Portfolio, User
from campaigns.portfolio_import.headers import COLUMNS, DAYS_OVERDUE, DUE_DATE, EMAIL, PHONE
from campaigns.portfolio_import.parse_pool import ParsePool
from campaigns.portfolio_import.rejects import rejects_csv
from campaigns.portfolio_import.rows import FileContext, RowParser, check_rows
from campaigns.portfolio_import.writing import ProgressCallback, Writer
from campaigns.settings import get_settings
from campaigns.tabular import ColumnMap, MissingColumn, map_columns, open_table, require_columns

log = logging.getLogger(__name__)

# Rows validated and written together: memory holds one batch, not the file.
IMPORT_BATCH = 20_000
T = TypeVar("T")


@dataclass(frozen=True)
class ImportSummary:
    """What an import did, in counts a manager can check against the file."""

    portfolio_id: int
    filename: str
    rows_read: int
    imported: int
    updated: int
    unchanged: int
    rejected: int
    escalated: int
    ignored_values: int
    rejects_file: Path | None
    unused_columns: list[str]

    def as_json(self) -> dict[str, Any]:
        """The counts and the rejects file path, as `acuerdo import --json` prints them."""
        return {
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "escalated": self.escalated,
            "rejects_file": str(self.rejects_file) if self.rejects_file else None,
        }


def import_portfolio(
    session: Session,
    *,
    client_id: int,
    filename: str,
    content: bytes,
    now: datetime,
    uploaded_by_id: int | None = None,
    today: date | None = None,
    on_progress: ProgressCallback | None = None,
    parse_pool: ParsePool | None = None,
) -> ImportSummary:
    """Import a creditor's file (CSV or XLSX) at `now`; rejected rows go to a rejects CSV.

    Rows are checked in this process, unless the command line passes a `parse_pool`.
    """
    client = client_to_change(session, client_id=client_id)
    today = today or now.astimezone(ZoneInfo(client.timezone)).date()

    context = FileContext(client.country, client.currency, client.timezone, today)
    with open_table(content, filename=filename) as table:
        columns = map_columns(table.headers, COLUMNS)
        _require_columns(columns)
        portfolio = Portfolio(
            client_id=client.id,
            filename=filename[:255],
            uploaded_by_id=uploaded_by_id,
            as_of=today,
            rows_read=0,
            created_at=now,
        )
        session.add(portfolio)
        session.flush()
        writer = Writer(session, client, portfolio.id, filename, today, now, on_progress)
        writer.expected_rows = table.expected_rows
        parser = RowParser(columns, context)
        if parse_pool is not None:
            checked = parse_pool.checked(table.rows, columns, context)
        else:
            checked = (
                row
                for batch in _batches(table.rows, IMPORT_BATCH)
                for row in check_rows(batch, columns, context)
            )
        with cycle_collector_paused():
            for batch in _batches(checked, IMPORT_BATCH):
                writer.write(parser.accept(batch), read=len(batch))
                collect_young()
        writer.finish()
        rows_read = table.rows_read
    problems, rejected = parser.problems, parser.rejected

    rejects_text = rejects_csv(problems, client.locale) if problems else ""
    rejects_path = _write_rejects(portfolio.id, rejects_text) if problems else None
    portfolio.rows_read = rows_read
    portfolio.imported = writer.imported
    portfolio.updated = writer.updated
    portfolio.unchanged = writer.unchanged
    portfolio.rejected = rejected
    portfolio.escalated = writer.escalated
    portfolio.rejects_csv = rejects_text
    summary = ImportSummary(
        portfolio_id=portfolio.id,
        filename=filename,
        rows_read=rows_read,
        imported=writer.imported,
        updated=writer.updated,
        unchanged=writer.unchanged,
        rejected=rejected,
        escalated=writer.escalated,
        ignored_values=sum(1 for p in problems if not p.rejects_row),
        rejects_file=rejects_path,
        unused_columns=columns.unused,
    )
    _audit(session, client.id, uploaded_by_id, summary, now)
    session.flush()
    log.info(
        "portfolio %s of client %s: %s rows, %s imported, %s updated, %s unchanged, "
        "%s rejected, %s escalated",
        portfolio.id,
        client.id,
        summary.rows_read,
        summary.imported,
        summary.updated,
        summary.unchanged,
        summary.rejected,
        summary.escalated,
    )
    return summary


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _require_columns(columns: ColumnMap) -> None:
    require_columns(columns, COLUMNS)
    for either, label in (
        ((DUE_DATE, DAYS_OVERDUE), "due_date / days_overdue"),
        ((PHONE, EMAIL), "phone / email"),
    ):
        if not any(c.field in columns.positions for c in either):
            raise MissingColumn(
                _("The file has no {column} column; name it one of: {aliases}."),
                column=label,
                aliases=", ".join(alias for c in either for alias in c.aliases),
            )


def _write_rejects(portfolio_id: int, text: str) -> Path:
    folder = get_settings().var_dir / "rejects"
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / f"portfolio-{portfolio_id}-rejects.csv").resolve()
    path.write_text(text, encoding="utf-8-sig", newline="")
    return path


def _audit(
    session: Session, client_id: int, user_id: int | None, summary: ImportSummary, now: datetime
) -> None:
    user = session.get(User, user_id) if user_id else None
    session.add(
        AuditEvent(
            client_id=client_id,
            actor_id=user_id,
            actor_label=user.username if user else "cli",
            action="portfolio.imported",
            entity_type="portfolio",
            entity_id=summary.portfolio_id,
            data={
                "filename": summary.filename,
                "rows_read": summary.rows_read,
                "ignored_values": summary.ignored_values,
                **{k: v for k, v in summary.as_json().items() if k != "rejects_file"},
            },
            created_at=now,
        )
    )
