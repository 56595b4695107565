"""Users: creating, editing, disabling them, their passwords and sign-ins."""

from datetime import datetime
from functools import cache

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from campaigns import audit
from campaigns.channels import USERS_CHANNEL
from campaigns.clients import get_client_by_name
from campaigns.errors import Conflict, Forbidden, Invalid, NotFound
from campaigns.events import publish_after_commit
from campaigns.i18n import _
from campaigns.models import Client, Role, User, UserClientAccess
from campaigns.password_policy import check_password, temporary_password
from campaigns.passwords import hash_password, verify_password
from campaigns.tenancy import session_viewer


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
    check_password(password, username=username)
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


def user_to_manage(session: Session, *, user_id: int, by: User) -> User:
    """A user the session's viewer may edit: one of their creditors' people, never an admin
    unless the viewer is one (404 when not visible)."""
    user = next((u for u in list_users(session) if u.id == user_id), None)
    if user is None:
        raise NotFound(_("No user with id {id}."), id=user_id)
    if Role(user.role) == Role.ADMIN and Role(by.role) != Role.ADMIN:
        raise Forbidden(_("Only an administrator can change an administrator."))
    return user


def client_names_of(session: Session, user: User) -> list[str]:
    """The names of the creditors a user works (or, for a client viewer, belongs to)."""
    if Role(user.role) == Role.CLIENT_VIEWER:
        ids = [user.client_id] if user.client_id else []
    else:
        ids = list(
            session.scalars(
                select(UserClientAccess.client_id).where(UserClientAccess.user_id == user.id)
            )
        )
    return [c.name for c in session.scalars(select(Client).where(Client.id.in_(ids)))]


def update_user(
    session: Session,
    *,
    user_id: int,
    full_name: str,
    role: Role,
    client_names: list[str],
    by: User,
    now: datetime,
) -> User:
    """Change a user's name, role and creditors (only among the creditors `by` works)."""
    user = user_to_manage(session, user_id=user_id, by=by)
    if role == Role.ADMIN and Role(by.role) != Role.ADMIN:
        raise Forbidden(_("Only an administrator can make someone an administrator."))
    if not full_name.strip():
        raise Invalid(_("The full name is blank."))
    if user.id == by.id and role != Role(by.role):
        raise Invalid(_("You cannot change your own role."))
    clients = [get_client_by_name(session, name) for name in client_names]
    if role == Role.CLIENT_VIEWER and len(clients) != 1:
        raise Invalid(_("A client viewer belongs to exactly one creditor."))
    before = {"role": str(user.role), "clients": client_names_of(session, user)}
    viewer = session_viewer(session)
    mine = None if viewer is None else viewer.client_ids
    wanted = {c.id for c in clients} if role != Role.CLIENT_VIEWER else set()
    for access in session.scalars(
        select(UserClientAccess).where(UserClientAccess.user_id == user.id)
    ).all():
        if (mine is None or access.client_id in mine) and access.client_id not in wanted:
            session.delete(access)
        wanted.discard(access.client_id)
    for client_id in sorted(wanted):
        session.add(UserClientAccess(user_id=user.id, client_id=client_id))
    user.full_name = full_name.strip()
    user.role = role
    user.client_id = clients[0].id if role == Role.CLIENT_VIEWER else None
    session.flush()
    audit.record(
        session,
        action="user.updated",
        entity=user,
        actor_id=by.id,
        actor_label=by.username,
        at=now,
        data={"before": before, "after": {"role": str(role), "clients": sorted(client_names)}},
    )
    if before["role"] != str(role):
        _end_sessions(session, user)
    return user


def set_active(session: Session, *, user_id: int, active: bool, by: User, now: datetime) -> User:
    """Enable or disable a user; a disabled user's sessions and sockets end at once."""
    user = user_to_manage(session, user_id=user_id, by=by)
    if user.id == by.id and not active:
        raise Invalid(_("You cannot disable yourself."))
    user.is_active = active
    audit.record(
        session,
        action="user.enabled" if active else "user.disabled",
        entity=user,
        actor_id=by.id,
        actor_label=by.username,
        at=now,
    )
    if not active:
        _end_sessions(session, user)
    return user


def reset_password(session: Session, *, user_id: int, by: User, now: datetime) -> str:
    """Give a user a temporary password (shown once) that must be changed at the next sign-in;
    their current sessions end."""
    user = user_to_manage(session, user_id=user_id, by=by)
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    audit.record(
        session,
        action="user.password_reset",
        entity=user,
        actor_id=by.id,
        actor_label=by.username,
        at=now,
    )
    _end_sessions(session, user)
    return password


def change_own_password(
    session: Session, *, user: User, current: str, new: str, now: datetime
) -> None:
    """The signed-in user replaces their (temporary) password after proving the current one."""
    if not verify_password(user.password_hash, current):
        raise Invalid(_("The current password is not right."))
    if new == current:
        raise Invalid(_("The new password must differ from the current one."))
    check_password(new, username=user.username)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    audit.record(
        session,
        action="user.password_changed",
        entity=user,
        actor_id=user.id,
        actor_label=user.username,
        at=now,
    )


def record_sign_in(session: Session, *, user: User, now: datetime) -> None:
    """Remember when the user last signed in (shown on the users page)."""
    user.last_login_at = now


def _end_sessions(session: Session, user: User) -> None:
    """Tell every web process, once committed, to end the user's sessions and sockets."""
    publish_after_commit(session, USERS_CHANNEL, {"user_id": user.id})
