"""Manager pages: uploading a portfolio file, its summary and rejects, recent imports."""

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from campaigns.clients import list_clients
from campaigns.errors import AcuerdoError
from campaigns.models import User, utcnow
from campaigns.portfolio_import.service import import_portfolio
from campaigns.portfolios import get_portfolio, list_portfolios
from console.deps import DbId, ManagerUser, SessionDep
from console.pages.common import PageRoute, page_locale, render

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)


def _portfolios_page(
    request: Request,
    db: Session,
    user: User,
    *,
    summary: Any = None,
    rejects: list[dict[str, str]] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "manager/portfolios.html",
        user=user,
        clients=list_clients(db),
        imports=list_portfolios(db),
        summary=summary,
        rejects=rejects or [],
        error=error,
        status_code=status_code,
    )


@router.get("/portfolios")
def portfolios(request: Request, db: SessionDep, user: ManagerUser) -> Response:
    """Upload a portfolio file; recent imports; the escalation export."""
    return _portfolios_page(request, db, user)


@router.post("/portfolios")
def upload(
    request: Request,
    db: SessionDep,
    user: ManagerUser,
    client_id: Annotated[DbId, Form()],
    file: UploadFile,
) -> Response:
    """Import the file and show its summary, the first rejects and the rejects file link."""
    try:
        summary = import_portfolio(
            db,
            client_id=client_id,
            filename=file.filename or "cartera.csv",
            content=file.file.read(),
            uploaded_by_id=user.id,
            now=utcnow(),
        )
    except AcuerdoError as error:
        db.rollback()
        return _portfolios_page(
            request,
            db,
            user,
            error=error.render(page_locale(request)),
            status_code=error.status_code,
        )
    stored = get_portfolio(db, portfolio_id=summary.portfolio_id)
    rejects = list(csv.DictReader(io.StringIO(stored.rejects_csv)))[:50]
    return _portfolios_page(request, db, user, summary=summary, rejects=rejects)
