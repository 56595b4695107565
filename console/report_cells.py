"""A report value as the reader writes it: amounts, counts, shares, durations, days and months
in the reader's locale (Babel, as campaigns.local_formats and the page templates do)."""

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_skeleton
from babel.numbers import format_compact_currency, format_compact_decimal, format_decimal

from campaigns.i18n import normalise_locale
from console.i18n_templates import day, money, number, percent

NO_FIGURE = "—"
NUMERIC_KINDS = frozenset({"int", "number", "money", "pct", "seconds"})


def duration(seconds: float | int | Decimal) -> str:
    """Seconds as h:mm:ss (or m:ss under an hour)."""
    total = int(round(float(seconds)))
    sign, total = ("-", -total) if total < 0 else ("", total)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}" if hours else f"{sign}{minutes}:{secs:02d}"


def month(value: date, locale: str) -> str:
    """The month of a date (nov 2026; Nov 2026)."""
    return format_skeleton("yMMM", value, locale=normalise_locale(locale))


def short_day(value: object, locale: str) -> str:
    """A day without its year, for a chart's axis (3 nov; Nov 3)."""
    when = as_date(value)
    return format_skeleton("MMMd", when, locale=normalise_locale(locale)) if when else ""


def as_date(value: object) -> date | None:
    """A date value (or its ISO text) as a date; None for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def shown(value: object, kind: str, *, locale: str, currency: str | None) -> str:
    """One cell of a report table, written for the reader."""
    if value is None or value == "":
        return NO_FIGURE
    if kind in NUMERIC_KINDS and isinstance(value, int | float | Decimal):
        if kind == "money" and currency:
            return money(Decimal(str(value)), currency, locale)
        if kind == "pct":
            return percent(Decimal(str(value)), locale)
        if kind == "seconds":
            return duration(value)
        if kind == "number":
            return format_decimal(value, format="#,##0.00", locale=normalise_locale(locale))
        return number(value, locale)
    when = as_date(value) if kind in ("date", "month") else None
    if when is not None:
        return month(when, locale) if kind == "month" else day(when, locale)
    return str(value)


def axis_label(value: float, kind: str, *, locale: str, currency: str | None) -> str:
    """A tick of a chart's value axis: short amounts (1.2 M), whole percentages, durations."""
    loc = normalise_locale(locale)
    if kind == "pct":
        return percent(Decimal(str(round(value, 4))), loc)
    if kind == "seconds":
        return duration(value)
    if kind == "money" and currency:
        return format_compact_currency(value, currency, locale=loc, fraction_digits=1)
    return format_compact_decimal(value, locale=loc, fraction_digits=1)
