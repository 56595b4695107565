"""The campaign preview: the scheduler's own selection at a chosen moment, without writing."""

import itertools
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from campaigns.campaign_defs import PreviewAccount, PreviewOut, get_campaign
from campaigns.debtor_zones import decode_zones
from campaigns.models import Account, Client, Debtor
from campaigns.scheduler.eligibility.matching import pick_order
from campaigns.scheduler.eligibility.selection import Selection, build_selection
from campaigns.scheduler.picks import walk

ELIGIBLE = "eligible"
# The selection's columns a listed account shows.
LISTED = (
    "account_id",
    "account_ref",
    "debtor_name",
    "tz",
    "zones",
    "due_date",
    "balance",
    "step",
    "channel",
    "rule",
    "recycle",
)


def preview_campaign(
    session: Session,
    *,
    campaign_id: int,
    at: datetime,
    limit: int = 100,
    contacted_offset: int = 0,
    skipped_offset: int = 0,
) -> PreviewOut:
    """Who the campaign would contact at `at`, and for everyone else the rule that excludes them.

    `contacted` lists up to `limit` accounts it would contact, from `contacted_offset` on in pick
    order; `skipped` up to `limit` left-out ones from `skipped_offset` on, by rule, then
    reference."""
    campaign = get_campaign(session, campaign_id=campaign_id)
    client = session.get_one(Client, campaign.client_id)
    selection = build_selection(session, campaign=campaign, client=client, now=at)
    # The campaign was read through the session's tenancy; the selection is already limited to
    # its client, so it runs on the connection, where per-entity tenancy criteria (which would
    # turn the selection's outer joins into inner ones) do not apply.
    session.flush()
    connection = session.connection()
    counts, skipped_ids = _counts_and_skipped(
        connection, selection, offset=skipped_offset, limit=limit
    )
    skipped = _rows_of(connection, selection, skipped_ids)
    # The first eligible accounts in pick order: the tick's own walk, stopped once it has them.
    end = contacted_offset + limit
    first = (
        row for row in walk(session, selection, first_page=max(100, 2 * end)) if row.rule is None
    )
    contacted = list(itertools.islice(first, contacted_offset, end)) if limit > 0 else []
    eligible = counts.pop(ELIGIBLE, 0)
    return PreviewOut(
        campaign_id=campaign.id,
        campaign=campaign.name,
        at=selection.now,
        matched=eligible + sum(counts.values()),
        eligible=eligible,
        excluded=dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))),
        contacted=[_account(selection, row) for row in contacted],
        skipped=[_account(selection, row) for row in skipped],
    )


def _counts_and_skipped(
    connection: Connection, selection: Selection, *, offset: int, limit: int
) -> tuple[dict[str, int], list[int]]:
    """The matched accounts per rule, and the ids of the left-out accounts at `offset`.. in
    their order (by rule, then reference): one pass of the rules over the portfolio.

    The rule of every matched account is computed once into a common table that both parts
    read (a CTE read twice is materialized by PostgreSQL and SQLite alike); listing the
    left-out accounts with a query of their own judged the whole portfolio again (1M accounts:
    3 s more)."""
    ruled = selection.query.subquery("ruled")
    judged = select(ruled.c.rule, ruled.c.account_ref, ruled.c.account_id).cte("judged")
    j = judged.c
    per_rule = select(
        literal(0).label("part"), j.rule, func.count().label("n"), null().label("account_id")
    ).group_by(j.rule)
    parts = [per_rule]
    if limit > 0:
        first = (
            select(j.rule, j.account_id)
            .where(j.rule.is_not(None))
            .order_by(j.rule, j.account_ref, j.account_id)
            .offset(offset)
            .limit(limit)
            .subquery("first_left_out")
        )
        parts.append(select(literal(1), first.c.rule, literal(0), first.c.account_id))
    counts: dict[str, int] = {}
    skipped: list[int] = []
    for part, rule, n, account_id in connection.execute(union_all(*parts)).all():
        if part == 0:
            counts[rule or ELIGIBLE] = int(n)
        else:
            skipped.append(int(account_id))
    return counts, skipped


def _rows_of(connection: Connection, selection: Selection, ids: list[int]) -> list[Any]:
    """The listed columns of these accounts, in the order of `ids` (the rules judged again for
    them alone)."""
    if not ids:
        return []
    ruled = selection.within(Account.id.in_(ids)).subquery("ruled")
    rows = {row.account_id: row for row in connection.execute(select(*_listed(ruled))).all()}
    return [rows[account_id] for account_id in ids if account_id in rows]


def _listed(ruled: Subquery) -> list[Any]:
    """The columns a listed account shows: only these, so the database never looks up each
    account's contact point for a list."""
    return [ruled.c[name] for name in LISTED]


def _account(selection: Selection, row: Any) -> PreviewAccount:
    today = selection.today_by_zone[row.tz]
    return PreviewAccount(
        account_id=row.account_id,
        account_ref=row.account_ref,
        debtor=row.debtor_name,
        days_overdue=(today - row.due_date).days,
        balance=row.balance,
        step=row.step,
        channel=row.channel,
        rule=row.rule,
        zones=list(decode_zones(row.zones)),
        recycle=row.recycle,
    )


def preview_accounts(
    session: Session,
    *,
    campaign_id: int,
    at: datetime,
    eligible: bool = True,
    search: str = "",
    offset: int = 0,
    limit: int | None = 50,
) -> tuple[int, list[PreviewAccount]]:
    """One page of the accounts the campaign would contact at `at` (or, with eligible=False, of
    those left out), searched by reference or debtor name, and how many there are in all.

    The rules are evaluated only for the accounts the page needs: a search's matches; for a page
    of eligible accounts without a search, the tick's walk in pick order up to the page (an
    unsearched page with its counts is `preview_campaign`'s).
    """
    campaign = get_campaign(session, campaign_id=campaign_id)
    client = session.get_one(Client, campaign.client_id)
    selection = build_selection(session, campaign=campaign, client=client, now=at)
    words = search.strip().replace("%", "").replace("_", "")
    if words:
        pattern = f"%{words}%"
        ruled = selection.within(
            or_(Account.account_ref.ilike(pattern), Debtor.name.ilike(pattern))
        ).subquery("ruled")
    else:
        ruled = selection.query.subquery("ruled")
    wanted = ruled.c.rule.is_(None) if eligible else ruled.c.rule.is_not(None)
    session.flush()
    connection = session.connection()

    def counted() -> int:
        return int(
            connection.execute(select(func.count()).select_from(ruled).where(wanted)).scalar_one()
        )

    if eligible and not words and limit is not None:
        walked = walk(session, selection, first_page=max(100, 2 * (offset + limit)))
        page = itertools.islice((row for row in walked if row.rule is None), offset, offset + limit)
        return counted(), [_account(selection, row) for row in page]
    c = ruled.c
    order = (
        pick_order(c.priority_boost, c.due_date, c.balance, c.account_id)
        if eligible
        else [c.rule, c.account_ref, c.account_id]
    )
    query = select(*_listed(ruled)).where(wanted).order_by(*order).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = [_account(selection, row) for row in connection.execute(query).all()]
    whole = limit is None and offset == 0  # the whole list (a CSV export) is its own count
    return (len(rows) if whole else counted()), rows
