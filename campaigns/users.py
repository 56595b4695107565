"""Users: creating them and checking their passwords."""

from datetime import datetime
from functools import cache

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from campaigns.clients import get_client_by_name
from campaigns.errors import Conflict, Invalid
from campaigns.i18n import _
from campaigns.models import Role, User, UserClientAccess
from campaigns.passwords import hash_password, verify_password
from campaigns.tenancy import session_viewer

MIN_PASSWORD_LENGTH = 10


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    full_name: str,
    client_names: list[str],
    locale: str = "es_MX",
    now: datetime,
) -> User:
    """Add a user; client_viewers name exactly one creditor, staff any they may work."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(_("The password needs at least {n} characters."), n=MIN_PASSWORD_LENGTH)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(_("The username {username} is taken."), username=username)
    clients = [get_client_by_name(session, name) for name in client_names]
    if role == Role.CLIENT_VIEWER and len(clients) != 1:
        raise Invalid(_("A client viewer belongs to exactly one creditor."))
    user = User(
        username=username,
        full_name=full_name,
        password_hash=hash_password(password),
        role=role,
        locale=locale,
        client_id=clients[0].id if role == Role.CLIENT_VIEWER else None,
        created_at=now,
    )
    session.add(user)
    session.flush()
    if role != Role.CLIENT_VIEWER:
        for client in clients:
            session.add(UserClientAccess(user_id=user.id, client_id=client.id))
        session.flush()
    return user


def list_users(session: Session) -> list[User]:
    """Who signs in, by role and username: everyone for admins and the system; for anyone
    else only the staff and client viewers of the creditors the session's viewer works."""
    query = select(User).order_by(User.role, User.username)
    viewer = session_viewer(session)
    if viewer is not None and viewer.client_ids is not None:
        ids = tuple(viewer.client_ids)
        staff = select(UserClientAccess.user_id).where(UserClientAccess.client_id.in_(ids))
        query = query.where(or_(User.id.in_(staff), User.client_id.in_(ids)))
    return list(session.scalars(query))


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active:
        verify_password(_dummy_hash(), password)
        return None
    return user if verify_password(user.password_hash, password) else None


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the user is unknown, so the answer takes as long; made on
    first use, not at import (argon2 costs 0.5 s of CPU that CLI and worker processes skip)."""
    return hash_password("timing-equaliser-not-a-password")
