"""The query of a reports page or download: which report, which days, which filters.

Read from the address (a GET form), so a report can be bookmarked and shared. An empty field of
the form means "any"; a value of the wrong shape is refused with the name of the field (422).
"""

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Query
from pydantic import BeforeValidator, StringConstraints

from campaigns.errors import Invalid
from campaigns.i18n import _
from campaigns.models import utcnow
from campaigns.operating_day import operating_day
from console.deps import DbId

EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _month_start(value: object) -> object:
    """ "2026-11" (what <input type="month"> sends) as the month's first day."""
    if isinstance(value, str) and len(value.strip()) == 7:
        return f"{value.strip()}-01"
    return value


OptionalId = Annotated[DbId | None, BeforeValidator(_blank_is_none)]
OptionalDay = Annotated[date | None, BeforeValidator(_blank_is_none)]
OptionalMonth = Annotated[
    date | None, BeforeValidator(_month_start), BeforeValidator(_blank_is_none)
]
OptionalText = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] | None,
    BeforeValidator(_blank_is_none),
]
ReportKey = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]


@dataclass(frozen=True)
class ReportQuery:
    """What the reader asked for, the range filled in (this month so far by default)."""

    report: str
    date_from: date
    date_to: date
    client_id: int | None = None
    portfolio_id: int | None = None
    campaign_id: int | None = None
    agent_id: int | None = None
    aging_bucket: str | None = None
    product: str | None = None
    region: str | None = None

    def filters(self) -> dict[str, object]:
        """The filter fields, for campaigns.report_filters.checked_filter."""
        fields = asdict(self)
        del fields["report"]
        return fields

    def link(self, **changes: object) -> str:
        """This query as an address query string, with some fields changed."""
        fields = {**asdict(self), **changes}
        return urlencode({k: str(v) for k, v in fields.items() if v is not None and v != ""})


THIS_MONTH = _("This month")
LAST_MONTH = _("Last month")
LAST_90_DAYS = _("Last 90 days")


def range_presets(today: date) -> list[tuple[str, date, date]]:
    """The usual ranges as (English msgid, first day, last day): this month so far, last month,
    the last 90 days."""
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    return [
        (THIS_MONTH, first_of_month, today),
        (LAST_MONTH, last_month_end.replace(day=1), last_month_end),
        (LAST_90_DAYS, today - timedelta(days=89), today),
    ]


def _checked_day(value: date | None, field: str) -> date | None:
    if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
        raise Invalid(_("Check these values and try again: {fields}."), fields=field)
    return value


def report_query(
    report: Annotated[ReportKey, Query()] = "portfolio",
    date_from: Annotated[OptionalDay, Query()] = None,
    date_to: Annotated[OptionalDay, Query()] = None,
    client_id: Annotated[OptionalId, Query()] = None,
    portfolio_id: Annotated[OptionalId, Query()] = None,
    campaign_id: Annotated[OptionalId, Query()] = None,
    agent_id: Annotated[OptionalId, Query()] = None,
    aging_bucket: Annotated[OptionalText, Query()] = None,
    product: Annotated[OptionalText, Query()] = None,
    region: Annotated[OptionalText, Query()] = None,
) -> ReportQuery:
    """The report query of the address; the range defaults to this month up to today."""
    today = operating_day(utcnow()).date
    last = _checked_day(date_to, "date_to") or today
    first = _checked_day(date_from, "date_from") or last.replace(day=1)
    return ReportQuery(
        report=report,
        date_from=first,
        date_to=last,
        client_id=client_id,
        portfolio_id=portfolio_id,
        campaign_id=campaign_id,
        agent_id=agent_id,
        aging_bucket=aging_bucket,
        product=product,
        region=region,
    )


ReportQueryDep = Annotated[ReportQuery, Depends(report_query)]


def month_query(month: Annotated[OptionalMonth, Query()] = None) -> date:
    """The month of the address (YYYY-MM), this month by default, as its first day."""
    chosen = _checked_day(month, "month") or operating_day(utcnow()).date
    return chosen.replace(day=1)


MonthDep = Annotated[date, Depends(month_query)]
