"""A report as CSV and XLSX: translated headers, typed cells, no cell a spreadsheet would run."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from campaigns.reports.table import Column, Report, Section
from console.report_exports import export_name, report_csv, report_xlsx, section_csv

REFUSALS = Section(
    key="refusals",
    title="Attempts",
    columns=(
        Column("day", "Date", "date"),
        Column("rule", "Status", "text"),
        Column("attempts", "Attempts", "int"),
    ),
    rows=(
        {"day": date(2026, 11, 2), "rule": '=HYPERLINK("http://x")', "attempts": 3},
        {"day": date(2026, 11, 3), "rule": "@SUM(A1)", "attempts": 0},
    ),
)
MONEY = Section(
    key="money",
    title="Promises",
    columns=(
        Column("month", "Date", "month"),
        Column("promised", "Amount promised", "money"),
        Column("kept_rate", "Promises", "pct"),
        Column("talk", "Balance", "seconds"),
        Column("per_hour", "Attempts", "number"),
    ),
    rows=(
        {
            "month": date(2026, 11, 1),
            "promised": Decimal("-120.50"),
            "kept_rate": 0.125,
            "talk": 3725,
            "per_hour": 1.5,
        },
        {
            "month": date(2026, 12, 1),
            "promised": Decimal("0"),
            "kept_rate": None,
            "talk": 0,
            "per_hour": None,
        },
    ),
    currency="MXN",
)
REPORT = Report(key="funnel", title="Contact funnel", sections=(REFUSALS, MONEY))


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_a_section_csv_has_translated_headers_data_values_and_neutral_text() -> None:
    rows = _rows(section_csv(REFUSALS, locale="es_MX"))
    assert rows == [
        ["Fecha", "Estado", "Intentos"],
        ["2026-11-02", '\'=HYPERLINK("http://x")', "3"],
        ["2026-11-03", "'@SUM(A1)", "0"],
    ]
    assert _rows(section_csv(REFUSALS, locale="en"))[0] == ["Date", "Status", "Attempts"]


def test_the_report_csv_stacks_its_sections_under_their_titles() -> None:
    rows = _rows(report_csv(REPORT, locale="es_MX"))
    assert rows[0] == ["Intentos"] and rows[1] == ["Fecha", "Estado", "Intentos"]
    assert rows[4] == [] and rows[5] == ["Promesas"]
    assert rows[6] == ["Fecha", "Monto prometido", "Promesas", "Saldo", "Intentos"]
    assert rows[7] == ["2026-11-01", "-120.50", "0.125", "3725", "1.5"]  # negative stays a number
    assert rows[8] == ["2026-12-01", "0", "", "0", ""]


def test_the_xlsx_has_a_sheet_per_section_with_typed_cells() -> None:
    book = load_workbook(io.BytesIO(report_xlsx(REPORT, locale="es_MX")))
    assert book.sheetnames == ["Intentos", "Promesas"]
    refusals, money = book["Intentos"], book["Promesas"]
    assert [c.value for c in refusals[1]] == ["Fecha", "Estado", "Intentos"]
    assert refusals["B2"].value == '\'=HYPERLINK("http://x")' and refusals["B2"].data_type == "s"
    assert refusals["B3"].value == "'@SUM(A1)"
    assert refusals["A2"].value == datetime(2026, 11, 2) and refusals["C2"].value == 3
    assert [c.value for c in money[1]] == [
        "Fecha",
        "Monto prometido",
        "Promesas",
        "Saldo",
        "Intentos",
    ]
    assert money["B2"].value == -120.5 and money["B2"].number_format == "#,##0.00"
    assert money["C2"].value == 0.125 and money["C2"].number_format == "0.0%"
    assert money["D2"].number_format == "[h]:mm:ss"
    assert round(money["D2"].value.total_seconds()) == 3725  # read back as a duration
    assert money["A2"].number_format == "mmm yyyy" and money["C3"].value is None


def test_sheet_names_are_valid_and_unique() -> None:
    twice = Report(
        key="x",
        title="x",
        sections=(
            Section(key="a", title="A/B: [x]*?", columns=(), rows=()),
            Section(key="b", title="A/B: [x]*?", columns=(), rows=()),
        ),
    )
    book = load_workbook(io.BytesIO(report_xlsx(twice, locale="en")))
    assert book.sheetnames == ["A B   x", "A B   x 2"]


def test_file_names_say_what_and_when() -> None:
    name = export_name("funnel", date(2026, 11, 1), date(2026, 11, 30), "xlsx")
    assert name == "acuerdo-funnel-2026-11-01-2026-11-30.xlsx"
    assert export_name('a"; rm', date(2026, 1, 1), date(2026, 1, 2), "csv").startswith(
        "acuerdo-arm-"
    )
