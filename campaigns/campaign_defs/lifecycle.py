"""A campaign's lifecycle: start (or resume), pause and finish, each audited and announced to
the supervisors of its creditor (a `campaign` message on their feed, after commit)."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.audit import record
from campaigns.campaign_defs.errors import CampaignStateConflict
from campaigns.campaign_defs.service import get_campaign, to_definition
from campaigns.campaign_defs.validation import validate_definition
from campaigns.channels import SUPERVISORS_CHANNEL
from campaigns.events import publish_after_commit
from campaigns.i18n import _
from campaigns.models import Attempt, Campaign, CampaignStatus, Client


def _transition(
    session: Session,
    *,
    campaign_id: int,
    allowed: tuple[CampaignStatus, ...],
    to: CampaignStatus,
    by_id: int | None,
    by_label: str,
    now: datetime,
) -> Campaign:
    campaign = get_campaign(session, campaign_id=campaign_id)
    if campaign.status not in allowed:
        raise CampaignStateConflict(
            _("Campaign {name} is {status}; it cannot become {target}."),
            name=campaign.name,
            status=campaign.status,
            target=to,
        )
    before = campaign.status
    campaign.status = to
    if to == CampaignStatus.ACTIVE:
        campaign.started_at, campaign.started_by_id = now, by_id
    elif to == CampaignStatus.PAUSED:
        campaign.paused_at, campaign.paused_by_id = now, by_id
    else:
        campaign.finished_at, campaign.finished_by_id = now, by_id
    session.flush()
    record(
        session,
        action=f"campaign.{to}",
        entity=campaign,
        actor_id=by_id,
        actor_label=by_label,
        at=now,
        data={"from": str(before), "at": now.isoformat()},
    )
    publish_after_commit(
        session,
        SUPERVISORS_CHANNEL,
        {
            "v": 1,
            "type": "campaign",
            "client_id": campaign.client_id,
            "campaign_id": campaign.id,
            "name": campaign.name,
            "status": str(to),
            "by": by_label,
            "at": now.isoformat(),
        },
    )
    return campaign


def start_campaign(
    session: Session, *, campaign_id: int, by_id: int | None, by_label: str, now: datetime
) -> Campaign:
    """Activate a draft or paused campaign: the scheduler starts working it at its next tick."""
    campaign = get_campaign(session, campaign_id=campaign_id)
    client = session.get_one(Client, campaign.client_id)
    validate_definition(client, to_definition(campaign, client))
    return _transition(
        session,
        campaign_id=campaign_id,
        allowed=(CampaignStatus.DRAFT, CampaignStatus.PAUSED),
        to=CampaignStatus.ACTIVE,
        by_id=by_id,
        by_label=by_label,
        now=now,
    )


def pause_campaign(
    session: Session, *, campaign_id: int, by_id: int | None, by_label: str, now: datetime
) -> Campaign:
    """Stop creating attempts for an active campaign (attempts in flight finish)."""
    return _transition(
        session,
        campaign_id=campaign_id,
        allowed=(CampaignStatus.ACTIVE,),
        to=CampaignStatus.PAUSED,
        by_id=by_id,
        by_label=by_label,
        now=now,
    )


def finish_campaign(
    session: Session, *, campaign_id: int, by_id: int | None, by_label: str, now: datetime
) -> Campaign:
    """End a campaign for good."""
    return _transition(
        session,
        campaign_id=campaign_id,
        allowed=(CampaignStatus.DRAFT, CampaignStatus.ACTIVE, CampaignStatus.PAUSED),
        to=CampaignStatus.FINISHED,
        by_id=by_id,
        by_label=by_label,
        now=now,
    )


def pause_over_abandon_cap(
    session: Session, *, campaign_id: int, live_answers: int, abandons: int, now: datetime
) -> Campaign | None:
    """Pause an active campaign whose rolling abandon rate is over its cap, when a debtor was
    abandoned since it was last started (so a supervisor who resumes it, knowing the rate, is not
    overruled until another abandon happens). Returns the campaign when it was paused."""
    campaign = get_campaign(session, campaign_id=campaign_id)
    cap = float(campaign.abandon_target_pct) / 100
    if (
        campaign.status != CampaignStatus.ACTIVE
        or not live_answers
        or abandons <= cap * live_answers
    ):
        return None
    since = campaign.started_at or campaign.created_at
    abandoned_since = session.scalar(
        select(func.count(Attempt.id)).where(
            Attempt.campaign_id == campaign_id,
            Attempt.abandoned.is_(True),
            Attempt.answered_at >= since,
        )
    )
    if not abandoned_since:
        return None
    return _transition(
        session,
        campaign_id=campaign_id,
        allowed=(CampaignStatus.ACTIVE,),
        to=CampaignStatus.PAUSED,
        by_id=None,
        by_label="dialer: abandon rate over the cap",
        now=now,
    )
