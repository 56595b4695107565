"""Tenant isolation is enforced once, on the session, for every client-owned table."""

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaigns.db import session_factory
from campaigns.models import Account, AuditEvent, Client, ContactPoint, Debtor, Role
from campaigns.tenancy import TenantViolation, Viewer, scope_session, viewer_for
from tests.factories import CREATED_AT, make_account, make_client, make_user


@pytest.fixture
def two_creditors(session: Session) -> tuple[Client, Client]:
    cable = make_client(session, name="Cable Norte")
    phone = make_client(session, name="Telefonía Sur")
    make_account(session, client=cable, ref="C-1")
    make_account(session, client=phone, ref="T-1")
    session.add(
        AuditEvent(
            client_id=phone.id,
            actor_label="test",
            action="x",
            entity_type="y",
            created_at=CREATED_AT,
        )
    )
    session.commit()
    return cable, phone


def test_client_viewer_sees_only_its_creditor(two_creditors: tuple[Client, Client]) -> None:
    cable, _phone = two_creditors
    with session_factory()() as s:
        viewer = viewer_for(s, make_user(s, username="ver", role=Role.CLIENT_VIEWER, client=cable))
        scope_session(s, viewer)
        assert [a.account_ref for a in s.scalars(select(Account))] == ["C-1"]
        assert [c.name for c in s.scalars(select(Client))] == ["Cable Norte"]
        assert s.scalars(select(AuditEvent)).all() == []
        joined = s.execute(select(Account.account_ref, Debtor.name).join(Debtor)).all()
        assert [row.account_ref for row in joined] == ["C-1"]
        assert s.scalars(select(ContactPoint)).all()[0].client_id == cable.id


def test_staff_sees_only_clients_granted(two_creditors: tuple[Client, Client]) -> None:
    cable, phone = two_creditors
    with session_factory()() as s:
        agent = make_user(s, username="agente", role=Role.AGENT, access=[phone])
        scope_session(s, viewer_for(s, agent))
        assert [a.account_ref for a in s.scalars(select(Account))] == ["T-1"]


def test_admin_sees_everything(two_creditors: tuple[Client, Client]) -> None:
    with session_factory()() as s:
        scope_session(s, viewer_for(s, make_user(s, username="root", role=Role.ADMIN)))
        assert len(s.scalars(select(Account)).all()) == 2


def test_bulk_update_cannot_reach_other_creditor(two_creditors: tuple[Client, Client]) -> None:
    cable, phone = two_creditors
    with session_factory()() as s:
        scope_session(s, Viewer(None, Role.MANAGER, frozenset({cable.id})))
        s.execute(update(Account).values(product="cambiado"))
        s.commit()
    with session_factory()() as s:
        products = {ref: p for ref, p in s.execute(select(Account.account_ref, Account.product))}
    assert products == {"C-1": "cambiado", "T-1": "Internet 50 Mbps"}


def test_writing_another_creditors_row_is_refused(two_creditors: tuple[Client, Client]) -> None:
    cable, phone = two_creditors
    with session_factory()() as s:
        scope_session(s, Viewer(None, Role.MANAGER, frozenset({cable.id})))
        s.add(
            Debtor(
                client_id=phone.id,
                name="Intruso",
                country="MX",
                timezone="UTC",
                created_at=CREATED_AT,
            )
        )
        with pytest.raises(TenantViolation):
            s.flush()
