"""Portfolio import throughput, beside floors measured in the same run.

Generated creditor files (10k and 100k rows by default) are imported on a fresh SQLite database
(or ACUERDO_DATABASE_URL, e.g. a PostgreSQL one), first import then re-import of the same file,
through the command line's path (rows checked in one process per core; `--workers 0` checks
them in-process, as a web upload does). Each run prints rows/s beside:

- the parse floor: the same file only read and checked, with the same workers, writing nothing;
- on PostgreSQL, the COPY floor: a bare COPY of as many debtors, contact points and accounts
  into the same tables (indexes, foreign keys) in a transaction that is rolled back, and the
  same COPY into copies of the tables without indexes or foreign keys (what those cost).

    python scripts/bench_import.py [--rows 10000 100000 1000000] [--workers N] [--quick]

Peak RSS is the high-water mark of this process and of its largest worker (the file's bytes
are held in memory, as an upload's are).
"""

import argparse
import os
import random
import resource
import shutil
import tempfile
import time
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

TODAY = date(2026, 11, 23)


def write_file(path: Path, rows: int, *, seed: int = 7) -> None:
    """A Latin-1, semicolon-separated file like the ones creditors send, 1% bad rows."""
    rng = random.Random(seed)
    states = ["CDMX", "Jalisco", "Nuevo León", "Sonora", "Quintana Roo", "Puebla", "Yucatán"]
    with path.open("wb") as out:
        out.write(
            "Cuenta;Nombre;Teléfono;Celular;Saldo;Fecha Vencimiento;Correo;Documento;Estado;"
            "WhatsApp\r\n".encode("latin-1")
        )
        for i in range(rows):
            due = TODAY - timedelta(days=rng.randint(1, 150))
            balance = f"{rng.randint(100, 99999)},{rng.randint(0, 99):02d}"
            if i % 100 == 99:
                balance = ""
            phone = f"55 {rng.randint(2000, 9999)} {rng.randint(1000, 9999)}"
            mobile = f"044 33 {rng.randint(2000, 9999)} {rng.randint(1000, 9999)}" if i % 3 else ""
            line = (
                f"BN-{i:07d};Deudor Número {i};{phone};{mobile};{balance};{due:%d/%m/%Y};"
                f"d{i}@example.mx;ID{i:010d};{rng.choice(states)};{'sí' if i % 2 else 'no'}\r\n"
            )
            out.write(line.encode("latin-1"))


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child so far, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def parse_floor(content: bytes, pool: Any) -> float:
    """Seconds to read and check every row of the file, writing nothing."""
    from campaigns.portfolio_import.headers import COLUMNS
    from campaigns.portfolio_import.rows import FileContext, check_rows
    from campaigns.tabular import map_columns, open_table

    context = FileContext("MX", "MXN", "America/Mexico_City", TODAY)
    started = time.perf_counter()
    with open_table(content, filename="bench.csv") as table:
        columns = map_columns(table.headers, COLUMNS)
        if pool is not None:
            for _row in pool.checked(table.rows, columns, context):
                pass
        else:
            rows = list(table.rows)
            for start in range(0, len(rows), 20_000):
                check_rows(rows[start : start + 20_000], columns, context)
    return time.perf_counter() - started


def copy_floor(rows: int, client_id: int, *, bare: bool) -> float:
    """Seconds to COPY `rows` debtors, 1.67 contact points each and `rows` accounts, rolled back.

    With `bare`, into copies of the tables without indexes or foreign keys.
    """
    from sqlalchemy import text

    from campaigns.db import session_factory
    from campaigns.portfolio_import.service import IMPORT_BATCH
    from campaigns.portfolio_import.writing.bulk import copy_rows

    now = datetime.now(UTC)
    session = session_factory()()
    try:
        names = {"debtors": "debtors", "contact_points": "contact_points", "accounts": "accounts"}
        if bare:
            for table in names:
                session.execute(
                    text(f"CREATE TEMP TABLE bare_{table} (LIKE {table} INCLUDING DEFAULTS)")
                )
                names[table] = f"bare_{table}"
        ids = list(
            session.scalars(
                text("SELECT nextval('debtors_id_seq') FROM generate_series(1, :n)"), {"n": rows}
            )
        )
        started = time.perf_counter()
        for first in range(0, rows, IMPORT_BATCH):  # in the import's batches: memory flat
            chunk = ids[first : first + IMPORT_BATCH]
            debtors = [
                {
                    "id": i,
                    "client_id": client_id,
                    "name": f"Deudor {i}",
                    "national_id": f"FLOOR{i}",
                    "region": "CDMX",
                    "country": "MX",
                    "timezone": "America/Mexico_City",
                    "timezones": "America/Mexico_City",
                    "stated_timezone": None,
                    "created_at": now,
                }
                for i in chunk
            ]
            copy_rows(session, names["debtors"], debtors)
            points = [
                {
                    "client_id": client_id,
                    "debtor_id": i,
                    "kind": "phone",
                    "value": f"+5255{i:08d}"[:13] + str(k),
                    "line_type": "fixed_or_mobile",
                    "priority": k,
                    "source_column": "Teléfono",
                    "invalid": False,
                    "created_at": now,
                }
                for n, i in enumerate(chunk, first)
                for k in range(2 if n % 3 else 1)
            ]
            copy_rows(session, names["contact_points"], points)
            accounts = [
                {
                    "client_id": client_id,
                    "portfolio_id": None,
                    "debtor_id": i,
                    "account_ref": f"FLOOR-{i}",
                    "product": None,
                    "original_balance": Decimal("100.00"),
                    "balance": Decimal("100.00"),
                    "currency": "MXN",
                    "due_date": TODAY,
                    "status": "active",
                    "status_changed_at": now,
                    "priority_boost": 0,
                    "extra": "{}",
                    "created_at": now,
                }
                for i in chunk
            ]
            copy_rows(session, names["accounts"], accounts)
        session.flush()
        return time.perf_counter() - started
    finally:
        session.rollback()
        session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true", help="2,000 rows: checks the bench runs")
    args = parser.parse_args()
    sizes = [2_000] if args.quick else args.rows
    var = Path(tempfile.mkdtemp(prefix="acuerdo-bench-"))
    os.environ["ACUERDO_VAR_DIR"] = str(var)
    os.environ.setdefault("ACUERDO_DATABASE_URL", f"sqlite:///{var / 'bench.db'}")

    from campaigns import migrate
    from campaigns.clients import create_client
    from campaigns.db import get_engine, session_scope
    from campaigns.models import ComplianceProfile, utcnow
    from campaigns.portfolio_import import import_portfolio
    from campaigns.portfolio_import.parse_pool import ParsePool

    migrate.upgrade()
    postgresql = get_engine().dialect.name == "postgresql"
    print(f"database: {get_engine().dialect.name}; parse workers: {args.workers or 'in-process'}")
    print(f"peak RSS before any file: {peak_rss_mb()[0]:.0f} MB")
    print("| rows | run | seconds | rows/s | floor | floor rows/s | ratio | load | main peak MB |")
    print("|---:|---|---:|---:|---|---:|---:|---:|---:|")
    for rows in sizes:
        path = var / f"bench-{rows}.csv"
        write_file(path, rows)
        content = path.read_bytes()
        with session_scope() as session:
            client_id = create_client(
                session,
                name=f"Bench {rows} {time.time():.0f}",
                country="MX",
                currency="MXN",
                timezone="America/Mexico_City",
                profile=ComplianceProfile.MX,
                now=utcnow(),
            ).id
        pool = ParsePool(args.workers) if args.workers else None
        with pool if pool is not None else nullcontext():
            floors = {"parse only": parse_floor(content, pool)}
            if postgresql:
                floors["COPY, same tables"] = copy_floor(rows, client_id, bare=False)
                floors["COPY, no indexes/FKs"] = copy_floor(rows, client_id, bare=True)
            for run in ("first", "re-import"):
                started = time.perf_counter()
                with session_scope() as session:
                    summary = import_portfolio(
                        session,
                        client_id=client_id,
                        filename="bench.csv",
                        content=content,
                        today=TODAY,
                        now=utcnow(),
                        parse_pool=pool,
                    )
                seconds = time.perf_counter() - started
                expected = summary.imported if run == "first" else summary.unchanged
                assert expected == rows - rows // 100, summary
                own = peak_rss_mb()[0]
                for name, floor in floors.items():
                    print(
                        f"| {rows:,} | {run} | {seconds:.2f} | {rows / seconds:,.0f} | {name} | "
                        f"{rows / floor:,.0f} | {seconds / floor:.1f}x | "
                        f"{os.getloadavg()[0]:.1f} | {own:.0f} |"
                    )
        del content
        path.unlink()
        print(f"peak RSS of the largest parse worker so far: {peak_rss_mb()[1]:.0f} MB")
    shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
