"""The client viewer: one creditor's portfolio status and today's results, nothing else."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.errors import Forbidden, NotFound
from campaigns.i18n import _
from campaigns.kpis import todays_figures
from campaigns.models import Account, Client, Role, User, utcnow
from campaigns.operating_day import operating_day
from campaigns.reports import targets_vs_actuals
from campaigns.reports.table import Report, Section
from console.deps import DbId, SessionDep, require_roles
from console.pages.common import PageRoute, back_to, page_locale, render
from console.pages.report_query import MonthDep
from console.pages.reports import download, section_charts
from console.report_cells import shown
from console.report_exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, report_xlsx, section_csv

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ViewerUser = Annotated[User, Depends(require_roles(Role.CLIENT_VIEWER, Role.MANAGER))]


def portfolio_status(session: Session, *, client_id: int) -> list[dict[str, Any]]:
    """Accounts and balance per account status of one creditor."""
    rows = session.execute(
        select(Account.status, func.count(Account.id), func.coalesce(func.sum(Account.balance), 0))
        .where(Account.client_id == client_id)
        .group_by(Account.status)
        .order_by(Account.status)
    ).all()
    return [{"status": str(s), "accounts": int(n), "balance": Decimal(b)} for s, n, b in rows]


@router.get("/viewer")
def my_creditor(user: ViewerUser) -> Response:
    """A client viewer's own creditor page."""
    if user.role != Role.CLIENT_VIEWER or user.client_id is None:
        return back_to("/manager")
    return back_to(f"/viewer/{user.client_id}")


def _creditor(db: Session, user: User, client_id: int) -> Client:
    if user.role == Role.CLIENT_VIEWER and user.client_id != client_id:
        raise Forbidden(_("This page belongs to another creditor."))
    client = db.scalar(select(Client).where(Client.id == client_id))
    if client is None:
        raise NotFound(_("No such creditor."))
    return client


@router.get("/viewer/{client_id}")
def creditor_page(
    request: Request, db: SessionDep, user: ViewerUser, client_id: DbId, month: MonthDep
) -> Response:
    """Portfolio status, today's campaign results and the month's figures against the
    contract's targets, of one creditor the reader may see."""
    client = _creditor(db, user, client_id)
    now = utcnow()
    targets = targets_vs_actuals(db, client.id, month, now=now)
    locale = page_locale(request)
    figures = todays_figures(db, now=now, client_id=client.id)
    status = portfolio_status(db, client_id=client.id)
    return render(
        request,
        "viewer.html",
        user=user,
        client=client,
        status=status,
        figures=figures,
        today=operating_day(now).date,
        total_accounts=sum(s["accounts"] for s in status),
        total_balance=sum((s["balance"] for s in status), Decimal(0)),
        month=month,
        targets=targets,
        target_charts=section_charts(targets, locale),
        cell=lambda value, kind, currency: shown(value, kind, locale=locale, currency=currency),
    )


def _targets(db: Session, user: User, client_id: int, month: date) -> Section:
    return targets_vs_actuals(db, _creditor(db, user, client_id).id, month, now=utcnow())


def _targets_name(client_id: int, month: date, extension: str) -> str:
    return f"acuerdo-targets-{client_id}-{month:%Y-%m}.{extension}"


@router.get("/viewer/{client_id}/targets.csv")
def targets_csv(
    request: Request, db: SessionDep, user: ViewerUser, client_id: DbId, month: MonthDep
) -> Response:
    """The month's daily and monthly figures against the contract's targets, as CSV."""
    section = _targets(db, user, client_id, month)
    return download(
        section_csv(section, locale=page_locale(request)),
        CSV_MEDIA_TYPE,
        _targets_name(client_id, month, "csv"),
    )


@router.get("/viewer/{client_id}/targets.xlsx")
def targets_xlsx(
    request: Request, db: SessionDep, user: ViewerUser, client_id: DbId, month: MonthDep
) -> Response:
    """The month's daily and monthly figures against the contract's targets, as XLSX."""
    section = _targets(db, user, client_id, month)
    report = Report(key="targets", title=section.title, sections=(section,))
    return download(
        report_xlsx(report, locale=page_locale(request)),
        XLSX_MEDIA_TYPE,
        _targets_name(client_id, month, "xlsx"),
    )
