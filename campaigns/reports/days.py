"""Operating days as reports count them: a day's UTC bounds, ranges of days, aging buckets."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, literal
from sqlalchemy.orm import InstrumentedAttribute

from campaigns.operating_day import OperatingDay, operating_day
from campaigns.settings import get_settings

PAID = "paid"
CURRENT = "current"
OVER_90 = "90+"
BUCKET_ORDER = (CURRENT, "1-30", "31-60", "61-90", OVER_90, PAID)


def day_bounds(day: date) -> OperatingDay:
    """The UTC instants where an operating day starts and ends."""
    zone = ZoneInfo(get_settings().operating_timezone)
    return operating_day(datetime.combine(day, time(12), tzinfo=zone).astimezone(UTC))


def days_between(first: date, last: date) -> Iterator[date]:
    """Every date from `first` to `last`, both included."""
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def month_start(day: date) -> date:
    """The first day of the month `day` falls in."""
    return day.replace(day=1)


def is_month_end(day: date) -> bool:
    """Whether `day` is the last day of its month."""
    return (day + timedelta(days=1)).day == 1


def const(value: object) -> ColumnElement[Any]:
    """A constant written into the SQL text itself, so an expression grouped on is the same text
    in SELECT and GROUP BY (PostgreSQL compares them; two bound parameters never match)."""
    return literal(value, literal_execute=True)


def bucket_on(day: date, due_date: InstrumentedAttribute[date]) -> ColumnElement[str]:
    """The aging bucket on `day` of an account due on `due_date`, as a SQL expression (days
    overdue = day - due date; 0 or less is current)."""
    return case(
        (due_date >= const(day), const(CURRENT)),
        (due_date >= const(day - timedelta(days=30)), const("1-30")),
        (due_date >= const(day - timedelta(days=60)), const("31-60")),
        (due_date >= const(day - timedelta(days=90)), const("61-90")),
        else_=const(OVER_90),
    )
