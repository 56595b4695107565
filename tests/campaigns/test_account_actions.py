"""Acting on an account from its page: every action audited, phones corrected keeping the old
one, callbacks only where the contact check allows, disputes opened and resolved with a note."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.accounts.account_file import AccountMissing, account_file
from campaigns.accounts.actions import (
    ActionRefused,
    Actor,
    AlreadyDone,
    CallbackNotAllowed,
    add_do_not_contact,
    correct_phone,
    open_dispute,
    resolve_dispute,
    reveal_identity,
    schedule_callback,
)
from campaigns.compliance import check_account_contact
from campaigns.models import (
    AccountStatus,
    Attempt,
    AttemptStatus,
    AuditEvent,
    Channel,
    ContactPoint,
    DisputeStatus,
    Role,
)
from campaigns.tenancy import scope_session, viewer_for
from tests.factories import TODAY_NOON, make_account, make_client, make_user

NOW = TODAY_NOON  # Monday 23 November 2026, 12:00 in Mexico City
ACTOR = Actor(None, "gerente")


def _actions(session: Session, account_id: int) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.account_id == account_id)
            .order_by(AuditEvent.id)
        )
    )


def test_correcting_a_phone_keeps_the_old_one_as_invalid(session: Session) -> None:
    account = make_account(session, phone="+525512345678")
    old = account.debtor.contact_points[0]
    pending = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        contact_point_id=old.id,
        channel=Channel.VOICE,
        created_at=NOW,
    )
    session.add(pending)
    session.flush()

    new = correct_phone(
        session, account_id=account.id, contact_point_id=old.id, value="55 8765 4321",
        actor=ACTOR, now=NOW,
    )  # fmt: skip

    assert new.value == "+525587654321"
    assert old.invalid and old.value == "+525512345678"
    assert pending.status == AttemptStatus.CANCELED
    assert "account.phone_corrected" in _actions(session, account.id)
    with pytest.raises(ActionRefused):
        correct_phone(
            session, account_id=account.id, contact_point_id=new.id, value="12",
            actor=ACTOR, now=NOW,
        )  # fmt: skip
    with pytest.raises(AlreadyDone):
        correct_phone(
            session, account_id=account.id, contact_point_id=new.id, value="+52 55 8765 4321",
            actor=ACTOR, now=NOW,
        )  # fmt: skip


def test_a_do_not_contact_mark_stops_the_contact_check(session: Session) -> None:
    account = make_account(session)
    point = account.debtor.contact_points[0]

    def allowed() -> bool:
        return check_account_contact(
            session, account_id=account.id, channel=Channel.VOICE,
            contact_point_id=point.id, now=NOW, context="test", record=False,
        ).allowed  # fmt: skip

    assert allowed()
    with pytest.raises(ActionRefused):
        add_do_not_contact(
            session, account_id=account.id, contact_point_id=None, reason="  ",
            actor=ACTOR, now=NOW,
        )  # fmt: skip
    add_do_not_contact(
        session, account_id=account.id, contact_point_id=None,
        reason="Lo pidió por escrito a la empresa", actor=ACTOR, now=NOW,
    )  # fmt: skip
    assert not allowed()
    assert account_file(session, account_id=account.id, now=NOW).debtor_do_not_contact
    with pytest.raises(AlreadyDone):
        add_do_not_contact(
            session, account_id=account.id, contact_point_id=None, reason="otra vez",
            actor=ACTOR, now=NOW,
        )  # fmt: skip
    assert _actions(session, account.id) == ["account.do_not_contact_added"]


def test_a_callback_is_refused_outside_the_hours_and_kept_inside(session: Session) -> None:
    account = make_account(session)
    point = account.debtor.contact_points[0]
    night = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # 23:00 in Mexico City
    with pytest.raises(CallbackNotAllowed) as refused:
        schedule_callback(
            session, account_id=account.id, contact_point_id=point.id, due_at=night,
            owner_agent_id=None, actor=ACTOR, now=NOW,
        )  # fmt: skip
    assert "23:00" in refused.value.render("en")
    with pytest.raises(ActionRefused):
        schedule_callback(
            session, account_id=account.id, contact_point_id=point.id,
            due_at=NOW + timedelta(days=31), owner_agent_id=None, actor=ACTOR, now=NOW,
        )  # fmt: skip
    morning = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 10:00 in Mexico City
    callback = schedule_callback(
        session, account_id=account.id, contact_point_id=point.id, due_at=morning,
        owner_agent_id=None, actor=ACTOR, now=NOW,
    )  # fmt: skip
    assert callback.due_at == morning
    assert _actions(session, account.id) == ["account.callback_scheduled"]


def test_a_dispute_holds_contact_until_resolved_with_a_note(session: Session) -> None:
    account = make_account(session)
    dispute = open_dispute(
        session, account_id=account.id, reason="No reconoce el cargo de octubre", actor=ACTOR,
        now=NOW,
    )  # fmt: skip
    assert account.status == AccountStatus.DISPUTED
    with pytest.raises(ActionRefused):
        resolve_dispute(
            session, account_id=account.id, dispute_id=dispute.id, note=" ", actor=ACTOR,
            now=NOW,
        )  # fmt: skip
    resolve_dispute(
        session, account_id=account.id, dispute_id=dispute.id,
        note="El acreedor confirmó el cargo con la factura", actor=ACTOR, now=NOW,
    )  # fmt: skip
    assert dispute.status == DisputeStatus.RESOLVED
    assert dispute.resolution_note == "El acreedor confirmó el cargo con la factura"
    assert account.status == AccountStatus.ACTIVE
    with pytest.raises(AlreadyDone):
        resolve_dispute(
            session, account_id=account.id, dispute_id=dispute.id, note="otra", actor=ACTOR,
            now=NOW,
        )  # fmt: skip
    assert _actions(session, account.id) == ["dispute.opened", "dispute.resolved"]


def test_another_creditors_account_cannot_be_seen_or_acted_on(session: Session) -> None:
    mine = make_client(session, name="Cablevisión Norte")
    theirs = make_client(session, name="Red Veloz")
    other = make_account(session, client=theirs)
    point_id = other.debtor.contact_points[0].id
    manager = make_user(session, username="gerente", role=Role.MANAGER, access=[mine])
    session.flush()
    scope_session(session, viewer_for(session, manager))
    actor = Actor(manager.id, "gerente")

    with pytest.raises(AccountMissing):
        account_file(session, account_id=other.id, now=NOW)
    with pytest.raises(AccountMissing):
        reveal_identity(session, account_id=other.id, actor=actor, now=NOW)
    with pytest.raises(AccountMissing):
        correct_phone(
            session, account_id=other.id, contact_point_id=point_id, value="5587654321",
            actor=actor, now=NOW,
        )  # fmt: skip
    session.info.pop("viewer")
    assert session.get_one(ContactPoint, point_id).invalid is False
