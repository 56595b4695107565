"""The campaign's own progress on each account: the next step and try, or why not yet."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, false, func, literal, not_, null, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from campaigns.campaign_defs.recycling import RecyclePlan
from campaigns.campaign_defs.schemas import RetryRule, default_retry_rules
from campaigns.models import (
    Attempt,
    AttemptStatus,
    Campaign,
    PaymentPlan,
    PromiseStatus,
    PromiseToPay,
)
from campaigns.scheduler.eligibility.sql import DATETIME, INT, TEXT

IN_FLIGHT = "in_flight"
RETRY_WAIT = "retry_wait"
STEP_NOT_DUE = "step_not_due"
STEPS_DONE = "steps_done"
RECYCLE_WAIT = "recycle_wait"
PROGRESS_RULES = frozenset({IN_FLIGHT, RETRY_WAIT, STEP_NOT_DUE, STEPS_DONE, RECYCLE_WAIT})
BROKEN_PROMISE = "broken_promise"

IN_FLIGHT_STATUSES = (
    AttemptStatus.PENDING,
    AttemptStatus.DISPATCHING,
    AttemptStatus.QUEUED,
    AttemptStatus.RINGING,
    AttemptStatus.IN_PROGRESS,
)
FAILED_STATUSES = (
    AttemptStatus.FAILED,
    AttemptStatus.UNDELIVERED,
    AttemptStatus.CANCELED,
    AttemptStatus.REFUSED,
)


def retry_rules(campaign: Campaign) -> dict[str, RetryRule]:
    """The campaign's retry rules over the defaults, by attempt result."""
    rules: dict[str, RetryRule] = {str(k): v for k, v in default_retry_rules().items()}
    for key, value in (campaign.retry_rules or {}).items():
        rules[key] = RetryRule.model_validate(value)
    return rules


def with_progress(
    base: Any,
    steps: tuple[dict[str, Any], ...],
    rules: Mapping[str, RetryRule],
    now: datetime,
    *,
    campaign_id: int,
    recycling: RecyclePlan | None = None,
) -> Any:
    """The matched accounts with the next step, try number and channel, or a progress rule.

    Once every step is done, a recycling rule can bring the account back: it then gets the
    virtual step index len(steps) (the recycled step, `Selection.steps[-1]`), try 1, and the
    `recycle` column names the rule; until the rule's delay has passed the rule is
    `recycle_wait`. A recycled contact is one try: its result is not retried, it can only
    recycle again (up to each rule's max_recycles)."""
    last = aliased(Attempt, name="last_attempt")
    machine = or_(last.answered_by.like("machine%"), last.answered_by == "fax")
    result = case(
        (last.id.is_(None), null()),
        (last.status.in_(IN_FLIGHT_STATUSES), literal(IN_FLIGHT, TEXT)),
        (last.status == AttemptStatus.NO_ANSWER, literal("no_answer", TEXT)),
        (last.status == AttemptStatus.BUSY, literal("busy", TEXT)),
        (and_(last.status == AttemptStatus.COMPLETED, machine), literal("machine", TEXT)),
        (last.status.in_(FAILED_STATUSES), literal("failed", TEXT)),
        else_=literal("done", TEXT),
    )
    with_last = (
        select(
            base,
            result.label("result"),
            last.step_index.label("last_step"),
            last.try_number.label("last_try"),
            func.coalesce(last.ended_at, last.dispatched_at, last.created_at).label("last_end"),
            last.created_at.label("last_created"),
        )
        .select_from(base.outerjoin(last, last.id == base.c.last_id))
        .subquery("with_last")
    )
    c = with_last.c
    count = len(steps)
    next_step = c.last_step + 1
    if count > 1:
        due_by = case(
            *(
                (next_step == index, literal(now - timedelta(days=int(step["day"])), DATETIME))
                for index, step in enumerate(steps)
                if index > 0
            )
        )
        next_due: ColumnElement[bool] = and_(next_step < count, c.first_at <= due_by)
    else:
        next_due = false()
    tries_left = and_(
        c.last_step < count,
        or_(*(and_(c.result == name, c.last_try < rule.max_tries) for name, rule in rules.items())),
    )
    ready, waiting, round_ = _recycling(c, recycling, campaign_id, now)
    done = and_(
        c.last_id.is_not(None),
        c.result != IN_FLIGHT,
        not_(next_due),
        not_(tries_left),
        next_step >= count,
    )
    recycle = case((done, ready), else_=null())
    waited = or_(
        *(
            and_(
                c.result == name,
                c.last_end <= literal(now - timedelta(minutes=rule.wait_minutes), DATETIME),
            )
            for name, rule in rules.items()
        )
    )
    step = case(
        (c.last_id.is_(None), literal(0, INT)),
        (c.result == IN_FLIGHT, null()),
        (next_due, next_step),
        (and_(tries_left, waited), c.last_step),
        (recycle.is_not(None), literal(count, INT)),
        else_=null(),
    )
    try_number = case(
        (c.last_id.is_(None), literal(1, INT)),
        (next_due, literal(1, INT)),
        (recycle.is_not(None), literal(1, INT)),
        else_=c.last_try + 1,
    )
    progress_rule = case(
        (c.last_id.is_(None), null()),
        (c.result == IN_FLIGHT, literal(IN_FLIGHT, TEXT)),
        (next_due, null()),
        (tries_left, case((waited, null()), else_=literal(RETRY_WAIT, TEXT))),
        (
            next_step >= count,
            case(
                (recycle.is_not(None), null()),
                (waiting, literal(RECYCLE_WAIT, TEXT)),
                else_=literal(STEPS_DONE, TEXT),
            ),
        ),
        else_=literal(STEP_NOT_DUE, TEXT),
    )
    staged = select(
        c.account_id,
        c.debtor_id,
        c.account_ref,
        c.balance,
        c.due_date,
        c.status,
        c.priority_boost,
        c.tz,
        c.zones,
        c.country,
        c.debtor_name,
        step.label("step"),
        try_number.label("try_number"),
        progress_rule.label("progress_rule"),
        recycle.label("recycle"),
        case((recycle.is_not(None), round_), else_=null()).label("recycle_round"),
    ).subquery("staged")
    every = steps + ((steps[recycling.step],) if recycling else ())
    return select(staged, channel_of(staged.c.step, every).label("channel")).subquery("progress")


def _recycling(
    c: Any, plan: RecyclePlan | None, campaign_id: int, now: datetime
) -> tuple[Any, ColumnElement[bool], Any]:
    """(the recycling rule ready now or NULL, whether one is waiting for its delay, the round)."""
    if plan is None:
        return null(), false(), null()

    def used(reason: str | None) -> Any:
        mine = [Attempt.account_id == c.account_id, Attempt.campaign_id == campaign_id]
        which = (
            Attempt.recycle_reason.is_not(None)
            if reason is None
            else Attempt.recycle_reason == reason
        )
        return select(func.count(Attempt.id)).where(*mine, which).scalar_subquery()

    ready: list[tuple[ColumnElement[bool], Any]] = []
    pending: list[ColumnElement[bool]] = []
    for reason, rule in plan.rules.items():
        since = literal(now - timedelta(minutes=rule.delay_minutes), DATETIME)
        left = used(reason) < rule.max_recycles
        if reason == BROKEN_PROMISE:  # a promise, or a plan whose instalment was missed
            promise_broken = (
                select(func.max(PromiseToPay.resolved_at))
                .where(
                    PromiseToPay.account_id == c.account_id,
                    PromiseToPay.status == PromiseStatus.BROKEN,
                )
                .scalar_subquery()
            )
            plan_broken = (
                select(func.max(PaymentPlan.broken_at))
                .where(PaymentPlan.account_id == c.account_id)
                .scalar_subquery()
            )
            since_last = [promise_broken > c.last_created, plan_broken > c.last_created]
            applies = and_(or_(*since_last), left)
            waited = or_(
                and_(since_last[0], promise_broken <= since),
                and_(since_last[1], plan_broken <= since),
            )
            ready.append((and_(applies, waited), literal(reason, TEXT)))
        else:
            applies = and_(c.result == reason, left)
            ready.append((and_(applies, c.last_end <= since), literal(reason, TEXT)))
        pending.append(applies)
    return case(*ready, else_=null()), or_(*pending), used(None) + 1


def channel_of(step: ColumnElement[Any], steps: tuple[dict[str, Any], ...]) -> Any:
    """The channel of a step index, as a CASE expression (NULL when no step)."""
    return case(
        *((step == index, literal(str(s["channel"]), TEXT)) for index, s in enumerate(steps)),
        else_=null(),
    )
