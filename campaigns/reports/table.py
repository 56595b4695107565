"""The shape every report has: sections of typed columns and rows, with the charts drawn from them.

The web pages, the creditor's portal and the CSV/XLSX exports read only these classes, so a report
is computed once (campaigns/reports/*) and shown or exported the same way everywhere.
"""

from dataclasses import dataclass
from datetime import date, datetime

COLUMN_KINDS = ("text", "int", "number", "money", "pct", "seconds", "date", "month")
AGING_BUCKETS = ("1-30", "31-60", "61-90")


@dataclass(frozen=True)
class Column:
    """One column of a section: `label` is an English msgid, translated where it is shown."""

    key: str
    label: str
    kind: str  # one of COLUMN_KINDS: text, int, number, money, pct, seconds, date, month


@dataclass(frozen=True)
class Chart:
    """A line or bar chart of some columns (`series`) against another (`x`)."""

    kind: str  # "line" | "bar"
    title: str  # English msgid
    x: str
    series: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """One table of a report (values: str, int, Decimal, float, date, None).

    Value per column kind: "int" int; "number" float (a rate per hour, shown with 2 decimals)
    or None; "money" Decimal; "pct" float fraction (0.25 is 25%) or
    None when there is nothing to divide by; "seconds" float or int; "date" date; "month" date
    (the month's first day); "text" str (rule ids, buckets, names as stored).
    """

    key: str
    title: str  # English msgid
    columns: tuple[Column, ...]
    rows: tuple[dict[str, object], ...]
    charts: tuple[Chart, ...] = ()
    currency: str | None = None  # ISO code of the "money" columns
    # Columns only a chart reads (its axis labels), never shown in the table nor exported.
    chart_columns: tuple[Column, ...] = ()


@dataclass(frozen=True)
class Report:
    """A report: "portfolio" | "recovery" | "funnel" | "agents" | "dialer" | "compliance"."""

    key: str
    title: str  # English msgid
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class ReportFilter:
    """What a report covers; `client_ids` is already narrowed to what the user may see."""

    client_ids: frozenset[int]
    date_from: date  # inclusive, in the BPO operating zone's days
    date_to: date  # inclusive
    portfolio_id: int | None = None
    campaign_id: int | None = None
    agent_id: int | None = None
    aging_bucket: str | None = None  # one of AGING_BUCKETS
    product: str | None = None
    region: str | None = None
    # The moment the report is asked for: days after its operating day are not computed. Days
    # not rolled up yet (today) are computed live from the same code the rollup runs.
    now: datetime | None = None
