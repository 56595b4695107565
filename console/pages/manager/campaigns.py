"""Manager pages: the campaigns list and the lifecycle (start, pause, finish, duplicate).

The builder is in campaign_editor.py, export and import of a campaign as a file in
campaign_files.py, and the preview in campaign_preview.py.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaigns.campaign_defs import (
    campaign_out,
    duplicate_campaign,
    finish_campaign,
    list_campaigns,
    pause_campaign,
    start_campaign,
)
from campaigns.models import utcnow
from console.deps import DbId, ManagerUser, SessionDep
from console.pages.common import PageRoute, back_to, render

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)


@router.get("/campaigns")
def campaigns(request: Request, db: SessionDep, user: ManagerUser) -> Response:
    """Every campaign of the creditors you work, with its lifecycle actions."""
    return render(
        request,
        "manager/campaigns.html",
        user=user,
        campaigns=[campaign_out(db, c) for c in list_campaigns(db)],
    )


@router.post("/campaigns/{campaign_id}/start")
def start(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> Response:
    """Start or resume a campaign."""
    start_campaign(db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow())
    return back_to(f"/manager/campaigns/{campaign_id}/preview")


@router.post("/campaigns/{campaign_id}/pause")
def pause(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> Response:
    """Pause a campaign."""
    pause_campaign(db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow())
    return back_to(f"/manager/campaigns/{campaign_id}/preview")


@router.post("/campaigns/{campaign_id}/finish")
def finish(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> Response:
    """End a campaign for good."""
    finish_campaign(
        db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow()
    )
    return back_to(f"/manager/campaigns/{campaign_id}/preview")


@router.post("/campaigns/{campaign_id}/duplicate")
def duplicate(db: SessionDep, user: ManagerUser, campaign_id: DbId) -> Response:
    """A draft copy of the campaign, opened in the builder."""
    copy = duplicate_campaign(
        db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow()
    )
    db.flush()
    return back_to(f"/manager/campaigns/{copy.id}")
