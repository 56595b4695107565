"""Tenant isolation, enforced once for every query and every write of a session.

A session that carries a Viewer (`scope_session`) sees only rows of the clients that viewer may
work: every SELECT, UPDATE and DELETE of a client-owned table is filtered on client_id, and a flush
that would write a row of another client is refused. Sessions without a viewer are the system's own
(jobs, scheduler, CLI) and see everything.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from campaigns.errors import Forbidden
from campaigns.i18n import _
from campaigns.models import AuditEvent, Client, Role, TenantOwned, User, UserClientAccess

STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.MANAGER})


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a user, the role and the clients whose rows they may see (None = all)."""

    user_id: int | None
    role: Role
    client_ids: frozenset[int] | None

    def may_see(self, client_id: int | None) -> bool:
        """Whether rows of this client are visible to the viewer."""
        return self.client_ids is None or client_id in self.client_ids


class TenantViolation(Forbidden):
    """A write to a row of a client the viewer may not work."""


def viewer_for(session: Session, user: User) -> Viewer:
    """The viewer a signed-in user is: admins see all clients, others only theirs."""
    role = Role(user.role)
    if role == Role.ADMIN:
        return Viewer(user.id, role, None)
    if role == Role.CLIENT_VIEWER:
        return Viewer(user.id, role, frozenset({user.client_id} if user.client_id else ()))
    ids = session.scalars(
        select(UserClientAccess.client_id).where(UserClientAccess.user_id == user.id)
    ).all()
    return Viewer(user.id, role, frozenset(ids))


def scope_session(session: Session, viewer: Viewer) -> None:
    """Make every query and write of this session obey the viewer's tenancy."""
    session.info["viewer"] = viewer


def session_viewer(session: Session) -> Viewer | None:
    """The viewer a session is scoped to, if any."""
    viewer: Viewer | None = session.info.get("viewer")
    return viewer


@event.listens_for(Session, "do_orm_execute")
def _filter_by_tenant(state: ORMExecuteState) -> None:
    viewer = session_viewer(state.session)
    if viewer is None or viewer.client_ids is None:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return
    ids = tuple(viewer.client_ids)
    state.statement = state.statement.options(
        with_loader_criteria(TenantOwned, lambda cls: cls.client_id.in_(ids), include_aliases=True),
        with_loader_criteria(Client, lambda cls: cls.id.in_(ids), include_aliases=True),
        with_loader_criteria(AuditEvent, lambda cls: cls.client_id.in_(ids), include_aliases=True),
    )


@event.listens_for(Session, "before_flush")
def _refuse_foreign_writes(session: Session, _context: Any, _instances: Any) -> None:
    viewer = session_viewer(session)
    if viewer is None or viewer.client_ids is None:
        return
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        client_id = getattr(obj, "client_id", None) if isinstance(obj, TenantOwned) else None
        if isinstance(obj, TenantOwned) and not viewer.may_see(client_id):
            raise TenantViolation(_("You cannot change data of another creditor."))
