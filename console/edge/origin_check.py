"""Refuse browser requests that change state from another site (webhooks send no Origin)."""

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from campaigns.i18n import _, translate
from campaigns.settings import get_settings
from console.deps import request_locale

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class OriginCheck:
    """A plain ASGI middleware: Starlette's BaseHTTPMiddleware runs every request through an
    extra task and memory streams, which cost each webhook more than this check does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            origin = Headers(scope=scope).get("origin")
            if origin and origin not in get_settings().origins:
                message = translate(
                    request_locale(Request(scope)), _("Request from a site not allowed.")
                )
                await JSONResponse({"error": message}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)
