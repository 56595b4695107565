"""The web application: composition root wiring routers, error rendering and origin checks."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from campaigns.errors import AcuerdoError
from campaigns.i18n import _, translate
from campaigns.settings import get_settings
from console.api.payments import router as payments_router
from console.auth.api import router as auth_router
from console.deps import request_locale
from telephony.webhooks import create_router as twilio_router

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class OriginCheck(BaseHTTPMiddleware):
    """Refuse browser requests that change state from another site (webhooks send no Origin)."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        origin = request.headers.get("origin")
        if request.method in UNSAFE_METHODS and origin and origin not in get_settings().origins:
            message = translate(request_locale(request), _("Request from a site not allowed."))
            return JSONResponse({"error": message}, status_code=403)
        return await call_next(request)


async def render_error(request: Request, error: Exception) -> JSONResponse:
    """Render a domain error in the reader's language."""
    assert isinstance(error, AcuerdoError)
    return JSONResponse(
        {"error": error.render(request_locale(request))}, status_code=error.status_code
    )


def create_app() -> FastAPI:
    """Build the Acuerdo web application."""
    app = FastAPI(title="Acuerdo", version="0.1.0")
    app.add_middleware(OriginCheck)
    app.add_exception_handler(AcuerdoError, render_error)
    app.include_router(auth_router)
    app.include_router(payments_router)
    app.include_router(twilio_router(connect_agent=None))
    return app
