"""Reports on the figures a BPO is paid on, each figure defined in docs/reports.md.

Every report reads the daily summary tables for days rolled up (campaigns/reports/rollup.py) and
computes days not rolled up yet (today) live with the same code; the shape of what they return
is campaigns/reports/table.py.
"""

from collections.abc import Callable

from sqlalchemy.orm import Session

from campaigns.reports.agents import agents_report
from campaigns.reports.compliance import compliance_report
from campaigns.reports.dialer import dialer_report
from campaigns.reports.funnel import funnel_report
from campaigns.reports.portfolio import portfolio_report
from campaigns.reports.recovery import recovery_report
from campaigns.reports.table import Report, ReportFilter
from campaigns.reports.targets import targets_vs_actuals

# In menu order.
REPORTS: dict[str, Callable[[Session, ReportFilter], Report]] = {
    "portfolio": portfolio_report,
    "recovery": recovery_report,
    "funnel": funnel_report,
    "agents": agents_report,
    "dialer": dialer_report,
    "compliance": compliance_report,
}


def build_report(session: Session, key: str, report_filter: ReportFilter) -> Report:
    """The report `key` (a key of REPORTS) for the filter."""
    return REPORTS[key](session, report_filter)


__all__ = ["REPORTS", "Report", "ReportFilter", "build_report", "targets_vs_actuals"]
