"""Reading and checking the rows of a payments file: the cells by field, the accounts and
references they name, and the problems that reject a row."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.i18n import _
from campaigns.models import Account, Payment
from campaigns.portfolio_import.rows import Problem
from campaigns.portfolio_import.values import ValueProblem, parse_amount, parse_date
from campaigns.tabular import ColumnMap

MAX_REFERENCE = 80


@dataclass(frozen=True)
class PaymentRow:
    """A checked row of the file: the payment to record."""

    number: int
    account_id: int
    amount: Decimal
    paid_on: date
    reference: str


class RowReader:
    """The cells of one row by field, and the problems found in it."""

    def __init__(
        self, number: int, cells: list[str], columns: ColumnMap, headers: dict[str, str]
    ) -> None:
        self.number, self.cells, self.columns, self.headers = number, cells, columns, headers
        self.problems: list[Problem] = []

    def cell(self, name: str) -> str:
        """The row's cell for a field ('' when the file has no such column)."""
        position = self.columns.first(name)
        return self.cells[position] if position is not None and position < len(self.cells) else ""

    def problem(self, name: str, message: str, /, **params: Any) -> None:
        """Note what is wrong with a field's cell; the row will be rejected."""
        self.problems.append(
            Problem(self.number, self.headers[name], self.cell(name), message, params, True)
        )


def account_ids(session: Session, client_id: int, refs: set[str]) -> dict[str, int]:
    """The ids of the creditor's accounts with these numbers, by number."""
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


def known_references(
    session: Session, client_id: int, rows: list[tuple[int, list[str]]], position: int | None
) -> set[str]:
    """The references of the file that the creditor's payments already have."""
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


def check_amount(text: str, currency: str, problem: Callable[..., None]) -> Decimal | None:
    """The payment's amount, or None after noting why it is not one."""
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


def check_paid_on(text: str, today: date, problem: Callable[..., None]) -> date | None:
    """The payment's date, or None after noting why it is not one."""
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
