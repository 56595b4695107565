"""Importing the payments file a creditor sends: each payment recorded once, balances reduced,
promises and instalments kept, and every contact with a settled account stopped at once.

The file is read by the same tolerant reader as portfolios (CSV in any common encoding and
delimiter, or XLSX). Columns: account ref, amount, date, reference (docs/agreements.md). A payment
is identified by (creditor, reference): importing the same file again records nothing new. Bad
rows are rejected with row, column, value and reason, like the portfolio import.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from campaigns.agreements.contact import cancel_pending_contact, set_status
from campaigns.agreements.ledger import apply_money
from campaigns.clients import client_to_change
from campaigns.i18n import _
from campaigns.models import (
    Account,
    AccountStatus,
    AuditEvent,
    Client,
    Payment,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
    utcnow,
)
from campaigns.portfolio_import.rows import Problem, rejects_csv
from campaigns.portfolio_import.values import ValueProblem, parse_amount, parse_date
from campaigns.settings import get_settings
from campaigns.tabular import Column, ColumnMap, map_columns, read_table, require_columns

log = logging.getLogger(__name__)

ACCOUNT_REF = Column(
    "account_ref",
    (
        "cuenta",
        "numero_de_cuenta",
        "num_cuenta",
        "no_cuenta",
        "contrato",
        "account_ref",
        "account",
        "account_number",
    ),
    required=True,
)
AMOUNT = Column(
    "amount",
    (
        "monto",
        "importe",
        "pago",
        "monto_pagado",
        "importe_pagado",
        "amount",
        "payment",
        "amount_paid",
    ),
    required=True,
)
PAID_ON = Column(
    "paid_on",
    ("fecha", "fecha_pago", "fecha_de_pago", "date", "paid_on", "payment_date"),
    required=True,
)
REFERENCE = Column(
    "reference",
    ("referencia", "folio", "num_referencia", "reference", "ref", "payment_id", "receipt"),
    required=True,
)
COLUMNS = (ACCOUNT_REF, AMOUNT, PAID_ON, REFERENCE)
MAX_REFERENCE = 80
CHUNK = 500


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


@dataclass(frozen=True)
class _Row:
    number: int
    account_id: int
    amount: Decimal
    paid_on: date
    reference: str


def import_payments(
    session: Session,
    *,
    client_id: int,
    filename: str,
    content: bytes,
    today: date | None = None,
    now: datetime | None = None,
    uploaded_by_id: int | None = None,
) -> PaymentImportSummary:
    """Record a creditor's payments file; bad rows go to a rejects CSV, the rest apply at once."""
    client = client_to_change(session, client_id=client_id)
    now = now or utcnow()
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
    accounts = _accounts(session, client.id, refs)
    known = _known_references(session, client.id, table.rows, columns.first("reference"))

    problems: list[Problem] = []
    good: list[_Row] = []
    seen: dict[str, int] = {}
    duplicates = 0
    for number, cells in table.rows:
        row = _RowReader(number, cells, columns, headers)
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
        amount = _amount(cell("amount"), client.currency, problem)
        paid_on = _paid_on(cell("paid_on"), today, problem)
        if row.problems or account_id is None or amount is None or paid_on is None:
            problems.extend(row.problems)
            continue
        seen[reference] = number
        good.append(_Row(number, account_id, amount, paid_on, reference))

    by_account = _record(session, client, good, filename)
    counts = _apply(session, by_account, now)
    settled, kept, installments, cancelled = counts

    text = rejects_csv(problems, client.locale) if problems else ""
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


class _RowReader:
    """The cells of one row by field, and the problems found in it."""

    def __init__(
        self, number: int, cells: list[str], columns: ColumnMap, headers: dict[str, str]
    ) -> None:
        self.number, self.cells, self.columns, self.headers = number, cells, columns, headers
        self.problems: list[Problem] = []

    def cell(self, name: str) -> str:
        position = self.columns.first(name)
        return self.cells[position] if position is not None and position < len(self.cells) else ""

    def problem(self, name: str, message: str, /, **params: Any) -> None:
        self.problems.append(
            Problem(self.number, self.headers[name], self.cell(name), message, params, True)
        )


def _accounts(session: Session, client_id: int, refs: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    refs_list = sorted(r for r in refs if r)
    for start in range(0, len(refs_list), 500):
        chunk = refs_list[start : start + 500]
        rows = session.execute(
            select(Account.account_ref, Account.id).where(
                Account.client_id == client_id, Account.account_ref.in_(chunk)
            )
        ).all()
        found.update((ref, account_id) for ref, account_id in rows)
    return found


def _known_references(
    session: Session, client_id: int, rows: list[tuple[int, list[str]]], position: int | None
) -> set[str]:
    if position is None:
        return set()
    wanted = sorted({cells[position] for _n, cells in rows if position < len(cells)} - {""})
    known: set[str] = set()
    for start in range(0, len(wanted), 500):
        known.update(
            session.scalars(
                select(Payment.reference).where(
                    Payment.client_id == client_id,
                    Payment.reference.in_(wanted[start : start + 500]),
                )
            ).all()
        )
    return known


def _amount(text: str, currency: str, problem: Callable[..., None]) -> Decimal | None:
    if not text.strip():
        problem("amount", _("The amount is blank."))
        return None
    try:
        amount = parse_amount(text, currency=currency)
    except ValueProblem as error:
        problem("amount", error.message, **error.params)
        return None
    if amount <= 0:
        problem("amount", _("A payment must be more than zero ({value})."), value=text.strip())
        return None
    return amount


def _paid_on(text: str, today: date, problem: Callable[..., None]) -> date | None:
    if not text.strip():
        problem("paid_on", _("The payment date is blank."))
        return None
    try:
        paid_on = parse_date(text)
    except ValueProblem as error:
        problem("paid_on", error.message, **error.params)
        return None
    if paid_on > today:
        problem(
            "paid_on", _("The payment date {value} is in the future."), value=paid_on.isoformat()
        )
        return None
    return paid_on


def _record(
    session: Session, client: Client, rows: list[_Row], filename: str
) -> dict[int, tuple[Decimal, int]]:
    totals: dict[int, Decimal] = defaultdict(Decimal)
    first_ids: dict[int, int] = {}
    payments = [
        Payment(
            client_id=client.id,
            account_id=row.account_id,
            amount=row.amount,
            paid_on=row.paid_on,
            reference=row.reference,
            source=filename[:40] or "file",
        )
        for row in rows
    ]
    session.add_all(payments)
    session.flush()
    for payment in payments:
        totals[payment.account_id] += payment.amount
        first_ids.setdefault(payment.account_id, payment.id)
    return {account_id: (total, first_ids[account_id]) for account_id, total in totals.items()}


def _apply(
    session: Session, by_account: dict[int, tuple[Decimal, int]], now: datetime
) -> tuple[int, int, int, int]:
    """Apply each account's money: one by one where an agreement is open, else set-based.

    Returns accounts settled, promises kept, instalments paid and attempts cancelled.
    """
    ids = sorted(by_account)
    with_agreement: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with_agreement.update(
            session.scalars(
                select(PromiseToPay.account_id).where(
                    PromiseToPay.account_id.in_(chunk),
                    PromiseToPay.status == PromiseStatus.PENDING,
                )
            )
        )
        with_agreement.update(
            session.scalars(
                select(PaymentPlan.account_id).where(
                    PaymentPlan.account_id.in_(chunk), PaymentPlan.status == PlanStatus.ACTIVE
                )
            )
        )
    settled = kept = installments = cancelled = 0
    for account_id in sorted(with_agreement):
        total, first_payment_id = by_account[account_id]
        account = session.get_one(Account, account_id)
        applied = apply_money(
            session,
            account=account,
            amount=total,
            now=now,
            thanks_key=f"thanks-payment-{first_payment_id}",
        )
        settled += applied.settled
        kept += len(applied.kept_promises)
        installments += len(applied.paid_installments)
        cancelled += applied.attempts_cancelled
    rest = [account_id for account_id in ids if account_id not in with_agreement]
    for start in range(0, len(rest), CHUNK):
        chunk = rest[start : start + CHUNK]
        paid_off: list[int] = []
        audit: list[dict[str, Any]] = []
        with session.no_autoflush:
            for account in session.scalars(select(Account).where(Account.id.in_(chunk))):
                total = by_account[account.id][0]
                account.balance = max(Decimal("0"), account.balance - total)
                account.updated_at = now
                if account.balance <= 0:
                    set_status(account, AccountStatus.PAID, now)
                    account.priority_boost = 0
                    paid_off.append(account.id)
                audit.append(
                    {
                        "client_id": account.client_id,
                        "actor_label": "payments",
                        "action": "account.payment_applied",
                        "entity_type": "accounts",
                        "entity_id": account.id,
                        "account_id": account.id,
                        "data": {"amount": str(total), "settled": account.balance <= 0},
                        "created_at": now,
                    }
                )
        session.execute(insert(AuditEvent), audit)
        settled += len(paid_off)
        cancelled += cancel_pending_contact(
            session, account_ids=paid_off, now=now, reason="paid in full"
        )[0]
    return settled, kept, installments, cancelled


def _write_rejects(client_id: int, now: datetime, text: str) -> Path:
    folder = get_settings().var_dir / "rejects"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    path = (folder / f"payments-{client_id}-{stamp}-rejects.csv").resolve()
    path.write_text(text, encoding="utf-8-sig", newline="")
    return path
