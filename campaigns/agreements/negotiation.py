"""The options a debtor may be offered within the creditor's policy, with exact amounts.

Three kinds of offer: pay in full by a date with the early-payment discount, a promise to pay the
balance by a date within the maximum promise days, and an instalment plan (a down payment of at
least the minimum percentage, then at most the maximum number of instalments). Amounts are Decimal
cents; plan instalments are equal, and the last one takes the rounding so the plan adds up to the
balance exactly.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from campaigns.agreements.errors import (
    DownPaymentOutOfPolicy,
    InstallmentsOutOfPolicy,
    PromiseAmountOutOfPolicy,
    PromiseDateOutOfPolicy,
)
from campaigns.i18n import _
from campaigns.models import Client

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


class Frequency(StrEnum):
    """How often plan instalments fall due after the down payment."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class Policy:
    """A creditor's negotiation policy."""

    max_promise_days: int
    early_payment_discount_pct: Decimal
    min_down_payment_pct: Decimal
    max_installments: int

    @classmethod
    def of(cls, client: Client) -> "Policy":
        """The policy configured on a creditor."""
        return cls(
            max_promise_days=client.max_promise_days,
            early_payment_discount_pct=Decimal(client.early_payment_discount_pct),
            min_down_payment_pct=Decimal(client.min_down_payment_pct),
            max_installments=client.max_installments,
        )

    def latest_date(self, today: date) -> date:
        """The last date a promise or a plan's first payment may fall on."""
        return today + timedelta(days=self.max_promise_days)


@dataclass(frozen=True)
class ScheduledPayment:
    """One payment of a plan: number 0 is the down payment."""

    number: int
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class PlanOption:
    """A plan with the minimum down payment and a number of instalments."""

    installments: int
    down_payment: Decimal
    installment_amount: Decimal
    schedule: tuple[ScheduledPayment, ...]


@dataclass(frozen=True)
class NegotiationOptions:
    """Everything an agent may offer on an account today, with amounts and dates."""

    balance: Decimal
    currency: str
    today: date
    discount_pct: Decimal
    discount_amount: Decimal
    discounted_balance: Decimal
    latest_date: date
    min_down_payment: Decimal
    max_installments: int
    plans: tuple[PlanOption, ...]


def cents(amount: Decimal) -> Decimal:
    """An amount rounded half-up to cents."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def discounted_balance(policy: Policy, balance: Decimal) -> Decimal:
    """The balance after the early-payment discount, in cents."""
    return cents(balance * (HUNDRED - policy.early_payment_discount_pct) / HUNDRED)


def min_down_payment(policy: Policy, balance: Decimal) -> Decimal:
    """The smallest down payment the policy accepts (rounded up to the cent; never nothing)."""
    share = (balance * policy.min_down_payment_pct / HUNDRED).quantize(CENT, rounding=ROUND_CEILING)
    return max(CENT, share)


def add_months(day: date, months: int) -> date:
    """The same day of the month, months later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _due_date(first: date, number: int, frequency: Frequency) -> date:
    if frequency == Frequency.WEEKLY:
        return first + timedelta(weeks=number)
    if frequency == Frequency.BIWEEKLY:
        return first + timedelta(weeks=2 * number)
    return add_months(first, number)


def plan_schedule(
    *,
    balance: Decimal,
    down_payment: Decimal,
    installments: int,
    first_due_date: date,
    frequency: Frequency = Frequency.MONTHLY,
) -> tuple[ScheduledPayment, ...]:
    """The down payment and equal instalments adding up exactly to the balance."""
    rest = balance - down_payment
    each = (rest / installments).quantize(CENT, rounding=ROUND_DOWN)
    payments = [ScheduledPayment(0, first_due_date, down_payment)]
    for number in range(1, installments + 1):
        amount = each if number < installments else rest - each * (installments - 1)
        payments.append(
            ScheduledPayment(number, _due_date(first_due_date, number, frequency), amount)
        )
    return tuple(payments)


def validate_date(policy: Policy, *, due_date: date, today: date) -> None:
    """Refuse a promise or first payment date outside today..today + max promise days."""
    latest = policy.latest_date(today)
    if not today <= due_date <= latest:
        raise PromiseDateOutOfPolicy(
            _(
                "The payment date {date} is outside the creditor's policy: choose a date from "
                "{earliest} to {latest} ({days} days at most)."
            ),
            date=due_date.isoformat(),
            earliest=today.isoformat(),
            latest=latest.isoformat(),
            days=policy.max_promise_days,
        )


def validate_promise(
    policy: Policy, *, balance: Decimal, amount: Decimal, due_date: date, today: date
) -> None:
    """Refuse a promise whose date or amount the creditor's policy does not allow."""
    validate_date(policy, due_date=due_date, today=today)
    minimum = discounted_balance(policy, balance)
    if not minimum <= amount <= balance:
        raise PromiseAmountOutOfPolicy(
            _(
                "The promised amount {amount} is outside the creditor's policy: promise from "
                "{minimum} (the balance with the early-payment discount) to {maximum} (the "
                "balance), or offer an instalment plan."
            ),
            amount=amount,
            minimum=minimum,
            maximum=balance,
        )


def validate_plan(
    policy: Policy,
    *,
    balance: Decimal,
    down_payment: Decimal,
    installments: int,
    first_due_date: date,
    today: date,
) -> None:
    """Refuse a plan whose first date, down payment or instalments break the policy."""
    validate_date(policy, due_date=first_due_date, today=today)
    minimum = min_down_payment(policy, balance)
    if down_payment < minimum:
        raise DownPaymentOutOfPolicy(
            _(
                "The down payment {amount} is below the creditor's minimum of {minimum} "
                "({pct}% of the balance); ask for a larger down payment."
            ),
            amount=down_payment,
            minimum=minimum,
            pct=format(policy.min_down_payment_pct.normalize(), "f"),
        )
    if down_payment >= balance:
        raise DownPaymentOutOfPolicy(
            _(
                "The down payment {amount} covers the whole balance {balance}; record a promise "
                "to pay instead of a plan."
            ),
            amount=down_payment,
            balance=balance,
        )
    if not 1 <= installments <= policy.max_installments:
        raise InstallmentsOutOfPolicy(
            _(
                "{count} instalments is outside the creditor's policy: offer from 1 to {maximum} "
                "instalments after the down payment."
            ),
            count=installments,
            maximum=policy.max_installments,
        )
    if balance - down_payment < CENT * installments:
        raise InstallmentsOutOfPolicy(
            _("The rest of the balance is too small for {count} instalments; offer fewer."),
            count=installments,
        )


def negotiation_options(
    policy: Policy,
    *,
    balance: Decimal,
    currency: str,
    today: date,
    frequency: Frequency = Frequency.MONTHLY,
) -> NegotiationOptions:
    """The offers within policy for a balance today, with amounts and dates."""
    discounted = discounted_balance(policy, balance)
    down = min_down_payment(policy, balance)
    latest = policy.latest_date(today)
    plans: list[PlanOption] = []
    if down < balance:
        for count in range(1, policy.max_installments + 1):
            if balance - down < CENT * count:
                break
            schedule = plan_schedule(
                balance=balance,
                down_payment=down,
                installments=count,
                first_due_date=latest,
                frequency=frequency,
            )
            plans.append(PlanOption(count, down, schedule[1].amount, schedule))
    return NegotiationOptions(
        balance=balance,
        currency=currency,
        today=today,
        discount_pct=policy.early_payment_discount_pct,
        discount_amount=balance - discounted,
        discounted_balance=discounted,
        latest_date=latest,
        min_down_payment=down,
        max_installments=policy.max_installments,
        plans=tuple(plans),
    )
