"""The contact check against the real database: history from attempts, facts, stored refusals."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.compliance import (
    AccountNotFound,
    ContactEvent,
    Purpose,
    check_account_contact,
    contact_history,
)
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    Campaign,
    Channel,
    ChannelPermission,
    Client,
    ComplianceProfile,
    ContactKind,
    ContactPoint,
    ContactRefusal,
    Dispute,
    DoNotContact,
    LineType,
    PaymentPlan,
    PromiseToPay,
)
from tests.factories import make_account, make_client

# Wednesday 25 Nov 2026, 10:00 in Bogota (UTC-5).
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def colombian(session: Session) -> Client:
    return make_client(
        session,
        name="Claro Hogar",
        country="CO",
        timezone="America/Bogota",
        currency="COP",
        profile=ComplianceProfile.CO,
    )


def account_for(session: Session, client: Client, **kwargs: object) -> Account:
    return make_account(session, client=client, today=date(2026, 11, 25), **kwargs)  # type: ignore[arg-type]


def phone_of(session: Session, account: Account) -> ContactPoint:
    point = session.scalar(select(ContactPoint).where(ContactPoint.debtor_id == account.debtor_id))
    assert point is not None
    return point


def attempt(
    session: Session,
    account: Account,
    *,
    at: datetime,
    channel: Channel = Channel.VOICE,
    status: AttemptStatus = AttemptStatus.NO_ANSWER,
    answered_by: str | None = None,
    campaign_id: int | None = None,
) -> Attempt:
    row = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        campaign_id=campaign_id,
        channel=channel,
        status=status,
        created_at=at,
        answered_at=at + timedelta(seconds=20) if answered_by else None,
        answered_by=answered_by,
    )
    session.add(row)
    session.flush()
    return row


def check(
    session: Session, account: Account, channel: Channel = Channel.VOICE, **kw: object
) -> str | None:
    point = phone_of(session, account)
    decision = check_account_contact(
        session,
        account_id=account.id,
        channel=channel,
        contact_point_id=kw.pop("contact_point_id", point.id),  # type: ignore[arg-type]
        now=kw.pop("now", NOW),  # type: ignore[arg-type]
        context="manual",
        **kw,  # type: ignore[arg-type]
    )
    return decision.rule


def test_history_counts_every_made_attempt_and_knows_which_connected(session: Session) -> None:
    client = colombian(session)
    account = account_for(session, client)
    t = NOW - timedelta(days=1)
    attempt(session, account, at=t, answered_by="human", status=AttemptStatus.COMPLETED)
    attempt(
        session,
        account,
        at=t + timedelta(minutes=1),
        answered_by="machine_end_beep",
        status=AttemptStatus.COMPLETED,
    )
    attempt(session, account, at=t + timedelta(minutes=2), status=AttemptStatus.BUSY)
    attempt(
        session,
        account,
        at=t + timedelta(minutes=3),
        channel=Channel.SMS,
        status=AttemptStatus.DELIVERED,
    )
    attempt(
        session,
        account,
        at=t + timedelta(minutes=4),
        channel=Channel.SMS,
        status=AttemptStatus.UNDELIVERED,
    )
    attempt(session, account, at=t + timedelta(minutes=5), status=AttemptStatus.REFUSED)
    attempt(session, account, at=t + timedelta(minutes=6), status=AttemptStatus.CANCELED)
    attempt(session, account, at=t + timedelta(minutes=7), status=AttemptStatus.PENDING)
    attempt(session, account, at=NOW - timedelta(days=9))  # before `since`
    events = contact_history(session, debtor_id=account.debtor_id, since=NOW - timedelta(days=7))
    assert events == [
        ContactEvent(t + timedelta(seconds=20), Channel.VOICE, True),
        ContactEvent(t + timedelta(minutes=1, seconds=20), Channel.VOICE, False),
        ContactEvent(t + timedelta(minutes=2), Channel.VOICE, False),
        ContactEvent(t + timedelta(minutes=3), Channel.SMS, True),
        ContactEvent(t + timedelta(minutes=4), Channel.SMS, False),
        ContactEvent(t + timedelta(minutes=7), Channel.VOICE, False),
    ]


def test_caps_count_across_accounts_and_campaigns_of_the_same_debtor(session: Session) -> None:
    client = colombian(session)
    first = account_for(session, client)
    second = Account(
        client_id=client.id,
        debtor_id=first.debtor_id,
        account_ref="ACC-2",
        product="TV",
        original_balance=Decimal("300"),
        balance=Decimal("300"),
        currency="COP",
        due_date=date(2026, 11, 1),
        created_at=NOW,
    )
    other = account_for(session, client, phone="+573001112233", name="Otra Persona")
    campaign = Campaign(client_id=client.id, name="Temprana", created_at=NOW)
    session.add_all([second, campaign])
    session.flush()
    attempt(session, first, at=NOW - timedelta(hours=2), campaign_id=campaign.id)
    assert check(session, second) == "cap:co_daily"
    assert check(session, other) is None
    refusal = session.scalars(select(ContactRefusal)).one()
    assert (refusal.account_id, refusal.rule, refusal.context) == (
        second.id,
        "cap:co_daily",
        "manual",
    )
    assert refusal.checked_at == NOW and refusal.channel == Channel.VOICE
    assert refusal.detail and "co_daily" in refusal.detail


def test_allowed_contacts_store_nothing(session: Session) -> None:
    account = account_for(session, colombian(session))
    assert check(session, account) is None
    assert session.scalars(select(ContactRefusal)).all() == []


def test_account_facts_come_from_the_database(session: Session) -> None:
    client = colombian(session)
    account = account_for(session, client)
    session.add(
        Dispute(client_id=client.id, account_id=account.id, reason="no reconozco", created_at=NOW)
    )
    session.flush()
    assert check(session, account) == "open_dispute"

    promised = account_for(session, client, phone="+573001112234")
    promise = PromiseToPay(
        client_id=client.id,
        account_id=promised.id,
        amount=Decimal("100"),
        due_date=date(2026, 11, 25),
        created_at=NOW,
    )
    session.add(promise)
    session.flush()
    assert check(session, promised) == "promise_in_force"  # due today: still in force
    assert check(session, promised, purpose=Purpose.REMINDER) is None
    promise.due_date = date(2026, 11, 24)  # past due and not kept: contact again
    session.flush()
    assert check(session, promised) is None

    planned = account_for(session, client, phone="+573001112235")
    session.add(
        PaymentPlan(
            client_id=client.id,
            account_id=planned.id,
            total_amount=Decimal("1200"),
            down_payment=Decimal("240"),
            installment_count=4,
            created_at=NOW,
        )
    )
    session.flush()
    assert check(session, planned) == "promise_in_force"

    late = account_for(session, client, phone="+573001112236", days_overdue=91)
    assert check(session, late) == "over_90_days"
    paid = account_for(session, client, phone="+573001112237")
    paid.status = AccountStatus.PAID
    session.flush()
    assert check(session, paid) == "account_status"
    rules = sorted(r.rule for r in session.scalars(select(ContactRefusal)))
    assert rules == [
        "account_status",
        "open_dispute",
        "over_90_days",
        "promise_in_force",
        "promise_in_force",
    ]


def test_contact_point_facts_come_from_the_database(session: Session) -> None:
    client = colombian(session)
    account = account_for(session, client)
    point = phone_of(session, account)
    assert check(session, account, Channel.WHATSAPP) == "no_consent_whatsapp"
    permission = ChannelPermission(
        client_id=client.id,
        contact_point_id=point.id,
        channel=Channel.WHATSAPP,
        opted_in_at=NOW - timedelta(days=30),
        opt_in_source="portal",
    )
    session.add(permission)
    session.flush()
    assert check(session, account, Channel.WHATSAPP) is None
    permission.opted_out_at = NOW - timedelta(days=1)
    permission.opt_out_source = "BAJA"
    session.flush()
    assert check(session, account, Channel.WHATSAPP) == "opted_out"
    assert check(session, account, Channel.SMS) is None  # the opt-out is per channel
    permission.opted_in_at = NOW - timedelta(hours=1)  # opted back in
    session.flush()
    assert check(session, account, Channel.WHATSAPP) is None

    assert check(session, account, Channel.EMAIL) == "invalid_contact_point"
    assert check(session, account, contact_point_id=None) == "invalid_contact_point"
    other = account_for(session, client, phone="+573001112238")
    assert check(session, account, contact_point_id=phone_of(session, other).id) == (
        "invalid_contact_point"
    )
    landline = ContactPoint(
        client_id=client.id,
        debtor_id=account.debtor_id,
        kind=ContactKind.PHONE,
        value="+5716015555",
        line_type=LineType.FIXED_LINE,
        created_at=NOW,
    )
    session.add(landline)
    session.flush()
    assert check(session, account, Channel.SMS, contact_point_id=landline.id) == (
        "invalid_contact_point"
    )
    assert check(session, account, Channel.VOICE, contact_point_id=landline.id) is None
    point.invalid = True
    session.flush()
    assert check(session, account) == "invalid_contact_point"


def test_do_not_contact_by_value_debtor_or_for_every_client(session: Session) -> None:
    client = colombian(session)
    by_value = account_for(session, client, phone="+573001110001")
    by_debtor = account_for(session, client, phone="+573001110002")
    everywhere = account_for(session, client, phone="+573001110003")
    other_client = make_client(session, name="Otro")
    session.add_all(
        [
            DoNotContact(
                client_id=client.id,
                value="+573001110001",
                reason="ley",
                source="manual",
                created_at=NOW,
            ),
            DoNotContact(
                client_id=client.id,
                debtor_id=by_debtor.debtor_id,
                reason="x",
                source="m",
                created_at=NOW,
            ),
            DoNotContact(
                client_id=None, value="+573001110003", reason="x", source="m", created_at=NOW
            ),
            DoNotContact(
                client_id=other_client.id,
                value="+573001110004",
                reason="x",
                source="m",
                created_at=NOW,
            ),
        ]
    )
    unaffected = account_for(session, client, phone="+573001110004")
    session.flush()
    assert check(session, by_value) == "do_not_contact"
    assert check(session, by_debtor, Channel.SMS) == "do_not_contact"
    assert check(session, everywhere) == "do_not_contact"
    assert check(session, unaffected) is None


def test_time_rules_use_the_debtors_zone_and_the_clients_overrides(session: Session) -> None:
    client = colombian(session)
    account = account_for(session, client)
    sunday = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
    assert check(session, account, now=sunday) == "day_not_allowed"
    saturday = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)
    assert check(session, account, now=saturday) is None
    client.compliance_overrides = {"hours": {"sat": None}}
    session.flush()
    assert check(session, account, now=saturday) == "day_not_allowed"


def test_an_unknown_account_is_a_404(session: Session) -> None:
    with pytest.raises(AccountNotFound) as error:
        check_account_contact(
            session,
            account_id=999,
            channel=Channel.VOICE,
            contact_point_id=None,
            now=NOW,
            context="manual",
        )
    assert error.value.status_code == 404
