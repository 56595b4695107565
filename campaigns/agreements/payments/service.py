"""Importing a payments file: read, check, post, and a summary with the rejects file."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from campaigns.agreements.payments.headers import COLUMNS
from campaigns.agreements.payments.posting import apply_payments, record_payments
from campaigns.agreements.payments.rows import (
    MAX_REFERENCE,
    PaymentRow,
    RowReader,
    account_ids,
    check_amount,
    check_paid_on,
    known_references,
)
from campaigns.clients import client_to_change
from campaigns.i18n import _
from campaigns.models import AuditEvent
from campaigns.portfolio_import.rejects import rejects_csv
from campaigns.portfolio_import.rows import Problem
from campaigns.settings import get_settings
from campaigns.tabular import map_columns, read_table, require_columns

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentImportSummary:
    """What a payments import did, in counts a manager can check against the file."""

    filename: str
    rows_read: int
    recorded: int
    already_recorded: int
    rejected: int
    amount: Decimal
    accounts_settled: int
    promises_kept: int
    installments_paid: int
    attempts_cancelled: int
    rejects_csv: str
    rejects_file: Path | None
    unused_columns: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The counts, as `acuerdo payments import --json` prints them."""
        return {
            "rows_read": self.rows_read,
            "recorded": self.recorded,
            "already_recorded": self.already_recorded,
            "rejected": self.rejected,
            "amount": str(self.amount),
            "accounts_settled": self.accounts_settled,
            "promises_kept": self.promises_kept,
            "installments_paid": self.installments_paid,
            "attempts_cancelled": self.attempts_cancelled,
            "rejects_file": str(self.rejects_file) if self.rejects_file else None,
        }


def import_payments(
    session: Session,
    *,
    client_id: int,
    filename: str,
    content: bytes,
    now: datetime,
    today: date | None = None,
    uploaded_by_id: int | None = None,
    locale: str | None = None,
) -> PaymentImportSummary:
    """Record a creditor's payments file; bad rows go to a rejects CSV (in `locale`, else the
    creditor's language), the rest apply at once."""
    client = client_to_change(session, client_id=client_id)
    today = today or now.astimezone(ZoneInfo(client.timezone)).date()

    table = read_table(content, filename=filename)
    columns = map_columns(table.headers, COLUMNS)
    require_columns(columns, COLUMNS)
    headers = {c.field: table.headers[columns.first(c.field) or 0] for c in COLUMNS}

    refs = {
        cells[p]
        for _n, cells in table.rows
        if (p := columns.first("account_ref")) is not None and p < len(cells)
    }
    accounts = account_ids(session, client.id, refs)
    known = known_references(session, client.id, table.rows, columns.first("reference"))

    problems: list[Problem] = []
    good: list[PaymentRow] = []
    seen: dict[str, int] = {}
    duplicates = 0
    for number, cells in table.rows:
        row = RowReader(number, cells, columns, headers)
        cell, problem = row.cell, row.problem
        reference = cell("reference")
        if reference and reference in known:
            duplicates += 1
            continue
        if not reference:
            problem(
                "reference",
                _(
                    "The reference is blank; every payment needs its reference "
                    "(folio) so a file can be imported twice safely."
                ),
            )
        elif len(reference) > MAX_REFERENCE:
            problem(
                "reference",
                _("The reference is longer than {limit} characters."),
                limit=MAX_REFERENCE,
            )
        elif reference in seen:
            problem(
                "reference",
                _(
                    "Reference {reference} is already on row {first}; only the "
                    "first row is recorded."
                ),
                reference=reference,
                first=seen[reference],
            )
        ref = cell("account_ref")
        account_id = accounts.get(ref)
        if not ref:
            problem("account_ref", _("The account number is blank."))
        elif account_id is None:
            problem(
                "account_ref",
                _("No account {ref} for this creditor; check the number against the portfolio."),
                ref=ref,
            )
        amount = check_amount(cell("amount"), client.currency, problem)
        paid_on = check_paid_on(cell("paid_on"), today, problem)
        if row.problems or account_id is None or amount is None or paid_on is None:
            problems.extend(row.problems)
            continue
        seen[reference] = number
        good.append(PaymentRow(number, account_id, amount, paid_on, reference))

    by_account = record_payments(session, client, good, filename, now)
    counts = apply_payments(session, by_account, now)
    settled, kept, installments, cancelled = counts

    text = rejects_csv(problems, locale or client.locale) if problems else ""
    rejected = len({p.row for p in problems})
    path = _write_rejects(client.id, now, text) if problems else None
    summary = PaymentImportSummary(
        filename=filename,
        rows_read=len(table.rows),
        recorded=len(good),
        already_recorded=duplicates,
        rejected=rejected,
        amount=sum((r.amount for r in good), Decimal("0")),
        accounts_settled=settled,
        promises_kept=kept,
        installments_paid=installments,
        attempts_cancelled=cancelled,
        rejects_csv=text,
        rejects_file=path,
        unused_columns=columns.unused,
    )
    session.add(
        AuditEvent(
            client_id=client.id,
            actor_id=uploaded_by_id,
            actor_label=f"user:{uploaded_by_id}" if uploaded_by_id else "cli",
            action="payments.imported",
            entity_type="payments",
            entity_id=None,
            data={"filename": filename, **summary.as_json()},
            created_at=now,
        )
    )
    session.flush()
    log.info(
        "payments of client %s: %s rows, %s recorded, %s already, %s rejected, %s settled",
        client.id,
        summary.rows_read,
        summary.recorded,
        duplicates,
        rejected,
        settled,
    )
    return summary


def _write_rejects(client_id: int, now: datetime, text: str) -> Path:
    folder = get_settings().var_dir / "rejects"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    path = (folder / f"payments-{client_id}-{stamp}-rejects.csv").resolve()
    path.write_text(text, encoding="utf-8-sig", newline="")
    return path
