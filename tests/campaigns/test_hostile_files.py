"""Hostile files through the reader and the CLI: each refused with a clear message, or imported;
never a traceback, never a process killed for its memory."""

import io
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.agreements import import_payments
from campaigns.models import Account
from campaigns.tabular import FileLimits, UnreadableFile, read_table
from tests import hostile_files
from tests.factories import CREATED_AT, TODAY, make_account, make_client

ACUERDO = str(Path(sys.executable).parent / "acuerdo")


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return hostile_files.zip_bomb()


REFUSALS: list[tuple[str, Callable[[], bytes], str, str]] = [
    ("lying_zip_bomb", hostile_files.lying_zip_bomb, "bomb.xlsx", "XLSX"),
    ("entity_bomb", hostile_files.entity_bomb, "laughs.xlsx", "entidades XML"),
    ("wide_xlsx", hostile_files.wide_xlsx, "wide.xlsx", "16384 columnas"),
    ("huge_line", hostile_files.huge_line_csv, "line.csv", "más de 65536 caracteres"),
    ("nul", hostile_files.nul_csv, "nul.csv", "carácter NUL"),
    ("many_columns", hostile_files.many_columns_csv, "wide.csv", "5005 columnas"),
]


def test_a_one_megabyte_zip_bomb_is_refused_before_it_inflates(bomb: bytes) -> None:
    assert len(bomb) < 2 << 20
    with pytest.raises(UnreadableFile) as refused:
        read_table(bomb, filename="cartera.xlsx")
    assert "más de 1024 MB" in refused.value.render("es_MX")


@pytest.mark.parametrize(
    ("name", "make", "filename", "says"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_hostile_files_are_refused_with_a_clear_message(
    name: str, make: Callable[[], bytes], filename: str, says: str
) -> None:
    with pytest.raises(UnreadableFile) as refused:
        read_table(make(), filename=filename)
    assert says in refused.value.render("es_MX")


def test_openpyxl_itself_parses_through_defusedxml() -> None:
    """Even past our own check, openpyxl refuses entities (defusedxml is installed)."""
    assert openpyxl.DEFUSEDXML is True
    with pytest.raises(ValueError) as refused:
        book = openpyxl.load_workbook(io.BytesIO(hostile_files.entity_bomb()), read_only=True)
        list(book.worksheets[0].iter_rows(values_only=True))
    assert type(refused.value.__cause__).__name__ == "EntitiesForbidden"


def test_a_sheet_that_lies_about_its_dimension_is_read_as_it_is() -> None:
    table = read_table(hostile_files.wide_xlsx(columns=0), filename="lying.xlsx")
    assert table.headers == hostile_files.HEADER.split(",")
    assert [cells for _n, cells in table.rows] == [hostile_files.GOOD_ROW.split(",")]


def test_payments_with_a_nul_byte_are_refused_and_nothing_is_recorded(session: Session) -> None:
    client = make_client(session)
    make_account(session, client=client)
    content = b"Cuenta,Monto,Fecha de pago,Folio\r\nACC-00001,10.00,2026-11-20,F\x001\r\n"
    with pytest.raises(UnreadableFile) as refused:
        import_payments(
            session,
            client_id=client.id,
            filename="p.csv",
            content=content,
            today=TODAY,
            now=CREATED_AT,
        )
    assert "carácter NUL" in refused.value.render("es_MX")


@pytest.mark.parametrize(
    ("name", "make", "filename", "says"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_the_cli_refuses_each_hostile_file_in_spanish(
    session: Session,
    child_env: dict[str, str],
    tmp_path: Path,
    name: str,
    make: Callable[[], bytes],
    filename: str,
    says: str,
) -> None:
    make_client(session, name="Cable Hostil")
    session.commit()
    path = tmp_path / filename
    path.write_bytes(make())
    result = subprocess.run(
        [ACUERDO, "import", str(path), "--client", "Cable Hostil"],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr  # refused, not killed (-9) nor crashed (2+)
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert session.scalar(select(func.count(Account.id))) == 0


def test_the_cli_refuses_the_zip_bomb(
    session: Session, child_env: dict[str, str], tmp_path: Path, bomb: bytes
) -> None:
    make_client(session, name="Cable Hostil")
    session.commit()
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    result = subprocess.run(
        [ACUERDO, "import", str(path), "--client", "Cable Hostil"],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert "más de 1024 MB" in result.stderr


def test_a_file_with_more_rows_than_the_limit_is_refused() -> None:
    limits = FileLimits(
        max_rows=3,
        max_columns=10,
        max_line_chars=1000,
        max_uncompressed_bytes=1 << 20,
        max_compression_ratio=100,
    )
    rows = "\r\n".join([hostile_files.HEADER] + [hostile_files.GOOD_ROW] * 4)
    with pytest.raises(UnreadableFile) as refused:
        read_table(rows.encode(), limits=limits)
    assert "más de 3 filas" in refused.value.render("es_MX")
    assert len(read_table(rows.encode(), limits=replace(limits, max_rows=4)).rows) == 4


def test_a_utf16_export_with_its_bom_is_read_not_refused_for_its_nuls() -> None:
    text = f"{hostile_files.HEADER}\r\n{hostile_files.GOOD_ROW.replace('Ana', 'Añá')}\r\n"
    table = read_table(text.encode("utf-16"))
    assert table.encoding == "utf-16"
    assert table.rows[0][1][1] == "Añá Ruiz"
