"""The client viewer: one creditor's portfolio status and today's results, nothing else."""

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.errors import Forbidden, NotFound
from campaigns.i18n import _
from campaigns.kpis import todays_figures
from campaigns.models import Account, Campaign, Client, Role, User, utcnow
from campaigns.operating_day import operating_day
from console.deps import DbId, SessionDep, require_roles
from console.pages.common import PageRoute, back_to, render

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


@router.get("/viewer/{client_id}")
def creditor_page(request: Request, db: SessionDep, user: ViewerUser, client_id: DbId) -> Response:
    """Portfolio status and today's campaign results of one creditor the reader may see."""
    if user.role == Role.CLIENT_VIEWER and user.client_id != client_id:
        raise Forbidden(_("This page belongs to another creditor."))
    client = db.scalar(select(Client).where(Client.id == client_id))
    if client is None:
        raise NotFound(_("No such creditor."))
    now = utcnow()
    campaign_ids = set(db.scalars(select(Campaign.id).where(Campaign.client_id == client.id)))
    figures = [f for f in todays_figures(db, now=now) if f.campaign_id in campaign_ids]
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
    )
