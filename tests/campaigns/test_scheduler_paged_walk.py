"""Property: the tick's paged walk picks exactly what ranking the whole selection picks.

The oracle evaluates every matched account with the selection's full query, keeps the eligible
ones, takes the best account per debtor and then the best `calls` calls and `messages` messages in
pick order; `pick_eligible` must return the same picks, in the same order, for any page size.
The preview's lists, walked or searched, must show the same accounts with the same rules.
"""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from campaigns.models import AccountStatus, Attempt, AttemptStatus, ContactPoint
from campaigns.scheduler import Pick, build_selection, pick_eligible
from campaigns.scheduler.eligibility.selection import Selection
from campaigns.scheduler.picks import _pick, walk
from campaigns.scheduler.preview import preview_accounts, preview_campaign
from tests.campaigns.test_campaign_progress import from_attempts, progress
from tests.campaigns.test_scheduler_eligibility import make_campaign
from tests.factories import make_account, make_client

ZONES = ["America/Mexico_City", "America/Tijuana", "America/Cancun"]
STEPS = [
    {"day": 0, "channel": "sms", "template": "recordatorio"},
    {"day": 1, "channel": "voice"},
]

account_strategy = st.fixed_dictionaries(
    {
        "days": st.sampled_from([30, 30, 30, 61, 61, 3, -2, 95]),
        "balance": st.sampled_from(["150.00", "1200.00", "150.00", "1200.00", "0.00"]),
        "boost": st.sampled_from([0, 1, 0, 5]),
        "status": st.sampled_from(["active"] * 6 + ["paid", "disputed"]),
        "zone": st.integers(min_value=0, max_value=2),
        "phone": st.sampled_from(["mobile", "mobile", "mobile", "invalid", "none"]),
        "shared_debtor": st.booleans(),
        "history": st.just([])
        | st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=1),  # step
                st.integers(min_value=1, max_value=3),  # try
                st.sampled_from(["no-answer", "completed", "delivered", "busy", "queued"]),
                st.integers(min_value=5, max_value=60 * 24 * 3),  # minutes ago
            ),
            max_size=2,
        ),
    }
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    accounts=st.lists(account_strategy, min_size=2, max_size=14),
    messages=st.just(3) | st.integers(min_value=0, max_value=6),
    calls=st.just(2) | st.integers(min_value=1, max_value=6),
    page_size=st.integers(min_value=1, max_value=5),
    day=st.dates(min_value=date(2026, 3, 1), max_value=date(2026, 12, 31)),
    hour=st.sampled_from([18, 19, 20, 21, 16, 17, 3]),  # mostly daytime in Mexico
)
def test_the_paged_walk_returns_what_the_full_selection_returns(
    session: Session,
    accounts: list[dict[str, Any]],
    messages: int,
    calls: int,
    page_size: int,
    day: date,
    hour: int,
) -> None:
    now = datetime(day.year, day.month, day.day, hour, 30, tzinfo=UTC)
    try:
        _check(session, accounts, messages, calls, page_size, now)
    finally:
        session.rollback()


def _check(
    session: Session,
    accounts: list[dict[str, Any]],
    messages: int,
    calls: int,
    page_size: int,
    now: datetime,
) -> None:
    client = make_client(session)
    campaign = make_campaign(session, client, steps=STEPS)
    previous = None
    for n, spec in enumerate(accounts):
        zone = ZONES[spec["zone"]]
        acc = make_account(
            session,
            client=client,
            ref=f"W{n:03d}",
            days_overdue=spec["days"],
            balance=spec["balance"],
            phone=None if spec["phone"] == "none" else f"+5255{n:08d}",
            today=now.date(),
            timezone=zone,
        )
        acc.status = AccountStatus(spec["status"])
        acc.priority_boost = spec["boost"]
        if spec["shared_debtor"] and previous is not None:
            acc.debtor_id = previous.debtor_id
        if spec["phone"] == "invalid":
            for point in session.scalars(
                select(ContactPoint).where(ContactPoint.debtor_id == acc.debtor_id)
            ):
                point.invalid = True
        for step, try_number, status, minutes in spec["history"]:
            moment = now - timedelta(minutes=minutes)
            session.add(
                Attempt(
                    client_id=client.id,
                    account_id=acc.id,
                    campaign_id=campaign.id,
                    channel=STEPS[step]["channel"],
                    status=AttemptStatus(status),
                    step_index=step,
                    try_number=try_number,
                    created_at=moment,
                    ended_at=moment + timedelta(minutes=1),
                )
            )
            session.flush()
        previous = acc
    session.flush()
    assert progress(session) == from_attempts(session)

    selection = build_selection(session, campaign=campaign, client=client, now=now)
    walked = pick_eligible(session, selection, messages=messages, calls=calls, page_size=page_size)
    assert walked == _oracle(session, selection.query, messages=messages, calls=calls)
    default_pages = pick_eligible(session, selection, messages=messages, calls=calls)
    assert default_pages == walked
    ref = f"W{len(accounts) // 2:03d}"
    _check_preview_lists(session, campaign.id, selection.query, page_size, ref, now)


def _check_preview_lists(
    session: Session, campaign_id: int, query: Any, page_size: int, ref: str, now: datetime
) -> None:
    """The preview's list of eligible accounts (walked page by page) and the lists a search for
    `ref` gives (the rules evaluated for its matches only) show what the full selection says."""
    rows = session.connection().execute(query).all()
    eligible = sorted(
        (r for r in rows if r.rule is None),
        key=lambda r: (-r.priority_boost, r.due_date, -Decimal(r.balance), r.account_id),
    )
    total, listed = preview_accounts(
        session, campaign_id=campaign_id, at=now, offset=1, limit=page_size
    )
    assert total == len(eligible)
    assert [a.account_id for a in listed] == [r.account_id for r in eligible[1 : 1 + page_size]]
    for is_eligible in (True, False):  # a whole list, as the CSV export reads it
        total, every = preview_accounts(
            session, campaign_id=campaign_id, at=now, eligible=is_eligible, limit=None
        )
        expected = [r.account_id for r in rows if (r.rule is None) == is_eligible]
        assert total == len(every) == len(expected)
        assert sorted(a.account_id for a in every) == sorted(expected)
    # The counts and both lists of one preview, the left-out list judged in the counts' pass.
    preview = preview_campaign(
        session,
        campaign_id=campaign_id,
        at=now,
        limit=page_size,
        contacted_offset=1,
        skipped_offset=1,
    )
    assert preview.eligible == len(eligible)
    assert preview.excluded == Counter(r.rule for r in rows if r.rule is not None)
    assert [a.account_id for a in preview.contacted] == [
        r.account_id for r in eligible[1 : 1 + page_size]
    ]
    left_out = sorted(
        (r for r in rows if r.rule is not None), key=lambda r: (r.rule, r.account_ref, r.account_id)
    )
    assert [(a.account_id, a.rule) for a in preview.skipped] == [
        (r.account_id, r.rule) for r in left_out[1 : 1 + page_size]
    ]
    wanted = [(r.account_id, r.rule) for r in rows if r.account_ref == ref]  # none if unmatched
    for is_eligible in (True, False):
        total, found = preview_accounts(
            session, campaign_id=campaign_id, at=now, eligible=is_eligible, search=ref
        )
        expected = [(account, rule) for account, rule in wanted if (rule is None) == is_eligible]
        assert total == len(expected)
        assert [(a.account_id, a.rule) for a in found] == expected


def _oracle(session: Session, query: Any, *, messages: int, calls: int) -> list[Pick]:
    rows = [r for r in session.connection().execute(query).all() if r.rule is None]
    rows.sort(key=lambda r: (-r.priority_boost, r.due_date, -Decimal(r.balance), r.account_id))
    best_per_debtor: dict[int, Any] = {}
    for row in rows:
        best_per_debtor.setdefault(row.debtor_id, row)
    limits = {True: calls, False: messages}
    taken = {True: 0, False: 0}
    picks = []
    for row in rows:
        if best_per_debtor[row.debtor_id] is not row:
            continue
        is_call = row.channel == "voice"
        if taken[is_call] < limits[is_call]:
            taken[is_call] += 1
            picks.append(_pick(row))
    return picks


def _due_portfolio(session: Session, accounts: int) -> Selection:
    """A campaign's selection at 12:30 in Mexico City over `accounts` accounts, all due."""
    now = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)
    client = make_client(session)
    campaign = make_campaign(session, client)
    for n in range(accounts):
        make_account(
            session, client=client, ref=f"P{n:03d}", phone=f"+5255{n:08d}", today=now.date()
        )
    session.flush()
    return build_selection(session, campaign=campaign, client=client, now=now)


def test_a_tick_a_few_picks_short_after_its_first_page_reads_a_few_more_rows(
    session: Session,
) -> None:
    """The next page is sized from the first page's yield (210 wanted, 200 found in 200 rows:
    the least page, 100 rows), not doubled to 400: every row read costs the rules."""
    selection = _due_portfolio(session, 330)
    pages: list[int] = []

    def count_page(conn: Any, statement: Any, multiparams: Any, params: Any, options: Any) -> None:
        if params and "page_ids" in params:
            pages.append(len(params["page_ids"]))

    engine = session.get_bind()
    event.listen(engine, "before_execute", count_page)
    try:
        picks = pick_eligible(session, selection, messages=210, calls=0, page_size=200)
    finally:
        event.remove(engine, "before_execute", count_page)
    assert len(picks) == 210
    assert pages == [200, 100]
    assert picks == _oracle(session, selection.query, messages=210, calls=0)


def test_the_walk_leaves_the_callers_plan_settings_between_and_after_its_pages(
    session: Session,
) -> None:
    """On PostgreSQL a page is planned with cheap random reads and no parallel workers; whatever
    the caller runs between pages or after the walk, in the same transaction, is planned with
    its own settings (a preview's full-selection counts need their parallel workers)."""
    selection = _due_portfolio(session, 30)
    if not selection.postgres:
        pytest.skip(
            "planner settings are PostgreSQL's (SQLite has none): runs when ACUERDO_DATABASE_URL"
            " names a PostgreSQL database, as in CI's run 2"
        )
    show = "SELECT current_setting('max_parallel_workers_per_gather')"
    session.execute(text("SET LOCAL max_parallel_workers_per_gather = 3"))
    walked = walk(session, selection, first_page=10)
    rows = [next(walked) for _ in range(10)]
    between = session.execute(text(show)).scalar_one()
    rows += list(walked)
    after = session.execute(text(show)).scalar_one()
    assert len(rows) == 30
    assert (between, after) == ("3", "3")
