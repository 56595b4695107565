"""Validating the rows of a portfolio file, and the rejects report a manager can act on.

A row is rejected when it has no usable account number, name, balance (blank, zero, negative or
unreadable), due date (blank, unreadable or impossible, with no days overdue either) or contact
point at all, or when its account number already appeared on an earlier row. Any other bad value
(a second phone, an e-mail, an unknown region, a time zone that is not an IANA name, the
WhatsApp flag) is ignored and reported while the
row imports.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from campaigns.debtor_zones.candidates import knows_regions, parse_zone, region_zones
from campaigns.i18n import _
from campaigns.models import ContactKind, LineType
from campaigns.portfolio_import.values import (
    MAX_BALANCE,
    Phone,
    ValueProblem,
    parse_amount,
    parse_date,
    parse_days_overdue,
    parse_email,
    parse_phone,
    parse_yes_no,
)
from campaigns.tabular import ColumnMap

MAX_REF = 60
MAX_NAME = 200
MAX_NATIONAL_ID = 40


@dataclass(frozen=True)
class Problem:
    """One line of the rejects report."""

    row: int
    column: str
    value: str
    message: str
    params: dict[str, Any]
    rejects_row: bool


@dataclass(frozen=True)
class Point:
    """A contact point read from a row, in the order its columns appear."""

    kind: ContactKind
    value: str
    line_type: LineType | None
    column: str


@dataclass
class ParsedRow:
    """A valid row, ready to be written."""

    row: int
    account_ref: str
    name: str
    balance: Decimal
    due_date: date
    national_id: str | None
    product: str | None
    region: str | None
    stated_timezone: str | None
    points: list[Point] = field(default_factory=list)
    whatsapp_point: Point | None = None


@dataclass(frozen=True)
class FileContext:
    """What row validation needs to know about the creditor and the day."""

    country: str
    currency: str
    timezone: str
    today: date


class _Row:
    """Reads the cells of one row by field, collecting its problems."""

    def __init__(self, number: int, cells: list[str], columns: ColumnMap) -> None:
        self.number = number
        self.cells = cells
        self.columns = columns
        self.problems: list[Problem] = []

    def cell(self, position: int | None) -> str:
        if position is None or position >= len(self.cells):
            return ""
        return self.cells[position]

    def get(self, name: str) -> str:
        return self.cell(self.columns.first(name))

    def header(self, name: str) -> str:
        position = self.columns.first(name)
        return self.columns.headers[position] if position is not None else name

    def problem(
        self, column: str, value: str, message: str, /, *, rejects: bool, **params: Any
    ) -> None:
        self.problems.append(Problem(self.number, column, value, message, params, rejects))

    def from_error(self, column: str, value: str, error: ValueProblem, *, rejects: bool) -> None:
        self.problem(column, value, error.message, rejects=rejects, **error.params)

    @property
    def rejected(self) -> bool:
        return any(p.rejects_row for p in self.problems)


@dataclass(frozen=True)
class CheckedRow:
    """One row validated on its own, before the file-wide check for repeated accounts."""

    number: int
    ref: str
    parsed: ParsedRow | None  # None: the row is rejected
    problems: list[Problem]


def check_rows(
    rows: Iterable[tuple[int, list[str]]], columns: ColumnMap, context: FileContext
) -> list[CheckedRow]:
    """Validate rows, each on its own: no state, so any process can check any rows."""
    checked: list[CheckedRow] = []
    for number, cells in rows:
        row = _Row(number, cells, columns)
        parsed = _parse_row(row, context)
        valid = parsed if parsed is not None and not row.rejected else None
        checked.append(CheckedRow(number, row.get("account_ref"), valid, row.problems))
    return checked


class RowParser:
    """Validates a file's rows batch by batch, remembering the account numbers already seen."""

    def __init__(self, columns: ColumnMap, context: FileContext) -> None:
        self.columns = columns
        self.context = context
        self.problems: list[Problem] = []
        self.first_seen: dict[str, int] = {}
        self.rejected = 0

    def parse(self, rows: Iterable[tuple[int, list[str]]]) -> list[ParsedRow]:
        """The valid rows of a batch; their problems are added to `problems`."""
        return self.accept(check_rows(rows, self.columns, self.context))

    def accept(self, checked: Iterable[CheckedRow]) -> list[ParsedRow]:
        """The valid rows among checked ones, in file order; a repeated account is rejected."""
        accepted: list[ParsedRow] = []
        for row in checked:
            problems, parsed = row.problems, row.parsed
            if row.ref and row.ref in self.first_seen:
                problems, parsed = [self._repeated(row)], None
            elif row.ref:
                self.first_seen[row.ref] = row.number
            if parsed is None:
                self.rejected += 1
                self.problems.extend(replace(p, rejects_row=True) for p in problems)
            else:
                accepted.append(parsed)
                self.problems.extend(problems)
        return accepted

    def _repeated(self, row: CheckedRow) -> Problem:
        position = self.columns.first("account_ref")
        header = self.columns.headers[position] if position is not None else "account_ref"
        return Problem(
            row.number,
            header,
            row.ref,
            _("Account {ref} is already on row {first}; only the first row is imported."),
            {"ref": row.ref, "first": self.first_seen[row.ref]},
            True,
        )


def parse_rows(
    rows: list[tuple[int, list[str]]], columns: ColumnMap, context: FileContext
) -> tuple[list[ParsedRow], list[Problem], int]:
    """The valid rows, every problem found, and how many rows were rejected."""
    parser = RowParser(columns, context)
    accepted = parser.parse(rows)
    return accepted, parser.problems, parser.rejected


def _parse_row(row: _Row, context: FileContext) -> ParsedRow | None:
    ref = _required_text(row, "account_ref", MAX_REF)
    name = _required_text(row, "debtor_name", MAX_NAME)
    balance = _balance(row, context)
    due_date = _due_date(row, context)
    points = _points(row, context)
    national_id = _national_id(row)
    region = _region(row, context)
    stated_timezone = _stated_timezone(row)
    whatsapp_point = _whatsapp(row, points)
    if row.rejected or ref is None or name is None or balance is None or due_date is None:
        return None
    return ParsedRow(
        row=row.number,
        account_ref=ref,
        name=" ".join(name.split()),
        balance=balance,
        due_date=due_date,
        national_id=national_id,
        product=row.get("product")[:80] or None,
        region=region,
        stated_timezone=stated_timezone,
        points=points,
        whatsapp_point=whatsapp_point,
    )


def _required_text(row: _Row, name: str, limit: int) -> str | None:
    value = row.get(name)
    if not value:
        message = {
            "account_ref": _("The account number is blank."),
            "debtor_name": _("The debtor's name is blank."),
        }[name]
        row.problem(row.header(name), value, message, rejects=True)
        return None
    if len(value) > limit:
        row.problem(
            row.header(name), value, _("Longer than {limit} characters."), rejects=True, limit=limit
        )
        return None
    return value


def _balance(row: _Row, context: FileContext) -> Decimal | None:
    text = row.get("balance")
    try:
        amount = parse_amount(text, currency=context.currency)
    except ValueProblem as error:
        row.from_error(row.header("balance"), text, error, rejects=True)
        return None
    if amount < 0:
        message = _("The balance is negative; only debts are imported.")
    elif amount == 0:
        message = _("The balance is zero: there is nothing to collect.")
    elif amount > MAX_BALANCE:
        message = _("The balance is too large to be a real debt.")
    else:
        return amount
    row.problem(row.header("balance"), text, message, rejects=True)
    return None


def _due_date(row: _Row, context: FileContext) -> date | None:
    text = row.get("due_date")
    if text:
        try:
            return parse_date(text)
        except ValueProblem as error:
            row.from_error(row.header("due_date"), text, error, rejects=True)
            return None
    days_text = row.get("days_overdue")
    if days_text:
        try:
            return context.today - timedelta(days=parse_days_overdue(days_text))
        except ValueProblem as error:
            row.from_error(row.header("days_overdue"), days_text, error, rejects=True)
            return None
    column = "due_date" if row.columns.first("due_date") is not None else "days_overdue"
    row.problem(
        row.header(column),
        "",
        _("The due date is blank (and so are the days overdue)."),
        rejects=True,
    )
    return None


def _points(row: _Row, context: FileContext) -> list[Point]:
    points: list[Point] = []
    bad: list[tuple[str, str, ValueProblem]] = []
    for position in row.columns.positions.get("phone", []):
        text, header = row.cell(position), row.columns.headers[position]
        if not text:
            continue
        try:
            phone: Phone = parse_phone(text, region=context.country)
        except ValueProblem as error:
            bad.append((header, text, error))
            continue
        if all(p.value != phone.e164 for p in points):
            points.append(Point(ContactKind.PHONE, phone.e164, phone.line_type, header))
    email_text = row.get("email")
    if email_text:
        try:
            points.append(
                Point(ContactKind.EMAIL, parse_email(email_text), None, row.header("email"))
            )
        except ValueProblem as error:
            bad.append((row.header("email"), email_text, error))
    for header, text, problem in bad:
        row.from_error(header, text, problem, rejects=not points)
    if not points and not bad:
        headers = [row.columns.headers[p] for p in row.columns.positions.get("phone", [])]
        if row.columns.first("email") is not None:
            headers.append(row.header("email"))
        row.problem(
            " / ".join(headers),
            "",
            _("No phone number or e-mail to contact the debtor."),
            rejects=True,
        )
    return points


def _national_id(row: _Row) -> str | None:
    text = row.get("national_id")
    value = "".join(text.split()).upper()
    if len(value) > MAX_NATIONAL_ID:
        row.problem(
            row.header("national_id"),
            text,
            _("Longer than {limit} characters."),
            rejects=False,
            limit=MAX_NATIONAL_ID,
        )
        return None
    return value or None


def _region(row: _Row, context: FileContext) -> str | None:
    text = row.get("region")
    if not text:
        return None
    if region_zones(text, country=context.country) is None and knows_regions(context.country):
        row.problem(
            row.header("region"),
            text,
            _(
                "Unknown region; the debtor's time zone comes from the phone number, or else "
                "the creditor's ({zone})."
            ),
            rejects=False,
            zone=context.timezone,
        )
    return text[:80]


def _stated_timezone(row: _Row) -> str | None:
    text = row.get("timezone")
    if not text:
        return None
    zone = parse_zone(text)
    if zone is None:
        row.problem(
            row.header("timezone"),
            text,
            _(
                "{value} is not a time zone name (write it as America/Chicago); the zone comes "
                "from the region and the phone number instead."
            ),
            rejects=False,
            value=text.strip(),
        )
    return zone


def _whatsapp(row: _Row, points: list[Point]) -> Point | None:
    text = row.get("whatsapp_opt_in")
    if not text:
        return None
    try:
        opted_in = parse_yes_no(text)
    except ValueProblem as error:
        row.from_error(row.header("whatsapp_opt_in"), text, error, rejects=False)
        return None
    if not opted_in:
        return None
    mobile = next((p for p in points if p.line_type == LineType.MOBILE), None) or next(
        (p for p in points if p.line_type == LineType.FIXED_OR_MOBILE), None
    )
    if mobile is None:
        row.problem(
            row.header("whatsapp_opt_in"),
            text,
            _("WhatsApp consent ignored: the row has no mobile number to attach it to."),
            rejects=False,
        )
    return mobile
