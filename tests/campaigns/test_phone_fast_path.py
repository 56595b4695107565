"""The fast path for plain phones and the per-prefix zone cache agree with phonenumbers itself."""

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.debtor_zones.candidates import _phone_zones, phone_zones
from campaigns.phone_fast_path import decisive_prefix, fast_number_type
from campaigns.portfolio_import.rows import check_rows

national = st.integers(min_value=10**9, max_value=10**10 - 1).map(str)
writings = st.sampled_from(["{n}", "+52{n}", "({a}) {b}-{c}", "+52 {a} {b} {c}"])


@settings(max_examples=400, deadline=None)
@given(number=national, writing=writings)
def test_a_plain_mexican_number_gets_the_type_and_e164_phonenumbers_gives(
    number: str, writing: str
) -> None:
    text = writing.format(n=number, a=number[:2], b=number[2:6], c=number[6:])
    parsed = phonenumbers.parse(text, "MX")
    expected = phonenumbers.number_type(parsed)
    fast = fast_number_type(text, "MX")
    if fast is None:
        assert expected == phonenumbers.PhoneNumberType.UNKNOWN
    else:
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        assert fast == (e164, expected)


def test_regions_whose_patterns_are_not_prefix_shaped_take_the_full_parser() -> None:
    assert fast_number_type("212 555 1234", "US") is None
    assert fast_number_type("55 1234 5678 ext 2", "MX") is None
    assert decisive_prefix("+12125551234", digits=9) is None
    assert decisive_prefix("+525512345678", digits=9) == "+525512345/13"


@settings(max_examples=600, deadline=None)
@given(
    code=st.sampled_from(["52", "1", "57", "56", "51", "54", "34", "593"]),
    number=st.integers(min_value=10**7, max_value=10**10 - 1).map(str),
    country=st.sampled_from(["MX", "US", "CL", None]),
)
def test_the_zone_cache_answers_what_phonenumbers_answers(
    code: str, number: str, country: str | None
) -> None:
    # The cache keys a number by the leading digits its zones depend on (Mexico: "52" and the
    # lada), so most of these examples are answered from it.
    e164 = f"+{code}{number}"
    assert phone_zones(e164, country=country) == _phone_zones(e164, country)


def test_mexican_numbers_share_the_cache_by_lada() -> None:
    assert decisive_prefix("+525512345678", digits=5) == "+52551/13"
    assert phone_zones("+529981234567") == phone_zones("+529989999999") == ("America/Cancun",)


def test_checked_rows_are_plain_data_a_worker_process_can_send_back() -> None:
    import pickle

    from campaigns.portfolio_import.headers import COLUMNS
    from campaigns.portfolio_import.rows import FileContext
    from campaigns.tabular import map_columns
    from tests.factories import TODAY

    columns = map_columns(["cuenta", "nombre", "saldo", "dias_mora", "telefono"], COLUMNS)
    context = FileContext("MX", "MXN", "America/Mexico_City", TODAY)
    rows = [(2, ["A-1", "Ana", "100", "3", "55 1234 5678"]), (3, ["A-2", "", "x", "", ""])]
    checked = check_rows(rows, columns, context)
    assert pickle.loads(pickle.dumps(checked)) == checked
    assert checked[0].parsed is not None and checked[1].parsed is None
    assert {p.column for p in checked[1].problems} >= {"nombre", "saldo"}
