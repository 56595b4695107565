"""Portfolio report: accounts and balance by aging bucket, roll and cure rates month over month,
and accounts over 90 days handed off (docs/reports.md, "Portfolio")."""

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from campaigns.i18n import _
from campaigns.models import ReportPortfolioDay, ReportRollMonth
from campaigns.reports import daily
from campaigns.reports.days import BUCKET_ORDER, CURRENT, OVER_90, PAID, is_month_end, month_start
from campaigns.reports.names import currency_of, portfolio_names
from campaigns.reports.source import Figures, money, ratio
from campaigns.reports.table import Chart, Column, Report, ReportFilter, Section

DIALLED_BUCKETS = ("1-30", "31-60", "61-90")
NEXT_BUCKET = {"1-30": "31-60", "31-60": "61-90", "61-90": OVER_90}


def portfolio_report(session: Session, report_filter: ReportFilter) -> Report:
    """Aging at the end of the range, its daily trend, roll and cure rates, escalations."""
    figures = Figures(session, report_filter)
    currency = currency_of(session, report_filter.client_ids)
    return Report(
        key="portfolio",
        title=_("Portfolio"),
        sections=(
            aging_section(figures, currency),
            aging_trend_section(figures, currency),
            roll_section(figures, currency),
            escalation_section(session, figures, currency),
        ),
    )


def aging_section(figures: Figures, currency: str | None) -> Section:
    """Accounts and balance per aging bucket at the end of the last day of the range."""
    rows = figures.summed(
        ReportPortfolioDay,
        daily.portfolio_rows,
        by=("aging_bucket",),
        measures=("accounts", "balance"),
        days=[figures.filter.date_to],
    )
    by_bucket = {row["aging_bucket"]: row for row in rows}
    return Section(
        key="aging",
        title=_("Accounts and balance by aging bucket"),
        columns=(
            Column("aging_bucket", _("Aging bucket"), "text"),
            Column("accounts", _("Accounts"), "int"),
            Column("balance", _("Balance"), "money"),
        ),
        rows=tuple(
            {
                "aging_bucket": bucket,
                "accounts": int(by_bucket[bucket]["accounts"]),
                "balance": money(by_bucket[bucket]["balance"]),
            }
            for bucket in BUCKET_ORDER
            if bucket in by_bucket
        ),
        charts=(Chart("bar", _("Balance by aging bucket"), "aging_bucket", ("balance",)),),
        currency=currency,
    )


def aging_trend_section(figures: Figures, currency: str | None) -> Section:
    """The balance of each dialled bucket at the end of every day of the range."""
    rows = figures.summed(
        ReportPortfolioDay,
        daily.portfolio_rows,
        by=("day", "aging_bucket"),
        measures=("balance",),
    )
    per_day: dict[date, dict[str, Any]] = defaultdict(dict)
    for row in rows:
        per_day[row["day"]][row["aging_bucket"]] = row["balance"]
    keys = {"1-30": "balance_1_30", "31-60": "balance_31_60", "61-90": "balance_61_90"}
    return Section(
        key="aging_trend",
        title=_("Balance by aging bucket, day by day"),
        columns=(
            Column("day", _("Day"), "date"),
            Column("balance_1_30", _("1-30 days"), "money"),
            Column("balance_31_60", _("31-60 days"), "money"),
            Column("balance_61_90", _("61-90 days"), "money"),
        ),
        rows=tuple(
            {"day": day} | {keys[b]: money(per_day[day].get(b)) for b in DIALLED_BUCKETS}
            for day in sorted(per_day)
        ),
        charts=(
            Chart(
                "line",
                _("Balance by aging bucket"),
                "day",
                ("balance_1_30", "balance_31_60", "balance_61_90"),
            ),
        ),
        currency=currency,
    )


def roll_section(figures: Figures, currency: str | None) -> Section:
    """For each month ending in the range: of the balance in a bucket at the previous month's
    end, the share that rolled to the next bucket and the share cured (current or paid)."""
    months = [month_start(day) for day in figures.days if is_month_end(day)]
    rows = figures.summed(
        ReportRollMonth,
        daily.month_end_roll_rows,
        by=("month", "from_bucket", "to_bucket"),
        measures=("balance",),
        days=months,
        day_column="month",
    )
    moved: dict[tuple[date, str], dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        moved[(row["month"], row["from_bucket"])][row["to_bucket"]] += row["balance"]
    table = []
    for month in sorted(set(months)):
        for bucket in DIALLED_BUCKETS:
            to = moved.get((month, bucket), {})
            start = sum(to.values())
            rolled = to.get(NEXT_BUCKET[bucket], 0)
            cured = to.get(CURRENT, 0) + to.get(PAID, 0)
            table.append(
                {
                    "period": f"{month:%Y-%m} {bucket}",
                    "month": month,
                    "aging_bucket": bucket,
                    "balance_start": money(start),
                    "rolled": money(rolled),
                    "roll_rate": ratio(rolled, start),
                    "cured": money(cured),
                    "cure_rate": ratio(cured, start),
                }
            )
    return Section(
        key="roll_rates",
        title=_("Roll and cure rates, month over month"),
        columns=(
            Column("month", _("Month"), "month"),
            Column("aging_bucket", _("Aging bucket at the start"), "text"),
            Column("balance_start", _("Balance at the start"), "money"),
            Column("rolled", _("Rolled to the next bucket"), "money"),
            Column("roll_rate", _("Roll rate"), "pct"),
            Column("cured", _("Cured"), "money"),
            Column("cure_rate", _("Cure rate"), "pct"),
        ),
        rows=tuple(table),
        charts=(Chart("bar", _("Roll and cure rates"), "period", ("roll_rate", "cure_rate")),),
        currency=currency,
        # The chart's labels ("2026-11 1-30"); the table has the month and bucket columns.
        chart_columns=(Column("period", _("Month and bucket"), "text"),),
    )


def escalation_section(session: Session, figures: Figures, currency: str | None) -> Section:
    """Per portfolio at the end of the range: accounts over 90 days and those handed off."""
    rows = figures.summed(
        ReportPortfolioDay,
        daily.portfolio_rows,
        by=("portfolio_id", "aging_bucket"),
        measures=("accounts", "balance", "escalated"),
        days=[figures.filter.date_to],
    )
    per_portfolio: dict[int | None, dict[str, Any]] = defaultdict(
        lambda: {"over_90": 0, "balance_over_90": 0, "escalated": 0}
    )
    for row in rows:
        entry = per_portfolio[row["portfolio_id"]]
        entry["escalated"] += row["escalated"]
        if row["aging_bucket"] == OVER_90:
            entry["over_90"] += row["accounts"]
            entry["balance_over_90"] += row["balance"]
    names = portfolio_names(session, per_portfolio)
    return Section(
        key="escalations",
        title=_("Accounts over 90 days handed off"),
        columns=(
            Column("portfolio", _("Portfolio"), "text"),
            Column("over_90", _("Accounts over 90 days"), "int"),
            Column("balance_over_90", _("Balance over 90 days"), "money"),
            Column("escalated", _("Handed off (escalated)"), "int"),
        ),
        rows=tuple(
            {
                "portfolio": names.get(pid, ""),
                "over_90": int(entry["over_90"]),
                "balance_over_90": money(entry["balance_over_90"]),
                "escalated": int(entry["escalated"]),
            }
            for pid, entry in sorted(per_portfolio.items(), key=lambda item: names.get(item[0], ""))
            if entry["over_90"] or entry["escalated"]
        ),
        currency=currency,
    )
