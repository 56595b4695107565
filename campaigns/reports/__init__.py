"""Reports on the figures a BPO is paid on (see docs/reports.md and shared kpis reference).

Stub: the report functions return empty reports of the final shape until the computations land.
"""

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from campaigns.i18n import _
from campaigns.reports.table import Column, Report, ReportFilter, Section

REPORT_TITLES = {
    "portfolio": _("Portfolio"),
    "recovery": _("Recovery"),
    "funnel": _("Contact funnel"),
    "agents": _("Agents"),
    "dialer": _("Dialer"),
    "compliance": _("Compliance"),
}


def _empty(key: str) -> Callable[[Session, ReportFilter], Report]:
    def build(session: Session, report_filter: ReportFilter) -> Report:
        return Report(key=key, title=REPORT_TITLES[key], sections=())

    return build


REPORTS: dict[str, Callable[[Session, ReportFilter], Report]] = {
    key: _empty(key) for key in REPORT_TITLES
}


def build_report(session: Session, key: str, report_filter: ReportFilter) -> Report:
    """The report `key` (a key of REPORTS) for the filter."""
    return REPORTS[key](session, report_filter)


def targets_vs_actuals(session: Session, client_id: int, month: date) -> Section:
    """The creditor's contract targets beside the BPO's daily and monthly figures for a month."""
    return Section(
        key="targets",
        title=_("Targets against actuals"),
        columns=(
            Column("period", _("Period"), "text"),
            Column("recovery_rate", _("Recovery rate"), "pct"),
            Column("recovery_target", _("Recovery target"), "pct"),
            Column("kept_rate", _("Kept rate"), "pct"),
            Column("kept_rate_target", _("Kept rate target"), "pct"),
        ),
        rows=(),
    )
