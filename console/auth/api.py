"""Sign-in and sign-out routes."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import BaseModel

from campaigns import users
from campaigns.errors import AcuerdoError
from campaigns.i18n import _
from campaigns.redis_conn import get_redis
from campaigns.settings import get_settings
from console.auth import throttle
from console.auth.sessions import COOKIE_NAME, create_session, destroy_session
from console.deps import CurrentUser, SessionDep
from console.edge.errors import documented

router = APIRouter(prefix="/auth", tags=["auth"], responses=documented(401, 429))


class TooManyAttempts(AcuerdoError):
    status_code = 429


class BadCredentials(AcuerdoError):
    status_code = 401


class Me(BaseModel):
    id: int
    username: str
    full_name: str
    role: str
    client_id: int | None
    locale: str


def _me(user: object) -> Me:
    return Me.model_validate(user, from_attributes=True)


@router.post("/login")
def login(
    request: Request,
    response: Response,
    db: SessionDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Me:
    """Sign in with username and password; sets a new session cookie."""
    redis = get_redis()
    address = request.client.host if request.client else "unknown"
    if throttle.is_locked_out(redis, username=username, address=address):
        raise TooManyAttempts(_("Too many failed sign-ins. Wait a few minutes and try again."))
    user = users.authenticate(db, username=username, password=password)
    if user is None:
        throttle.record_failure(redis, username=username, address=address)
        raise BadCredentials(_("Wrong username or password."))
    throttle.clear_failures(redis, username=username, address=address)
    destroy_session(redis, request.cookies.get(COOKIE_NAME))
    settings = get_settings()
    response.set_cookie(
        COOKIE_NAME,
        create_session(redis, user_id=user.id),
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        max_age=settings.session_absolute_hours * 3600,
    )
    return _me(user)


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response) -> None:
    """Sign out and forget the session."""
    destroy_session(get_redis(), request.cookies.get(COOKIE_NAME))
    response.delete_cookie(COOKIE_NAME)


@router.get("/me")
def me(user: CurrentUser) -> Me:
    """Who is signed in."""
    return _me(user)
