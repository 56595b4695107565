"""Campaigns API for managers: define, edit while draft or paused, start, pause, finish, preview."""

from fastapi import APIRouter, Query

from campaigns.campaign_defs import (
    CampaignIn,
    CampaignOut,
    PreviewOut,
    campaign_out,
    create_campaign,
    finish_campaign,
    get_campaign,
    list_campaigns,
    pause_campaign,
    start_campaign,
    update_campaign,
)
from campaigns.models import CampaignStatus, utcnow
from campaigns.scheduler import preview_campaign
from console.deps import DbId, IsoMoment, ManagerUser, SessionDep
from console.edge.errors import SIGNED_IN_ERRORS

router = APIRouter(prefix="/api/campaigns", tags=["campaigns"], responses=SIGNED_IN_ERRORS)


@router.post("", status_code=201)
def create(db: SessionDep, user: ManagerUser, definition: CampaignIn) -> CampaignOut:
    """Create a draft campaign (checked against the 1-90 day cap, templates and compliance)."""
    campaign = create_campaign(
        db, definition=definition, by_id=user.id, by_label=user.username, now=utcnow()
    )
    return campaign_out(db, campaign)


@router.get("")
def list_(
    db: SessionDep, user: ManagerUser, status: CampaignStatus | None = None
) -> list[CampaignOut]:
    """The campaigns of the creditors you work, highest priority first."""
    return [campaign_out(db, c) for c in list_campaigns(db, status=status)]


@router.get("/{campaign_id}")
def get(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> CampaignOut:
    """One campaign with its definition and lifecycle."""
    return campaign_out(db, get_campaign(db, campaign_id=campaign_id))


@router.put("/{campaign_id}")
def update(
    db: SessionDep, user: ManagerUser, campaign_id: DbId, definition: CampaignIn
) -> CampaignOut:
    """Replace the definition of a draft or paused campaign."""
    campaign = update_campaign(
        db,
        campaign_id=campaign_id,
        definition=definition,
        by_id=user.id,
        by_label=user.username,
        now=utcnow(),
    )
    return campaign_out(db, campaign)


@router.post("/{campaign_id}/start")
def start(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> CampaignOut:
    """Activate a draft or paused campaign."""
    campaign = start_campaign(
        db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow()
    )
    return campaign_out(db, campaign)


@router.post("/{campaign_id}/pause")
def pause(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> CampaignOut:
    """Pause an active campaign."""
    campaign = pause_campaign(
        db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow()
    )
    return campaign_out(db, campaign)


@router.post("/{campaign_id}/finish")
def finish(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> CampaignOut:
    """Finish a campaign for good."""
    campaign = finish_campaign(
        db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow()
    )
    return campaign_out(db, campaign)


@router.get("/{campaign_id}/preview")
def preview(
    db: SessionDep,
    user: ManagerUser,
    campaign_id: DbId,
    at: IsoMoment | None = None,
    limit: int = Query(default=100, ge=0, le=1000),
) -> PreviewOut:
    """Who the campaign would contact at `at` (default now) and why it would skip the others."""
    return preview_campaign(db, campaign_id=campaign_id, at=at or utcnow(), limit=limit)
