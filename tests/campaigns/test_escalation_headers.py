"""The escalations file a person downloads has headers in their language, and the portfolio
import reads either language back."""

import csv
import io
from pathlib import Path

from sqlalchemy.orm import Session

from campaigns.escalations import escalations_csv
from campaigns.portfolio_import.service import import_portfolio
from tests.factories import TODAY, TODAY_NOON, make_client

MESSY = Path(__file__).resolve().parent.parent / "data" / "cartera_latin1.csv"


def test_spanish_and_english_headers_and_the_import_reads_them_back(session: Session) -> None:
    client = make_client(session)
    import_portfolio(
        session,
        client_id=client.id,
        filename=MESSY.name,
        content=MESSY.read_bytes(),
        today=TODAY,
        now=TODAY_NOON,
    )
    spanish = escalations_csv(
        session, client_id=client.id, today=TODAY, now=TODAY_NOON, locale="es_MX"
    )
    english = escalations_csv(
        session, client_id=client.id, today=TODAY, now=TODAY_NOON, locale="en"
    )
    assert next(csv.reader(io.StringIO(spanish))) == [
        "Número de cuenta",
        "Nombre",
        "Identificación oficial",
        "Saldo",
        "Moneda",
        "Fecha de vencimiento",
        "Días de atraso",
        "Teléfono",
    ]
    assert next(csv.reader(io.StringIO(english)))[:3] == ["Account number", "Name", "National ID"]
    rows = len(spanish.strip().splitlines()) - 1
    assert rows == 3
    for name, text, currency in (
        ("Recibe ES", spanish, "Moneda"),
        ("Recibe EN", english, "Currency"),
    ):
        receiver = make_client(session, name=name)
        summary = import_portfolio(
            session,
            client_id=receiver.id,
            filename="escalaciones.csv",
            content=text.encode("utf-8"),
            today=TODAY,
            now=TODAY_NOON,
        )
        assert (summary.imported, summary.rejected) == (rows, 0)
        assert summary.unused_columns == [currency]
