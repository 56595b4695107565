"""Benchmark the scheduler's selection: a tick's picks and the preview's counts, beside floors.

    python scripts/bench_scheduler.py                               # SQLite in a temp dir, 10k+100k
    python scripts/bench_scheduler.py --sizes 10000 100000 1000000 \\
        --database-url postgresql://postgres@127.0.0.1/bench
    python scripts/bench_scheduler.py --quick                       # small, for the test

The database named by --database-url is emptied first (PostgreSQL: the public schema is dropped),
so never point it at data you want to keep.

The portfolio is generated set-based (INSERT ... SELECT over generate_series, or a recursive CTE
on SQLite): one debtor, one phone and one account per row, three Mexican zones, 3 attempts per
account. About 15% are outside the filter (paid, 91+ days), 2% have a zero balance, 3% an invalid
phone; 15% got the campaign's SMS two days ago (their call step is due), 20% got it an hour ago
(step not due); every other attempt belongs to an older campaign, 8-30 days ago.

Figures, each beside a floor measured in the same run:
- tick: `build_selection` + `pick_eligible` for 450 messages and 50 calls (p50 and p99), beside
  the top-500 of the campaign's filter read through the index in pick order;
- preview: the count of matched accounts per rule (the preview's counts), beside the bare count
  of the same rows (the filter and the debtor join, no rules).
- preview page: the counts and the first 100 contacted and skipped (the API's preview), and the
  manager's preview page (the counts, then the first 50 of each list), beside the same bare count.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # 11:00 in Mexico City, a Wednesday
TODAY = date(2026, 11, 25)
ZONES = ["America/Mexico_City", "America/Tijuana", "America/Cancun"]
MESSAGES, CALLS = 450, 50


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--ticks", type=int, default=50, help="ticks timed per size (p99)")
    parser.add_argument("--previews", type=int, default=3, help="previews timed per size")
    parser.add_argument("--quick", action="store_true", help="2,000 accounts, few repeats")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the portfolio a previous run left (one size)"
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.ticks, args.previews = [2_000], 5, 1
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='bench-sched-')}/bench.db"
    os.environ["ACUERDO_DATABASE_URL"] = url
    os.environ.setdefault("ACUERDO_VAR_DIR", tempfile.mkdtemp(prefix="bench-var-"))

    from sqlalchemy import text

    from campaigns import db, migrate

    engine = db.get_engine()
    print(f"backend: {engine.dialect.name}, load average {os.getloadavg()[0]:.1f}")
    print("| path | accounts | figure | floor measured in the same run | ratio |")
    print("|---|---|---|---|---|")
    for size in args.sizes:
        if args.reuse:
            _measure(size, args.ticks, args.previews, 0.0)
            continue
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
        _generate(size)
        built = time.perf_counter() - started
        _measure(size, args.ticks, args.previews, built)


def _series(dialect: str, n: int) -> tuple[str, str]:
    """(a WITH prefix, a FROM clause) that yield i = 1..n."""
    if dialect == "postgresql":
        return "", f"FROM generate_series(1, {n}) AS s(i)"
    return (
        f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) ",
        "FROM s",
    )


def _days_before(dialect: str, days: str) -> str:
    """SQL for the date `days` (an SQL integer) before TODAY (:today)."""
    if dialect == "postgresql":
        return f"(CAST(:today AS date) - CAST({days} AS INTEGER))"
    return f"date(:today, '-' || ({days}) || ' days')"


def _generate(size: int) -> None:
    from sqlalchemy import bindparam, text

    from campaigns.campaign_defs import CampaignIn, create_campaign, start_campaign
    from campaigns.db import get_engine, session_scope
    from campaigns.models import Client
    from campaigns.models.base import UTCDateTime

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
        ids = []
        for name in ("Anterior", "Bench"):
            definition = CampaignIn.model_validate(
                {
                    "name": name,
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
            ids.append(campaign.id)
        start_campaign(session, campaign_id=ids[1], by_id=None, by_label="bench", now=NOW)
        client_id, old_id, bench_id = client.id, ids[0], ids[1]

    engine = get_engine()
    dialect = engine.dialect.name
    with_, from_ = _series(dialect, size)
    # Pseudo-random but reproducible per row, the same on both backends. r1 (the account's class)
    # follows i mod 100; r2 and r3 come from a hash modulo a prime, so they are independent of it.
    # (Both were once i times a constant mod 100 and mod 90: functions of i mod 10 and r1, so
    # every invalid phone fell in one class and the first 1,000 accounts in pick order too.)
    r1 = "(CAST(i AS BIGINT) * 7919 % 100)"
    hashed = "(CAST(i AS BIGINT) * 2654435761 % 1000003)"
    r2 = f"({hashed} % 100)"
    r3 = f"({hashed} / 100 % 90)"
    stamp = UTCDateTime()
    params: list[Any] = [
        bindparam("client", client_id),
        bindparam("now", NOW, type_=stamp),
        bindparam("today", TODAY),
        bindparam("sent", NOW - timedelta(days=2), type_=stamp),
        bindparam("just_sent", NOW - timedelta(hours=1), type_=stamp),
        *(
            bindparam(f"old{k}", NOW - timedelta(days=d), type_=stamp)
            for k, d in enumerate((8, 19, 30))
        ),
    ]
    zone = f"CASE i % 3 WHEN 0 THEN '{ZONES[0]}' WHEN 1 THEN '{ZONES[1]}' ELSE '{ZONES[2]}' END"
    statements = [
        "INSERT INTO debtors (id, client_id, name, national_id, country, timezone, timezones,"
        " created_at) "
        + with_
        + f"SELECT i, :client, 'Deudor ' || i, 'N' || i, 'MX', {zone}, {zone}, :now "
        + from_,
        "INSERT INTO contact_points (id, client_id, debtor_id, kind, value, line_type, priority,"
        " invalid, created_at) "
        + with_
        + f"SELECT i, :client, i, 'phone', '+5255' || (10000000 + i), 'mobile', 0, {r2} < 3, :now "
        + from_,
        "INSERT INTO accounts (id, client_id, debtor_id, account_ref, product, original_balance,"
        " currency, balance, due_date, status, priority_boost, extra, created_at) "
        + with_
        + "SELECT i, :client, i, 'A' || i, 'Internet', 1000, 'MXN',"
        f" CASE WHEN {r2} >= 98 THEN 0 ELSE 100 + {r3} * 97 END,"
        + _days_before(dialect, f"CASE WHEN {r1} BETWEEN 8 AND 14 THEN 91 + {r3} ELSE 1 + {r3} END")
        + f", CASE WHEN {r1} < 8 THEN 'paid' ELSE 'active' END,"
        f" CASE WHEN {r1} % 17 = 0 THEN 1 ELSE 0 END, '{{}}', :now " + from_,
    ]
    # Three attempts per account: the campaign's SMS for 35% (two days or an hour ago), the rest
    # in the older campaign.
    for k in range(3):
        in_bench = f"({k} = 0 AND {r1} >= 65)"
        created = (
            f"CASE WHEN {in_bench} THEN (CASE WHEN {r1} >= 80 THEN :just_sent ELSE :sent END)"
            f" ELSE :old{k} END"
        )
        statements.append(
            "INSERT INTO attempts (client_id, account_id, campaign_id, contact_point_id, channel,"
            " status, step_index, try_number, abandoned, dispatch_tries, purpose, direction,"
            " created_at, ended_at) "
            + with_
            + f"SELECT :client, i, CASE WHEN {in_bench} THEN {bench_id} ELSE {old_id} END, i,"
            " 'sms', 'delivered', 0, 1, false, 0, 'collection', 'outbound',"
            f" {created}, {created} " + from_
        )
    statements.append(
        "INSERT INTO campaign_progress"
        " (campaign_id, account_id, last_attempt_id, first_at, attempts, client_id)"
        " SELECT campaign_id, account_id, max(id), min(created_at), count(*), min(client_id)"
        " FROM attempts WHERE campaign_id IS NOT NULL GROUP BY campaign_id, account_id"
    )
    with engine.begin() as conn:
        for sql in statements:
            statement = text(sql).bindparams(*(p for p in params if f":{p.key}" in sql))
            conn.execute(statement)
    with engine.begin() as conn:
        if dialect == "postgresql":
            for table in ("debtors", "contact_points", "accounts"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))


def _timed(repeat: int, run: Callable[[], Any]) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _row(path: str, size: int, figure: str, floor: str, ratio: float) -> None:
    print(f"| {path} | {size:,} | {figure} | {floor} | {ratio:.1f}x |")


def _measure(size: int, ticks: int, previews: int, built: float) -> None:
    from sqlalchemy import func, select

    from campaigns.db import session_scope
    from campaigns.models import Account, Attempt, Campaign, CampaignStatus, Client, Debtor
    from campaigns.scheduler import build_selection, pick_eligible
    from campaigns.scheduler.eligibility.matching import filter_conditions, page_of_matched
    from campaigns.scheduler.eligibility.zones import ZoneCache, zone_facts
    from campaigns.scheduler.preview import preview_campaign
    from campaigns.startup_heap import freeze_startup_heap

    with session_scope() as session:
        campaign = session.scalars(
            select(Campaign).where(Campaign.status == CampaignStatus.ACTIVE)
        ).one()
        client = session.get_one(Client, campaign.client_id)
        connection = session.connection()
        attempts = session.scalar(select(func.count(Attempt.id)))

        def tick() -> Any:
            selection = build_selection(session, campaign=campaign, client=client, now=NOW)
            return pick_eligible(session, selection, messages=MESSAGES, calls=CALLS)

        facts = zone_facts(ZoneCache().pairs(session, client), NOW)
        filter_ = campaign.account_filter or {}
        postgres = connection.dialect.name == "postgresql"

        def top() -> Any:
            page = page_of_matched(
                campaign, filter_, facts, offset=0, size=MESSAGES + CALLS, sqlite=not postgres
            )
            return connection.execute(page).all()

        tick()  # warm the caches once, as a running scheduler has them
        freeze_startup_heap()  # as `acuerdo scheduler` does once started
        tick_ms, picks = _timed(ticks, tick)
        top_ms, _rows = _timed(ticks, top)
        # The counts and their floor in a new transaction, as a request is.
        session.rollback()
        connection = session.connection()

        def counts() -> Any:
            selection = build_selection(session, campaign=campaign, client=client, now=NOW)
            ruled = selection.query.subquery()
            return connection.execute(
                select(ruled.c.rule, func.count()).group_by(ruled.c.rule)
            ).all()

        def whole_preview() -> Any:
            session.rollback()  # each in its own transaction, as a request is
            return preview_campaign(session, campaign_id=campaign.id, at=NOW, limit=100)

        def manager_page() -> Any:
            # What the manager's preview page reads without a search: the counts and a page of
            # each list, in one call.
            session.rollback()
            return preview_campaign(session, campaign_id=campaign.id, at=NOW, limit=50)

        def bare() -> Any:
            return connection.execute(
                select(func.count())
                .select_from(Account)
                .join(Debtor, Debtor.id == Account.debtor_id)
                .where(*filter_conditions(campaign.client_id, filter_, facts))
            ).scalar()

        preview_ms, _excluded = _timed(previews, counts)
        bare_ms, matched = _timed(previews, bare)
        whole_ms, preview = _timed(previews, whole_preview)
        manager_ms, _pages = _timed(previews, manager_page)
        voice = sum(1 for p in picks if p.channel == "voice")
        print(
            f"| (data) | {size:,} | {attempts:,} attempts, built in {built:.1f} s;"
            f" {preview.matched:,} matched, {preview.eligible:,} eligible"
            f" ({100 * preview.eligible / size:.0f}%) | | |"
        )
        _row(
            f"tick: {len(picks)} picks ({voice} calls), p50 / p99 of {ticks}",
            size,
            f"{_p(tick_ms, 0.5):.1f} / {_p(tick_ms, 0.99):.1f} ms",
            f"top-{MESSAGES + CALLS} of the filter in pick order:"
            f" {_p(top_ms, 0.5):.1f} / {_p(top_ms, 0.99):.1f} ms",
            _p(tick_ms, 0.99) / _p(top_ms, 0.99),
        )
        _row(
            f"preview: counts per rule, median of {previews}",
            size,
            f"{statistics.median(preview_ms):.0f} ms",
            f"bare count of the same {matched:,} rows: {statistics.median(bare_ms):.0f} ms",
            statistics.median(preview_ms) / statistics.median(bare_ms),
        )
        _row(
            f"preview page: counts + first 100 contacted and skipped, median of {previews}",
            size,
            f"{statistics.median(whole_ms):.0f} ms",
            f"bare count: {statistics.median(bare_ms):.0f} ms",
            statistics.median(whole_ms) / statistics.median(bare_ms),
        )
        _row(
            f"manager's preview page: counts + 50 eligible + 50 left out, median of {previews}",
            size,
            f"{statistics.median(manager_ms):.0f} ms",
            f"bare count: {statistics.median(bare_ms):.0f} ms",
            statistics.median(manager_ms) / statistics.median(bare_ms),
        )


if __name__ == "__main__":
    main()
