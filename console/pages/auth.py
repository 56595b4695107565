"""Sign-in page, the home redirect by role, and the language switch."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from campaigns.i18n import SUPPORTED_LOCALES, normalise_locale
from campaigns.models import Role
from campaigns.settings import get_settings
from console.deps import LANG_COOKIE, CurrentUser, NotSignedIn, SessionDep, current_user
from console.pages.common import HOME_BY_ROLE, PageRoute, back_to, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/")
def home(user: CurrentUser) -> Response:
    """Each role's start page."""
    return back_to(HOME_BY_ROLE[Role(user.role)])


@router.get("/login")
def login_page(request: Request) -> Response:
    """The sign-in form (it posts to /auth/login)."""
    return render(request, "login.html")


@router.post("/language")
def switch_language(
    request: Request,
    db: SessionDep,
    locale: Annotated[str, Form()],
    next_path: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Switch between Spanish and English; kept on the user and in a cookie."""
    chosen = normalise_locale(locale if locale in SUPPORTED_LOCALES else None)
    try:
        user = current_user(request, db)
    except NotSignedIn:
        user = None
    if user is not None:
        user.locale = chosen
    target = urlsplit(next_path)
    response = back_to(target.path if target.path.startswith("/") and not target.netloc else "/")
    response.set_cookie(
        LANG_COOKIE,
        chosen,
        max_age=365 * 86400,
        samesite="lax",
        secure=get_settings().cookie_secure,
        httponly=True,
    )
    return response
