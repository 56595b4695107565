"""What a reader may filter reports by, and a filter checked against what the reader may see.

The choices and the checks read through the session, so a session scoped to a viewer
(campaigns.tenancy) offers and accepts only that viewer's creditors, imports, campaigns and agents:
an id of another creditor is answered as unknown (404), never as an empty report.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.errors import Invalid, NotFound
from campaigns.i18n import _
from campaigns.models import (
    Account,
    Campaign,
    Client,
    Debtor,
    Portfolio,
    ReportPortfolioDay,
    Role,
)
from campaigns.reports.table import AGING_BUCKETS, ReportFilter
from campaigns.users import list_users

# The longest range one report covers: a year and a day (a leap year's 366 days).
MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class FilterChoices:
    """The values the report filters offer a reader, each as (value, label)."""

    clients: tuple[tuple[int, str], ...]
    portfolios: tuple[tuple[int, str], ...]
    campaigns: tuple[tuple[int, str], ...]
    agents: tuple[tuple[int, str], ...]
    aging_buckets: tuple[str, ...]
    products: tuple[str, ...]
    regions: tuple[str, ...]


def _texts(values: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(sorted({v for v in values if v and v.strip()}))


def visible_client_ids(session: Session) -> frozenset[int]:
    """The creditors the session may see (all of them for the system and admins)."""
    return frozenset(session.scalars(select(Client.id)))


def filter_choices(session: Session) -> FilterChoices:
    """Every creditor, import, campaign, agent, product and region the session may see."""
    clients = session.execute(select(Client.id, Client.name).order_by(Client.name)).all()
    ids = [client_id for client_id, _name in clients]
    portfolios = session.execute(
        select(Portfolio.id, Portfolio.filename, Portfolio.as_of)
        .order_by(Portfolio.created_at.desc(), Portfolio.id.desc())
        .limit(200)
    ).all()
    campaigns = session.execute(select(Campaign.id, Campaign.name).order_by(Campaign.name)).all()
    agents = [u for u in list_users(session) if u.role == Role.AGENT]
    return FilterChoices(
        clients=tuple((i, n) for i, n in clients),
        portfolios=tuple((i, f"{f} · {a.isoformat()}") for i, f, a in portfolios),
        campaigns=tuple((i, n) for i, n in campaigns),
        agents=tuple((u.id, u.full_name) for u in agents),
        aging_buckets=AGING_BUCKETS,
        products=_portfolio_texts(session, "product", ids),
        regions=_portfolio_texts(session, "region", ids),
    )


def _portfolio_texts(session: Session, column: str, client_ids: list[int]) -> tuple[str, ...]:
    """The products (or regions) of the creditors' accounts: read from the latest day of the
    portfolio figures (a closed day or today's snapshot, stored every 15 minutes), a few
    hundred summary rows, not a scan of every account; from the accounts themselves before
    any figures are kept."""
    latest = session.scalar(
        select(func.max(ReportPortfolioDay.day)).where(ReportPortfolioDay.client_id.in_(client_ids))
    )
    if latest is not None:
        stored = getattr(ReportPortfolioDay, column)
        return _texts(
            session.scalars(
                select(stored)
                .distinct()
                .where(ReportPortfolioDay.day == latest)
                .where(ReportPortfolioDay.client_id.in_(client_ids))
                .limit(200)
            ).all()
        )
    if column == "product":
        live = select(Account.product).where(Account.client_id.in_(client_ids))
    else:
        live = select(Debtor.region).where(Debtor.client_id.in_(client_ids))
    return _texts(session.scalars(live.distinct().limit(200)).all())


def _visible(session: Session, model: type[Client | Portfolio | Campaign], row_id: int) -> bool:
    return session.scalar(select(model.id).where(model.id == row_id)) is not None


def _visible_agent(session: Session, agent_id: int) -> bool:
    return any(u.id == agent_id and u.role == Role.AGENT for u in list_users(session))


def checked_filter(
    session: Session,
    *,
    date_from: date,
    date_to: date,
    now: datetime,
    client_id: int | None = None,
    portfolio_id: int | None = None,
    campaign_id: int | None = None,
    agent_id: int | None = None,
    aging_bucket: str | None = None,
    product: str | None = None,
    region: str | None = None,
) -> ReportFilter:
    """The report filter a reader asked for, refused when it names something they may not see
    (404) or a range that cannot be reported (422)."""
    if date_to < date_from:
        raise Invalid(_("The range ends before it starts: choose a 'to' date on or after 'from'."))
    if date_to - date_from > timedelta(days=MAX_RANGE_DAYS - 1):
        raise Invalid(
            _("A report covers at most {days} days: choose a shorter range."), days=MAX_RANGE_DAYS
        )
    if aging_bucket is not None and aging_bucket not in AGING_BUCKETS:
        raise Invalid(_("Unknown aging bucket: choose 1-30, 31-60 or 61-90."))
    if client_id is not None and not _visible(session, Client, client_id):
        raise NotFound(_("No creditor with id {id}."), id=client_id)
    if portfolio_id is not None and not _visible(session, Portfolio, portfolio_id):
        raise NotFound(_("No such portfolio import."))
    if campaign_id is not None and not _visible(session, Campaign, campaign_id):
        raise NotFound(_("No such campaign."))
    if agent_id is not None and not _visible_agent(session, agent_id):
        raise NotFound(_("No such agent."))
    client_ids = frozenset({client_id}) if client_id is not None else visible_client_ids(session)
    return ReportFilter(
        client_ids=client_ids,
        date_from=date_from,
        date_to=date_to,
        portfolio_id=portfolio_id,
        campaign_id=campaign_id,
        agent_id=agent_id,
        aging_bucket=aging_bucket,
        product=product or None,
        region=region or None,
        now=now,
    )
