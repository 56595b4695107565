"""The agent console page (the live parts arrive over /ws/agent)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaigns.settings import get_settings
from console.deps import CallTakerUser
from console.pages.common import PageRoute, render
from console.screen import AGENT_DISPOSITIONS

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/agent")
def agent_console(request: Request, user: CallTakerUser) -> Response:
    """State, call banner, account, timeline, script, options and the outcome form; in live mode
    also the browser phone (in sandbox mode the sandbox plays the agent's leg)."""
    return render(
        request,
        "agent.html",
        user=user,
        dispositions=AGENT_DISPOSITIONS,
        browser_phone=get_settings().twilio_mode == "live",
    )
