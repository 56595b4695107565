"""Sign-in and sign-out routes."""

import math
import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns import users
from campaigns.errors import AcuerdoError
from campaigns.i18n import _
from campaigns.models import AuditEvent, User
from campaigns.redis_conn import get_redis
from campaigns.settings import get_settings
from console.auth import throttle
from console.auth.addresses import client_address
from console.auth.sessions import COOKIE_NAME, create_session, destroy_session
from console.deps import CurrentUser, SessionDep
from console.edge.errors import documented

router = APIRouter(prefix="/auth", tags=["auth"], responses=documented(401, 429))


DEVICE_COOKIE = "acuerdo_device"


class TooManyAttempts(AcuerdoError):
    status_code = 429

    def __init__(self, wait_seconds: float) -> None:
        seconds = max(1, math.ceil(wait_seconds))
        super().__init__(
            _("Too many failed sign-ins. Wait {seconds} seconds and try again."), seconds=seconds
        )
        self.headers = {"Retry-After": str(seconds)}


class BadCredentials(AcuerdoError):
    status_code = 401


class Me(BaseModel):
    id: int
    username: str
    full_name: str
    role: str
    client_id: int | None
    locale: str
    must_change_password: bool


def _me(user: object) -> Me:
    return Me.model_validate(user, from_attributes=True)


@router.post("/login")
def login(
    request: Request,
    response: Response,
    db: SessionDep,
    username: Annotated[str, Form(max_length=150)],
    password: Annotated[str, Form(max_length=1024)],
) -> Me:
    """Sign in with username and password; sets a new session cookie (429 while throttled)."""
    redis = get_redis()
    now = time.time()
    attempt = throttle.LoginAttempt(
        username=username,
        address=client_address(request),
        device=request.cookies.get(DEVICE_COOKIE),
    )
    verdict = throttle.check(redis, attempt, now=now)
    if not verdict.allowed:
        raise TooManyAttempts(verdict.wait_seconds)
    user = users.authenticate(db, username=username, password=password)
    if user is None:
        events = throttle.record_failure(redis, attempt, now=now)
        if events:
            audit_throttle(db, events, at=datetime.fromtimestamp(now, UTC))
            db.commit()
        raise BadCredentials(_("Wrong username or password."))
    device = throttle.record_success(redis, attempt, now=now)
    users.record_sign_in(db, user=user, now=datetime.fromtimestamp(now, UTC))
    destroy_session(redis, request.cookies.get(COOKIE_NAME))
    settings = get_settings()
    response.set_cookie(
        DEVICE_COOKIE,
        device,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        max_age=settings.login_device_days * 86400,
        path="/auth/",
    )
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


def audit_throttle(session: Session, events: list[throttle.ThrottleEvent], *, at: datetime) -> None:
    """Write each delay or address limit a failed sign-in imposed to the audit trail."""
    for event in events:
        user_id = (
            session.scalar(select(User.id).where(User.username == event.username))
            if event.username
            else None
        )
        session.add(
            AuditEvent(
                actor_label="sign-in throttle",
                action=event.action,
                entity_type="users",
                entity_id=user_id,
                data={
                    "username": event.username,
                    "address": event.address,
                    "failures": event.failures,
                    "wait_seconds": event.wait_seconds,
                },
                created_at=at,
            )
        )
