"""Money, dates and greetings as they are written in the reader's country (Babel and CLDR)."""

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency

from campaigns.i18n import _, normalise_locale, translate

# Currencies written without decimals in their country, whatever the CLDR version says.
WHOLE_UNITS = frozenset({"COP", "CLP"})

GOOD_MORNING = _("Good morning")
GOOD_AFTERNOON = _("Good afternoon")
GOOD_EVENING = _("Good evening")


@cache
def _whole_pattern(locale: str) -> str:
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    return re.sub(r"\.0+", "", pattern)


def money(amount: Decimal | int | str, currency: str, locale: str | None) -> str:
    """An amount in its currency as the reader's country writes it ($1,200.00; $1.234.567)."""
    value, loc, code = Decimal(str(amount)), normalise_locale(locale), currency.upper()
    if code in WHOLE_UNITS:
        return format_currency(
            value.quantize(Decimal(1), ROUND_HALF_UP),
            code,
            format=_whole_pattern(loc),
            locale=loc,
            currency_digits=False,
        )
    return format_currency(value, code, locale=loc)


def long_date(day: date, locale: str | None) -> str:
    """A date in words (24 de noviembre de 2026; November 24, 2026)."""
    return format_date(day, format="long", locale=normalise_locale(locale))


def greeting_msgid(local_hour: int) -> str:
    """The greeting of a time of day: morning 05-12, afternoon 12-19, evening otherwise."""
    if 5 <= local_hour < 12:
        return GOOD_MORNING
    if 12 <= local_hour < 19:
        return GOOD_AFTERNOON
    return GOOD_EVENING


def greeting(moment: datetime, timezone: str | None, locale: str | None) -> str:
    """Buenos días / Buenas tardes / Buenas noches by the debtor's local time at `moment`."""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return translate(locale, greeting_msgid(moment.astimezone(zone).hour))
