"""The supervisor wallboard (live over /ws/supervisor) and its campaign start/pause buttons."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaigns.campaign_defs import pause_campaign, start_campaign
from campaigns.models import utcnow
from campaigns.redis_conn import get_redis
from campaigns.settings import get_settings
from campaigns.tenancy import viewer_for
from console.deps import DbId, SessionDep, SupervisorUser
from console.doctor import diagnose
from console.pages.common import PageRoute, back_to, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/supervisor")
def wallboard(request: Request, db: SessionDep, user: SupervisorUser) -> Response:
    """Agents with state and time in state, live calls, today's figures per campaign, health."""
    health = diagnose(
        db, client=get_redis(), now=utcnow(), client_ids=viewer_for(db, user).client_ids
    )
    return render(
        request,
        "supervisor.html",
        user=user,
        health=health,
        browser_phone=get_settings().twilio_mode == "live",
    )


@router.post("/supervisor/campaigns/{campaign_id}/start")
def start(db: SessionDep, user: SupervisorUser, campaign_id: DbId) -> Response:
    """Start (or resume) a campaign from the wallboard."""
    start_campaign(db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow())
    return back_to("/supervisor")


@router.post("/supervisor/campaigns/{campaign_id}/pause")
def pause(db: SessionDep, user: SupervisorUser, campaign_id: DbId) -> Response:
    """Pause a campaign from the wallboard."""
    pause_campaign(db, campaign_id=campaign_id, by_id=user.id, by_label=user.username, now=utcnow())
    return back_to("/supervisor")
