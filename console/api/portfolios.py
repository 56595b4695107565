"""Portfolio imports and escalation hand-offs for managers."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from campaigns.escalations import escalations_csv
from campaigns.i18n import normalise_locale
from campaigns.models import utcnow
from campaigns.portfolio_import.service import import_portfolio
from campaigns.portfolios import get_portfolio, list_portfolios
from console.deps import DbId, ManagerUser, SessionDep
from console.edge.errors import SIGNED_IN_ERRORS

router = APIRouter(prefix="/api", tags=["portfolios"], responses=SIGNED_IN_ERRORS)
CSV = "text/csv; charset=utf-8"
CSV_FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"}
}


class PortfolioOut(BaseModel):
    id: int
    client_id: int
    filename: str
    created_at: datetime
    rows_read: int
    imported: int
    updated: int
    unchanged: int
    rejected: int
    escalated: int


@router.post("/portfolios")
def upload_portfolio(
    db: SessionDep, user: ManagerUser, client_id: Annotated[DbId, Form()], file: UploadFile
) -> dict[str, Any]:
    """Import a creditor's portfolio file (CSV or XLSX): counts, and the rejects to fix."""
    summary = import_portfolio(
        db,
        client_id=client_id,
        filename=file.filename or "cartera.csv",
        content=file.file.read(),
        uploaded_by_id=user.id,
        now=utcnow(),
    )
    return {
        "portfolio_id": summary.portfolio_id,
        **summary.as_json(),
        "rejects_url": f"/api/portfolios/{summary.portfolio_id}/rejects.csv"
        if summary.rejected or summary.ignored_values
        else None,
    }


@router.get("/portfolios")
def portfolios(
    db: SessionDep, user: ManagerUser, client_id: DbId | None = None
) -> list[PortfolioOut]:
    """Recent imports, newest first."""
    return [
        PortfolioOut.model_validate(p, from_attributes=True)
        for p in list_portfolios(db, client_id=client_id)
    ]


@router.get("/portfolios/{portfolio_id}/rejects.csv", response_class=Response, responses=CSV_FILE)
def rejects_file(db: SessionDep, user: ManagerUser, portfolio_id: DbId) -> Response:
    """The rejects of one import: row, column, value and reason, to fix and send again."""
    portfolio = get_portfolio(db, portfolio_id=portfolio_id)
    return Response(
        portfolio.rejects_csv,
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="rechazos-{portfolio.id}.csv"'},
    )


@router.get("/escalations.csv", response_class=Response, responses=CSV_FILE)
def escalations(db: SessionDep, user: ManagerUser, client_id: DbId) -> Response:
    """Accounts past 90 days overdue, for hand-off to extrajudicial collection (headers in the
    user's language)."""
    return Response(
        escalations_csv(
            db, client_id=client_id, now=utcnow(), locale=normalise_locale(user.locale)
        ),
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="escalaciones-{client_id}.csv"'},
    )
