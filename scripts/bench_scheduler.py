"""Benchmark the scheduler selection: accounts per second at 10k, 100k (and 1M) accounts.

    python scripts/bench_scheduler.py                              # SQLite in a temp dir, 10k+100k
    python scripts/bench_scheduler.py --sizes 10000 100000 1000000
    python scripts/bench_scheduler.py --database-url postgresql://postgres@127.0.0.1/bench
    python scripts/bench_scheduler.py --sizes 10000 --zone-lists 3 60  # multi-zone debtors

The database named by --database-url is emptied first (PostgreSQL: the public schema is dropped),
so never point it at data you want to keep. On PostgreSQL the plan is printed with EXPLAIN ANALYZE.
Accounts are bulk-inserted with executemany; a third of them are outside the filter (paid, or
91+ days overdue), the rest spread over 1-90 days, three time zones and a few exclusion rules.
With --zone-lists, debtors are spread over that many distinct candidate-zone lists instead (one or
two Mexican zones each), to measure what multi-zone debtors cost the selection.
"""

import argparse
import itertools
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # 11:00 in Mexico City, a Wednesday
ZONES = ["America/Mexico_City", "America/Tijuana", "America/Cancun"]
POOL = [
    *ZONES,
    "America/Hermosillo",
    "America/Mazatlan",
    "America/Chihuahua",
    "America/Matamoros",
    "America/Monterrey",
    "America/Merida",
    "America/Bahia_Banderas",
    "America/Ojinaga",
    "America/Ciudad_Juarez",
]
BATCH = 10_000


def zone_lists(count: int) -> list[str]:
    """`count` distinct stored candidate-zone lists (one zone each first, then pairs)."""
    lists = [[z] for z in POOL] + [list(pair) for pair in itertools.combinations(POOL, 2)]
    return [" ".join(z) for z in lists[:count]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--zone-lists", type=int, nargs="+", default=[3])
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-sched-')}/bench.db"
    os.environ["ACUERDO_DATABASE_URL"] = url
    os.environ.setdefault("ACUERDO_VAR_DIR", tempfile.mkdtemp(prefix="bench-var-"))

    from sqlalchemy import text

    from campaigns import db, migrate

    engine = db.get_engine()
    print(f"backend: {engine.dialect.name}")
    for size, lists in itertools.product(args.sizes, args.zone_lists):
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
        started = time.perf_counter()
        _generate(size, zone_lists(lists))
        print(
            f"\n{size:>9,} accounts over {lists} zone lists generated in "
            f"{time.perf_counter() - started:.1f}s"
        )
        _measure(size, args.repeat, engine.dialect.name == "postgresql")


def _generate(size: int, keys: list[str]) -> None:
    from sqlalchemy import insert

    from campaigns.campaign_defs import CampaignIn, create_campaign, start_campaign
    from campaigns.db import session_scope
    from campaigns.models import Account, Client, ContactPoint, Debtor

    rng = random.Random(7)
    today = date(2026, 11, 25)
    with session_scope() as session:
        client = Client(
            name="Bench",
            country="MX",
            timezone=ZONES[0],
            currency="MXN",
            compliance_profile="MX",
            callback_number="+525555550100",
            created_at=NOW,
        )
        session.add(client)
        session.flush()
        definition = CampaignIn.model_validate(
            {
                "name": "Bench",
                "client": "Bench",
                "steps": [
                    {"day": 0, "channel": "sms", "template": "r"},
                    {"day": 1, "channel": "voice"},
                ],
                "templates": {"r": "Hola {{ first_name }}, su saldo es {{ balance }}."},
            }
        )
        campaign = create_campaign(
            session, definition=definition, by_id=None, by_label="bench", now=NOW
        )
        start_campaign(session, campaign_id=campaign.id, by_id=None, by_label="bench", now=NOW)
        client_id = client.id
    with session_scope() as session:
        for start in range(0, size, BATCH):
            ids = range(start + 1, min(size, start + BATCH) + 1)
            session.execute(
                insert(Debtor),
                [
                    {
                        "id": i,
                        "client_id": client_id,
                        "name": f"Deudor {i}",
                        "national_id": f"N{i}",
                        "country": "MX",
                        "timezone": keys[i % len(keys)].split()[0],
                        "timezones": keys[i % len(keys)],
                        "created_at": NOW,
                    }
                    for i in ids
                ],
            )
            session.execute(
                insert(ContactPoint),
                [
                    {
                        "id": i,
                        "client_id": client_id,
                        "debtor_id": i,
                        "kind": "phone",
                        "value": f"+5255{i:08d}",
                        "line_type": "mobile",
                        "priority": 0,
                        "invalid": rng.random() < 0.03,
                        "created_at": NOW,
                    }
                    for i in ids
                ],
            )
            rows = []
            for i in ids:
                roll = rng.random()
                days = rng.randint(91, 200) if roll < 0.15 else rng.randint(1, 90)
                status = "paid" if roll > 0.85 else "active"
                rows.append(
                    {
                        "id": i,
                        "client_id": client_id,
                        "debtor_id": i,
                        "account_ref": f"A{i:08d}",
                        "product": "Internet",
                        "original_balance": 1000,
                        "currency": "MXN",
                        "balance": 0 if rng.random() < 0.02 else rng.randint(100, 9000),
                        "due_date": today - timedelta(days=days),
                        "status": status,
                        "priority_boost": 0,
                        "extra": {},
                        "created_at": NOW,
                    }
                )
            session.execute(insert(Account), rows)
    if "postgresql" in os.environ["ACUERDO_DATABASE_URL"]:
        from sqlalchemy import text

        from campaigns.db import get_engine

        with get_engine().begin() as conn:
            for table in ("debtors", "contact_points", "accounts"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
                conn.execute(text(f"ANALYZE {table}"))


def _measure(size: int, repeat: int, postgres: bool) -> None:
    from sqlalchemy import func, select

    from campaigns.db import session_scope
    from campaigns.models import Campaign, Client
    from campaigns.scheduler import build_selection, pick_eligible

    with session_scope() as session:
        campaign = session.scalars(select(Campaign)).one()
        client = session.get_one(Client, campaign.client_id)
        for _ in range(repeat):
            started = time.perf_counter()
            selection = build_selection(session, campaign=campaign, client=client, now=NOW)
            ruled = selection.query.subquery()
            counts = dict(
                session.connection()
                .execute(select(ruled.c.rule, func.count()).group_by(ruled.c.rule))
                .all()
            )
            full = time.perf_counter() - started
            started = time.perf_counter()
            picks = pick_eligible(session, selection, messages=500, calls=50)
            pick = time.perf_counter() - started
            matched = sum(counts.values())
            print(
                f"  full selection (preview counts): {full:7.2f}s  "
                f"{size / full:>10,.0f} accounts/s  ({matched:,} matched, "
                f"{counts.get(None, 0):,} eligible)   tick pick of {len(picks)}: {pick:6.2f}s  "
                f"{size / pick:>10,.0f} accounts/s"
            )
        if postgres:
            compiled = selection.query.compile(
                dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
            )
            plan = (
                session.connection()
                .exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + compiled.string, compiled.construct_params()
                )
                .all()
            )
            print("  plan of the selection (EXPLAIN ANALYZE):")
            for (line,) in plan:
                print("    " + line)


if __name__ == "__main__":
    main()
