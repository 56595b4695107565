"""The rule column: the first rule that excludes each account, in the documented order."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, not_, null, or_, select
from sqlalchemy.sql.elements import ColumnElement

from campaigns.compliance import (
    CONNECTED,
    COUNTS,
    EVENT_TIME,
    CapWindow,
    Counts,
    Profile,
    Rule,
    cap_windows_in,
    closed_in_zones,
)
from campaigns.compliance.preferences import minutes_by_zone_key, preference_refusal_sql
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    Channel,
    Client,
    Dispute,
    DisputeStatus,
    DoNotContact,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from campaigns.scheduler.eligibility.contact_point import point_rule, reachable
from campaigns.scheduler.eligibility.progress import IN_FLIGHT, IN_FLIGHT_STATUSES
from campaigns.scheduler.eligibility.sql import DATETIME, INT, TEXT, by_zone
from campaigns.scheduler.eligibility.zones import ZoneFacts


def with_rule(
    chosen: Any,
    client: Client,
    profile: Profile,
    zones: ZoneFacts,
    now: datetime,
    channels: list[Channel],
    *,
    point_read: bool = False,
) -> Select[Any]:
    """The selection's columns with the first rule that excludes each account (NULL: none).

    With `point_read` (a query that reads every row's chosen contact point, as the tick's pages
    do) "no usable contact point" is judged from the chosen point itself rather than looked up
    again (`reachable`, which holds exactly when the point is not NULL).

    Time rules hold in every candidate zone of the debtor: the window must be open in all of them,
    a promise is in force until its date has passed in all of them, and caps count from the
    earliest start any of them gives.
    """
    c = chosen.c
    # The account's and the debtor's facts as uncorrelated sets: the database reads each set once
    # (PostgreSQL hashes it, SQLite indexes it) instead of looking it up again for every row.
    open_dispute = c.account_id.in_(
        select(Dispute.account_id).where(Dispute.status == DisputeStatus.OPEN)
    )
    promise = _promise_in_force(c, zones)
    plan = c.account_id.in_(
        select(PaymentPlan.account_id).where(PaymentPlan.status == PlanStatus.ACTIVE)
    )
    busy_elsewhere = c.account_id.in_(
        select(Attempt.account_id).where(Attempt.status.in_(IN_FLIGHT_STATUSES))
    )
    dnc_debtor = c.debtor_id.in_(
        select(DoNotContact.debtor_id).where(
            DoNotContact.debtor_id.is_not(None),
            or_(DoNotContact.client_id.is_(None), DoNotContact.client_id == client.id),
        )
    )
    no_point = (
        c.contact_point_id.is_(None)
        if point_read
        else not_(reachable(c, client, profile, channels))
    )
    whens: list[tuple[ColumnElement[bool], Any]] = [
        (c.balance <= 0, literal(Rule.ZERO_BALANCE.value, TEXT)),
        (
            or_(c.status == AccountStatus.DISPUTED, open_dispute),
            literal(Rule.OPEN_DISPUTE.value, TEXT),
        ),
        (or_(promise, plan), literal(Rule.PROMISE_IN_FORCE.value, TEXT)),
        (c.progress_rule.is_not(None), c.progress_rule),
        (busy_elsewhere, literal(IN_FLIGHT, TEXT)),
        (dnc_debtor, literal(Rule.DO_NOT_CONTACT.value, TEXT)),
        (no_point, point_rule(c, client, profile, channels)),
    ]
    whens.extend(_time_whens(c, profile, zones, now))
    whens.append(_preference_when(c, zones, now))
    whens.extend(_cap_whens(c, profile, zones, now))
    rule = case(*whens, else_=null())
    return select(
        c.account_id,
        c.debtor_id,
        c.account_ref,
        c.debtor_name,
        c.balance,
        c.due_date,
        c.priority_boost,
        c.tz,
        c.zones,
        c.step,
        c.try_number,
        c.channel,
        c.contact_point_id,
        c.recycle,
        c.recycle_round,
        rule.label("rule"),
    )


def _promise_in_force(c: Any, zones: ZoneFacts) -> ColumnElement[bool]:
    """A pending promise whose date has not passed in every candidate zone: one set per distinct
    earliest local date (the debtor's zones pick theirs)."""
    keys_by_date: dict[date, list[str]] = {}
    for key, day in zones.earliest.items():
        keys_by_date.setdefault(day, []).append(key)

    def pending_since(day: date) -> ColumnElement[bool]:
        pending: ColumnElement[bool] = c.account_id.in_(
            select(PromiseToPay.account_id).where(
                PromiseToPay.status == PromiseStatus.PENDING, PromiseToPay.due_date >= day
            )
        )
        return pending

    if len(keys_by_date) == 1:  # the filter already keeps the debtors to these keys
        return pending_since(next(iter(keys_by_date)))
    return or_(*(and_(c.zones.in_(keys), pending_since(day)) for day, keys in keys_by_date.items()))


def _time_whens(
    c: Any, profile: Profile, zones: ZoneFacts, now: datetime
) -> list[tuple[ColumnElement[bool], Any]]:
    closed: list[tuple[ColumnElement[bool], Any]] = []
    opened: list[ColumnElement[bool]] = []
    for key, country in zones.pairs:
        match = and_(c.zones == key, c.country == country)
        found = closed_in_zones(profile, zones.zones_of[key], country, now)
        if found is None:
            opened.append(match)
        else:
            closed.append((match, literal(found[0], TEXT)))
    # A pair that appeared after the pairs were read is treated as closed until the next tick.
    anywhere_else = not_(or_(*opened)) if opened else literal(1, INT) == literal(1, INT)
    return [*closed, (anywhere_else, literal(Rule.OUTSIDE_HOURS.value, TEXT))]


def _preference_when(c: Any, zones: ZoneFacts, now: datetime) -> tuple[ColumnElement[bool], Any]:
    """The debtor's own channels and hours (campaigns.compliance.preferences), after the law's."""
    earliest, latest = minutes_by_zone_key(zones.zones_of, now)
    refused = preference_refusal_sql(
        c.debtor_id,
        c.channel,
        by_zone(c.zones, earliest or {"": 0}, INT),
        by_zone(c.zones, latest or {"": 0}, INT),
    )
    return refused, literal(Rule.DEBTOR_PREFERENCE.value, TEXT)


def _cap_whens(
    c: Any, profile: Profile, zones: ZoneFacts, now: datetime
) -> list[tuple[ColumnElement[bool], Any]]:
    keys = zones.keys
    if not keys:
        return []
    per_key: dict[str, list[CapWindow]] = {
        key: cap_windows_in(profile, now, zones.zones_of[key]) for key in keys
    }
    whens: list[tuple[ColumnElement[bool], Any]] = []
    for index, window in enumerate(per_key[keys[0]]):
        since = by_zone(c.zones, {key: per_key[key][index].since for key in keys}, DATETIME)
        channels = sorted(str(ch) for ch in window.channels)
        counted = (
            select(func.count(Attempt.id))
            .join(Account, Account.id == Attempt.account_id)
            .where(
                Account.debtor_id == c.debtor_id,
                COUNTS,
                Attempt.channel.in_(channels),
                since <= EVENT_TIME,
                *([CONNECTED] if window.counts == Counts.CONNECTED else []),
            )
            .scalar_subquery()
        )
        whens.append(
            (and_(c.channel.in_(channels), counted >= window.limit), literal(window.rule, TEXT))
        )
    return whens
