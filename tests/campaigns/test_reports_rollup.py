"""The rollup of daily report figures: idempotent, rebuildable for any range, never today, run
once a night by the scheduler and on demand by `acuerdo reports rollup`."""

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from rq import Queue
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.jobs import run_reports_rollup
from campaigns.models import (
    Account,
    Payment,
    ReportAgentDay,
    ReportAgentStateDay,
    ReportContactDay,
    ReportDebtorContactDay,
    ReportPortfolioDay,
    ReportProvisionalDay,
    ReportRefusalDay,
    ReportRolledDay,
    ReportRollMonth,
)
from campaigns.redis_conn import get_redis
from campaigns.reports import build_report
from campaigns.reports.rollup import OpenDayRollup, rollup, snapshot_today
from campaigns.reports.table import ReportFilter
from console.cli.run import enqueue_reports_rollup
from tests.campaigns.reports_portfolio import NOW, build

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
SUMMARY_TABLES = (
    ReportContactDay,
    ReportAgentDay,
    ReportAgentStateDay,
    ReportPortfolioDay,
    ReportRefusalDay,
    ReportDebtorContactDay,
    ReportRollMonth,
)


def summary_rows(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every summary row, without its id, in a stable order."""
    contents = {}
    for model in SUMMARY_TABLES:
        columns = [c for c in model.__table__.columns if c.name != "id"]
        rows = session.execute(select(*columns)).all()
        contents[model.__tablename__] = sorted((tuple(r) for r in rows), key=repr)
    return contents


def test_rolling_up_twice_writes_the_same_rows(session: Session) -> None:
    build(session)
    first = rollup(session, date_from=NOVEMBER[0], date_to=NOVEMBER[1], now=NOW)
    session.commit()
    once = summary_rows(session)
    second = rollup(session, date_from=NOVEMBER[0], date_to=NOVEMBER[1], now=NOW)
    session.commit()
    assert summary_rows(session) == once
    assert first == second and first.days == 30
    # 30 portfolio days, each with A's buckets; the roll rates of November (month end in range).
    assert len(once["report_portfolio_days"]) >= 30
    assert {row[0] for row in once["report_roll_months"]} == {date(2026, 11, 1)}
    assert len(session.scalars(select(ReportRolledDay)).all()) == 30


def _aging_31_60(session: Session, client_id: int) -> Decimal:
    built = build_report(
        session,
        "portfolio",
        ReportFilter(
            client_ids=frozenset({client_id}),
            date_from=NOVEMBER[0],
            date_to=NOVEMBER[1],
            now=NOW,
        ),
    )
    aging = next(s for s in built.sections if s.key == "aging")
    return next(r["balance"] for r in aging.rows if r["aging_bucket"] == "31-60")  # type: ignore[return-value]


def test_a_late_payment_shows_once_its_days_are_rebuilt(session: Session) -> None:
    portfolio = build(session)
    rollup(session, date_from=NOVEMBER[0], date_to=NOVEMBER[1], now=NOW)
    # A payment of 100.00 on A1 dated 11-20 is imported after the days were rolled up.
    a1 = portfolio.accounts["A1"]
    session.add(
        Payment(
            client_id=a1.client_id,
            account_id=a1.id,
            amount=Decimal("100.00"),
            paid_on=date(2026, 11, 20),
            reference="P-late",
            source="test",
            created_at=NOW,
        )
    )
    session.get_one(Account, a1.id).balance = Decimal("900.00")
    session.commit()
    # The stored days still say 1000.00 in 31-60 on 11-30 (A1, 41 days overdue).
    assert _aging_31_60(session, portfolio.client_id) == Decimal("1000.00")
    untouched = session.execute(
        select(ReportPortfolioDay.balance).where(ReportPortfolioDay.day == date(2026, 11, 19))
    ).all()

    rollup(session, date_from=date(2026, 11, 20), date_to=NOVEMBER[1], now=NOW)
    session.commit()

    assert _aging_31_60(session, portfolio.client_id) == Decimal("900.00")
    collected = session.scalar(
        select(ReportPortfolioDay.collected).where(
            ReportPortfolioDay.day == date(2026, 11, 20), ReportPortfolioDay.collected > 0
        )
    )
    assert collected is not None  # the day's payments: A3's 500 and A1's 100 (two buckets)
    day_total = sum(
        session.scalars(
            select(ReportPortfolioDay.collected).where(ReportPortfolioDay.day == date(2026, 11, 20))
        )
    )
    assert day_total == Decimal("600.00")
    # Days outside the rebuilt range are left as they were.
    assert (
        session.execute(
            select(ReportPortfolioDay.balance).where(ReportPortfolioDay.day == date(2026, 11, 19))
        ).all()
        == untouched
    )


def test_today_is_never_rolled_up(session: Session) -> None:
    today = date(2026, 12, 1)  # NOW is noon of 12-01 in Mexico City
    with pytest.raises(OpenDayRollup):
        rollup(session, date_from=NOVEMBER[1], date_to=today, now=NOW)
    rollup(session, date_from=NOVEMBER[1], date_to=NOVEMBER[1], now=NOW)


def test_the_scheduler_enqueues_the_rollup_once_per_operating_day() -> None:
    # Ticks every 5 minutes from 11-30 20:00 to 12-01 20:00 in Mexico City (UTC-6).
    base = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    ticks = [base + timedelta(minutes=5 * n) for n in range(24 * 12)]

    enqueued = [tick for tick in ticks if enqueue_reports_rollup(tick, fixed=True)]

    # The first tick (11-30 local) and the first after local midnight (12-01 06:00 UTC).
    assert enqueued == [base, datetime(2026, 12, 1, 6, 0, tzinfo=UTC)]
    queue = Queue("default", connection=get_redis())
    assert queue.job_ids == ["reports-rollup-2026-11-30", "reports-rollup-2026-12-01"]


def test_the_nightly_job_rolls_up_the_last_week(session: Session) -> None:
    build(session)
    session.commit()
    assert run_reports_rollup(now=NOW.isoformat()) == {
        "days": 7,
        "rows": pytest.approx(0, abs=10**6),
    }
    days = session.scalars(select(ReportRolledDay.day).order_by(ReportRolledDay.day)).all()
    assert days == [date(2026, 11, 24) + timedelta(days=n) for n in range(7)]


def test_the_rollup_command(session: Session, child_env: dict[str, str]) -> None:
    portfolio = build(session)
    session.commit()  # SQLite: release the write lock before another process writes
    result = subprocess.run(
        [sys.executable, "-m", "console", "reports", "rollup", "--from", "2026-11-09",
         "--to", "2026-11-11", "--json"],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["days"] == 3
    session.rollback()
    days = session.scalars(select(ReportRolledDay.day).order_by(ReportRolledDay.day)).all()
    assert days == [date(2026, 11, 9), date(2026, 11, 10), date(2026, 11, 11)]
    attempts = session.scalars(
        select(ReportContactDay.attempts).where(
            ReportContactDay.day == date(2026, 11, 10),
            ReportContactDay.client_id == portfolio.client_id,
        )
    ).all()
    assert sum(attempts) == 6  # A's six attempts of 11-10 (B's one is in B's rows)


def _aging_today(session: Session, client_id: int) -> dict[object, object]:
    today = date(2026, 12, 1)  # NOW's operating day
    built = build_report(
        session,
        "portfolio",
        ReportFilter(
            client_ids=frozenset({client_id}), date_from=NOVEMBER[0], date_to=today, now=NOW
        ),
    )
    aging = next(s for s in built.sections if s.key == "aging")
    return {r["aging_bucket"]: r["balance"] for r in aging.rows}


def test_todays_portfolio_is_read_from_the_snapshot_until_the_day_closes(
    session: Session,
) -> None:
    portfolio = build(session)
    rollup(session, date_from=NOVEMBER[0], date_to=NOVEMBER[1], now=NOW)
    session.commit()
    live = _aging_today(session, portfolio.client_id)
    # On 12-01: A1 42 days (31-60) 1000; A3 77 days (61-90) 2500; A4 current 4000.
    assert live["31-60"] == Decimal("1000.00")

    assert snapshot_today(session, now=NOW) > 0
    session.commit()
    assert _aging_today(session, portfolio.client_id) == live  # the same figures, stored

    # A1 pays 1000 today: the snapshot does not know yet, a live reading would.
    a1 = session.get_one(Account, portfolio.accounts["A1"].id)
    session.add(
        Payment(client_id=a1.client_id, account_id=a1.id, amount=Decimal("1000.00"),
                paid_on=date(2026, 12, 1), reference="P-today", source="test", created_at=NOW)
    )  # fmt: skip
    a1.balance = Decimal("0.00")
    session.commit()
    assert _aging_today(session, portfolio.client_id)["31-60"] == Decimal("1000.00")
    later = NOW + timedelta(minutes=15)
    snapshot_today(session, now=later)
    session.commit()
    assert "31-60" not in _aging_today(session, portfolio.client_id)

    # When the day closes the rollup replaces the snapshot with the day's figures.
    tomorrow = NOW + timedelta(days=1)
    rollup(session, date_from=date(2026, 12, 1), date_to=date(2026, 12, 1), now=tomorrow)
    session.commit()
    assert session.scalars(select(ReportProvisionalDay)).all() == []
    assert "31-60" not in _aging_today(session, portfolio.client_id)


def test_the_product_and_region_lists_come_from_the_latest_portfolio_figures(
    session: Session,
) -> None:
    """The report filters list the creditors' products and regions; once figures are kept, from
    the latest day's few summary rows, not from a scan of every account."""
    from campaigns.report_filters import filter_choices

    portfolio = build(session)
    a1 = session.get_one(Account, portfolio.accounts["A1"].id)
    a1.product = "Fibra 500 Mbps"  # the others' is "Internet 50 Mbps"
    session.commit()
    before = filter_choices(session)
    assert before.products == ("Fibra 500 Mbps", "Internet 50 Mbps")
    assert before.regions == ("Antioquia",)

    rollup(session, date_from=date(2026, 11, 29), date_to=date(2026, 11, 30), now=NOW)
    # Changed after the figures were kept: the lists show the latest figures' values until the
    # next snapshot (every 15 minutes) or rollup.
    a1.product = "TV Básica"
    session.commit()
    after = filter_choices(session)
    assert after.products == ("Fibra 500 Mbps", "Internet 50 Mbps")
    assert after.regions == ("Antioquia",)
    snapshot_today(session, now=NOW)
    session.commit()
    assert filter_choices(session).products == ("Internet 50 Mbps", "TV Básica")
