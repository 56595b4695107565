"""Cells safe to open in a spreadsheet: every CSV and XLSX the app writes goes through here.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (CSV injection: `=HYPERLINK(...)` leaking data, or
`=cmd|...` running a program). As OWASP recommends, such a cell is written with a single quote
in front, which the spreadsheet shows as text; our own file reader drops that quote again, so an
export re-imports unchanged.

A cell that is only a number (`-120.50`, `-350,00`, `+5215512345678`: a sign, digits, dots and
commas) is left as it is: a spreadsheet reads it as that number or as text, and without a letter
or a parenthesis nothing can be called. OWASP's stricter rule would quote it too,
at the price of turning every negative amount and every E.164 phone into text; we keep them as
data. In XLSX, numbers are written as numeric cells, which are never formulas.
"""

import csv
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Digits with decimal and thousands separators either way round: -120.50, -350,00, -1.234,56.
_PLAIN_NUMBER = re.compile(r"[+-]?[.,]?\d[\d.,]*")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: object) -> str:
    """The text of a CSV cell, quoted with a leading ' when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_xlsx_value(value: object) -> object:
    """A value for an XLSX cell: numbers and dates as themselves, text neutralised."""
    if value is None or isinstance(value, int | float | Decimal | date):
        return value
    return safe_cell(value)


class SafeCsvWriter:
    """csv.writer whose every cell goes through `safe_cell`."""

    def __init__(self, out: _Writable, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[object]) -> None:
        """Write one row of neutralised cells."""
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Write several rows of neutralised cells."""
        for row in rows:
            self.writerow(row)
