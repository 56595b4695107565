"""The Reports page and its CSV/XLSX downloads, for supervisors, managers, admins and a
creditor's own viewers (who see only their creditor: the session is scoped to it)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import StringConstraints
from sqlalchemy.orm import Session

from campaigns.errors import NotFound
from campaigns.i18n import _
from campaigns.models import Role, User, utcnow
from campaigns.operating_day import operating_day
from campaigns.report_filters import checked_filter, filter_choices
from campaigns.reports import REPORTS, build_report
from campaigns.reports.table import Report, Section
from console.charts import report_chart
from console.deps import SessionDep, require_roles
from console.pages.common import PageRoute, page_locale, render
from console.pages.report_query import ReportQuery, ReportQueryDep, range_presets
from console.report_cells import shown
from console.report_exports import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    export_name,
    report_csv,
    report_xlsx,
    section_csv,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ReportsUser = Annotated[
    User, Depends(require_roles(Role.SUPERVISOR, Role.MANAGER, Role.CLIENT_VIEWER))
]
# The reports' names in the menu (the same msgids as the reports' titles).
MENU_TITLES = {
    "portfolio": _("Portfolio"),
    "recovery": _("Recovery"),
    "funnel": _("Contact funnel"),
    "agents": _("Agents"),
    "dialer": _("Dialer"),
    "compliance": _("Compliance"),
}
SectionKey = Annotated[str | None, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]


def section_charts(section: Section, locale: str) -> list[Markup]:
    """The SVG charts of a section, in the reader's language."""
    if not section.rows:
        return []
    return [
        report_chart(chart, section, locale=locale, index=i)
        for i, chart in enumerate(section.charts)
    ]


def _report(db: Session, query: ReportQuery) -> Report:
    if query.report not in REPORTS:
        raise NotFound(_("No such report."))
    report_filter = checked_filter(db, now=utcnow(), **query.filters())  # type: ignore[arg-type]
    return build_report(db, query.report, report_filter)


def download(content: str | bytes, media_type: str, filename: str) -> Response:
    """A file to save, never cached."""
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/reports")
def reports_page(
    request: Request, db: SessionDep, user: ReportsUser, query: ReportQueryDep
) -> Response:
    """One report for a range and filters: charts and tables, with CSV and XLSX downloads."""
    report = _report(db, query)
    locale = page_locale(request)
    return render(
        request,
        "reports.html",
        user=user,
        report=report,
        query=query,
        choices=filter_choices(db),
        menu=[(key, MENU_TITLES.get(key, key)) for key in REPORTS],
        charts={s.key: section_charts(s, locale) for s in report.sections},
        presets=range_presets(operating_day(utcnow()).date),
        cell=lambda value, kind, currency: shown(value, kind, locale=locale, currency=currency),
    )


@router.get("/reports/export.csv")
def report_csv_file(
    request: Request,
    db: SessionDep,
    user: ReportsUser,
    query: ReportQueryDep,
    section: Annotated[SectionKey, Query()] = None,
) -> Response:
    """The report as CSV: every section, or only `section`, headers in the reader's language."""
    report = _report(db, query)
    locale = page_locale(request)
    name = export_name(query.report, query.date_from, query.date_to, "csv")
    if section is None:
        return download(report_csv(report, locale=locale), CSV_MEDIA_TYPE, name)
    chosen = next((s for s in report.sections if s.key == section), None)
    if chosen is None:
        raise NotFound(_("No such report."))
    name = export_name(f"{query.report}-{section}", query.date_from, query.date_to, "csv")
    return download(section_csv(chosen, locale=locale), CSV_MEDIA_TYPE, name)


@router.get("/reports/export.xlsx")
def report_xlsx_file(
    request: Request, db: SessionDep, user: ReportsUser, query: ReportQueryDep
) -> Response:
    """The report as an XLSX workbook, one sheet per section."""
    report = _report(db, query)
    name = export_name(query.report, query.date_from, query.date_to, "xlsx")
    return download(report_xlsx(report, locale=page_locale(request)), XLSX_MEDIA_TYPE, name)
