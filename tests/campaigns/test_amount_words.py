"""Amounts as creditors write them in words: "mil pesos", "1,5 mil", "M.N.", "$", currency codes;
a currency other than the creditor's is refused, never read as something else."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns.portfolio_import.values import ValueProblem, parse_amount


@pytest.mark.parametrize(
    ("text", "currency", "amount"),
    [
        ("2 mil pesos", "MXN", "2000"),
        ("1,5 mil", "MXN", "1500"),
        ("1.5 mil", "MXN", "1500"),
        ("$ 3 mil", "MXN", "3000"),
        ("12 500 pesos M.N.", "MXN", "12500"),
        ("$1,234.50 MXN", "MXN", "1234.50"),
        ("MX$ 980", "MXN", "980"),
        ("1,2 millones de pesos", "COP", "1200000"),
        ("2 millones", "COP", "2000000"),
        ("COP 1.500.000", "COP", "1500000"),
        ("US$ 20.50", "USD", "20.50"),
        ("20 dólares", "USD", "20"),
        ("S/ 150", "PEN", "150"),
        ("150 soles", "PEN", "150"),
        ("(1 mil pesos)", "MXN", "-1000"),
    ],
)
def test_amounts_in_words_and_symbols_are_read(text: str, currency: str, amount: str) -> None:
    assert parse_amount(text, currency=currency) == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("2 mil pesos", "USD"),
        ("20 dólares", "MXN"),
        ("US$ 20", "MXN"),
        ("MXN 100", "COP"),
        ("mil mil", "MXN"),
        ("1,2345 mil", "MXN"),
        ("1 mil 500 bananas", "MXN"),
        ("pesos", "MXN"),
    ],
)
def test_foreign_or_unreadable_amounts_in_words_are_refused(text: str, currency: str) -> None:
    with pytest.raises(ValueProblem):
        parse_amount(text, currency=currency)


def test_a_foreign_currency_is_named_in_the_reason() -> None:
    with pytest.raises(ValueProblem) as refused:
        parse_amount("2 mil pesos", currency="USD")
    assert refused.value.params == {"found": "pesos", "currency": "USD"}


@given(
    thousands=st.integers(min_value=1, max_value=999),
    tenths=st.integers(min_value=0, max_value=9),
    separator=st.sampled_from([",", "."]),
    suffix=st.sampled_from(["", " pesos", " MXN", " pesos M.N."]),
    prefix=st.sampled_from(["", "$", "$ ", "MXN "]),
)
def test_any_thousands_written_with_mil_read_back(
    thousands: int, tenths: int, separator: str, suffix: str, prefix: str
) -> None:
    number = f"{thousands}{separator}{tenths}" if tenths else str(thousands)
    text = f"{prefix}{number} mil{suffix}"
    assert parse_amount(text, currency="MXN") == Decimal(thousands * 1000 + tenths * 100)
