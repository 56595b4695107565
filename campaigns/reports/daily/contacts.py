"""The day's contact funnel (report_contact_days): attempts, connects, right-party contacts,
promises made and falling due, disputes, replies, opt-outs and answer-to-agent waits, per
creditor, campaign and channel, and per portfolio, product, region and aging bucket.

The counts of attempts, outcomes, promises, disputes and replies share one shape: each table's
rows of the day (through its date index) as (creditor, account, campaign, channel, measures),
summed per dimension, joined to the accounts and debtors only when an account dimension is
asked for. Rows that come from an outcome take the campaign and channel of the call they came
from (voice when there was no call). Each table is its own grouped statement: one UNION ALL of
all of them was measured slower at 1M accounts (3.6-5.4 s against 1.7-2.4 s under load 20-25:
PostgreSQL sorted the 142k rows of the day as one input instead of hashing each table's).
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    null,
    select,
)
from sqlalchemy.orm import Session

from campaigns.call_history import call_milestones
from campaigns.models import (
    Account,
    AgentActivity,
    Attempt,
    AttemptStatus,
    ChannelPermission,
    ContactPoint,
    Debtor,
    Dispute,
    InboundMessage,
    Outcome,
    PromiseStatus,
    PromiseToPay,
)
from campaigns.reports.daily.merged import (
    HUMAN,
    NOT_PLACED,
    Merged,
    Row,
    of_clients,
    within_ids,
)
from campaigns.reports.days import bucket_on, const, day_bounds

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
# The contact dimensions that come from the account (and its debtor), not from the row itself.
ACCOUNT_DIMS = frozenset({"portfolio_id", "product", "region", "aging_bucket"})
WAIT_MEASURES = frozenset({"answer_wait_seconds", "answer_waits"})
AMOUNTS = frozenset({"amount_promised", "amount_due", "amount_kept"})


@dataclass(frozen=True)
class _Source:
    """One table's rows of the day: the query (joins and conditions), the creditor, account,
    campaign and channel of each row, and its measures as per-row expressions."""

    query: Select[Any]
    client_id: Any
    account_id: Any
    campaign_id: Any
    channel: Any
    measures: dict[str, ColumnElement[Any]]


def _sources(day: date, client_ids: Collection[int] | None) -> list[_Source]:
    bounds = day_bounds(day)
    start, end = bounds.start, bounds.end
    one = const(1)
    call_channel = func.coalesce(Attempt.channel, const("voice"))

    def through_call(owner: Any, outcome_id: Any, *where: Any, sliced: bool = False) -> Select[Any]:
        """Rows of `owner` with the call their outcome came from, if any. `sliced` (the many
        rows made in the day): the outcomes and calls are read as the slice of ids these rows
        point to, not looked up one by one."""
        rows = (*where, *of_clients(owner.client_id, client_ids))
        query = select(owner.id).select_from(owner)
        outcomes_of_rows: list[Any] = list(rows)
        if outcome_id is not None:
            outcome_slice = within_ids(Outcome.id, outcome_id, *rows) if sliced else []
            query = query.outerjoin(Outcome, and_(Outcome.id == outcome_id, *outcome_slice))
            outcomes_of_rows = outcome_slice
        call_slice = within_ids(Attempt.id, Outcome.attempt_id, *outcomes_of_rows) if sliced else []
        return query.outerjoin(Attempt, and_(Attempt.id == Outcome.attempt_id, *call_slice)).where(
            *rows
        )

    def from_call(owner: Any, query: Select[Any], measures: dict[str, Any]) -> _Source:
        return _Source(
            query, owner.client_id, owner.account_id, Attempt.campaign_id, call_channel, measures
        )

    kept = PromiseToPay.status == PromiseStatus.KEPT
    broken = PromiseToPay.status == PromiseStatus.BROKEN
    placed = Attempt.status.not_in(NOT_PLACED)
    return [
        _Source(
            select(Attempt.id).where(
                Attempt.created_at >= start,
                Attempt.created_at < end,
                *of_clients(Attempt.client_id, client_ids),
            ),
            Attempt.client_id,
            Attempt.account_id,
            Attempt.campaign_id,
            Attempt.channel,
            {
                "attempts": case((placed, 1), else_=0),
                "connected": case((Attempt.answered_by == HUMAN, 1), else_=0),
                "abandoned": cast(Attempt.abandoned, Integer),
                "delivered": case((Attempt.status == AttemptStatus.DELIVERED, 1), else_=0),
            },
        ),
        from_call(
            Outcome,
            through_call(
                Outcome,
                None,
                Outcome.created_at >= start,
                Outcome.created_at < end,
                Outcome.right_party,
                sliced=True,
            ),
            {"right_party": one},
        ),
        from_call(
            PromiseToPay,
            through_call(
                PromiseToPay,
                PromiseToPay.outcome_id,
                PromiseToPay.created_at >= start,
                PromiseToPay.created_at < end,
                sliced=True,
            ),
            {"promises": one, "amount_promised": PromiseToPay.amount},
        ),
        from_call(
            PromiseToPay,
            through_call(
                PromiseToPay,
                PromiseToPay.outcome_id,
                PromiseToPay.due_date == day,
                PromiseToPay.status != PromiseStatus.CANCELLED,
            ),
            {
                "promises_due": one,
                "promises_kept": case((kept, 1), else_=0),
                "promises_broken": case((broken, 1), else_=0),
                "amount_due": PromiseToPay.amount,
                "amount_kept": case((kept, PromiseToPay.amount), else_=0),
            },
        ),
        from_call(
            Dispute,
            through_call(
                Dispute, Dispute.outcome_id, Dispute.created_at >= start, Dispute.created_at < end
            ),
            {"disputes_opened": one},
        ),
        from_call(
            Dispute,
            through_call(
                Dispute, Dispute.outcome_id, Dispute.resolved_at >= start, Dispute.resolved_at < end
            ),
            {"disputes_resolved": one},
        ),
        _Source(
            select(InboundMessage.id).where(
                InboundMessage.created_at >= start,
                InboundMessage.created_at < end,
                *of_clients(InboundMessage.client_id, client_ids),
            ),
            InboundMessage.client_id,
            InboundMessage.account_id,
            cast(null(), Integer),
            InboundMessage.channel,
            {"replied": one},
        ),
    ]


def _counts(
    session: Session,
    day: date,
    sources: list[_Source],
    measures: list[str],
    by_account: bool,
    merged: Merged,
) -> None:
    """The sources' rows of the day (a UNION ALL when several), summed per dimension."""
    zero = const(0)
    branches = [
        source.query.with_only_columns(
            source.client_id.label("client_id"),
            source.account_id.label("account_id"),
            source.campaign_id.label("campaign_id"),
            source.channel.label("channel"),
            *(source.measures.get(m, zero).label(m) for m in measures),
            maintain_column_froms=True,
        )
        for source in sources
    ]
    rows = branches[0].union_all(*branches[1:]).subquery("day_rows")
    sums = [
        func.sum(rows.c[m], type_=PromiseToPay.amount.type if m in AMOUNTS else Integer).label(m)
        for m in measures
    ]
    grouped: list[Any] = [rows.c.client_id, rows.c.campaign_id, rows.c.channel]
    if by_account:
        account_dims: list[Any] = [
            Account.portfolio_id.label("portfolio_id"),
            func.coalesce(Account.product, const("")).label("product"),
            func.coalesce(Debtor.region, const("")).label("region"),
            bucket_on(day, Account.due_date).label("aging_bucket"),
        ]
        query = (
            select(*grouped, *account_dims, *sums)
            .join(Account, Account.id == rows.c.account_id)
            .join(Debtor, Debtor.id == Account.debtor_id)
            .group_by(*grouped, *account_dims)
        )
    else:
        query = select(*grouped, *sums).group_by(*grouped)
    for row in session.execute(query).mappings():
        key = {
            "portfolio_id": None,
            "product": "",
            "region": "",
            "aging_bucket": "",
            **{d: row[d] for d in CONTACT_DIMS if d in row},
        }
        merged.add(key, **{m: row[m] for m in measures})


def _answer_waits(
    session: Session,
    day: date,
    client_ids: Collection[int] | None,
    by_account: bool,
    merged: Merged,
) -> None:
    """Seconds from a person's greeting (see `call_milestones`; the pick-up for calls stored
    before) to an agent taking the call (the first on-call stretch)."""
    bounds = day_bounds(day)
    first_on_call = (
        select(AgentActivity.attempt_id, func.min(AgentActivity.started_at).label("joined_at"))
        .where(
            AgentActivity.state == "on_call",
            AgentActivity.started_at >= bounds.start,
            AgentActivity.started_at < bounds.end + timedelta(hours=1),
            AgentActivity.attempt_id.is_not(None),
        )
        .group_by(AgentActivity.attempt_id)
        .subquery()
    )
    dims: list[Any] = [Attempt.client_id, Attempt.campaign_id, Attempt.channel]
    milestones = call_milestones(since=bounds.start)
    greeted_at = func.coalesce(milestones.c.greeted_at, Attempt.answered_at)
    query = (
        select(*dims, greeted_at.label("greeted_at"), first_on_call.c.joined_at)
        .join(first_on_call, first_on_call.c.attempt_id == Attempt.id)
        .outerjoin(milestones, milestones.c.attempt_id == Attempt.id)
    )
    if by_account:
        query = (
            query.add_columns(
                Account.portfolio_id,
                func.coalesce(Account.product, const("")).label("product"),
                func.coalesce(Debtor.region, const("")).label("region"),
                bucket_on(day, Account.due_date).label("aging_bucket"),
            )
            .join(Account, Account.id == Attempt.account_id)
            .join(Debtor, Debtor.id == Account.debtor_id)
        )
    rows = session.execute(
        query.where(
            Attempt.created_at >= bounds.start,
            Attempt.created_at < bounds.end,
            Attempt.answered_at.is_not(None),
            *of_clients(Attempt.client_id, client_ids),
        )
    ).mappings()
    for row in rows:
        key = {"portfolio_id": None, "product": "", "region": "", "aging_bucket": "", **row}
        wait = max(0.0, (row["joined_at"] - row["greeted_at"]).total_seconds())
        merged.add(key, answer_wait_seconds=wait, answer_waits=1)


def _opt_outs(
    session: Session, day: date, client_ids: Collection[int] | None, merged: Merged
) -> None:
    """Opt-outs of the day per creditor, region and channel: an opt-out belongs to a debtor's
    phone or address, not to one account."""
    bounds = day_bounds(day)
    region = func.coalesce(Debtor.region, const(""))
    opt_outs = session.execute(
        select(
            ContactPoint.client_id,
            region,
            ChannelPermission.channel,
            func.count(ChannelPermission.id),
        )
        .join(ContactPoint, ContactPoint.id == ChannelPermission.contact_point_id)
        .join(Debtor, Debtor.id == ContactPoint.debtor_id)
        .where(
            ChannelPermission.opted_out_at >= bounds.start,
            ChannelPermission.opted_out_at < bounds.end,
            *of_clients(ContactPoint.client_id, client_ids),
        )
        .group_by(ContactPoint.client_id, region, ChannelPermission.channel)
    )
    for client_id, region_name, channel, count in opt_outs:
        key = {
            "client_id": client_id,
            "portfolio_id": None,
            "campaign_id": None,
            "channel": channel,
            "product": "",
            "region": region_name,
            "aging_bucket": "",
        }
        merged.add(key, opt_outs=count)


def contact_rows(
    session: Session,
    day: date,
    measures: Collection[str] = CONTACT_MEASURES,
    *,
    by_account: bool = True,
    client_ids: Collection[int] | None = None,
) -> list[Row]:
    """Funnel counts of the day per creditor, portfolio, campaign, channel, product, region and
    aging bucket on that day. Only the tables that give `measures` are read; without
    `by_account` the account dimensions stay empty and the accounts are not joined; with
    `client_ids` only those creditors' rows are read (a report reading today live asks for
    what it shows); the rollup asks for everything."""
    wanted = frozenset(measures)
    merged = Merged(CONTACT_DIMS, CONTACT_MEASURES)
    for source in _sources(day, client_ids):
        if wanted & source.measures.keys():
            given = [m for m in CONTACT_MEASURES if m in source.measures]
            _counts(session, day, [source], given, by_account, merged)
    if wanted & WAIT_MEASURES:
        _answer_waits(session, day, client_ids, by_account, merged)
    if "opt_outs" in wanted:
        _opt_outs(session, day, client_ids, merged)
    return merged.result(day)
