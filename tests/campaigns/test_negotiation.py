"""Negotiation options within the creditor's policy, plan arithmetic and the ready-made scripts."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from campaigns.agreements import (
    Frequency,
    Policy,
    load_script,
    negotiation_options,
    plan_schedule,
    render_step,
    script_fields,
    script_kinds,
    validate_plan,
)
from campaigns.agreements.negotiation import min_down_payment
from campaigns.agreements.negotiation_scripts import parse_script
from campaigns.agreements.notes import contains_card_number, luhn_valid
from campaigns.compliance import TemplateRejected, check_text
from campaigns.models import Client
from tests.factories import TODAY, make_account

POLICY = Policy(
    max_promise_days=15,
    early_payment_discount_pct=Decimal("10"),
    min_down_payment_pct=Decimal("20"),
    max_installments=6,
)


def test_options_show_the_discount_the_deadline_and_every_plan() -> None:
    options = negotiation_options(POLICY, balance=Decimal("1234.57"), currency="MXN", today=TODAY)
    assert options.discounted_balance == Decimal("1111.11")
    assert options.discount_amount == Decimal("123.46")
    assert options.latest_date == date(2026, 12, 8)
    assert options.min_down_payment == Decimal("246.92")
    assert [p.installments for p in options.plans] == [1, 2, 3, 4, 5, 6]
    six = options.plans[-1]
    assert [p.amount for p in six.schedule] == [Decimal("246.92")] + [Decimal("164.60")] * 5 + [
        Decimal("164.65")
    ]
    assert six.schedule[1].due_date == date(2027, 1, 8)


def test_monthly_dates_keep_the_day_or_fall_on_the_months_last_day() -> None:
    schedule = plan_schedule(
        balance=Decimal("100"),
        down_payment=Decimal("20"),
        installments=3,
        first_due_date=date(2026, 11, 30),
    )
    assert [p.due_date for p in schedule] == [
        date(2026, 11, 30),
        date(2026, 12, 30),
        date(2027, 1, 30),
        date(2027, 2, 28),
    ]


def test_weekly_and_biweekly_plans() -> None:
    weekly = plan_schedule(
        balance=Decimal("100"),
        down_payment=Decimal("20"),
        installments=2,
        first_due_date=TODAY,
        frequency=Frequency.WEEKLY,
    )
    biweekly = plan_schedule(
        balance=Decimal("100"),
        down_payment=Decimal("20"),
        installments=2,
        first_due_date=TODAY,
        frequency=Frequency.BIWEEKLY,
    )
    assert [p.due_date - TODAY for p in weekly] == [timedelta(0), timedelta(7), timedelta(14)]
    assert [p.due_date - TODAY for p in biweekly] == [timedelta(0), timedelta(14), timedelta(28)]


balances = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("999999.99"), places=2)
policies = st.builds(
    Policy,
    max_promise_days=st.integers(1, 90),
    early_payment_discount_pct=st.decimals(min_value=0, max_value=100, places=2),
    min_down_payment_pct=st.decimals(min_value=0, max_value=99, places=2),
    max_installments=st.integers(1, 36),
)


@settings(max_examples=300, deadline=None)
@given(
    policy=policies,
    balance=balances,
    extra=st.decimals(min_value=0, max_value=1, places=4),
    count=st.integers(1, 36),
    offset=st.integers(0, 90),
    frequency=st.sampled_from(list(Frequency)),
)
def test_plans_always_add_up_to_the_balance_and_respect_the_policy(
    policy: Policy,
    balance: Decimal,
    extra: Decimal,
    count: int,
    offset: int,
    frequency: Frequency,
) -> None:
    minimum = min_down_payment(policy, balance)
    down = min(balance, (minimum + (balance - minimum) * extra).quantize(Decimal("0.01")))
    first = TODAY + timedelta(days=offset)
    try:
        validate_plan(
            policy,
            balance=balance,
            down_payment=down,
            installments=count,
            first_due_date=first,
            today=TODAY,
        )
    except Exception:
        ok = (
            down >= balance
            or count > policy.max_installments
            or offset > policy.max_promise_days
            or balance - down < Decimal("0.01") * count
        )
        assert ok, "a plan inside the policy was refused"
        return
    schedule = plan_schedule(
        balance=balance,
        down_payment=down,
        installments=count,
        first_due_date=first,
        frequency=frequency,
    )
    assert sum(p.amount for p in schedule) == balance
    assert all(p.amount >= Decimal("0.01") for p in schedule)
    assert all(p.amount == p.amount.quantize(Decimal("0.01")) for p in schedule)
    assert schedule[0].amount * 100 >= balance * policy.min_down_payment_pct
    assert len(schedule) - 1 <= policy.max_installments
    assert first <= policy.latest_date(TODAY)
    assert all(a.due_date < b.due_date for a, b in zip(schedule, schedule[1:], strict=False))
    equal = {p.amount for p in schedule[1:-1]}
    assert len(equal) <= 1 and schedule[-1].amount >= max(equal, default=Decimal(0))


@settings(max_examples=200, deadline=None)
@given(policy=policies, balance=balances)
def test_every_offered_plan_passes_the_policy_check(policy: Policy, balance: Decimal) -> None:
    options = negotiation_options(policy, balance=balance, currency="MXN", today=TODAY)
    assert options.discounted_balance + options.discount_amount == balance
    for plan in options.plans:
        validate_plan(
            policy,
            balance=balance,
            down_payment=plan.down_payment,
            installments=plan.installments,
            first_due_date=plan.schedule[0].due_date,
            today=TODAY,
        )
        assert sum(p.amount for p in plan.schedule) == balance


@pytest.mark.parametrize(
    ("number", "valid"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", True)],
)
def test_luhn(number: str, valid: bool) -> None:
    assert luhn_valid(number) is valid


def test_card_runs_must_be_13_to_19_digits() -> None:
    assert not contains_card_number("79927398713")  # Luhn-valid but 11 digits
    assert contains_card_number("6011 0009 9013 9424")
    assert not contains_card_number("6011 0009 9013 9425")


@pytest.mark.parametrize("kind", ["cable", "internet", "phone"])
def test_ready_made_scripts_cover_the_conversation_and_pass_compliance(kind: str) -> None:
    script = load_script(kind)
    ids = set(script.steps)
    assert {
        "saludo",
        "verificar",
        "informar",
        "ofrecer",
        "sin_dinero",
        "ya_pague",
        "aclaracion",
        "llamar_despues",
        "cierre_promesa",
        "cierre_plan",
    } <= ids
    # The right party is verified before the debt is disclosed.
    assert [b.next for b in script.steps["saludo"].branches][0] == "verificar"
    assert "saldo" not in script.steps["saludo"].text + script.steps["tercero"].text
    for step in script.steps.values():
        assert check_text(step.text) == []


def test_script_kinds() -> None:
    assert script_kinds() == ["cable", "internet", "phone"]


def test_a_step_renders_with_the_accounts_amounts(session: Session) -> None:
    account = make_account(session, balance="1500.00")
    client = session.get_one(Client, account.client_id)
    morning = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 09:00 in Mexico City
    fields = script_fields(account, client, today=TODAY, now=morning, agent_name="Luis")
    offer = render_step(load_script("internet"), "ofrecer", fields)
    assert "descuento de $150.00" in offer.text and "pagaría $1,350.00" in offer.text
    assert "pago inicial de $300.00" in offer.text
    assert "hasta 6 pagos mensuales de $200.00" in offer.text
    assert "8 de diciembre de 2026" in offer.text
    assert render_step(load_script("cable"), "saludo", fields).text.startswith(
        "Buenos días, le saluda Luis de"
    )


@pytest.mark.parametrize(
    ("utc_hour", "greeting"),
    [(12, "Buenos días"), (17, "Buenos días"), (18, "Buenas tardes"), (1, "Buenas noches")],
)
def test_the_script_greets_by_the_debtors_local_time_of_day(
    session: Session, utc_hour: int, greeting: str
) -> None:
    account = make_account(session, timezone="America/Mexico_City")  # UTC-6
    client = session.get_one(Client, account.client_id)
    now = datetime(2026, 11, 23, utc_hour, 30, tzinfo=UTC)
    fields = script_fields(account, client, today=TODAY, now=now, agent_name="Luis")
    assert render_step(load_script("cable"), "saludo", fields).text.startswith(
        f"{greeting}, le saluda Luis de"
    )


def test_a_script_with_pressure_is_refused() -> None:
    data = {
        "start": "a",
        "steps": {"a": {"text": "Si no paga hoy vamos a embargar su casa."}},
    }
    with pytest.raises(TemplateRejected) as raised:
        parse_script(data)
    assert "embargar" in str(raised.value)
