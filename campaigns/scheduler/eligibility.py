"""The one set-based selection of who a campaign may contact at a moment, and why not the others.

`build_selection` returns a single SQL query over every account the campaign's filter matches. Its
`rule` column holds the FIRST rule that excludes the account, or NULL when the account may be
contacted now; the scheduler takes the NULL rows, the preview groups by the rule. There is no
Python loop over the portfolio: Python only evaluates what depends on the few distinct debtor
time zones (local dates, open contact windows, holidays, cap window starts) and hands the results
to SQL as CASE expressions on `Debtor.timezone`.

Rules, in the order they are checked (the first one that applies is reported):

1. zero_balance, open_dispute, promise_in_force          -- the account (compliance order)
2. in_flight, retry_wait, step_not_due, steps_done        -- the campaign's own progress
3. do_not_contact, invalid_contact_point, opted_out,
   no_consent_whatsapp / no_consent                       -- a contact point for the step's channel
4. day_not_allowed, holiday, outside_hours                -- the debtor's local time
5. cap:<name>                                             -- every frequency cap of the profile

Accounts outside the filter (other creditor, status paid/escalated/closed, days overdue outside
the filter's range inside 1-90, balance range, product, region) are not matched at all.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from campaigns.campaign_defs.schemas import RetryRule, default_retry_rules
from campaigns.campaign_defs.validation import AGING_BUCKETS
from campaigns.compliance import (
    CONNECTED,
    COUNTS,
    EVENT_TIME,
    MAX_DAYS_OVERDUE,
    CapWindow,
    Counts,
    Profile,
    Rule,
    cap_windows,
    closed_rule,
    effective_profile,
)
from campaigns.compliance.windows import local_time
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    Campaign,
    Channel,
    ChannelPermission,
    Client,
    ContactKind,
    ContactPoint,
    Debtor,
    Dispute,
    DisputeStatus,
    DoNotContact,
    LineType,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)
from campaigns.models.base import UTCDateTime

IN_FLIGHT = "in_flight"
RETRY_WAIT = "retry_wait"
STEP_NOT_DUE = "step_not_due"
STEPS_DONE = "steps_done"
PROGRESS_RULES = frozenset({IN_FLIGHT, RETRY_WAIT, STEP_NOT_DUE, STEPS_DONE})

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
DATE = Date()
DATETIME = UTCDateTime()
TEXT = String()
INT = Integer()


@dataclass(frozen=True)
class Selection:
    """The eligibility query of one campaign at one moment, and the zone facts it was built from.

    `query` yields one row per matched account with the columns: account_id, debtor_id,
    account_ref, debtor_name, balance, due_date, priority_boost, tz, step, try_number, channel,
    contact_point_id and rule (NULL = may be contacted now).
    """

    campaign_id: int
    client_id: int
    now: datetime
    query: Select[Any]
    today_by_zone: Mapping[str, date] = field(default_factory=dict)
    steps: tuple[dict[str, Any], ...] = ()


def _by_zone(
    tz: ColumnElement[str] | InstrumentedAttribute[str],
    values: Mapping[str, Any],
    type_: TypeEngine[Any],
) -> Any:
    distinct = set(values.values())
    if len(distinct) == 1:
        return literal(next(iter(distinct)), type_)
    return case(*((tz == zone, literal(value, type_)) for zone, value in values.items()))


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


def _retry_rules(campaign: Campaign) -> dict[str, RetryRule]:
    rules: dict[str, RetryRule] = {str(k): v for k, v in default_retry_rules().items()}
    for key, value in (campaign.retry_rules or {}).items():
        rules[key] = RetryRule.model_validate(value)
    return rules


def zone_pairs(session: Session, client_id: int) -> list[tuple[str, str]]:
    """The distinct (time zone, country) pairs of a client's debtors."""
    rows = session.execute(
        select(Debtor.timezone, Debtor.country).where(Debtor.client_id == client_id).distinct()
    ).all()
    return [(str(tz), str(country)) for tz, country in rows]


def build_selection(
    session: Session, *, campaign: Campaign, client: Client, now: datetime
) -> Selection:
    """The eligibility query of a campaign at a moment (see the module docstring)."""
    if now.tzinfo is None:
        raise ValueError("the scheduler needs a timezone-aware moment")
    now = now.astimezone(UTC)
    if session.get_bind().dialect.name == "postgresql":
        # The query is large but cheap; PostgreSQL's JIT would spend seconds compiling it.
        session.execute(text("SET LOCAL jit = off"))
    profile = effective_profile(client)
    pairs = zone_pairs(session, client.id) or [(client.timezone, client.country)]
    zones = sorted({tz for tz, _country in pairs})
    today = {tz: local_time(now, tz).date() for tz in zones}
    steps = tuple(dict(step) for step in campaign.steps)
    account_filter = campaign.account_filter or {}

    base = _base(campaign, account_filter, today, zones)
    progress = _progress(base, steps, _retry_rules(campaign), now)
    channels = sorted({Channel(str(step["channel"])) for step in steps})
    chosen = _chosen_point(progress, client, profile, channels)
    query = _ruled(chosen, client, profile, pairs, today, zones, now)
    return Selection(campaign.id, client.id, now, query, today, steps)


def _base(
    campaign: Campaign,
    account_filter: Mapping[str, Any],
    today: Mapping[str, date],
    zones: list[str],
) -> Any:
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
                        >= _by_zone(
                            tz, {z: d - timedelta(days=end) for z, d in today.items()}, DATE
                        ),
                        Account.due_date
                        <= _by_zone(
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


def _progress(
    base: Any, steps: tuple[dict[str, Any], ...], rules: Mapping[str, RetryRule], now: datetime
) -> Any:
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
    tries_left = or_(
        *(and_(c.result == name, c.last_try < rule.max_tries) for name, rule in rules.items())
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
    step = case(
        (c.last_id.is_(None), literal(0, INT)),
        (c.result == IN_FLIGHT, null()),
        (next_due, next_step),
        (and_(tries_left, waited), c.last_step),
        else_=null(),
    )
    try_number = case(
        (c.last_id.is_(None), literal(1, INT)),
        (next_due, literal(1, INT)),
        else_=c.last_try + 1,
    )
    progress_rule = case(
        (c.last_id.is_(None), null()),
        (c.result == IN_FLIGHT, literal(IN_FLIGHT, TEXT)),
        (next_due, null()),
        (tries_left, case((waited, null()), else_=literal(RETRY_WAIT, TEXT))),
        (next_step >= count, literal(STEPS_DONE, TEXT)),
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
        c.country,
        c.debtor_name,
        step.label("step"),
        try_number.label("try_number"),
        progress_rule.label("progress_rule"),
    ).subquery("staged")
    return select(staged, channel_of(staged.c.step, steps).label("channel")).subquery("progress")


def channel_of(step: ColumnElement[Any], steps: tuple[dict[str, Any], ...]) -> Any:
    """The channel of a step index, as a CASE expression (NULL when no step)."""
    return case(
        *((step == index, literal(str(s["channel"]), TEXT)) for index, s in enumerate(steps)),
        else_=null(),
    )


def _opted_out() -> ColumnElement[bool]:
    return and_(
        ChannelPermission.opted_out_at.is_not(None),
        or_(
            ChannelPermission.opted_in_at.is_(None),
            ChannelPermission.opted_out_at >= ChannelPermission.opted_in_at,
        ),
    )


def _point_conditions(
    debtor_id: ColumnElement[int], client_id: int, channel: Channel, profile: Profile, depth: int
) -> list[ColumnElement[bool]]:
    """Conditions on ContactPoint for a channel, cumulative by depth (1 receivable .. 4 usable)."""
    conditions: list[ColumnElement[bool]] = [
        ContactPoint.debtor_id == debtor_id,
        ContactPoint.invalid.is_(False),
        ContactPoint.kind == ContactKind.PHONE,
    ]
    if channel != Channel.VOICE:
        conditions.append(
            or_(ContactPoint.line_type.is_(None), ContactPoint.line_type != LineType.FIXED_LINE)
        )
    permission = ChannelPermission.contact_point_id == ContactPoint.id
    if depth >= 2:
        conditions.append(
            not_(exists().where(permission, ChannelPermission.channel == channel, _opted_out()))
        )
    if depth >= 3 and channel in profile.consent_required:
        conditions.append(
            exists().where(
                permission,
                ChannelPermission.channel == channel,
                ChannelPermission.opted_in_at.is_not(None),
                not_(_opted_out()),
            )
        )
    if depth >= 4:
        conditions.append(
            not_(
                exists().where(
                    DoNotContact.value == ContactPoint.value,
                    or_(DoNotContact.client_id.is_(None), DoNotContact.client_id == client_id),
                )
            )
        )
    return conditions


def _chosen_point(progress: Any, client: Client, profile: Profile, channels: list[Channel]) -> Any:
    c = progress.c
    best = {
        ch: select(ContactPoint.id)
        .where(*_point_conditions(c.debtor_id, client.id, ch, profile, 4))
        .order_by(ContactPoint.priority, ContactPoint.id)
        .limit(1)
        .scalar_subquery()
        for ch in channels
    }
    point = case(*((c.channel == str(ch), best[ch]) for ch in channels), else_=null())
    return select(progress, point.label("contact_point_id")).subquery("chosen")


def _ruled(
    chosen: Any,
    client: Client,
    profile: Profile,
    pairs: list[tuple[str, str]],
    today: Mapping[str, date],
    zones: list[str],
    now: datetime,
) -> Select[Any]:
    c = chosen.c
    open_dispute = exists().where(
        Dispute.account_id == c.account_id, Dispute.status == DisputeStatus.OPEN
    )
    promise = exists().where(
        PromiseToPay.account_id == c.account_id,
        PromiseToPay.status == PromiseStatus.PENDING,
        PromiseToPay.due_date >= _by_zone(c.tz, today, DATE),
    )
    plan = exists().where(
        PaymentPlan.account_id == c.account_id, PaymentPlan.status == PlanStatus.ACTIVE
    )
    busy_elsewhere = exists().where(
        Attempt.account_id == c.account_id, Attempt.status.in_(IN_FLIGHT_STATUSES)
    )
    dnc_debtor = exists().where(
        DoNotContact.debtor_id == c.debtor_id,
        or_(DoNotContact.client_id.is_(None), DoNotContact.client_id == client.id),
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
        (c.contact_point_id.is_(None), _point_rule(c, client, profile)),
    ]
    whens.extend(_time_whens(c, profile, pairs, now))
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
        c.step,
        c.try_number,
        c.channel,
        c.contact_point_id,
        rule.label("rule"),
    )


def _point_rule(c: Any, client: Client, profile: Profile) -> Any:
    by_channel = []
    for channel in (Channel.SMS, Channel.VOICE, Channel.WHATSAPP):

        def has(depth: int, ch: Channel = channel) -> ColumnElement[bool]:
            return exists().where(*_point_conditions(c.debtor_id, client.id, ch, profile, depth))

        consent = (
            Rule.NO_CONSENT_WHATSAPP.value if channel == Channel.WHATSAPP else Rule.NO_CONSENT.value
        )
        cascade = case(
            (not_(has(1)), literal(Rule.INVALID_CONTACT_POINT.value, TEXT)),
            (not_(has(2)), literal(Rule.OPTED_OUT.value, TEXT)),
            (not_(has(3)), literal(consent, TEXT)),
            else_=literal(Rule.DO_NOT_CONTACT.value, TEXT),
        )
        by_channel.append((c.channel == channel.value, cascade))
    return case(*by_channel, else_=literal(Rule.INVALID_CONTACT_POINT.value, TEXT))


def _time_whens(
    c: Any, profile: Profile, pairs: list[tuple[str, str]], now: datetime
) -> list[tuple[ColumnElement[bool], Any]]:
    closed: list[tuple[ColumnElement[bool], Any]] = []
    opened: list[ColumnElement[bool]] = []
    for tz, country in sorted(set(pairs)):
        match = and_(c.tz == tz, c.country == country)
        rule = closed_rule(profile, tz, country, now)
        if rule is None:
            opened.append(match)
        else:
            closed.append((match, literal(rule, TEXT)))
    # A pair that appeared after the pairs were read is treated as closed until the next tick.
    anywhere_else = not_(or_(*opened)) if opened else literal(1, INT) == literal(1, INT)
    return [*closed, (anywhere_else, literal(Rule.OUTSIDE_HOURS.value, TEXT))]


def _cap_whens(
    c: Any, profile: Profile, zones: list[str], now: datetime
) -> list[tuple[ColumnElement[bool], Any]]:
    per_zone: dict[str, list[CapWindow]] = {tz: cap_windows(profile, now, tz) for tz in zones}
    if not zones:
        return []
    whens: list[tuple[ColumnElement[bool], Any]] = []
    for index, window in enumerate(per_zone[zones[0]]):
        since = _by_zone(c.tz, {tz: per_zone[tz][index].since for tz in zones}, DATETIME)
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
