"""The accounts a campaign's filter matches, with the facts the later rules need."""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from campaigns.campaign_defs.validation import AGING_BUCKETS
from campaigns.compliance import MAX_DAYS_OVERDUE
from campaigns.models import Account, Attempt, Campaign, Debtor
from campaigns.scheduler.eligibility.sql import DATE, by_zone


def _day_ranges(account_filter: Mapping[str, Any]) -> list[tuple[int, int]]:
    low = max(1, int(account_filter.get("min_days_overdue", 1)))
    high = min(MAX_DAYS_OVERDUE, int(account_filter.get("max_days_overdue", MAX_DAYS_OVERDUE)))
    buckets = account_filter.get("aging_buckets") or list(AGING_BUCKETS)
    ranges = []
    for name in sorted(buckets, key=lambda b: AGING_BUCKETS[b][0]):
        start, end = AGING_BUCKETS[name]
        start, end = max(start, low), min(end, high)
        if start <= end:
            ranges.append((start, end))
    return ranges


def matched_accounts(
    campaign: Campaign,
    account_filter: Mapping[str, Any],
    today: Mapping[str, date],
    zones: list[str],
) -> Any:
    """The accounts the campaign's filter matches, with their last and first attempt in it."""
    tz = Debtor.timezone
    ranges = _day_ranges(account_filter)
    conditions: list[ColumnElement[bool]] = [
        Account.client_id == campaign.client_id,
        Debtor.timezone.in_(zones),
        Account.status.in_(list(account_filter.get("statuses") or ["active"])),
    ]
    if not ranges:
        conditions.append(false())
    else:
        earliest = min(today.values()) - timedelta(days=max(end for _s, end in ranges))
        latest = max(today.values()) - timedelta(days=min(start for start, _e in ranges))
        conditions.append(Account.due_date.between(earliest, latest))
        conditions.append(
            or_(
                *(
                    and_(
                        Account.due_date
                        >= by_zone(
                            tz, {z: d - timedelta(days=end) for z, d in today.items()}, DATE
                        ),
                        Account.due_date
                        <= by_zone(
                            tz, {z: d - timedelta(days=start) for z, d in today.items()}, DATE
                        ),
                    )
                    for start, end in ranges
                )
            )
        )
    if account_filter.get("min_balance") is not None:
        conditions.append(Account.balance >= account_filter["min_balance"])
    if account_filter.get("max_balance") is not None:
        conditions.append(Account.balance <= account_filter["max_balance"])
    if account_filter.get("products"):
        conditions.append(Account.product.in_(list(account_filter["products"])))
    if account_filter.get("regions"):
        conditions.append(Debtor.region.in_(list(account_filter["regions"])))

    mine = and_(Attempt.account_id == Account.id, Attempt.campaign_id == campaign.id)
    last_id = select(Attempt.id).where(mine).order_by(Attempt.id.desc()).limit(1)
    first_at = select(func.min(Attempt.created_at)).where(mine)
    return (
        select(
            Account.id.label("account_id"),
            Account.debtor_id.label("debtor_id"),
            Account.account_ref.label("account_ref"),
            Account.balance.label("balance"),
            Account.due_date.label("due_date"),
            Account.status.label("status"),
            Account.priority_boost.label("priority_boost"),
            Debtor.timezone.label("tz"),
            Debtor.country.label("country"),
            Debtor.name.label("debtor_name"),
            last_id.scalar_subquery().label("last_id"),
            first_at.scalar_subquery().label("first_at"),
        )
        .join(Debtor, Debtor.id == Account.debtor_id)
        .where(*conditions)
        .subquery("matched")
    )
