"""Statutory deadlines of data-subject requests in business days (docs/data-subject-requests.md).

Mexico (LFPDPPP, ARCO rights): access, rectification, cancellation and opposition are answered
within 20 business days of receipt. Colombia (Ley 1581 de 2012, habeas data): a consulta (access)
within 10 business days, a reclamo (rectification, suppression, revocation/opposition) within 15.
Other countries get Mexico's term until their own law is added. A business day is Monday to Friday
and not a public holiday of the country; the count starts the day after receipt.
"""

from datetime import date, timedelta
from enum import StrEnum

from campaigns.compliance.windows import is_holiday
from campaigns.i18n import _


class RequestKind(StrEnum):
    """What the debtor asks for."""

    ACCESS = "access"
    RECTIFICATION = "rectification"
    CANCELLATION = "cancellation"
    OPPOSITION = "opposition"


class Law(StrEnum):
    """The law whose terms apply (the creditor's country)."""

    LFPDPPP = "lfpdppp"
    LEY_1581 = "ley_1581"


KIND_LABELS = {
    RequestKind.ACCESS: _("Access: a copy of my data"),
    RequestKind.RECTIFICATION: _("Rectification: correct my data"),
    RequestKind.CANCELLATION: _("Cancellation: delete my data"),
    RequestKind.OPPOSITION: _("Opposition: stop using my data to contact me"),
}
LAW_LABELS = {
    Law.LFPDPPP: _("Mexico, LFPDPPP (ARCO rights)"),
    Law.LEY_1581: _("Colombia, Law 1581 of 2012 (habeas data)"),
}

ARCO_DAYS = 20
CONSULTA_DAYS = 10
RECLAMO_DAYS = 15


def law_for(country: str) -> Law:
    """The law a creditor in this country answers under."""
    return Law.LEY_1581 if country.upper() == "CO" else Law.LFPDPPP


def business_days_for(law: Law, kind: RequestKind) -> int:
    """How many business days the law gives to answer this kind of request."""
    if law == Law.LEY_1581:
        return CONSULTA_DAYS if kind == RequestKind.ACCESS else RECLAMO_DAYS
    return ARCO_DAYS


def is_business_day(day: date, country: str) -> bool:
    """Monday to Friday and not a public holiday in the country."""
    return day.weekday() < 5 and not is_holiday(country, day)


def add_business_days(start: date, days: int, country: str) -> date:
    """The date `days` business days after `start` (start itself is not counted)."""
    current = start
    counted = 0
    while counted < days:
        current += timedelta(days=1)
        if is_business_day(current, country):
            counted += 1
    return current


def business_days_left(today: date, due_on: date, country: str) -> int:
    """Business days from today until the due date (negative: that many past it)."""
    if today == due_on:
        return 0
    step = 1 if due_on > today else -1
    current, count = today, 0
    while current != due_on:
        current += timedelta(days=step)
        if is_business_day(current, country):
            count += step
    return count


def due_on(received_on: date, *, law: Law, kind: RequestKind, country: str) -> date:
    """The last day to answer a request received on `received_on`."""
    return add_business_days(received_on, business_days_for(law, kind), country)
