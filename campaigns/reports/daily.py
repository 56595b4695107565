"""One operating day's figures, computed from the live tables: what the rollup stores for a closed
day and what reports read for a day not rolled up yet (today). One code path for both.

Each function returns the rows of one summary table for the day, as dicts of its columns.
"""

from collections.abc import Collection
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, and_, case, func, null, or_, select
from sqlalchemy.orm import Session

from campaigns.agent_activity import time_in_state
from campaigns.models import (
    Account,
    AccountStatus,
    AgentActivity,
    Attempt,
    AttemptStatus,
    ChannelPermission,
    ContactPoint,
    ContactRefusal,
    Debtor,
    Dispute,
    InboundMessage,
    Outcome,
    Payment,
    PromiseStatus,
    PromiseToPay,
)
from campaigns.reports.days import PAID, bucket_on, const, day_bounds, is_month_end, month_start

HUMAN = "human"
# Attempts that never left Acuerdo: not placed, so not counted as contacts made.
NOT_PLACED = (
    AttemptStatus.PENDING,
    AttemptStatus.DISPATCHING,
    AttemptStatus.CANCELED,
    AttemptStatus.REFUSED,
)

CONTACT_DIMS = (
    "client_id",
    "portfolio_id",
    "campaign_id",
    "channel",
    "product",
    "region",
    "aging_bucket",
)
CONTACT_MEASURES = (
    "attempts",
    "connected",
    "right_party",
    "promises",
    "amount_promised",
    "promises_due",
    "promises_kept",
    "promises_broken",
    "amount_due",
    "amount_kept",
    "abandoned",
    "answer_wait_seconds",
    "answer_waits",
    "delivered",
    "replied",
    "disputes_opened",
    "disputes_resolved",
    "opt_outs",
)
AGENT_DIMS = ("agent_id", "client_id", "campaign_id")
AGENT_MEASURES = (
    "handled",
    "talk_seconds",
    "right_party",
    "promises",
    "amount_promised",
    "amount_kept",
)
PORTFOLIO_DIMS = ("client_id", "portfolio_id", "product", "region", "aging_bucket")
PORTFOLIO_MEASURES = ("accounts", "balance", "assigned", "collected", "escalated")

Row = dict[str, Any]


def _zero(measure: str) -> Any:
    if measure.startswith("amount") or measure in ("balance", "assigned", "collected"):
        return Decimal("0")
    if measure.endswith("seconds"):
        return 0.0
    return 0


class _Merged:
    """Rows keyed by their dimensions; measures from several queries added into one row."""

    def __init__(self, dims: tuple[str, ...], measures: tuple[str, ...]) -> None:
        self.dims, self.measures = dims, measures
        self.rows: dict[tuple[Any, ...], Row] = {}

    def add(self, key: dict[str, Any], **values: Any) -> None:
        dims = tuple(key[d] for d in self.dims)
        row = self.rows.get(dims)
        if row is None:
            row = dict(zip(self.dims, dims, strict=True)) | {m: _zero(m) for m in self.measures}
            self.rows[dims] = row
        for name, value in values.items():
            row[name] += value or _zero(name)

    def result(self, day: date) -> list[Row]:
        return [{"day": day, **row} for row in self.rows.values()]


def _account_dims(day: date) -> list[Any]:
    return [
        Account.client_id,
        Account.portfolio_id,
        func.coalesce(Account.product, const("")).label("product"),
        func.coalesce(Debtor.region, const("")).label("region"),
        bucket_on(day, Account.due_date).label("aging_bucket"),
    ]


def _dims(row: Any, **extra: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    values.update(extra)
    return values


# Which measures each of contact_rows' queries gives.
ATTEMPT_MEASURES = frozenset({"attempts", "connected", "abandoned", "delivered"})
WAIT_MEASURES = frozenset({"answer_wait_seconds", "answer_waits"})
PROMISED_MEASURES = frozenset({"promises", "amount_promised"})
DUE_MEASURES = frozenset(
    {"promises_due", "promises_kept", "promises_broken", "amount_due", "amount_kept"}
)
# The contact dimensions that come from the account (and its debtor), not from the row itself.
ACCOUNT_DIMS = frozenset({"portfolio_id", "product", "region", "aging_bucket"})


class _ContactDay:
    """The queries of one day's contact figures. With `by_account`, each row is joined to its
    account and debtor for the portfolio, product, region and aging bucket; without, those
    dimensions stay empty and the join is skipped (a report reading today live that neither
    groups nor filters by them)."""

    def __init__(self, session: Session, day: date, merged: _Merged, by_account: bool) -> None:
        self.session, self.day, self.merged, self.by_account = session, day, merged, by_account
        bounds = day_bounds(day)
        self.start, self.end = bounds.start, bounds.end

    def dims(self, owner: Any) -> tuple[list[Any], list[Any]]:
        """The dimension columns to select (CONTACT_DIMS' first five, labelled) and to group
        by, for rows of `owner` (a model with client_id and account_id)."""
        if self.by_account:
            dims = _account_dims(self.day)
            return dims, dims
        empty = const("")
        selected = [
            owner.client_id.label("client_id"),
            null().label("portfolio_id"),
            empty.label("product"),
            empty.label("region"),
            empty.label("aging_bucket"),
        ]
        return selected, [owner.client_id]

    def joined(self, query: Any, owner: Any) -> Any:
        """The query from `owner`, joined to the account and debtor when needed."""
        query = query.select_from(owner)
        if self.by_account:
            query = query.join(Account, Account.id == owner.account_id).join(
                Debtor, Debtor.id == Account.debtor_id
            )
        return query

    def attempts(self) -> None:
        selected, grouped = self.dims(Attempt)
        placed = Attempt.status.not_in(NOT_PLACED)
        query = select(
            *selected,
            Attempt.campaign_id,
            Attempt.channel,
            func.sum(case((placed, 1), else_=0)).label("attempts"),
            func.sum(case((Attempt.answered_by == HUMAN, 1), else_=0)).label("connected"),
            func.sum(func.cast(Attempt.abandoned, Integer)).label("abandoned"),
            func.sum(case((Attempt.status == AttemptStatus.DELIVERED, 1), else_=0)).label(
                "delivered"
            ),
        )
        rows = self.session.execute(
            self.joined(query, Attempt)
            .where(Attempt.created_at >= self.start, Attempt.created_at < self.end)
            .group_by(*grouped, Attempt.campaign_id, Attempt.channel)
        )
        for row in rows:
            self.merged.add(
                _dims(row),
                attempts=row.attempts,
                connected=row.connected,
                abandoned=row.abandoned,
                delivered=row.delivered,
            )

    def by_call(self, owner: Any, measures: Any, where: Any, outcome: Any = None) -> list[Any]:
        """Rows of `owner` grouped by the account dimensions and the campaign and channel of the
        call they came from (through their outcome; voice when there was no call)."""
        selected, grouped = self.dims(owner)
        channel = func.coalesce(Attempt.channel, const("voice"))
        query = self.joined(select(*selected, Attempt.campaign_id, channel, *measures), owner)
        if outcome is not None:
            query = query.outerjoin(Outcome, Outcome.id == outcome)
        query = query.outerjoin(Attempt, Attempt.id == Outcome.attempt_id)
        return list(
            self.session.execute(
                query.where(where).group_by(*grouped, Attempt.campaign_id, channel)
            )
        )

    def answer_waits(self) -> None:
        """Seconds from a person answering to an agent taking the call (the first on-call
        stretch)."""
        first_on_call = (
            select(AgentActivity.attempt_id, func.min(AgentActivity.started_at).label("joined_at"))
            .where(
                AgentActivity.state == "on_call",
                AgentActivity.started_at >= self.start,
                AgentActivity.started_at < self.end + timedelta(hours=1),
                AgentActivity.attempt_id.is_not(None),
            )
            .group_by(AgentActivity.attempt_id)
            .subquery()
        )
        selected, _ = self.dims(Attempt)
        query = select(
            *selected,
            Attempt.campaign_id,
            Attempt.channel,
            Attempt.answered_at,
            first_on_call.c.joined_at,
        )
        rows = self.session.execute(
            self.joined(query, Attempt)
            .join(first_on_call, first_on_call.c.attempt_id == Attempt.id)
            .where(
                Attempt.created_at >= self.start,
                Attempt.created_at < self.end,
                Attempt.answered_at.is_not(None),
            )
        )
        for row in rows:
            values = dict(row._mapping)
            wait = max(0.0, (values.pop("joined_at") - values.pop("answered_at")).total_seconds())
            self.merged.add(values, answer_wait_seconds=wait, answer_waits=1)

    def right_party(self) -> None:
        rows = self.by_call(
            Outcome,
            [func.count(Outcome.id)],
            and_(
                Outcome.created_at >= self.start, Outcome.created_at < self.end, Outcome.right_party
            ),
        )
        for row in rows:
            self.merged.add(_outcome_key(row), right_party=row[-1])

    def promises_made(self) -> None:
        rows = self.by_call(
            PromiseToPay,
            [func.count(PromiseToPay.id), func.sum(PromiseToPay.amount)],
            and_(PromiseToPay.created_at >= self.start, PromiseToPay.created_at < self.end),
            outcome=PromiseToPay.outcome_id,
        )
        for row in rows:
            self.merged.add(_outcome_key(row, 2), promises=row[-2], amount_promised=row[-1])

    def promises_due(self) -> None:
        kept = PromiseToPay.status == PromiseStatus.KEPT
        broken = PromiseToPay.status == PromiseStatus.BROKEN
        rows = self.by_call(
            PromiseToPay,
            [
                func.count(PromiseToPay.id),
                func.sum(case((kept, 1), else_=0)),
                func.sum(case((broken, 1), else_=0)),
                func.sum(PromiseToPay.amount),
                func.sum(case((kept, PromiseToPay.amount), else_=0)),
            ],
            and_(PromiseToPay.due_date == self.day, PromiseToPay.status != PromiseStatus.CANCELLED),
            outcome=PromiseToPay.outcome_id,
        )
        for row in rows:
            self.merged.add(
                _outcome_key(row, 5),
                promises_due=row[-5],
                promises_kept=row[-4],
                promises_broken=row[-3],
                amount_due=row[-2],
                amount_kept=row[-1],
            )

    def disputes(self, column: Any, measure: str) -> None:
        rows = self.by_call(
            Dispute,
            [func.count(Dispute.id)],
            and_(column >= self.start, column < self.end),
            outcome=Dispute.outcome_id,
        )
        for row in rows:
            self.merged.add(_outcome_key(row), **{measure: row[-1]})

    def replies(self) -> None:
        selected, grouped = self.dims(InboundMessage)
        query = select(*selected, InboundMessage.channel, func.count(InboundMessage.id))
        rows = self.session.execute(
            self.joined(query, InboundMessage)
            .where(InboundMessage.created_at >= self.start, InboundMessage.created_at < self.end)
            .group_by(*grouped, InboundMessage.channel)
        )
        for row in rows:
            self.merged.add(_dims(row, campaign_id=None), replied=row[-1])


def contact_rows(
    session: Session,
    day: date,
    measures: Collection[str] = CONTACT_MEASURES,
    *,
    by_account: bool = True,
) -> list[Row]:
    """Funnel counts of the day per creditor, portfolio, campaign, channel, product, region and
    aging bucket on that day. Only the queries that give `measures` run, and without
    `by_account` the account dimensions stay empty (a report reading today live asks for the
    measures and dimensions it shows); the rollup asks for everything."""
    wanted = frozenset(measures)
    merged = _Merged(CONTACT_DIMS, CONTACT_MEASURES)
    queries = _ContactDay(session, day, merged, by_account)
    if wanted & ATTEMPT_MEASURES:
        queries.attempts()
    if wanted & WAIT_MEASURES:
        queries.answer_waits()
    if "right_party" in wanted:
        queries.right_party()
    if wanted & PROMISED_MEASURES:
        queries.promises_made()
    if wanted & DUE_MEASURES:
        queries.promises_due()
    if "disputes_opened" in wanted:
        queries.disputes(Dispute.created_at, "disputes_opened")
    if "disputes_resolved" in wanted:
        queries.disputes(Dispute.resolved_at, "disputes_resolved")
    if "replied" in wanted:
        queries.replies()
    if "opt_outs" in wanted:
        _opt_outs(session, day, merged)
    return merged.result(day)


def _opt_outs(session: Session, day: date, merged: _Merged) -> None:
    bounds = day_bounds(day)
    start, end = bounds.start, bounds.end
    opt_outs = session.execute(
        select(
            ContactPoint.client_id,
            func.coalesce(Debtor.region, const("")),
            ChannelPermission.channel,
            func.count(ChannelPermission.id),
        )
        .join(ContactPoint, ContactPoint.id == ChannelPermission.contact_point_id)
        .join(Debtor, Debtor.id == ContactPoint.debtor_id)
        .where(ChannelPermission.opted_out_at >= start, ChannelPermission.opted_out_at < end)
        .group_by(
            ContactPoint.client_id,
            func.coalesce(Debtor.region, const("")),
            ChannelPermission.channel,
        )
    )
    for client_id, region, channel, count in opt_outs:
        # An opt-out belongs to a debtor's phone or address, not to one account.
        key = {
            "client_id": client_id,
            "portfolio_id": None,
            "campaign_id": None,
            "channel": channel,
            "product": "",
            "region": region,
            "aging_bucket": "",
        }
        merged.add(key, opt_outs=count)


def _outcome_key(row: Any, measures: int = 1) -> dict[str, Any]:
    values = list(row)[:-measures]
    return dict(
        zip(
            CONTACT_DIMS[:2] + ("product", "region", "aging_bucket", "campaign_id", "channel"),
            values,
            strict=True,
        )
    )


def agent_rows(session: Session, day: date) -> list[Row]:
    """Each agent's handled calls, talk time, right-party contacts, promises and amount kept in
    the day, per creditor and campaign."""
    bounds = day_bounds(day)
    start, end = bounds.start, bounds.end
    merged = _Merged(AGENT_DIMS, AGENT_MEASURES)
    handled = session.execute(
        select(
            Attempt.agent_id,
            Attempt.client_id,
            Attempt.campaign_id,
            func.count(Attempt.id),
            func.coalesce(func.sum(Attempt.duration_seconds), 0),
        )
        .where(
            Attempt.created_at >= start,
            Attempt.created_at < end,
            Attempt.agent_id.is_not(None),
            Attempt.answered_by == HUMAN,
        )
        .group_by(Attempt.agent_id, Attempt.client_id, Attempt.campaign_id)
    )
    for agent_id, client_id, campaign_id, count, talk in handled:
        key = {"agent_id": agent_id, "client_id": client_id, "campaign_id": campaign_id}
        merged.add(key, handled=count, talk_seconds=int(talk or 0))
    outcome_dims = (Outcome.agent_id, Outcome.client_id, Attempt.campaign_id)
    rpc = session.execute(
        select(*outcome_dims, func.count(Outcome.id))
        .outerjoin(Attempt, Attempt.id == Outcome.attempt_id)
        .where(
            Outcome.created_at >= start,
            Outcome.created_at < end,
            Outcome.right_party,
            Outcome.agent_id.is_not(None),
        )
        .group_by(*outcome_dims)
    )
    for agent_id, client_id, campaign_id, count in rpc:
        key = {"agent_id": agent_id, "client_id": client_id, "campaign_id": campaign_id}
        merged.add(key, right_party=count)
    made = and_(PromiseToPay.created_at >= start, PromiseToPay.created_at < end)
    kept_today = and_(PromiseToPay.due_date == day, PromiseToPay.status == PromiseStatus.KEPT)
    promised = session.execute(
        select(
            *outcome_dims,
            func.sum(case((made, 1), else_=0)),
            func.sum(case((made, PromiseToPay.amount), else_=0)),
            func.sum(case((kept_today, PromiseToPay.amount), else_=0)),
        )
        .join(Outcome, Outcome.id == PromiseToPay.outcome_id)
        .outerjoin(Attempt, Attempt.id == Outcome.attempt_id)
        .where(or_(made, kept_today), Outcome.agent_id.is_not(None))
        .group_by(*outcome_dims)
    )
    for agent_id, client_id, campaign_id, count, amount, kept in promised:
        key = {"agent_id": agent_id, "client_id": client_id, "campaign_id": campaign_id}
        merged.add(key, promises=count, amount_promised=amount, amount_kept=kept)
    return merged.result(day)


def agent_state_rows(session: Session, day: date) -> list[Row]:
    """Seconds each agent spent in each state during the day (from the activity history)."""
    bounds = day_bounds(day)
    totals = time_in_state(session, start=bounds.start, end=bounds.end)
    return [
        {"day": day, "agent_id": agent_id, "state": state, "seconds": seconds}
        for agent_id, states in totals.items()
        for state, seconds in states.items()
        if seconds > 0
    ]


def _balance_on(day: date) -> Any:
    """Each account's payments after `day` (added back to today's balance gives the balance at
    the end of `day`)."""
    return (
        select(Payment.account_id, func.sum(Payment.amount).label("later"))
        .where(Payment.paid_on > day)
        .group_by(Payment.account_id)
        .subquery()
    )


def portfolio_rows(session: Session, day: date) -> list[Row]:
    """The portfolio at the end of the day: accounts and balance per aging bucket, the amount
    assigned so far, escalated accounts and the day's payments."""
    end = day_bounds(day).end
    later = _balance_on(day)
    balance = Account.balance + func.coalesce(later.c.later, 0)
    bucket = case((balance <= 0, const(PAID)), else_=bucket_on(day, Account.due_date))
    dims = [
        Account.client_id,
        Account.portfolio_id,
        func.coalesce(Account.product, const("")).label("product"),
        func.coalesce(Debtor.region, const("")).label("region"),
        bucket.label("aging_bucket"),
    ]
    escalated = and_(Account.status == AccountStatus.ESCALATED, Account.status_changed_at < end)
    merged = _Merged(PORTFOLIO_DIMS, PORTFOLIO_MEASURES)
    rows = session.execute(
        select(
            *dims,
            func.count(Account.id),
            func.sum(balance),
            func.sum(Account.original_balance),
            func.sum(case((escalated, 1), else_=0)),
        )
        .join(Debtor, Debtor.id == Account.debtor_id)
        .outerjoin(later, later.c.account_id == Account.id)
        .where(Account.created_at < end)
        .group_by(*dims)
    )
    for row in rows:
        values = list(row)
        key = dict(zip(PORTFOLIO_DIMS, values[:5], strict=True))
        merged.add(
            key, accounts=values[5], balance=values[6], assigned=values[7], escalated=values[8]
        )
    collected = session.execute(
        select(*dims, func.sum(Payment.amount))
        .join(Account, Account.id == Payment.account_id)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .outerjoin(later, later.c.account_id == Account.id)
        .where(Payment.paid_on == day)
        .group_by(*dims)
    )
    for row in collected:
        values = list(row)
        merged.add(dict(zip(PORTFOLIO_DIMS, values[:5], strict=True)), collected=values[5])
    return merged.result(day)


def roll_rows(session: Session, month_end: date) -> list[Row]:
    """Balance per bucket at the previous month's end and the bucket the same accounts are in at
    `month_end` (the month's last day)."""
    previous_end = month_start(month_end) - timedelta(days=1)
    before, after = _balance_on(previous_end), _balance_on(month_end)
    balance_before = Account.balance + func.coalesce(before.c.later, 0)
    balance_after = Account.balance + func.coalesce(after.c.later, 0)
    from_bucket = case(
        (balance_before <= 0, const(PAID)), else_=bucket_on(previous_end, Account.due_date)
    )
    to_bucket = case(
        (balance_after <= 0, const(PAID)), else_=bucket_on(month_end, Account.due_date)
    )
    dims = [
        Account.client_id,
        Account.portfolio_id,
        func.coalesce(Account.product, const("")),
        func.coalesce(Debtor.region, const("")),
        from_bucket,
        to_bucket,
    ]
    rows = session.execute(
        select(*dims, func.count(Account.id), func.sum(balance_before))
        .join(Debtor, Debtor.id == Account.debtor_id)
        .outerjoin(before, before.c.account_id == Account.id)
        .outerjoin(after, after.c.account_id == Account.id)
        .where(Account.created_at < day_bounds(previous_end).end)
        .group_by(*dims)
    )
    names = ("client_id", "portfolio_id", "product", "region", "from_bucket", "to_bucket")
    return [
        {
            "month": month_start(month_end),
            **dict(zip(names, row[:6], strict=True)),
            "accounts": row[6],
            "balance": row[7] or Decimal("0"),
        }
        for row in rows
    ]


def month_end_roll_rows(session: Session, day: date) -> list[Row]:
    """The roll rates of the month ending on `day` (nothing on other days)."""
    return roll_rows(session, day) if is_month_end(day) else []


def refusal_rows(session: Session, day: date) -> list[Row]:
    """Contacts the compliance check refused in the day, per rule."""
    bounds = day_bounds(day)
    dims = (
        ContactRefusal.client_id,
        Account.portfolio_id,
        ContactRefusal.campaign_id,
        func.coalesce(ContactRefusal.channel, const("")),
        ContactRefusal.rule,
    )
    rows = session.execute(
        select(*dims, func.count(ContactRefusal.id))
        .join(Account, Account.id == ContactRefusal.account_id)
        .where(ContactRefusal.checked_at >= bounds.start, ContactRefusal.checked_at < bounds.end)
        .group_by(*dims)
    )
    names = ("client_id", "portfolio_id", "campaign_id", "channel", "rule", "refusals")
    return [{"day": day, **dict(zip(names, row, strict=True))} for row in rows]


def debtor_contact_rows(session: Session, day: date) -> list[Row]:
    """How many debtors got 1, 2, 3... placed attempts on each channel in the day."""
    bounds = day_bounds(day)
    per_debtor = (
        select(
            Attempt.client_id,
            Attempt.channel,
            Account.debtor_id,
            func.count(Attempt.id).label("contacts"),
        )
        .join(Account, Account.id == Attempt.account_id)
        .where(
            Attempt.created_at >= bounds.start,
            Attempt.created_at < bounds.end,
            Attempt.status.not_in(NOT_PLACED),
        )
        .group_by(Attempt.client_id, Attempt.channel, Account.debtor_id)
        .subquery()
    )
    rows = session.execute(
        select(
            per_debtor.c.client_id,
            per_debtor.c.channel,
            per_debtor.c.contacts,
            func.count(),
        ).group_by(per_debtor.c.client_id, per_debtor.c.channel, per_debtor.c.contacts)
    )
    names = ("client_id", "channel", "contacts", "debtors")
    return [{"day": day, **dict(zip(names, row, strict=True))} for row in rows]
