"""The campaign builder's live count: how long counting the accounts a filter matches takes,
beside the floor of a plain `count(*)` of the creditor's accounts in the same database.

    python scripts/bench_match_count.py                      # SQLite in a temp dir, 10k and 100k
    python scripts/bench_match_count.py --sizes 10000
    python scripts/bench_match_count.py --database-url postgresql://postgres@127.0.0.1/bench

The portfolio is bench_scheduler.py's (the database named by --database-url is emptied first).
Each filter is counted --repeat times alternating with the floor; medians and their ratio print.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_scheduler  # noqa: E402

FILTERS = {
    "days 1-30": {"min_days_overdue": 1, "max_days_overdue": 30},
    "days 1-90, balance 1000-5000": {
        "min_days_overdue": 1,
        "max_days_overdue": 90,
        "min_balance": "1000",
        "max_balance": "5000",
    },
    "buckets 31-60 + 61-90, product": {
        "aging_buckets": ["31-60", "61-90"],
        "products": ["Internet"],
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-count-')}/bench.db"
    os.environ["ACUERDO_DATABASE_URL"] = url
    os.environ.setdefault("ACUERDO_VAR_DIR", tempfile.mkdtemp(prefix="bench-var-"))

    from sqlalchemy import func, select, text

    from campaigns import db, migrate
    from campaigns.campaign_builder import count_matching
    from campaigns.models import Account, Client

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
        bench_scheduler._generate(size, bench_scheduler.zone_lists(3))
        print(f"\n{size:,} accounts")
        print(f"{'filter':<32} {'matched':>8} {'median ms':>10} {'floor ms':>9} {'ratio':>6}")
        with db.session_scope() as session:
            client = session.scalars(select(Client)).one()
            floor_query = select(func.count(Account.id)).where(Account.client_id == client.id)
            for label, rules in FILTERS.items():
                timed, floor, matched = [], [], None
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    matched = count_matching(
                        session, client=client, account_filter=rules, now=bench_scheduler.NOW
                    )
                    timed.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    session.execute(floor_query).scalar_one()
                    floor.append(time.perf_counter() - started)
                median, base = statistics.median(timed) * 1000, statistics.median(floor) * 1000
                print(
                    f"{label:<32} {matched or 0:>8,} {median:>10.1f} {base:>9.1f} "
                    f"{median / base:>6.1f}"
                )


if __name__ == "__main__":
    main()
