"""The one contact check: allow, or refuse with the rule, for every contact of every kind.

`check_contact` is pure: it takes plain facts in a `ContactContext` and answers a `Decision`.
Rules are checked in a fixed order (account, lists, contact point, time, caps) so the first rule
that refuses is the one recorded and counted.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from campaigns.compliance.preferences import Preference, preference_refusal
from campaigns.compliance.profiles import Profile
from campaigns.compliance.windows import (
    DAY_NOT_ALLOWED,
    HOLIDAY,
    OUTSIDE_HOURS,
    ContactEvent,
    cap_refusal,
    closed_in_zones,
    local_dates,
    local_time,
)
from campaigns.i18n import _, translate
from campaigns.models import AccountStatus, Channel

MIN_DAYS_OVERDUE = 1
MAX_DAYS_OVERDUE = 90  # a hard cap: no setting or override lifts it
CLOSED_STATUSES = frozenset({AccountStatus.PAID, AccountStatus.ESCALATED, AccountStatus.CLOSED})


class Rule(StrEnum):
    """Stable ids of the rules that can refuse a contact (caps add `cap:<name>`)."""

    ACCOUNT_STATUS = "account_status"
    ZERO_BALANCE = "zero_balance"
    OVER_90_DAYS = "over_90_days"
    NOT_YET_DUE = "not_yet_due"
    OPEN_DISPUTE = "open_dispute"
    PROMISE_IN_FORCE = "promise_in_force"
    DO_NOT_CONTACT = "do_not_contact"
    INVALID_CONTACT_POINT = "invalid_contact_point"
    OPTED_OUT = "opted_out"
    NO_CONSENT_WHATSAPP = "no_consent_whatsapp"
    NO_CONSENT = "no_consent"
    DAY_NOT_ALLOWED = DAY_NOT_ALLOWED
    HOLIDAY = HOLIDAY
    OUTSIDE_HOURS = OUTSIDE_HOURS
    DEBTOR_PREFERENCE = "debtor_preference"


class Purpose(StrEnum):
    """Why we contact: collecting, reminding of (or confirming) an agreement, or thanking.

    A reminder is not held by the agreement it reminds of, nor by the 90-day scope while that
    agreement is in good standing; thanks follow a payment, so the account's own state (paid,
    settled) does not hold them. Every purpose obeys the contact point, time and cap rules.
    """

    COLLECTION = "collection"
    REMINDER = "reminder"
    THANKS = "thanks"


MESSAGES: dict[str, str] = {
    Rule.ACCOUNT_STATUS: _("The account is {status}; it is not contacted."),
    Rule.ZERO_BALANCE: _("The balance is {balance}; there is nothing to collect."),
    Rule.OVER_90_DAYS: _(
        "The account is {days} days overdue; only accounts 1-90 days overdue are contacted."
    ),
    Rule.NOT_YET_DUE: _(
        "The account is not overdue yet ({days} days); it is contacted from day 1."
    ),
    Rule.OPEN_DISPUTE: _("The debtor has an open dispute; contact waits until it is resolved."),
    Rule.PROMISE_IN_FORCE: _(
        "A promise to pay or payment plan is in force; contact waits until it is due."
    ),
    Rule.DO_NOT_CONTACT: _("The debtor or the contact point is on the do-not-contact list."),
    Rule.INVALID_CONTACT_POINT: _(
        "The contact point is missing, invalid or cannot receive {channel}."
    ),
    Rule.OPTED_OUT: _("The debtor opted out of {channel} on this contact point."),
    Rule.NO_CONSENT_WHATSAPP: _("There is no recorded WhatsApp opt-in for this contact point."),
    Rule.NO_CONSENT: _("There is no recorded consent to {channel} for this contact point."),
    Rule.DAY_NOT_ALLOWED: _(
        "No contact is allowed on this day of the week; it is {local} for the debtor."
    ),
    Rule.HOLIDAY: _("{day} is a public holiday in the debtor's country ({country})."),
    Rule.OUTSIDE_HOURS: _("It is {local} for the debtor, outside the contact hours {start}-{end}."),
    Rule.DEBTOR_PREFERENCE: _(
        "The debtor asked not to be contacted by {channel} at this time (accepted hours: {hours})."
    ),
}
CAP_MESSAGE = _("The frequency cap {cap} is reached for this debtor; try again later.")


@dataclass(frozen=True)
class AccountFacts:
    """What the check needs to know about the account."""

    status: AccountStatus
    balance: Decimal
    due_date: date
    open_dispute: bool = False
    promise_in_force: bool = False


@dataclass(frozen=True)
class PointFacts:
    """What the check needs to know about the contact point for this channel."""

    invalid: bool = False
    opted_out: bool = False
    consented: bool = False
    can_receive: bool = True


@dataclass(frozen=True)
class ContactContext:
    """Everything one contact decision depends on, as plain values.

    `zones` are the debtor's candidate time zones (primary first); when empty, `timezone` alone.
    """

    profile: Profile
    timezone: str
    country: str
    now: datetime
    channel: Channel
    account: AccountFacts
    point: PointFacts | None
    history: Sequence[ContactEvent] = ()
    do_not_contact: bool = False
    purpose: Purpose = Purpose.COLLECTION
    zones: tuple[str, ...] = ()
    preference: Preference | None = None

    @property
    def candidate_zones(self) -> tuple[str, ...]:
        """Every zone the debtor may be in; a contact must be lawful in all of them."""
        return self.zones or (self.timezone,)


@dataclass(frozen=True)
class Decision:
    """Allow, or refuse with a stable rule id and a translatable explanation."""

    allowed: bool
    rule: str | None = None
    message: str | None = None
    params: tuple[tuple[str, str], ...] = field(default=())

    def detail(self, locale: str | None = None) -> str:
        """The explanation in the reader's language ('' when allowed)."""
        if self.message is None:
            return ""
        return translate(locale, self.message, **dict(self.params))


ALLOW = Decision(True)


def refuse(rule: str, **params: object) -> Decision:
    """A refusal by a rule, with the values its message shows."""
    message = CAP_MESSAGE if rule.startswith("cap:") else MESSAGES[rule]
    if rule.startswith("cap:"):
        params = {"cap": rule.removeprefix("cap:"), **params}
    return Decision(False, rule, message, tuple((k, str(v)) for k, v in params.items()))


def days_overdue(due_date: date, now: datetime, tz: str) -> int:
    """Days past the due date on the debtor's local calendar."""
    return (local_time(now, tz).date() - due_date).days


def days_overdue_range(due_date: date, now: datetime, zones: Sequence[str]) -> tuple[int, int]:
    """The fewest and the most days past the due date among the debtor's candidate zones."""
    earliest, latest = local_dates(now, zones)
    return (earliest - due_date).days, (latest - due_date).days


def check_contact(ctx: ContactContext) -> Decision:
    """Whether this contact may happen now, and if not, the first rule that refuses it."""
    return (
        _account_rule(ctx)
        or _point_rule(ctx)
        or _time_rule(ctx)
        or _preference_rule(ctx)
        or _cap_rule(ctx)
        or ALLOW
    )


def _account_rule(ctx: ContactContext) -> Decision | None:
    account = ctx.account
    if ctx.purpose == Purpose.THANKS:
        return None
    if account.status in CLOSED_STATUSES:
        return refuse(Rule.ACCOUNT_STATUS, status=account.status)
    if account.balance <= 0:
        return refuse(Rule.ZERO_BALANCE, balance=account.balance)
    fewest, most = days_overdue_range(account.due_date, ctx.now, ctx.candidate_zones)
    kept_agreement = ctx.purpose == Purpose.REMINDER and account.promise_in_force
    if most > MAX_DAYS_OVERDUE and not kept_agreement:
        return refuse(Rule.OVER_90_DAYS, days=most)
    if fewest < MIN_DAYS_OVERDUE:
        return refuse(Rule.NOT_YET_DUE, days=fewest)
    if account.open_dispute or account.status == AccountStatus.DISPUTED:
        return refuse(Rule.OPEN_DISPUTE)
    if account.promise_in_force and ctx.purpose == Purpose.COLLECTION:
        return refuse(Rule.PROMISE_IN_FORCE)
    return None


def _point_rule(ctx: ContactContext) -> Decision | None:
    if ctx.do_not_contact:
        return refuse(Rule.DO_NOT_CONTACT)
    point = ctx.point
    if point is None or point.invalid or not point.can_receive:
        return refuse(Rule.INVALID_CONTACT_POINT, channel=ctx.channel)
    if point.opted_out:
        return refuse(Rule.OPTED_OUT, channel=ctx.channel)
    if ctx.channel in ctx.profile.consent_required and not point.consented:
        if ctx.channel == Channel.WHATSAPP:
            return refuse(Rule.NO_CONSENT_WHATSAPP)
        return refuse(Rule.NO_CONSENT, channel=ctx.channel)
    return None


def _time_rule(ctx: ContactContext) -> Decision | None:
    closed = closed_in_zones(ctx.profile, ctx.candidate_zones, ctx.country, ctx.now)
    if closed is None:
        return None
    rule, tz = closed
    local = local_time(ctx.now, tz)
    shown = local.strftime("%Y-%m-%d %H:%M %Z")
    if len(ctx.candidate_zones) > 1:
        shown = f"{shown} ({tz})"
    if rule == HOLIDAY:
        return refuse(Rule.HOLIDAY, day=local.date().isoformat(), country=ctx.country.upper())
    hours = ctx.profile.hours_on(local.weekday())
    if rule == DAY_NOT_ALLOWED or hours is None:
        return refuse(Rule.DAY_NOT_ALLOWED, local=shown)
    return refuse(
        Rule.OUTSIDE_HOURS,
        local=shown,
        start=hours.start.strftime("%H:%M"),
        end=hours.end.strftime("%H:%M"),
    )


def _preference_rule(ctx: ContactContext) -> Decision | None:
    """The debtor's own narrower channels and hours (after the law's: stricter, never looser)."""
    if not preference_refusal(ctx.preference, ctx.channel, ctx.now, ctx.candidate_zones):
        return None
    hours = ctx.preference.hours_text() if ctx.preference else ""
    return refuse(Rule.DEBTOR_PREFERENCE, channel=ctx.channel, hours=hours or "-")


def _cap_rule(ctx: ContactContext) -> Decision | None:
    rule = cap_refusal(ctx.profile, ctx.channel, ctx.now, ctx.candidate_zones, ctx.history)
    return refuse(rule) if rule else None
