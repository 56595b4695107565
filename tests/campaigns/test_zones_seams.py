"""The debtor's stored zones at the seams: callbacks, the per-tick cache, a stale cache."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from campaigns.agreements import CallbackTimeInvalid, parse_outcome, record_outcome
from campaigns.debtor_zones import encode_zones
from campaigns.models import Attempt, Callback
from campaigns.scheduler import build_selection, pick_eligible, run_tick
from campaigns.scheduler.eligibility.zones import ZoneCache, zone_pairs
from tests.campaigns.agreements_helpers import NOW, answered_call
from tests.campaigns.test_scheduler_eligibility import make_campaign
from tests.factories import make_account, make_client

CDMX, TIJ = "America/Mexico_City", "America/Tijuana"


def _callback(session: Session, when: str) -> None:
    account = make_account(session, timezone=CDMX)
    account.debtor.timezones = encode_zones([CDMX, TIJ])  # an address in CDMX, a Tijuana phone
    session.flush()
    record_outcome(
        session,
        account_id=account.id,
        attempt_id=answered_call(session, account).id,
        agent_id=None,
        outcome=parse_outcome({"disposition": "callback", "callback_at": when}),
        submission_key="k1",
        now=NOW,
    )


def test_a_callback_must_fall_inside_the_window_in_every_candidate_zone(session: Session) -> None:
    # 24 Nov 2026: CDMX -6, Tijuana -8. 07:30 in CDMX is 05:30 in Tijuana.
    with pytest.raises(CallbackTimeInvalid):
        _callback(session, "2026-11-24T07:30:00")
    session.rollback()
    _callback(session, "2026-11-24T09:00:00")  # 07:00 in Tijuana
    assert session.scalars(select(Callback)).one().due_at == datetime(2026, 11, 24, 15, tzinfo=UTC)


@contextmanager
def _zone_list_reads(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = session.get_bind()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "WITH RECURSIVE p(timezones, country)" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_a_tick_reads_each_creditors_zone_lists_once(session: Session) -> None:
    client = make_client(session)
    make_account(session, client=client, ref="A")
    for name in ("Uno", "Dos", "Tres"):
        make_campaign(session, client, name=name)
    now = datetime(2026, 11, 25, 17, tzinfo=UTC)
    with _zone_list_reads(session) as reads:
        summary = run_tick(session, now=now)
    assert summary.failed == {}
    assert summary.created == 1  # one debtor: one campaign contacts it
    # Once for the escalation pass and once for the three campaigns, not once per campaign.
    assert len(reads) == 2


def test_a_debtor_in_a_zone_list_the_tick_has_not_read_waits_for_the_next_tick(
    session: Session,
) -> None:
    client = make_client(session)
    campaign = make_campaign(session, client)
    make_account(session, client=client, ref="A")
    now = datetime(2026, 11, 25, 17, tzinfo=UTC)
    cache = ZoneCache()
    build_selection(session, campaign=campaign, client=client, now=now, zones=cache)
    late = make_account(session, client=client, ref="B")
    late.debtor.timezones = encode_zones([CDMX, TIJ])
    session.flush()

    stale = build_selection(session, campaign=campaign, client=client, now=now, zones=cache)
    assert late.id not in {p.account_id for p in pick_eligible(session, stale, messages=9, calls=9)}
    fresh = build_selection(session, campaign=campaign, client=client, now=now, zones=ZoneCache())
    assert late.id in {p.account_id for p in pick_eligible(session, fresh, messages=9, calls=9)}
    assert session.scalars(select(Attempt)).all() == []


def test_the_zone_pairs_are_every_distinct_pair_of_the_creditors_debtors(session: Session) -> None:
    client = make_client(session)
    other = make_client(session, name="Otra")
    lists = [[CDMX], [CDMX, TIJ], [TIJ], [CDMX], [TIJ, CDMX], [CDMX, TIJ]]
    for n, zones in enumerate(lists):
        acc = make_account(session, client=client, ref=f"Z{n}")
        acc.debtor.timezones = encode_zones(zones)
    make_account(session, client=other, ref="X").debtor.country = "CO"
    session.flush()
    expected = sorted({(encode_zones(z), client.country) for z in lists})
    assert zone_pairs(session, client.id) == expected
    assert zone_pairs(session, other.id) == [(encode_zones([other.timezone]), "CO")]
