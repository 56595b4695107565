"""Recycling: an account whose steps are done comes back after a broken promise or a retryable
result, after the rule's delay and no more than its max; the preview and the tick agree."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements.ledger import break_installment, break_promise
from campaigns.campaign_defs import CampaignInvalid, parse_definition
from campaigns.campaign_defs.validation import validate_definition
from campaigns.models import (
    Account,
    Attempt,
    AttemptStatus,
    Campaign,
    Installment,
    PaymentPlan,
    PromiseToPay,
)
from campaigns.scheduler import preview_campaign, run_tick
from tests.campaigns.test_scheduler_eligibility import NOW, account, make_campaign, rules
from tests.factories import make_client

VOICE = [{"day": 0, "channel": "voice"}]


def _finish(session: Session, status: AttemptStatus, at: object) -> Attempt:
    attempt = session.scalars(select(Attempt).where(Attempt.status == AttemptStatus.PENDING)).one()
    attempt.status = status
    attempt.ended_at = at  # type: ignore[assignment]
    session.flush()
    return attempt


def _break_a_promise(session: Session, acc: Account, made: object, broken: object) -> None:
    promise = PromiseToPay(
        client_id=acc.client_id,
        account_id=acc.id,
        amount=Decimal("500.00"),
        due_date=date(2026, 11, 26),
        created_at=made,
    )
    session.add(promise)
    session.flush()
    break_promise(session, promise=promise, now=broken)  # type: ignore[arg-type]
    session.flush()


def _attempts(session: Session) -> list[tuple[int, int, str | None]]:
    rows = session.scalars(select(Attempt).order_by(Attempt.id)).all()
    return [(a.step_index, a.try_number, a.recycle_reason) for a in rows]


def test_a_broken_promise_brings_a_done_account_back_after_a_day_at_most_twice(
    session: Session,
) -> None:
    client = make_client(session)
    acc = account(session, client, "A")
    campaign = make_campaign(session, client, steps=VOICE)

    run_tick(session, now=NOW)
    _finish(session, AttemptStatus.COMPLETED, NOW + timedelta(minutes=5))
    assert rules(session, campaign, NOW + timedelta(days=1)) == {"A": "steps_done"}

    broken = NOW + timedelta(days=5)  # Monday 30 November, 11:00 in Mexico City
    for round_ in (1, 2):
        _break_a_promise(session, acc, broken - timedelta(days=4), broken)
        assert rules(session, campaign, broken + timedelta(hours=1)) == {"A": "recycle_wait"}
        back = broken + timedelta(days=1, minutes=1)
        preview = preview_campaign(session, campaign_id=campaign.id, at=back, limit=10)
        [shown] = preview.contacted
        assert (shown.step, shown.channel, shown.recycle) == (1, "voice", "broken_promise")

        run_tick(session, now=back)
        recycled = session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()
        assert recycled is not None
        assert (recycled.step_index, recycled.try_number, recycled.channel) == (1, 1, "voice")
        assert recycled.recycle_reason == "broken_promise"
        assert recycled.dedup_key is not None and recycled.dedup_key.endswith(f":r{round_}")
        _finish(session, AttemptStatus.COMPLETED, back + timedelta(minutes=3))
        assert rules(session, campaign, back + timedelta(hours=2)) == {"A": "steps_done"}
        broken += timedelta(days=7)

    # A third broken promise: the rule's max (2) is reached; the account stays done.
    _break_a_promise(session, acc, broken - timedelta(days=4), broken)
    later = broken + timedelta(days=2)
    assert rules(session, campaign, later) == {"A": "steps_done"}
    assert run_tick(session, now=later).created == 0
    assert [r for _s, _t, r in _attempts(session)] == [None, "broken_promise", "broken_promise"]


def test_a_plan_broken_by_a_missed_instalment_recycles_like_a_broken_promise(
    session: Session,
) -> None:
    client = make_client(session)
    acc = account(session, client, "A")
    campaign = make_campaign(session, client, steps=VOICE)
    run_tick(session, now=NOW)
    _finish(session, AttemptStatus.COMPLETED, NOW + timedelta(minutes=5))
    plan = PaymentPlan(
        client_id=acc.client_id,
        account_id=acc.id,
        total_amount=Decimal("900.00"),
        down_payment=Decimal("300.00"),
        installment_count=2,
        created_at=NOW + timedelta(minutes=5),
    )
    session.add(plan)
    session.flush()
    first = Installment(
        client_id=acc.client_id,
        plan_id=plan.id,
        number=0,
        due_date=date(2026, 11, 27),
        amount=Decimal("300.00"),
    )
    session.add(first)
    session.flush()
    broken = NOW + timedelta(days=5)
    break_installment(session, installment=first, now=broken)
    session.flush()
    assert plan.broken_at == broken
    assert rules(session, campaign, broken + timedelta(hours=2)) == {"A": "recycle_wait"}
    assert rules(session, campaign, broken + timedelta(days=1, minutes=1)) == {"A": None}


def test_no_answer_recycles_after_four_hours_up_to_three_times_one_try_each(
    session: Session,
) -> None:
    client = make_client(session)
    account(session, client, "A")
    campaign = make_campaign(
        session,
        client,
        steps=VOICE,
        retry_rules={"no_answer": {"wait_minutes": 30, "max_tries": 1}},
    )
    moment = NOW.replace(hour=13)  # 07:00 in Mexico City
    run_tick(session, now=moment)
    _finish(session, AttemptStatus.NO_ANSWER, moment + timedelta(minutes=1))
    for _round in range(3):
        assert rules(session, campaign, moment + timedelta(hours=2)) == {"A": "recycle_wait"}
        moment += timedelta(hours=4, minutes=2)
        assert rules(session, campaign, moment) == {"A": None}
        run_tick(session, now=moment)
        _finish(session, AttemptStatus.NO_ANSWER, moment + timedelta(minutes=1))
    assert rules(session, campaign, moment + timedelta(hours=5)) == {"A": "steps_done"}
    assert _attempts(session) == [(0, 1, None)] + [(1, 1, "no_answer")] * 3


def test_recycling_is_set_per_campaign_and_zero_turns_it_off(session: Session) -> None:
    client = make_client(session)
    account(session, client, "A")
    campaign = make_campaign(
        session,
        client,
        steps=VOICE,
        recycling={"rules": {"no_answer": {"delay_minutes": 60, "max_recycles": 0}}},
        retry_rules={"no_answer": {"wait_minutes": 30, "max_tries": 1}},
    )
    stored = session.get_one(Campaign, campaign.id).recycling
    assert stored["step"] == 0 and stored["rules"]["no_answer"]["max_recycles"] == 0
    assert stored["rules"]["broken_promise"] == {"delay_minutes": 1440, "max_recycles": 2}
    run_tick(session, now=NOW)
    _finish(session, AttemptStatus.NO_ANSWER, NOW + timedelta(minutes=1))
    assert rules(session, campaign, NOW + timedelta(hours=5)) == {"A": "steps_done"}


def test_a_recycled_step_must_be_one_of_the_campaigns_steps(session: Session) -> None:
    client = make_client(session)
    definition = parse_definition(
        {"name": "X", "client": client.name, "steps": VOICE, "recycling": {"step": 1}}
    )
    with pytest.raises(CampaignInvalid) as refused:
        validate_definition(client, definition)
    assert "step 1" in refused.value.render("en")
