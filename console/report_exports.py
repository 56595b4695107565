"""A report as a CSV or an XLSX file, its headers in the reader's language.

Every cell goes through campaigns.safe_export: text that a spreadsheet would run as a formula is
neutralised. Values stay data: amounts and counts as numbers, shares as fractions (0.125 shown as
12.5 % in XLSX), durations in seconds in CSV and as [h]:mm:ss in XLSX, days and months as ISO
dates. The CSV starts with a byte order mark so spreadsheets read its accents as UTF-8.
"""

import io
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from campaigns.i18n import translate
from campaigns.reports.table import Report, Section
from campaigns.safe_export import SafeCsvWriter, safe_xlsx_value
from console.report_cells import as_date

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
XLSX_FORMATS = {
    "int": "#,##0",
    "number": "#,##0.00",
    "money": "#,##0.00",
    "pct": "0.0%",
    "seconds": "[h]:mm:ss",
    "date": "yyyy-mm-dd",
    "month": "mmm yyyy",
}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _headers(section: Section, locale: str) -> list[str]:
    return [translate(locale, column.label) for column in section.columns]


def _csv_value(value: object, kind: str) -> object:
    if kind in ("date", "month"):
        when = as_date(value)
        return when.isoformat() if when else value
    if isinstance(value, float):
        return repr(round(value, 6))
    return value


def _write_section(writer: SafeCsvWriter, section: Section, locale: str) -> None:
    writer.writerow(_headers(section, locale))
    for row in section.rows:
        writer.writerow([_csv_value(row.get(c.key), c.kind) for c in section.columns])


def section_csv(section: Section, *, locale: str) -> str:
    """One section as a CSV table: a header row, then one row per row of the section."""
    buffer = io.StringIO()
    buffer.write(BOM)
    _write_section(SafeCsvWriter(buffer, lineterminator="\r\n"), section, locale)
    return buffer.getvalue()


def report_csv(report: Report, *, locale: str) -> str:
    """Every section of a report in one CSV: its title, its table, a blank line between them."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = SafeCsvWriter(buffer, lineterminator="\r\n")
    for n, section in enumerate(report.sections):
        if n:
            writer.writerow([])
        writer.writerow([translate(locale, section.title)])
        _write_section(writer, section, locale)
    return buffer.getvalue()


def _xlsx_value(value: object, kind: str) -> object:
    if kind == "seconds" and isinstance(value, int | float | Decimal):
        return float(value) / 86400
    if kind in ("date", "month"):
        when = as_date(value)
        if when is not None:
            return when
    return safe_xlsx_value(value)


def _sheet_title(title: str, taken: Iterable[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title).strip("' ")[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in {t.lower() for t in taken}:
        name, n = f"{base} {n}", n + 1
    return name


def report_xlsx(report: Report, *, locale: str) -> bytes:
    """A workbook with one sheet per section: bold translated headers, typed number cells."""
    book = Workbook()
    book.remove(book.worksheets[0])
    sections = report.sections or (Section(key="empty", title=report.title, columns=(), rows=()),)
    for section in sections:
        sheet = book.create_sheet(_sheet_title(translate(locale, section.title), book.sheetnames))
        sheet.append([safe_xlsx_value(h) for h in _headers(section, locale)])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append([_xlsx_value(row.get(c.key), c.kind) for c in section.columns])
        for index, column in enumerate(section.columns, start=1):
            number_format = XLSX_FORMATS.get(column.kind)
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = max(
                12, len(str(sheet.cell(1, index).value)) + 2
            )
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_name(report_key: str, date_from: date, date_to: date, extension: str) -> str:
    """The download's file name: acuerdo-<report>-<from>-<to>.<ext> (ASCII, no spaces)."""
    key = re.sub(r"[^a-z0-9_-]", "", report_key.lower()) or "report"
    return f"acuerdo-{key}-{date_from.isoformat()}-{date_to.isoformat()}.{extension}"
