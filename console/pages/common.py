"""What every page shares: HTML error handling, the reader's language and zone, rendering.

A form post that redirects commits before answering: the request session's dependency commits
only after the response is sent, and the browser's next GET must see the change.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from campaigns.errors import AcuerdoError
from campaigns.i18n import normalise_locale
from campaigns.models import Role, User
from console.deps import LANG_COOKIE, NotSignedIn, PasswordChangeRequired
from console.edge.errors import validation_refusal
from console.i18n_templates import DEFAULT_ZONE, render_template, zone

ZONE_COOKIE = "acuerdo_tz"
HOME_BY_ROLE = {
    Role.AGENT: "/agent",
    Role.SUPERVISOR: "/supervisor",
    Role.MANAGER: "/manager",
    Role.ADMIN: "/manager",
    Role.CLIENT_VIEWER: "/viewer",
}


def page_locale(request: Request) -> str:
    """The signed-in user's language, else the language cookie, else Spanish."""
    locale: str | None = getattr(request.state, "locale", None)
    return normalise_locale(locale or request.cookies.get(LANG_COOKIE))


def viewer_zone(request: Request) -> str:
    """The viewer's time zone as the browser reported it (Mexico City until it has)."""
    return zone(request.cookies.get(ZONE_COOKIE) or DEFAULT_ZONE).key


def render(
    request: Request,
    name: str,
    *,
    user: User | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A template rendered in the reader's language and zone; never cached."""
    html = render_template(
        page_locale(request),
        name,
        request=request,
        user=user,
        tz=viewer_zone(request),
        home=HOME_BY_ROLE.get(Role(user.role)) if user else "/login",
        Role=Role,
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def error_page(request: Request, error: AcuerdoError) -> HTMLResponse:
    """A domain error as a page in the reader's language, with its status code."""
    return render(
        request,
        "error.html",
        status_code=error.status_code,
        message=error.render(page_locale(request)),
    )


class PageRoute(APIRoute):
    """A page: signed-out readers go to the sign-in page, domain errors become error pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except NotSignedIn:
                return RedirectResponse("/login", status_code=303)
            except PasswordChangeRequired:
                return RedirectResponse("/account/password", status_code=303)
            except AcuerdoError as error:
                return error_page(request, error)
            except RequestValidationError as error:
                return error_page(request, validation_refusal(error))

        return page_handler


def back_to(path: str, status_code: int = 303) -> RedirectResponse:
    """A redirect after a form post (POST/redirect/GET)."""
    return RedirectResponse(path, status_code=status_code)
