"""The campaign's own progress on each account: the next step and try, or why not yet."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, false, func, literal, not_, null, or_, select
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
from campaigns.scheduler.eligibility.sql import DATETIME, INT, TEXT, fenced

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
    # A Core alias: an ORM alias adapts its columns on every use (5 ms of a 1M tick's 40).
    last_table = Attempt.__table__.alias("last_attempt")
    last = last_table.c
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
    with_last = fenced(
        select(
            base,
            result.label("result"),
            last.step_index.label("last_step"),
            last.try_number.label("last_try"),
            func.coalesce(last.ended_at, last.dispatched_at, last.created_at).label("last_end"),
            last.created_at.label("last_created"),
        ).select_from(base.outerjoin(last_table, last.id == base.c.last_id)),
        "with_last",
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
    ready, waiting = _recycling(c, recycling, campaign_id, now)
    done = and_(
        c.last_id.is_not(None),
        c.result != IN_FLIGHT,
        not_(next_due),
        not_(tries_left),
        next_step >= count,
    )
    waited = or_(
        *(
            and_(
                c.result == name,
                c.last_end <= literal(now - timedelta(minutes=rule.wait_minutes), DATETIME),
            )
            for name, rule in rules.items()
        )
    )
    # Each judgement once per row: the next stage reads them as columns.
    judged = fenced(
        select(
            with_last,
            next_due.label("next_due"),
            tries_left.label("tries_left"),
            waited.label("waited"),
            case((done, ready), else_=null()).label("recycle"),
            case((done, waiting), else_=false()).label("recycle_waiting"),
        ),
        "judged",
    )
    j = judged.c
    step = case(
        (j.last_id.is_(None), literal(0, INT)),
        (j.result == IN_FLIGHT, null()),
        (j.next_due, j.last_step + 1),
        (and_(j.tries_left, j.waited), j.last_step),
        (j.recycle.is_not(None), literal(count, INT)),
        else_=null(),
    )
    try_number = case(
        (j.last_id.is_(None), literal(1, INT)),
        (j.next_due, literal(1, INT)),
        (j.recycle.is_not(None), literal(1, INT)),
        else_=j.last_try + 1,
    )
    progress_rule = case(
        (j.last_id.is_(None), null()),
        (j.result == IN_FLIGHT, literal(IN_FLIGHT, TEXT)),
        (j.next_due, null()),
        (j.tries_left, case((j.waited, null()), else_=literal(RETRY_WAIT, TEXT))),
        (
            j.last_step + 1 >= count,
            case(
                (j.recycle.is_not(None), null()),
                (j.recycle_waiting, literal(RECYCLE_WAIT, TEXT)),
                else_=literal(STEPS_DONE, TEXT),
            ),
        ),
        else_=literal(STEP_NOT_DUE, TEXT),
    )
    round_ = _recycled(j.account_id, campaign_id, None) + 1
    staged = fenced(
        select(
            j.account_id,
            j.debtor_id,
            j.account_ref,
            j.balance,
            j.due_date,
            j.status,
            j.priority_boost,
            j.tz,
            j.zones,
            j.country,
            j.debtor_name,
            step.label("step"),
            try_number.label("try_number"),
            progress_rule.label("progress_rule"),
            j.recycle,
            case((j.recycle.is_not(None), round_), else_=null()).label("recycle_round"),
        ),
        "staged",
    )
    every = steps + ((steps[recycling.step],) if recycling else ())
    return select(staged, channel_of(staged.c.step, every).label("channel")).subquery("progress")


def _recycled(account_id: Any, campaign_id: int, reason: str | None) -> Any:
    """How many of the campaign's attempts on the account were recycled (for this reason)."""
    which = (
        Attempt.recycle_reason.is_not(None) if reason is None else Attempt.recycle_reason == reason
    )
    return (
        select(func.count(Attempt.id))
        .where(Attempt.account_id == account_id, Attempt.campaign_id == campaign_id, which)
        .scalar_subquery()
    )


def _recycling(
    c: Any, plan: RecyclePlan | None, campaign_id: int, now: datetime
) -> tuple[Any, ColumnElement[bool]]:
    """(the recycling rule ready now or NULL, whether one is waiting for its delay)."""
    if plan is None:
        return null(), false()
    ready: list[tuple[ColumnElement[bool], Any]] = []
    pending: list[ColumnElement[bool]] = []
    for reason, rule in plan.rules.items():
        since = literal(now - timedelta(minutes=rule.delay_minutes), DATETIME)
        left = _recycled(c.account_id, campaign_id, reason) < rule.max_recycles
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
    return case(*ready, else_=null()), or_(*pending)


def channel_of(step: ColumnElement[Any], steps: tuple[dict[str, Any], ...]) -> Any:
    """The channel of a step index, as a CASE expression (NULL when no step)."""
    return case(
        *((step == index, literal(str(s["channel"]), TEXT)) for index, s in enumerate(steps)),
        else_=null(),
    )
