"""Reading the tables creditors send (CSV in any common encoding and delimiter, or XLSX).

Every cell comes back as a stripped string, whatever the file type, so one set of value parsers
serves CSV and XLSX alike. Row numbers are the ones a spreadsheet shows: the header is row 1.
Used by the portfolio import and meant for the payment files too.
"""

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from campaigns.errors import Invalid
from campaigns.i18n import _

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DELIMITERS = (",", ";", "\t", "|")


class UnreadableFile(Invalid):
    """The file is empty, has no header row or is not a CSV or XLSX file."""


class MissingColumn(Invalid):
    """A required column is not in the header row."""


@dataclass(frozen=True)
class Table:
    """A header row and the data rows under it, each with its spreadsheet row number."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str
    delimiter: str | None


def read_table(content: bytes, *, filename: str = "") -> Table:
    """The header and rows of a CSV (UTF-8, UTF-8 with BOM, Windows-1252 or Latin-1) or XLSX."""
    if content.startswith(XLS_MAGIC):
        raise UnreadableFile(
            _("The file is an old Excel .xls; save it as .xlsx or CSV and send it again.")
        )
    if content.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content)
    text, encoding = decode_text(content)
    delimiter = detect_delimiter(text)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _table(((n, row) for n, row in enumerate(records, start=1)), encoding, delimiter)


def decode_text(content: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read with."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return content.decode("latin-1"), "latin-1"


def detect_delimiter(text: str) -> str:
    """The delimiter used most often, outside quotes, in the header line."""
    header = _first_line(text)
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_line(text: str) -> str:
    line: list[str] = []
    in_quotes = False
    for char in text:
        if char == '"':
            in_quotes = not in_quotes
        elif char in "\r\n" and not in_quotes:
            if line:
                break
            continue
        elif not in_quotes:
            line.append(char)
    return "".join(line)


def _table(records: Iterator[tuple[int, list[str]]], encoding: str, delimiter: str | None) -> Table:
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, raw in records:
        cells = [cell.strip() for cell in raw]
        if not any(cells):
            continue
        if headers is None:
            headers = cells
            continue
        rows.append((number, cells))
    if headers is None:
        raise UnreadableFile(_("The file is empty: it needs a header row and one row per account."))
    return Table(headers=headers, rows=rows, encoding=encoding, delimiter=delimiter)


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile(
            _("The file could not be read as XLSX; save it again from Excel or export it as CSV.")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        records = (
            (number, [cell_text(value) for value in row])
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        return _table(records, "xlsx", None)
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person would type for it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(round(value, 6))), "f")
    return str(value).strip()


def normalise_header(text: str) -> str:
    """A header reduced for matching: no accents, lower case, words joined by underscores."""
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )
    return re.sub(r"[^a-z0-9]+", "_", stripped.lower()).strip("_")


@dataclass(frozen=True)
class Column:
    """A field the reader looks for, under any of its accepted header names."""

    field: str
    aliases: tuple[str, ...]
    required: bool = False
    repeatable: bool = False
    pattern: str | None = None

    def matches(self, normalised: str) -> bool:
        """Whether a normalised header names this field."""
        if normalised in self.aliases:
            return True
        return self.pattern is not None and re.fullmatch(self.pattern, normalised) is not None


@dataclass
class ColumnMap:
    """Which file columns (by position) hold which field, and which columns nobody reads."""

    positions: dict[str, list[int]] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)

    def first(self, name: str) -> int | None:
        """The position of the (first) column of a field, if the file has one."""
        found = self.positions.get(name)
        return found[0] if found else None


def map_columns(headers: Sequence[str], columns: Sequence[Column]) -> ColumnMap:
    """Match headers to fields: case, accents, spaces and punctuation do not matter."""
    mapping = ColumnMap(headers=list(headers))
    for position, header in enumerate(headers):
        normalised = normalise_header(header)
        column = next((c for c in columns if c.matches(normalised)), None) if normalised else None
        if column is None:
            if header:
                mapping.unused.append(header)
            continue
        taken = mapping.positions.setdefault(column.field, [])
        if taken and not column.repeatable:
            mapping.unused.append(header)
            continue
        taken.append(position)
    return mapping


def require_columns(
    mapping: ColumnMap, columns: Sequence[Column], labels: Mapping[str, str] | None = None
) -> None:
    """Raise MissingColumn for the first required field the file does not have."""
    for column in columns:
        if column.required and column.field not in mapping.positions:
            raise MissingColumn(
                _("The file has no {column} column; name it one of: {aliases}."),
                column=(labels or {}).get(column.field, column.field),
                aliases=", ".join(column.aliases),
            )
