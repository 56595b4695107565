"""Portfolio import throughput: generated creditor files of 10k and 100k rows, imported on a fresh
SQLite database (or ACUERDO_DATABASE_URL), first import and re-import, reported as rows/s.

    python scripts/bench_import.py [--rows 10000 100000]

Peak RSS is this process's high-water mark after each run (it includes the file's own bytes);
run sizes in increasing order, so the last figure is the largest file's peak. With rows streamed
in batches, a 1,000,000-row file (--rows 1000000) peaks near a 100,000-row one plus the
file's size, not at ten times it.
"""

import argparse
import io
import os
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path


def generate(rows: int, *, seed: int = 7) -> bytes:
    """A Latin-1, semicolon-separated file like the ones creditors send, 1% bad rows."""
    rng = random.Random(seed)
    states = ["CDMX", "Jalisco", "Nuevo León", "Sonora", "Quintana Roo", "Puebla", "Yucatán"]
    out = io.BytesIO()
    out.write(
        "Cuenta;Nombre;Teléfono;Celular;Saldo;Fecha Vencimiento;Correo;Documento;Estado;WhatsApp"
        "\r\n".encode("latin-1")
    )
    start = date(2026, 11, 23)
    for i in range(rows):
        due = start - timedelta(days=rng.randint(1, 150))
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
    return out.getvalue()


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (a high-water mark: it never drops)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="acuerdo-bench-"))
    os.environ["ACUERDO_VAR_DIR"] = str(var)
    os.environ.setdefault("ACUERDO_DATABASE_URL", f"sqlite:///{var / 'bench.db'}")

    from campaigns import migrate
    from campaigns.clients import create_client
    from campaigns.db import get_engine, session_scope
    from campaigns.models import ComplianceProfile, utcnow
    from campaigns.portfolio_import import import_portfolio

    migrate.upgrade()
    print(f"database: {get_engine().dialect.name}; load average {os.getloadavg()[0]:.1f}")
    print("rows/s is wall-clock; cpu s is this process's CPU time (the SQLite work included)")
    print(f"peak RSS before any file: {peak_rss_mb():.0f} MB")
    print(
        f"{'rows':>8} {'run':>10} {'wall s':>8} {'cpu s':>8} {'rows/s':>8} {'imported':>9} "
        f"{'unchanged':>9} {'rejected':>8} {'file MB':>8} {'peak MB':>8}"
    )
    for rows in args.rows:
        content = generate(rows)
        with session_scope() as session:
            client_id = create_client(
                session,
                name=f"Bench {rows}",
                country="MX",
                currency="MXN",
                timezone="America/Mexico_City",
                profile=ComplianceProfile.MX,
                now=utcnow(),
            ).id
        for run in ("first", "re-import"):
            started, cpu = time.perf_counter(), time.process_time()
            with session_scope() as session:
                summary = import_portfolio(
                    session,
                    client_id=client_id,
                    filename="bench.csv",
                    content=content,
                    today=date(2026, 11, 23),
                    now=utcnow(),
                )
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
            print(
                f"{rows:>8} {run:>10} {seconds:>8.2f} {cpu:>8.2f} {rows / seconds:>8.0f} "
                f"{summary.imported:>9} {summary.unchanged:>9} {summary.rejected:>8} "
                f"{len(content) / 2**20:>8.1f} {peak_rss_mb():>8.0f}"
            )


if __name__ == "__main__":
    main()
