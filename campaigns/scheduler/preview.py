"""The campaign preview: the scheduler's own selection at a chosen moment, without writing."""

import itertools
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
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
    session: Session, *, campaign_id: int, at: datetime, limit: int = 100
) -> PreviewOut:
    """Who the campaign would contact at `at`, and for everyone else the rule that excludes them."""
    campaign = get_campaign(session, campaign_id=campaign_id)
    client = session.get_one(Client, campaign.client_id)
    selection = build_selection(session, campaign=campaign, client=client, now=at)
    ruled = selection.query.subquery("ruled")
    # The campaign was read through the session's tenancy; the selection is already limited to
    # its client, so it runs on the connection, where per-entity tenancy criteria (which would
    # turn the selection's outer joins into inner ones) do not apply.
    session.flush()
    connection = session.connection()
    counts = {
        (rule or ELIGIBLE): int(n)
        for rule, n in connection.execute(
            select(ruled.c.rule, func.count()).group_by(ruled.c.rule)
        ).all()
    }
    skipped = (
        connection.execute(
            select(*_listed(ruled))
            .where(ruled.c.rule.is_not(None))
            .order_by(ruled.c.rule, ruled.c.account_ref, ruled.c.account_id)
            .limit(limit)
        ).all()
        if limit > 0
        else []
    )
    # The first eligible accounts in pick order: the tick's own walk, stopped once it has them.
    first = (
        row for row in walk(session, selection, first_page=max(100, 2 * limit)) if row.rule is None
    )
    contacted = list(itertools.islice(first, limit)) if limit > 0 else []
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
    total: int | None = None,
) -> tuple[int, list[PreviewAccount]]:
    """One page of the accounts the campaign would contact at `at` (or, with eligible=False, of
    those left out), searched by reference or debtor name, and how many there are in all.

    The rules are evaluated only for the accounts the page needs: a search's matches; for a page
    of eligible accounts without a search, the tick's walk in pick order up to the page. Pass
    `total` when it is known (an unsearched list's count is in the preview's counts) and it is
    not counted again.
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
    if total is None:
        counted = select(func.count()).select_from(ruled).where(wanted)
        total = int(connection.execute(counted).scalar_one())
    if eligible and not words and limit is not None:
        walked = walk(session, selection, first_page=max(100, 2 * (offset + limit)))
        page = itertools.islice((row for row in walked if row.rule is None), offset, offset + limit)
        return total, [_account(selection, row) for row in page]
    c = ruled.c
    order = (
        pick_order(c.priority_boost, c.due_date, c.balance, c.account_id)
        if eligible
        else [c.rule, c.account_ref, c.account_id]
    )
    query = select(*_listed(ruled)).where(wanted).order_by(*order).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return total, [_account(selection, row) for row in connection.execute(query).all()]
