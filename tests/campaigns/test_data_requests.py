"""Data-subject requests: statutory deadlines in business days, opposition stops contact, the copy
of the debtor's data, answers."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.compliance import Rule, check_account_contact, is_holiday
from campaigns.data_requests import (
    Law,
    RequestKind,
    add_business_days,
    answer_request,
    business_days_left,
    data_copy,
    due_on,
    file_request,
    list_requests,
)
from campaigns.errors import Conflict
from campaigns.models import Attempt, AttemptStatus, AuditEvent, Channel, ContactPoint, Role
from tests.factories import TODAY_NOON, make_account, make_client, make_user

NOW = TODAY_NOON


def test_mexico_gives_20_business_days_skipping_weekends_and_holidays() -> None:
    assert is_holiday("MX", date(2026, 11, 16))  # Revolution Day, third Monday of November
    received = date(2026, 11, 6)  # a Friday
    assert due_on(received, law=Law.LFPDPPP, kind=RequestKind.ACCESS, country="MX") == date(
        2026, 12, 7
    )
    for kind in RequestKind:
        assert due_on(received, law=Law.LFPDPPP, kind=kind, country="MX") == date(2026, 12, 7)


def test_colombia_gives_10_business_days_to_a_consulta_and_15_to_a_reclamo() -> None:
    received = date(2026, 2, 2)  # a Monday, no holiday in the next three weeks
    consulta = due_on(received, law=Law.LEY_1581, kind=RequestKind.ACCESS, country="CO")
    assert consulta == date(2026, 2, 16)
    for kind in (RequestKind.RECTIFICATION, RequestKind.CANCELLATION, RequestKind.OPPOSITION):
        assert due_on(received, law=Law.LEY_1581, kind=kind, country="CO") == date(2026, 2, 23)


@pytest.mark.parametrize("days", [0, 1, 5, 20, 45])
def test_business_days_left_counts_back_to_the_due_date(days: int) -> None:
    start = date(2026, 11, 6)
    due = add_business_days(start, days, "MX")
    assert business_days_left(start, due, "MX") == days
    assert business_days_left(due, start, "MX") == -days


def test_an_overdue_request_is_listed_first_and_marked(session: Session) -> None:
    client = make_client(session)
    account = make_account(session, client=client)
    late = file_request(
        session, account=account, kind=RequestKind.RECTIFICATION, details="Mi nombre es Juana P.",
        source="test", now=datetime(2026, 10, 1, 17, tzinfo=UTC),
    )  # fmt: skip
    recent = file_request(
        session, account=account, kind=RequestKind.ACCESS, details="", source="test",
        now=datetime(2026, 11, 20, 17, tzinfo=UTC),
    )  # fmt: skip
    rows = list_requests(session, today=date(2026, 11, 23))
    assert [r.request.id for r in rows] == [late.id, recent.id]
    assert [r.overdue for r in rows] == [True, False]
    assert rows[0].days_left < 0 < rows[1].days_left

    manager = make_user(session, username="gerente", role=Role.MANAGER)
    answer_request(
        session, request_id=late.id, answer="Corregimos su nombre.", user_id=manager.id,
        now=datetime(2026, 11, 23, 17, tzinfo=UTC),
    )  # fmt: skip
    rows = list_requests(session, today=date(2026, 11, 23))
    assert [(r.request.id, r.overdue) for r in rows] == [(recent.id, False), (late.id, False)]
    with pytest.raises(Conflict):
        answer_request(
            session, request_id=late.id, answer="Otra vez", user_id=manager.id,
            now=datetime(2026, 11, 23, 18, tzinfo=UTC),
        )  # fmt: skip


def test_opposition_stops_contact_for_the_creditor_that_holds_the_data(session: Session) -> None:
    client = make_client(session)
    other = make_client(session, name="Red Veloz")
    account = make_account(session, client=client)
    elsewhere = make_account(session, client=other, phone="+525512349999")
    point = session.scalars(
        select(ContactPoint).where(ContactPoint.debtor_id == account.debtor_id)
    ).one()
    queued = Attempt(
        client_id=client.id, account_id=account.id, contact_point_id=point.id,
        channel=Channel.SMS, status=AttemptStatus.PENDING, created_at=NOW - timedelta(minutes=5),
    )  # fmt: skip
    session.add(queued)
    session.flush()
    file_request(
        session, account=account, kind=RequestKind.OPPOSITION, details="", source="test", now=NOW
    )
    assert queued.status == AttemptStatus.CANCELED
    decision = check_account_contact(
        session, account_id=account.id, channel=Channel.VOICE, contact_point_id=point.id,
        now=NOW + timedelta(minutes=1), context="test", record=False,
    )  # fmt: skip
    assert decision.rule == Rule.DO_NOT_CONTACT
    other_point = session.scalars(
        select(ContactPoint).where(ContactPoint.debtor_id == elsewhere.debtor_id)
    ).one()
    untouched = check_account_contact(
        session, account_id=elsewhere.id, channel=Channel.VOICE, contact_point_id=other_point.id,
        now=NOW + timedelta(minutes=1), context="test", record=False,
    )  # fmt: skip
    assert untouched.allowed


def test_the_copy_holds_the_debtors_data_and_its_download_is_audited(session: Session) -> None:
    account = make_account(session)
    account.debtor.national_id = "PELJ800101HDFRRN07"
    copy = data_copy(
        session, debtor_id=account.debtor_id, now=NOW, actor_label="test", actor_id=None
    )
    assert copy["debtor"]["national_id"] == "PELJ800101HDFRRN07"
    assert copy["accounts"][0]["balance"] == "1200.00"
    assert copy["contact_points"][0]["value"] == "+525512345678"
    assert session.scalars(
        select(AuditEvent.action).where(AuditEvent.account_id == account.id)
    ).all() == ["data_request.copy_downloaded"]
