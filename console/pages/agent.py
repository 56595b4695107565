"""The agent console page (the live parts arrive over /ws/agent)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.deps import AgentUser
from console.pages.common import PageRoute, render
from console.screen import AGENT_DISPOSITIONS

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/agent")
def agent_console(request: Request, user: AgentUser) -> Response:
    """State, call banner, account, timeline, script, options and the outcome form."""
    return render(request, "agent.html", user=user, dispositions=AGENT_DISPOSITIONS)
