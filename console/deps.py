"""Request dependencies of the web layer: the database session, the signed-in user, roles."""

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from campaigns.db import request_session
from campaigns.errors import AcuerdoError, Forbidden
from campaigns.i18n import _, normalise_locale
from campaigns.models import Role, User
from campaigns.redis_conn import get_redis
from campaigns.tenancy import scope_session, viewer_for
from console.auth.sessions import COOKIE_NAME, load_session


class NotSignedIn(AcuerdoError):
    status_code = 401


SessionDep = Annotated[Session, Depends(request_session, scope="function")]


async def posted_form(request: Request) -> FormData:
    """The request's form, read on the event loop so the route itself can run in a thread."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


def current_user(request: Request, db: SessionDep) -> User:
    """The signed-in user; the request's session is scoped to what that user may see."""
    web_session = load_session(get_redis(), request.cookies.get(COOKIE_NAME))
    user = db.get(User, web_session.user_id) if web_session else None
    if user is None or not user.is_active:
        raise NotSignedIn(_("Please sign in."))
    scope_session(db, viewer_for(db, user))
    request.state.locale = normalise_locale(user.locale)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_roles(*roles: Role) -> Callable[[User], User]:
    """A dependency that lets only these roles through (admins always pass)."""
    allowed = set(roles) | {Role.ADMIN}

    def check(user: CurrentUser) -> User:
        if Role(user.role) not in allowed:
            raise Forbidden(_("Your role does not allow this."))
        return user

    return check


ManagerUser = Annotated[User, Depends(require_roles(Role.MANAGER))]
SupervisorUser = Annotated[User, Depends(require_roles(Role.SUPERVISOR, Role.MANAGER))]
AgentUser = Annotated[User, Depends(require_roles(Role.AGENT))]


def request_locale(request: Request) -> str:
    """The reader's language: the signed-in user's, else the browser's, else Spanish."""
    locale: str | None = getattr(request.state, "locale", None)
    if locale is not None:
        return locale
    header = request.headers.get("accept-language", "")
    first = header.split(",")[0].split(";")[0].strip()
    return normalise_locale(first or None)
