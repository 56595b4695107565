"""Reading back portfolio imports: their summaries and rejects files."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.errors import NotFound
from campaigns.i18n import _
from campaigns.models import Client, Portfolio


def list_portfolios(session: Session, *, client_id: int | None = None) -> Sequence[Portfolio]:
    """Imports visible to the session, newest first (optionally of one creditor)."""
    query = select(Portfolio).order_by(Portfolio.created_at.desc(), Portfolio.id.desc())
    if client_id is not None:
        if session.scalar(select(Client.id).where(Client.id == client_id)) is None:
            raise NotFound(_("No creditor with id {id}."), id=client_id)
        query = query.where(Portfolio.client_id == client_id)
    return session.scalars(query.limit(200)).all()


def get_portfolio(session: Session, *, portfolio_id: int) -> Portfolio:
    """One import visible to the session."""
    portfolio = session.scalar(select(Portfolio).where(Portfolio.id == portfolio_id))
    if portfolio is None:
        raise NotFound(_("No such portfolio import."))
    return portfolio
