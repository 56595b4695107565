"""The eligibility query of a campaign at a moment, built from its parts."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Integer, Select, any_, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from campaigns.campaign_defs.recycling import recycle_plan
from campaigns.compliance import effective_profile
from campaigns.models import Account, Campaign, Channel, Client
from campaigns.scheduler.eligibility.contact_point import with_contact_point
from campaigns.scheduler.eligibility.matching import matched_accounts, page_of_matched, pick_order
from campaigns.scheduler.eligibility.progress import retry_rules, with_progress
from campaigns.scheduler.eligibility.rules import with_rule
from campaigns.scheduler.eligibility.zones import ZoneCache, zone_facts


@dataclass(frozen=True)
class Selection:
    """The eligibility query of one campaign at one moment, and the zone facts it was built from.

    Both queries are built on first use, once: a tick builds only the page query and runs it
    for every page with new ids.

    `query` yields one row per matched account (`within(condition)`: only those that meet it;
    `page`: only those whose ids are given as the parameter `page_ids`, in pick order;
    `page_ids(offset, size)` reads the matched ids at those positions in pick order) with the
    columns: account_id, debtor_id, account_ref, debtor_name, balance, due_date, priority_boost,
    tz (the primary zone), zones (every candidate zone, space-separated), step, try_number,
    channel, contact_point_id, recycle and recycle_round (the recycling rule that brings the
    account back and its round, or NULL) and rule (NULL = may be contacted now).
    `today_by_zone` has the local date of every candidate zone. `steps` ends with the recycled
    step when the campaign recycles (index len(campaign.steps)).
    """

    campaign_id: int
    client_id: int
    now: datetime
    ruled: Callable[[ColumnElement[bool] | None, bool], Select[Any]]
    page_ids: Callable[[int, int], Select[int]]
    today_by_zone: Mapping[str, date] = field(default_factory=dict)
    steps: tuple[dict[str, Any], ...] = ()
    postgres: bool = False

    @cached_property
    def query(self) -> Select[Any]:
        """Every matched account with its rule."""
        return self.ruled(None, False)

    def within(self, condition: ColumnElement[bool]) -> Select[Any]:
        """The matched accounts that meet `condition` (on Account or Debtor), with their rule:
        the rules are evaluated for those accounts only."""
        return self.ruled(condition, False)

    @cached_property
    def page(self) -> Select[Any]:
        """The matched accounts among the ids of the parameter `page_ids`, with their rule, in
        pick order."""
        if self.postgres:  # one array parameter: the same statement text (and plan) every page
            ids = Account.id == any_(bindparam("page_ids", type_=ARRAY(Integer)))
        else:
            ids = Account.id.in_(bindparam("page_ids", expanding=True))
        ruled = self.ruled(ids, True)
        c = ruled.selected_columns
        return ruled.order_by(*pick_order(c.priority_boost, c.due_date, c.balance, c.account_id))


def build_selection(
    session: Session,
    *,
    campaign: Campaign,
    client: Client,
    now: datetime,
    zones: ZoneCache | None = None,
) -> Selection:
    """The eligibility query of a campaign at a moment (see the package docstring).

    Pass the tick's `zones` cache so the creditor's zone lists are read once per tick.
    """
    if now.tzinfo is None:
        raise ValueError("the scheduler needs a timezone-aware moment")
    now = now.astimezone(UTC)
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # The query is large but cheap; PostgreSQL's JIT would spend seconds compiling it. Once
        # psycopg prepares it, a generic plan cannot see how few ids a page holds and scans
        # the portfolio: plan each page for its own parameters.
        session.execute(text("SET LOCAL jit = off; SET LOCAL plan_cache_mode = force_custom_plan"))
    profile = effective_profile(client)
    facts = zone_facts((zones or ZoneCache()).pairs(session, client), now)
    steps = tuple(dict(step) for step in campaign.steps)
    account_filter = campaign.account_filter or {}

    recycling = recycle_plan(campaign.recycling, list(steps))
    rules = retry_rules(campaign)
    channels = sorted({Channel(str(step["channel"])) for step in steps})

    def ruled(within: ColumnElement[bool] | None, point_read: bool) -> Select[Any]:
        base = matched_accounts(campaign, account_filter, facts, within=within)
        progress = with_progress(
            base, steps, rules, now, campaign_id=campaign.id, recycling=recycling
        )
        chosen = with_contact_point(progress, client, profile, channels)
        return with_rule(chosen, client, profile, facts, now, channels, point_read=point_read)

    def page_ids(offset: int, size: int) -> Select[int]:
        return page_of_matched(
            campaign, account_filter, facts, offset=offset, size=size, sqlite=not postgres
        )

    every = steps + ((steps[recycling.step],) if recycling else ())
    return Selection(campaign.id, client.id, now, ruled, page_ids, facts.today, every, postgres)
