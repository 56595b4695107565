"""Today's figures per campaign, as supervisors and creditors read them (the operating day)."""

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, and_, case, func, select
from sqlalchemy.orm import Session

from campaigns.models import Attempt, Campaign, Outcome, PromiseToPay
from campaigns.operating_day import operating_day
from campaigns.reports.daily.merged import within_ids

HUMAN = "human"


@dataclass(frozen=True)
class CampaignFigures:
    """One campaign's results since a moment (usually the start of the local day)."""

    campaign_id: int
    name: str
    status: str
    dialing_mode: str
    attempts: int
    contacts: int
    right_party_contacts: int
    promises: int
    amount_promised: Decimal
    abandoned: int
    abandon_rate: float
    abandon_cap: float

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["amount_promised"] = str(self.amount_promised)
        return data


def todays_figures(
    session: Session, *, now: datetime, client_id: int | None = None
) -> list[CampaignFigures]:
    """Each visible campaign's figures for the operating day `now` falls in (the BPO's zone);
    of one creditor's campaigns only when `client_id` is given."""
    day = operating_day(now)
    return campaign_figures(session, since=day.start, until=day.end, client_id=client_id)


def campaign_figures(
    session: Session,
    *,
    since: datetime,
    until: datetime | None = None,
    client_id: int | None = None,
) -> list[CampaignFigures]:
    """Attempts, contacts, right-party contacts, promises and abandon rate per visible campaign
    (of one creditor when `client_id` is given), created in [since, until). The outcomes and
    calls behind the day's right-party contacts and promises are read as the slice of ids they
    point to (`within_ids`), not one by one nor by scanning every outcome."""
    until = until or datetime.max.replace(tzinfo=UTC)

    def mine(model: Any) -> list[Any]:
        return [] if client_id is None else [model.client_id == client_id]

    attempts = (
        select(
            Attempt.campaign_id,
            func.count(Attempt.id).label("attempts"),
            func.sum(case((Attempt.answered_by == HUMAN, 1), else_=0)).label("contacts"),
            func.sum(func.cast(Attempt.abandoned, Integer)).label("abandoned"),
        )
        .where(
            Attempt.created_at >= since,
            Attempt.created_at < until,
            Attempt.campaign_id.is_not(None),
            *mine(Attempt),
        )
        .group_by(Attempt.campaign_id)
        .subquery()
    )
    right_party = (
        Outcome.created_at >= since,
        Outcome.created_at < until,
        Outcome.right_party.is_(True),
        *mine(Outcome),
    )
    rpc = (
        select(Attempt.campaign_id, func.count(Outcome.id).label("rpc"))
        .join(
            Attempt,
            and_(
                Attempt.id == Outcome.attempt_id,
                *within_ids(Attempt.id, Outcome.attempt_id, *right_party),
            ),
        )
        .where(*right_party)
        .group_by(Attempt.campaign_id)
        .subquery()
    )
    made = (PromiseToPay.created_at >= since, PromiseToPay.created_at < until, *mine(PromiseToPay))
    outcomes_made = within_ids(Outcome.id, PromiseToPay.outcome_id, *made)
    promised = (
        select(
            Attempt.campaign_id,
            func.count(PromiseToPay.id).label("promises"),
            func.coalesce(func.sum(PromiseToPay.amount), 0).label("amount"),
        )
        .join(Outcome, and_(Outcome.id == PromiseToPay.outcome_id, *outcomes_made))
        .join(
            Attempt,
            and_(
                Attempt.id == Outcome.attempt_id,
                *within_ids(Attempt.id, Outcome.attempt_id, *outcomes_made),
            ),
        )
        .where(*made)
        .group_by(Attempt.campaign_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Campaign,
            attempts.c.attempts,
            attempts.c.contacts,
            attempts.c.abandoned,
            rpc.c.rpc,
            promised.c.promises,
            promised.c.amount,
        )
        .outerjoin(attempts, attempts.c.campaign_id == Campaign.id)
        .outerjoin(rpc, rpc.c.campaign_id == Campaign.id)
        .outerjoin(promised, promised.c.campaign_id == Campaign.id)
        .where(*mine(Campaign))
        .order_by(Campaign.name)
    ).all()
    figures = []
    for campaign, n_attempts, contacts, abandoned, n_rpc, promises, amount in rows:
        contacts, abandoned = int(contacts or 0), int(abandoned or 0)
        figures.append(
            CampaignFigures(
                campaign_id=campaign.id,
                name=campaign.name,
                status=str(campaign.status),
                dialing_mode=str(campaign.dialing_mode),
                attempts=int(n_attempts or 0),
                contacts=contacts,
                right_party_contacts=int(n_rpc or 0),
                promises=int(promises or 0),
                amount_promised=Decimal(amount or 0),
                abandoned=abandoned,
                abandon_rate=abandoned / contacts if contacts else 0.0,
                abandon_cap=float(campaign.abandon_target_pct) / 100,
            )
        )
    return figures
