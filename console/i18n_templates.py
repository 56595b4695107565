"""Jinja2 for the pages: gettext from the frontend catalogs, Babel for money, dates and times.

One environment per locale (translations installed once, so rendering is thread-safe). Templates
mark English msgids with `{% trans %}` or `_()`; the Spanish lives in frontend/locale.
"""

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, select_autoescape

import frontend
from campaigns.i18n import SUPPORTED_LOCALES, normalise_locale, translations
from campaigns.local_formats import money as local_money

TEMPLATES_DIR = Path(frontend.__file__).parent / "templates"
DEFAULT_ZONE = "America/Mexico_City"


def zone(name: str | None) -> ZoneInfo:
    """The named IANA zone, or Mexico City when the name is unknown."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def money(amount: Decimal | str | int | None, currency: str, locale: str) -> str:
    """An amount in the creditor's currency, written the reader's way ($1,200.00)."""
    if amount is None or amount == "":
        return ""
    return local_money(Decimal(str(amount)), currency, locale)


def when(moment: datetime | str | None, tz: str | None, locale: str) -> str:
    """A UTC moment as a short date and time in the viewer's zone."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return format_datetime(moment, format="short", tzinfo=zone(tz), locale=normalise_locale(locale))


def clock(moment: datetime | None, tz: str | None, locale: str) -> str:
    """A UTC moment as a time of day in the viewer's zone."""
    if moment is None:
        return ""
    return format_time(moment, format="short", tzinfo=zone(tz), locale=normalise_locale(locale))


def day(value: date | str | None, locale: str) -> str:
    """A date written the reader's way."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value, format="medium", locale=normalise_locale(locale))


def number(value: int | float | Decimal, locale: str) -> str:
    """A count or amount without currency, with the reader's separators."""
    return format_decimal(value, locale=normalise_locale(locale))


def percent(value: float | Decimal, locale: str) -> str:
    """A share (0.031) as a percentage (3.1 %)."""
    return format_percent(value, format="#,##0.0%", locale=normalise_locale(locale))


@lru_cache(maxsize=len(SUPPORTED_LOCALES))
def environment(locale: str) -> Environment:
    """The template environment of one language."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(normalise_locale(locale)), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        money=money,
        when=when,
        clock=clock,
        day=day,
        number=number,
        percent=percent,
        locale=normalise_locale(locale),
    )
    env.globals["html_lang"] = normalise_locale(locale).replace("_", "-")
    return env


def render_template(locale: str, name: str, **context: Any) -> str:
    """A page rendered in a language."""
    return environment(normalise_locale(locale)).get_template(name).render(**context)
