"""Account search on a large portfolio: each kind of query beside a bare query over the same rows.

Generates N accounts (one debtor, one phone and a document each) for one creditor in a fresh
database (SQLite in a temporary folder, or --database-url), then times `search_accounts` for a
phone written with spaces, a name typed without accents, a document and a reference prefix. Each
is printed beside its floor measured in the same run: an indexed lookup of the same
shape (contact_points.value for the phone, the creditor's document, a range of the creditor's
references for the prefix), and a bare full scan
`count(*) WHERE lower(name) LIKE '%word%'` for the name. Medians of --repeat runs.

    python scripts/bench_account_search.py [--sizes 10000 100000] [--repeat 5]
"""

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
BATCH = 5000
FIRST = ["José", "María", "Juan", "Ana", "Luis", "Sofía", "Jesús", "Lucía", "Raúl", "Inés"]
LAST = ["Pérez", "Núñez", "Gómez", "López", "Martínez", "Hernández", "Ruiz", "Díaz", "Ortiz"]


def _timed(call: Callable[[], Any], repeat: int) -> float:
    call()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs) * 1000


def _generate(size: int) -> None:
    from sqlalchemy import insert

    from campaigns.db import session_scope
    from campaigns.models import Account, Client, ContactPoint, Debtor

    with session_scope() as session:
        client = Client(
            name="Bench", country="MX", timezone="America/Mexico_City", currency="MXN",
            compliance_profile="MX", created_at=NOW,
        )  # fmt: skip
        session.add(client)
        session.flush()
        client_id = client.id
    for start in range(0, size, BATCH):
        ids = range(start + 1, min(size, start + BATCH) + 1)
        with session_scope() as session:
            session.execute(
                insert(Debtor),
                [
                    {
                        "id": i, "client_id": client_id, "country": "MX",
                        "name": f"{FIRST[i % 10]} {LAST[i % 9]} {LAST[(i // 9) % 9]} {i}",
                        "national_id": f"DOC{i:010d}", "timezone": "America/Mexico_City",
                        "timezones": "America/Mexico_City", "created_at": NOW,
                    }
                    for i in ids
                ],
            )  # fmt: skip
            session.execute(
                insert(ContactPoint),
                [
                    {
                        "client_id": client_id, "debtor_id": i, "kind": "phone",
                        "value": f"+5255{10_000_000 + i:08d}", "line_type": "mobile",
                        "priority": 0, "invalid": False, "created_at": NOW,
                    }
                    for i in ids
                ],
            )  # fmt: skip
            session.execute(
                insert(Account),
                [
                    {
                        "client_id": client_id, "debtor_id": i, "account_ref": f"REF-{i:08d}",
                        "original_balance": Decimal("1200.00"), "balance": Decimal("1200.00"),
                        "currency": "MXN", "due_date": date(2026, 10, 25), "status": "active",
                        "priority_boost": 0, "extra": {}, "created_at": NOW,
                    }
                    for i in ids
                ],
            )  # fmt: skip


def _measure(size: int, repeat: int) -> None:
    from sqlalchemy import func, select

    from campaigns.accounts.search import fold, search_accounts
    from campaigns.db import session_scope
    from campaigns.models import Account, ContactPoint, Debtor

    target = size // 2
    name = fold(f"{FIRST[target % 10]} {LAST[target % 9]} {target}")
    prefix = f"REF-{target:08d}"[:-1]
    phone = f"+5255{10_000_000 + target:08d}"
    spaced = f"55 {phone[5:9]} {phone[9:]}"
    cases = [
        ("phone", spaced, lambda s: s.scalars(select(ContactPoint.id).where(
            ContactPoint.value == phone)).all()),
        ("document", f"doc{target:010d}", lambda s: s.scalars(select(Debtor.id).where(
            Debtor.client_id == 1, Debtor.national_id == f"DOC{target:010d}")).all()),
        ("reference prefix", prefix, lambda s: s.scalars(select(Account.id).where(
            Account.client_id == 1, Account.account_ref >= prefix,
            Account.account_ref < prefix + "~").limit(50)).all()),
        ("name (no accents)", name, lambda s: s.scalar(select(func.count())
            .where(func.lower(Debtor.name).like(f"%{target}%")))),
    ]  # fmt: skip
    print(f"\n{size:>9,} accounts")
    print(f"{'query':<20} {'hits':>5} {'search ms':>10} {'floor ms':>9} {'ratio':>7}")
    with session_scope() as session:
        for label, query, floor in cases:
            hits = len(search_accounts(session, query=query))
            took = _timed(lambda q=query: search_accounts(session, query=q), repeat)
            base = _timed(lambda f=floor: f(session), repeat)
            print(f"{label:<20} {hits:>5} {took:>10.2f} {base:>9.2f} {took / base:>7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-search-')}/bench.db"
    os.environ["ACUERDO_DATABASE_URL"] = url
    os.environ.setdefault("ACUERDO_VAR_DIR", tempfile.mkdtemp(prefix="bench-var-"))

    from sqlalchemy import text

    from campaigns import db, migrate

    engine = db.get_engine()
    print(f"backend: {engine.dialect.name}")
    for size in args.sizes:
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            engine.dispose()
            path = url.split("///", 1)[1]
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
        migrate.upgrade()
        _generate(size)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        _measure(size, args.repeat)


if __name__ == "__main__":
    main()
