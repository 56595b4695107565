"""Portfolio import: messy creditor files in, exact counts and an actionable rejects report out."""

import csv
import io
import json
import signal
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.debtor_zones import region_zones
from campaigns.models import (
    Account,
    AccountStatus,
    AuditEvent,
    Channel,
    ChannelPermission,
    Client,
    ContactPoint,
    Debtor,
    LineType,
    Portfolio,
    Role,
)
from campaigns.portfolio_import import import_portfolio
from campaigns.portfolio_import.values import (
    ValueProblem,
    parse_amount,
    parse_date,
    parse_phone,
)
from campaigns.tabular import MissingColumn, UnreadableFile, read_table
from campaigns.tenancy import TenantViolation, scope_session, viewer_for
from tests.factories import TODAY, TODAY_NOON, make_client, make_user

ACUERDO = str(Path(sys.executable).parent / "acuerdo")  # the installed console script

DATA = Path(__file__).resolve().parent.parent / "data"
MESSY = DATA / "cartera_latin1.csv"


def _import(session: Session, client: Client, path: Path, **kwargs: Any) -> Any:
    return import_portfolio(
        session,
        client_id=client.id,
        filename=path.name,
        content=path.read_bytes(),
        today=TODAY,
        **kwargs,
        now=TODAY_NOON,
    )


def _snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    session.expire_all()
    return {
        "accounts": [
            tuple(r)
            for r in session.execute(
                select(
                    Account.id,
                    Account.account_ref,
                    Account.debtor_id,
                    Account.product,
                    Account.balance,
                    Account.due_date,
                    Account.status,
                    Account.updated_at,
                ).order_by(Account.id)
            )
        ],
        "debtors": [
            tuple(r)
            for r in session.execute(
                select(
                    Debtor.id, Debtor.name, Debtor.national_id, Debtor.region, Debtor.timezone
                ).order_by(Debtor.id)
            )
        ],
        "points": [
            tuple(r)
            for r in session.execute(
                select(
                    ContactPoint.id,
                    ContactPoint.debtor_id,
                    ContactPoint.kind,
                    ContactPoint.value,
                    ContactPoint.line_type,
                    ContactPoint.priority,
                ).order_by(ContactPoint.id)
            )
        ],
        "permissions": [
            tuple(r)
            for r in session.execute(
                select(
                    ChannelPermission.id,
                    ChannelPermission.contact_point_id,
                    ChannelPermission.channel,
                    ChannelPermission.opted_in_at,
                ).order_by(ChannelPermission.id)
            )
        ],
    }


def _account(session: Session, ref: str) -> Account:
    return session.scalars(select(Account).where(Account.account_ref == ref)).one()


MESSY_REJECTS = [
    ["Fila", "Columna", "Valor", "Motivo", "Resultado"],
    ["5", "Saldo", "", "El saldo está vacío.", "fila rechazada"],
    ["6", "Saldo", "-350,00", "El saldo es negativo; solo se importan adeudos.", "fila rechazada"],
    [
        "7",
        "Fecha Vencimiento",
        "31/02/2026",
        "31/02/2026 no es una fecha del calendario (día, mes y año leídos como dd/mm/aaaa).",
        "fila rechazada",
    ],
    [
        "8",
        "Cuenta",
        "CV-1001",
        "La cuenta CV-1001 ya está en la fila 2; solo se importa la primera fila.",
        "fila rechazada",
    ],
    [
        "9",
        "Teléfono2",
        "12345",
        "12345 no es un teléfono válido (cantidad de dígitos o lada incorrecta).",
        "valor ignorado",
    ],
    [
        "10",
        "Teléfono",
        "123",
        "123 no es un teléfono válido (cantidad de dígitos o lada incorrecta).",
        "fila rechazada",
    ],
    ["11", "Cuenta", "", "El número de cuenta está vacío.", "fila rechazada"],
    ["14", "Saldo", "0,00", "El saldo es cero: no hay nada que cobrar.", "fila rechazada"],
    ["15", "Correo", "correo-malo", "correo-malo no es un correo electrónico.", "valor ignorado"],
    [
        "16",
        "Estado",
        "Narnia",
        "Región desconocida; la zona horaria del deudor se toma del teléfono o, si no, la del "
        "acreedor (America/Mexico_City).",
        "valor ignorado",
    ],
]


def test_messy_latin1_file_gives_exact_counts_and_an_actionable_rejects_file(
    session: Session, var_dir: Path
) -> None:
    client = make_client(session)
    summary = _import(session, client, MESSY)
    session.commit()

    assert summary.as_json() == {
        "imported": 9,
        "updated": 0,
        "unchanged": 0,
        "rejected": 7,
        "escalated": 3,
        "rejects_file": str(
            var_dir.resolve() / "rejects" / f"portfolio-{summary.portfolio_id}-rejects.csv"
        ),
    }
    assert summary.rows_read == 16
    on_disk = Path(summary.rejects_file or "").read_bytes()
    assert on_disk.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(on_disk.decode("utf-8-sig")))) == MESSY_REJECTS

    portfolio = session.get_one(Portfolio, summary.portfolio_id)
    assert (portfolio.imported, portfolio.rejected, portfolio.escalated, portfolio.as_of) == (
        9,
        7,
        3,
        TODAY,
    )
    assert list(csv.reader(io.StringIO(portfolio.rejects_csv))) == MESSY_REJECTS

    first = _account(session, "CV-1001")
    assert first.balance == Decimal("1234.56") and first.due_date == date(2026, 10, 15)
    assert first.status == AccountStatus.ACTIVE and first.currency == "MXN"
    assert [
        (p.value, p.line_type, p.priority, p.source_column) for p in first.debtor.contact_points
    ] == [
        ("+525512345678", LineType.FIXED_OR_MOBILE, 0, "Teléfono"),
        ("+525587654321", LineType.MOBILE, 1, "Celular"),
        ("jose.nunez@example.mx", None, 2, "Correo"),
    ]
    whatsapp = session.scalars(select(ChannelPermission)).all()
    consent = {(p.contact_point.value, p.channel, p.opt_in_source) for p in whatsapp}
    assert consent == {
        ("+525587654321", Channel.WHATSAPP, "import:cartera_latin1.csv"),
        ("+529981234567", Channel.WHATSAPP, "import:cartera_latin1.csv"),
        ("+525556789012", Channel.WHATSAPP, "import:cartera_latin1.csv"),
    }
    assert _account(session, "CV-1014").debtor_id == first.debtor_id
    assert session.scalar(select(func.count(Debtor.id))) == 8

    zones = {
        ref: _account(session, ref).debtor.timezone
        for ref in ("CV-1002", "CV-1003", "CV-1007", "CV-1009", "CV-1010", "CV-1013")
    }
    assert zones == {
        "CV-1002": "America/Mexico_City",
        "CV-1003": "America/Hermosillo",
        "CV-1007": "America/Cancun",
        "CV-1009": "America/Tijuana",
        "CV-1010": "America/Mazatlan",
        "CV-1013": "America/Mexico_City",
    }
    escalated = session.scalars(
        select(Account.account_ref)
        .where(Account.status == AccountStatus.ESCALATED)
        .order_by(Account.account_ref)
    ).all()
    assert escalated == ["CV-1003", "CV-1009", "CV-1012"]
    assert _account(session, "CV-1009").balance == Decimal("3200.00")
    assert _account(session, "CV-1010").balance == Decimal("1234.56")

    audit = session.scalars(select(AuditEvent)).one()
    assert (audit.action, audit.entity_type, audit.entity_id) == (
        "portfolio.imported",
        "portfolio",
        summary.portfolio_id,
    )
    assert audit.data["imported"] == 9 and audit.data["rejected"] == 7


def test_reimporting_the_same_file_changes_nothing(session: Session) -> None:
    client = make_client(session)
    _import(session, client, MESSY)
    session.commit()
    before = _snapshot(session)

    again = _import(session, client, MESSY)
    session.commit()

    assert again.as_json() | {"rejects_file": None} == {
        "imported": 0,
        "updated": 0,
        "unchanged": 9,
        "rejected": 7,
        "escalated": 3,
        "rejects_file": None,
    }
    assert _snapshot(session) == before


def test_a_changed_balance_or_a_new_phone_counts_as_updated(
    session: Session, tmp_path: Path
) -> None:
    client = make_client(session)
    _import(session, client, MESSY)
    session.commit()
    text = MESSY.read_bytes().decode("latin-1")
    text = text.replace(
        "CV-1002;María Pérez;(33) 3616-1234;;;980;",
        "CV-1002;María Pérez;(33) 3616-1234;;;1.080,00;",
    )
    text = text.replace(
        "CV-1013;Tomás Ortiz;55 6789 0123;;;", "CV-1013;Tomás Ortiz;55 6789 0123;;55 9999 0000;"
    )
    changed = tmp_path / "cartera_latin1.csv"
    changed.write_bytes(text.encode("latin-1"))

    summary = _import(session, client, changed)
    session.commit()

    assert (summary.imported, summary.updated, summary.unchanged) == (0, 2, 7)
    assert _account(session, "CV-1002").balance == Decimal("1080.00")
    assert _account(session, "CV-1002").original_balance == Decimal("980.00")
    points = [p.value for p in _account(session, "CV-1013").debtor.contact_points]
    assert points == ["+525567890123", "+525599990000"]


def test_utf8_with_bom_commas_and_english_headers(session: Session) -> None:
    client = make_client(session)
    summary = _import(session, client, DATA / "portfolio_utf8_bom.csv")
    session.commit()

    assert (summary.imported, summary.rejected, summary.escalated) == (3, 1, 1)
    ana = _account(session, "A-1")
    assert ana.debtor.name == "García, Ana" and ana.balance == Decimal("1234.56")
    assert ana.due_date == TODAY - timedelta(days=30)
    assert ana.debtor.national_id == "GAAA900101MNLXXX02"
    assert _account(session, "A-2").status == AccountStatus.ESCALATED
    assert _account(session, "A-4").balance == Decimal("1000")
    assert summary.rejects_file is not None
    rows = list(csv.reader(io.StringIO(summary.rejects_file.read_text("utf-8-sig"))))
    assert rows[1:] == [
        [
            "4",
            "days_overdue",
            "-3",
            "Los días de mora no pueden ser negativos (-3).",
            "fila rechazada",
        ]
    ]


def test_xlsx_with_date_and_number_cells(session: Session, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["No. Cuenta", "Nombre Completo", "Celular", "Saldo Vencido", "Vencimiento", "Estado"]
    )
    sheet.append(["X-1", "Ana Ruiz", 5512345678, 1234.56, datetime(2026, 10, 1), "Yucatán"])
    sheet.append(["X-2", "Luis Mora", "+52 1 81 8123 4567", 980, datetime(2026, 7, 1), "NL"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["X-3", "Sin Saldo", 5523456789, None, datetime(2026, 10, 1), "CDMX"])
    path = tmp_path / "cartera.xlsx"
    book.save(path)

    summary = _import(session, client := make_client(session), path)
    session.commit()

    assert (summary.imported, summary.rejected, summary.escalated) == (2, 1, 1)
    assert client.id == _account(session, "X-1").client_id
    assert _account(session, "X-1").balance == Decimal("1234.56")
    assert _account(session, "X-1").due_date == date(2026, 10, 1)
    assert [p.value for p in _account(session, "X-2").debtor.contact_points] == ["+528181234567"]
    assert summary.rejects_file is not None
    rows = list(csv.reader(io.StringIO(summary.rejects_file.read_text("utf-8-sig"))))
    assert rows[1:] == [["5", "Saldo Vencido", "", "El saldo está vacío.", "fila rechazada"]]


def test_a_missing_required_column_is_one_clear_error_and_writes_nothing(
    session: Session,
) -> None:
    client = make_client(session)
    content = "cuenta;nombre;telefono;fecha_vencimiento\nA1;Ana;5512345678;01/10/2026\n"
    with pytest.raises(MissingColumn) as caught:
        import_portfolio(
            session,
            client_id=client.id,
            filename="f.csv",
            content=content.encode(),
            today=TODAY,
            now=TODAY_NOON,
        )
    message = caught.value.render("es_MX")
    assert message.startswith("El archivo no tiene la columna balance; nómbrela con uno de: saldo")
    assert session.scalar(select(func.count(Portfolio.id))) == 0


def test_a_file_without_due_dates_or_contact_columns_is_refused(session: Session) -> None:
    client = make_client(session)
    content = b"cuenta,nombre,saldo,telefono\nA1,Ana,100,5512345678\n"
    with pytest.raises(MissingColumn, match="due_date / days_overdue"):
        import_portfolio(
            session,
            client_id=client.id,
            filename="f.csv",
            content=content,
            today=TODAY,
            now=TODAY_NOON,
        )
    content = b"cuenta,nombre,saldo,dias_mora\nA1,Ana,100,10\n"
    with pytest.raises(MissingColumn, match="phone / email"):
        import_portfolio(
            session,
            client_id=client.id,
            filename="f.csv",
            content=content,
            today=TODAY,
            now=TODAY_NOON,
        )


def test_debtors_are_matched_by_national_id_across_imports(session: Session) -> None:
    client = make_client(session)
    first = (
        b"cuenta,nombre,telefono,saldo,dias_mora,documento\nA1,Ana Ruiz,5512345678,100,5,RUAA1\n"
    )
    second = (
        b"cuenta,nombre,celular,saldo,dias_mora,documento\nB7,Ana Ruiz,5587654321,200,9,ruaa1\n"
    )
    import_portfolio(
        session, client_id=client.id, filename="a.csv", content=first, today=TODAY, now=TODAY_NOON
    )
    summary = import_portfolio(
        session, client_id=client.id, filename="b.csv", content=second, today=TODAY, now=TODAY_NOON
    )
    session.commit()
    assert summary.imported == 1
    assert _account(session, "A1").debtor_id == _account(session, "B7").debtor_id
    assert [p.value for p in _account(session, "B7").debtor.contact_points] == [
        "+525512345678",
        "+525587654321",
    ]


def test_an_import_never_overrides_a_whatsapp_opt_out_nor_an_agreement(session: Session) -> None:
    client = make_client(session)
    content = (
        b"cuenta,nombre,celular,saldo,fecha_vencimiento,whatsapp_opt_in\n"
        b"A1,Ana Ruiz,044 55 1234 5678,100,2026-10-01,si\n"
    )
    import_portfolio(
        session, client_id=client.id, filename="a.csv", content=content, today=TODAY, now=TODAY_NOON
    )
    session.commit()
    permission = session.scalars(select(ChannelPermission)).one()
    permission.opted_out_at = datetime(2026, 11, 1, tzinfo=UTC)
    account = _account(session, "A1")
    account.status = AccountStatus.PROMISED
    session.commit()

    later = TODAY + timedelta(days=60)
    summary = import_portfolio(
        session, client_id=client.id, filename="a.csv", content=content, today=later, now=TODAY_NOON
    )
    session.commit()
    session.expire_all()
    assert (summary.unchanged, summary.escalated) == (1, 0)
    assert session.scalars(select(ChannelPermission)).one().opted_out_at is not None
    assert _account(session, "A1").status == AccountStatus.PROMISED


def test_a_viewer_cannot_import_into_another_creditor(session: Session) -> None:
    mine, other = make_client(session), make_client(session, name="Otra Telefónica")
    manager = make_user(session, username="gerente", role=Role.MANAGER, access=[mine])
    session.commit()
    scope_session(session, viewer_for(session, manager))
    with pytest.raises(TenantViolation):
        _import(session, other, MESSY)
    summary = _import(session, mine, MESSY)
    assert summary.imported == 9


def _generated_file(rows: int) -> bytes:
    lines = ["cuenta;nombre;telefono;saldo;dias_mora;documento"]
    lines += [
        f"G-{i:06d};Deudor {i};55 {2000 + i % 8000:04d} {1000 + i % 9000:04d};"
        f"{100 + i},50;{1 + i % 150};DOC{i:08d}"
        for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_a_crash_half_way_leaves_no_rows(
    session: Session, tmp_path: Path, child_env: dict[str, str]
) -> None:
    make_client(session, name="Cable Crash")
    session.commit()
    path = tmp_path / "big.csv"
    path.write_bytes(_generated_file(30_000))

    with subprocess.Popen(
        [ACUERDO, "import", str(path), "--client", "Cable Crash", "--progress"],
        env=child_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stderr is not None
        first_batch = process.stderr.readline()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    assert first_batch.startswith("5000 de 30000 cuentas guardadas")
    assert process.returncode == -signal.SIGKILL
    session.expire_all()
    for model in (Account, Debtor, ContactPoint, Portfolio, AuditEvent):
        assert session.scalar(select(func.count()).select_from(model)) == 0, model


def test_an_error_raised_mid_import_rolls_everything_back(session: Session) -> None:
    client = make_client(session)
    session.commit()

    def fail(done: int, total: int) -> None:
        raise RuntimeError(f"stopped after {done} of {total}")

    with pytest.raises(RuntimeError, match="stopped after 5000 of 12000"):
        import_portfolio(
            session,
            client_id=client.id,
            filename="g.csv",
            content=_generated_file(12_000),
            today=TODAY,
            on_progress=fail,
            now=TODAY_NOON,
        )
    session.rollback()
    assert session.scalar(select(func.count(Account.id))) == 0
    assert session.scalar(select(func.count(Debtor.id))) == 0


def test_cli_prints_the_json_counts_and_a_spanish_summary(
    session: Session, child_env: dict[str, str], var_dir: Path
) -> None:
    make_client(session, name="Cable Norte")
    session.commit()
    command = [
        ACUERDO,
        "import",
        str(MESSY),
        "--client",
        "Cable Norte",
        "--as-of",
        TODAY.isoformat(),
    ]

    as_json = subprocess.run(
        [*command, "--json"], env=child_env, capture_output=True, text=True, check=True
    )
    counts = json.loads(as_json.stdout)
    assert list(counts) == [
        "imported",
        "updated",
        "unchanged",
        "rejected",
        "escalated",
        "rejects_file",
    ]
    assert [counts[k] for k in list(counts)[:5]] == [9, 0, 0, 7, 3]
    assert Path(counts["rejects_file"]).parent == (var_dir / "rejects").resolve()

    human = subprocess.run(command, env=child_env, capture_output=True, text=True, check=True)
    assert "cartera_latin1.csv: 16 filas leídas." in human.stdout
    assert (
        "Cuentas nuevas: 0. Actualizadas: 0. Sin cambios: 9. Filas rechazadas: 7." in human.stdout
    )
    assert "3 cuentas tienen más de 90 días de atraso" in human.stdout

    missing = subprocess.run(
        [ACUERDO, "import", str(MESSY), "--client", "Nadie"],
        env=child_env,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1
    assert "No hay un acreedor llamado Nadie" in missing.stderr


# --- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("$ 980", "980"),
        ("980", "980"),
        ("MXN 1 234,50", "1234.50"),
        ("$1,234,567.8", "1234567.8"),
        ("0,50", "0.50"),
        ("1.234", "1234"),
        ("2.500,00 MXN", "2500.00"),
        ("-350,00", "-350.00"),
        ("(20.00)", "-20.00"),
        ("MX$ 75", "75"),
    ],
)
def test_amounts_in_every_common_writing(text: str, amount: str) -> None:
    assert parse_amount(text, currency="MXN") == Decimal(amount)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "12.34.5", "1.234,567", "USD 100", "1..2"])
def test_unreadable_or_foreign_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueProblem):
        parse_amount(text, currency="MXN")


def _styles(value: Decimal) -> list[str]:
    whole, cents = f"{value:.2f}".split(".")
    groups = f"{int(whole):,}"
    styles = [
        f"{groups.replace(',', '.')},{cents}",
        f"{groups}.{cents}",
        f"$ {groups}.{cents}",
        f"{whole}.{cents}",
        f"{whole},{cents}",
        f"MXN {groups.replace(',', ' ')},{cents}",
    ]
    if cents == "00":
        styles += [whole, f"$ {whole}", f"$ {groups}"]
    return styles


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2))
def test_any_amount_formatted_in_any_supported_style_parses_back(value: Decimal) -> None:
    for text in _styles(value):
        assert parse_amount(text, currency="MXN") == value, text


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("15/10/2026", date(2026, 10, 15)),
        ("5/8/26", date(2026, 8, 5)),
        ("2026-09-30", date(2026, 9, 30)),
        ("29/02/2028", date(2028, 2, 29)),
        ("01-12-2026", date(2026, 12, 1)),
    ],
)
def test_dates_day_first_or_iso(text: str, day: date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    "text", ["31/02/2026", "29/02/2026", "2026-13-01", "10/31/2026", "ayer", "2026/10"]
)
def test_impossible_or_unreadable_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueProblem):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "e164", "line_type"),
    [
        ("55 1234 5678", "+525512345678", LineType.FIXED_OR_MOBILE),
        ("(55) 1234-5678", "+525512345678", LineType.FIXED_OR_MOBILE),
        ("044 55 1234 5678", "+525512345678", LineType.MOBILE),
        ("045 33 3616 1234", "+523336161234", LineType.MOBILE),
        ("01 664 123 4567", "+526641234567", LineType.FIXED_OR_MOBILE),
        ("+52 1 55 1234 5678", "+525512345678", LineType.MOBILE),
        ("5215512345678", "+525512345678", LineType.MOBILE),
        ("0052 55 1234 5678", "+525512345678", LineType.FIXED_OR_MOBILE),
        ("+44 7400 123456", "+447400123456", LineType.MOBILE),
    ],
)
def test_phones_in_local_and_international_writing(
    text: str, e164: str, line_type: LineType
) -> None:
    phone = parse_phone(text, region="MX")
    assert (phone.e164, phone.line_type) == (e164, line_type)


@pytest.mark.parametrize(
    ("region", "zone"),
    [
        ("Quintana Roo", "America/Cancun"),
        ("QROO", "America/Cancun"),
        ("sonora", "America/Hermosillo"),
        ("Baja California", "America/Tijuana"),
        ("BCS", "America/Mazatlan"),
        ("Chihuahua", "America/Chihuahua"),
        ("Nayarit", "America/Mazatlan"),
        ("MX-SIN", "America/Mazatlan"),
        ("Michoacán de Ocampo", "America/Mexico_City"),
        ("Yucatán", "America/Mexico_City"),
        ("CDMX", "America/Mexico_City"),
        ("Narnia", None),
    ],
)
def test_mexican_states_to_time_zones(region: str, zone: str | None) -> None:
    assert region_zones(region, country="MX") == ((zone,) if zone else None)
    assert region_zones(region, country="CO") is None


def test_windows_1252_and_semicolons_are_detected() -> None:
    content = "cuenta;nombre;saldo\nA1;Íñigo “Ñoño”;1.234,56\n".encode("cp1252")
    table = read_table(content)
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert table.rows == [(2, ["A1", "Íñigo “Ñoño”", "1.234,56"])]


def test_a_manager_scoped_session_can_reimport_with_changes(session: Session) -> None:
    client = make_client(session)
    manager = make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    session.commit()
    scope_session(session, viewer_for(session, manager))
    content = b"cuenta,nombre,telefono,saldo,dias_mora,whatsapp\nA1,Ana Ruiz,5512345678,100,5,no\n"
    import_portfolio(
        session,
        client_id=client.id,
        filename="a.csv",
        content=content,
        today=TODAY,
        uploaded_by_id=manager.id,
        now=TODAY_NOON,
    )
    changed = content.replace(b",100,5,no", b",150,95,si")
    summary = import_portfolio(
        session,
        client_id=client.id,
        filename="a.csv",
        content=changed,
        today=TODAY,
        uploaded_by_id=manager.id,
        now=TODAY_NOON,
    )
    session.commit()
    assert (summary.updated, summary.escalated) == (1, 1)
    account = _account(session, "A1")
    assert (account.balance, account.status) == (Decimal("150.00"), AccountStatus.ESCALATED)
    audit = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(a.actor_id, a.actor_label) for a in audit] == [(manager.id, "gerente")] * 2


def test_old_excel_files_and_empty_files_are_refused_with_a_clear_message(
    session: Session,
) -> None:
    client = make_client(session)
    for content, words in (
        (b"", "está vacío"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "Excel .xls antiguo"),
    ):
        with pytest.raises(UnreadableFile) as caught:
            import_portfolio(
                session,
                client_id=client.id,
                filename="cartera.xls",
                content=content,
                today=TODAY,
                now=TODAY_NOON,
            )
        assert words in caught.value.render("es_MX")
