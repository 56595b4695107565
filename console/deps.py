"""Request dependencies of the web layer: the database session, the signed-in user, roles."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import annotated_types
from fastapi import Depends, Request
from pydantic import AfterValidator, BeforeValidator, TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from campaigns.db import request_session
from campaigns.errors import AcuerdoError, Forbidden, Invalid
from campaigns.i18n import _, normalise_locale
from campaigns.models import Role, User
from campaigns.redis_conn import get_redis
from campaigns.tenancy import scope_session, viewer_for
from console.auth.sessions import COOKIE_NAME, load_session

LANG_COOKIE = "acuerdo_lang"


class NotSignedIn(AcuerdoError):
    status_code = 401


class PasswordChangeRequired(AcuerdoError):
    """Signed in with a temporary password: only choosing a new one is allowed."""

    status_code = 403


PASSWORD_CHANGE_PATHS = frozenset({"/account/password", "/auth/logout", "/auth/me", "/language"})


INT32_MAX = 2**31 - 1
# A row id as the database stores it (INTEGER): 1 .. 2^31-1. Use it for every id a request
# carries, in the path, the query or a form: `campaign_id: DbId`, `Annotated[DbId, Form()]`.
DbId = Annotated[int, annotated_types.Ge(1), annotated_types.Le(INT32_MAX)]

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _iso_text(value: Any) -> Any:
    if not isinstance(value, str | datetime):
        raise ValueError("an ISO 8601 date-time is required, e.g. 2026-11-30T15:00:00Z")
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError as error:
            raise ValueError("an ISO 8601 date-time is required, e.g. 2026-11-30T15:00:00Z") from (
                error
            )
    return value


def _sane_moment(value: datetime) -> datetime:
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    if not EARLIEST <= moment < LATEST:
        raise ValueError("the date-time must be between 2000 and 2099")
    return moment.astimezone(UTC)


_DB_ID = TypeAdapter(DbId)


def form_id(text: str, *, field: str) -> int | None:
    """An optional id typed into a form field: empty is None, anything but a row id is a 422."""
    if not text.strip():
        return None
    try:
        return _DB_ID.validate_python(text.strip(), strict=False)
    except ValidationError as error:
        raise Invalid(_("Check these values and try again: {fields}."), fields=field) from error


# A moment a request asks about: an ISO 8601 date-time (UTC when it has no zone), 2000-2099.
IsoMoment = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_sane_moment)]


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
    if user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired(_("Choose a new password before you go on."))
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
# Who takes calls in the agent console: agents, and supervisors taking transferred calls.
CallTakerUser = Annotated[User, Depends(require_roles(Role.AGENT, Role.SUPERVISOR))]


def request_locale(request: Request) -> str:
    """The reader's language: the signed-in user's, else the one chosen on the sign-in page,
    else the browser's, else Spanish."""
    locale: str | None = getattr(request.state, "locale", None)
    if locale is not None:
        return locale
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen:
        return normalise_locale(chosen)
    header = request.headers.get("accept-language", "")
    first = header.split(",")[0].split(";")[0].strip()
    return normalise_locale(first or None)
