"""Names shown in reports for the ids the summary tables keep, and the currency of the money."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Campaign, Client, Portfolio, User


def portfolio_names(session: Session, ids: Iterable[int | None]) -> dict[int | None, str]:
    """Each portfolio's file name and date, by id ("" for accounts of no import)."""
    wanted = {i for i in ids if i is not None}
    rows = session.execute(
        select(Portfolio.id, Portfolio.filename, Portfolio.as_of).where(Portfolio.id.in_(wanted))
    )
    names: dict[int | None, str] = {None: ""}
    names.update({pid: f"{filename} ({as_of.isoformat()})" for pid, filename, as_of in rows})
    return names


def campaign_names(session: Session, ids: Iterable[int | None]) -> dict[int | None, str]:
    """Each campaign's name by id."""
    wanted = {i for i in ids if i is not None}
    names: dict[int | None, str] = {None: ""}
    names.update(
        session.execute(select(Campaign.id, Campaign.name).where(Campaign.id.in_(wanted))).tuples()
    )
    return names


def agent_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Each agent's full name by id."""
    rows = session.execute(select(User.id, User.full_name).where(User.id.in_(set(ids))))
    return {agent_id: name for agent_id, name in rows}


def currency_of(session: Session, client_ids: Iterable[int]) -> str | None:
    """The currency of the creditors' money, when they share one (None when they do not)."""
    currencies = set(session.scalars(select(Client.currency).where(Client.id.in_(set(client_ids)))))
    return currencies.pop() if len(currencies) == 1 else None
