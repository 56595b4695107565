"""Escalated accounts (over 90 days overdue) are listed for hand-off to extrajudicial collection."""

import csv
import io
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.escalations import HANDOFF_COLUMNS, escalated_accounts, escalations_csv
from campaigns.models import Account, ContactPoint
from campaigns.portfolio_import import import_portfolio
from tests.factories import TODAY, TODAY_NOON, make_client

ACUERDO = str(Path(sys.executable).parent / "acuerdo")  # the installed console script

MESSY = Path(__file__).resolve().parent.parent / "data" / "cartera_latin1.csv"

EXPECTED = [
    list(HANDOFF_COLUMNS),
    ["CV-1009", "Elena Castro", "", "3200.00", "MXN", "2026-07-15", "131", "+526641234567"],
    ["CV-1012", "Paula Vega", "", "450.00", "MXN", "2026-08-01", "114", "+525556789012"],
    ["CV-1003", "Luis Hernández", "", "2500.00", "MXN", "2026-08-05", "110", "+526621234567"],
]


def test_the_handoff_file_lists_only_escalated_accounts_oldest_first(session: Session) -> None:
    client = make_client(session)
    other = make_client(session, name="Otra Telefónica")
    for creditor in (client, other):
        import_portfolio(
            session,
            client_id=creditor.id,
            filename=MESSY.name,
            content=MESSY.read_bytes(),
            today=TODAY,
            now=TODAY_NOON,
        )
    session.commit()

    text = escalations_csv(session, client_id=client.id, today=TODAY, now=TODAY_NOON)

    assert list(csv.reader(io.StringIO(text))) == EXPECTED
    later = escalated_accounts(
        session, client_id=client.id, today=TODAY + timedelta(days=10), now=TODAY_NOON
    )
    assert [a.days_overdue for a in later] == [141, 124, 120]
    assert later[0].balance == Decimal("3200.00") and later[0].due_date == date(2026, 7, 15)


def test_the_phone_is_the_best_valid_one(session: Session) -> None:
    client = make_client(session)
    content = (
        b"cuenta,nombre,telefono,celular,saldo,dias_mora,documento\n"
        b"Z1,Ana Ruiz,55 1234 5678,044 55 8765 4321,100,120,RUAA1\n"
        b"Z2,Sin Telefono,,,100,120,\n"
    )
    summary = import_portfolio(
        session, client_id=client.id, filename="z.csv", content=content, today=TODAY, now=TODAY_NOON
    )
    session.commit()
    assert (summary.imported, summary.rejected, summary.escalated) == (1, 1, 1)
    first = session.scalars(select(ContactPoint).where(ContactPoint.value == "+525512345678")).one()
    first.invalid = True
    session.commit()

    [account] = escalated_accounts(session, client_id=client.id, today=TODAY, now=TODAY_NOON)

    assert (account.account_ref, account.national_id, account.phone) == (
        "Z1",
        "RUAA1",
        "+525587654321",
    )
    assert session.scalar(select(Account.status).where(Account.account_ref == "Z1")) == "escalated"


def test_cli_writes_the_handoff_file(
    session: Session, child_env: dict[str, str], tmp_path: Path
) -> None:
    client = make_client(session, name="Cable Norte")
    import_portfolio(
        session,
        client_id=client.id,
        filename=MESSY.name,
        content=MESSY.read_bytes(),
        today=TODAY,
        now=TODAY_NOON,
    )
    session.commit()
    output = tmp_path / "escaladas.csv"

    result = subprocess.run(
        [
            ACUERDO,
            "escalations",
            "export",
            "--client",
            "Cable Norte",
            "--output",
            str(output),
            "--as-of",
            TODAY.isoformat(),
        ],
        env=child_env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert list(csv.reader(io.StringIO(output.read_text("utf-8")))) == EXPECTED
    assert "3 cuentas escaladas escritas en" in result.stderr
    to_stdout = subprocess.run(
        [
            ACUERDO,
            "escalations",
            "export",
            "--client",
            "Cable Norte",
            "--as-of",
            TODAY.isoformat(),
        ],
        env=child_env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert list(csv.reader(io.StringIO(to_stdout.stdout))) == EXPECTED
