"""The scheduler selection on every boundary: days, windows, zones, DST, holidays, rules."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.campaign_defs import CampaignIn, create_campaign, start_campaign
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    AuditEvent,
    Campaign,
    Channel,
    ChannelPermission,
    Client,
    ComplianceProfile,
    ContactPoint,
    ContactRefusal,
    Dispute,
    DoNotContact,
    PaymentPlan,
    PromiseStatus,
    PromiseToPay,
)
from campaigns.scheduler import preview_campaign, run_tick
from tests.factories import make_account, make_client, opt_in

MX_ZONE = "America/Mexico_City"
SMS_TEMPLATE = (
    "Hola {{ first_name }}, su saldo con {{ creditor }} es {{ balance }}. {{ opt_out_text }}"
)


def at(zone: str, *args: int) -> datetime:
    """A wall-clock moment in a zone, as UTC."""
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


# Wednesday 25 November 2026, 11:00 in Mexico City: inside the MX window, not a holiday.
NOW = at(MX_ZONE, 2026, 11, 25, 11, 0)
TODAY = date(2026, 11, 25)


def make_campaign(
    session: Session,
    client: Client,
    *,
    name: str = "Temprana",
    steps: list[dict[str, Any]] | None = None,
    account_filter: dict[str, Any] | None = None,
    dialing_mode: str = "progressive",
    priority: int = 0,
    retry_rules: dict[str, Any] | None = None,
    start: bool = True,
    max_lines: int = 50,
    recycling: dict[str, Any] | None = None,
) -> Campaign:
    definition = CampaignIn.model_validate(
        {
            "name": name,
            "client": client.name,
            "priority": priority,
            "dialing_mode": dialing_mode,
            "max_lines": max_lines,
            "filter": account_filter or {},
            "steps": steps or [{"day": 0, "channel": "sms", "template": "recordatorio"}],
            "retry_rules": retry_rules or {},
            "recycling": recycling or {},
            "templates": {"recordatorio": SMS_TEMPLATE},
        }
    )
    campaign = create_campaign(session, definition=definition, by_id=None, by_label="test", now=NOW)
    if start:
        start_campaign(session, campaign_id=campaign.id, by_id=None, by_label="test", now=NOW)
    return campaign


def account(session: Session, client: Client, ref: str, **kwargs: Any) -> Account:
    kwargs.setdefault("today", TODAY)
    phone = kwargs.pop("phone", None) or f"+5255{abs(hash(ref)) % 10**8:08d}"
    return make_account(session, client=client, ref=ref, phone=phone, **kwargs)


def point_of(session: Session, acc: Account) -> ContactPoint:
    return session.scalars(
        select(ContactPoint).where(ContactPoint.debtor_id == acc.debtor_id)
    ).one()


def rules(session: Session, campaign: Campaign, now: datetime = NOW) -> dict[str, str | None]:
    """account_ref -> the rule that excludes it (None = would be contacted), from the preview."""
    preview = preview_campaign(session, campaign_id=campaign.id, at=now, limit=10_000)
    found = {a.account_ref: a.rule for a in preview.contacted + preview.skipped}
    assert preview.matched == len(found)
    assert preview.eligible == sum(1 for rule in found.values() if rule is None)
    return found


def test_only_accounts_1_to_90_days_overdue_are_matched_and_91_is_escalated(
    session: Session,
) -> None:
    client = make_client(session)
    for days in (0, 1, 90, 91):
        account(session, client, f"D{days:03d}", days_overdue=days)
    campaign = make_campaign(session, client)

    assert rules(session, campaign) == {"D001": None, "D090": None}

    summary = run_tick(session, now=NOW)
    session.expire_all()
    assert summary.escalated == 1
    assert summary.attempts == {campaign.id: 2}
    statuses = dict(session.execute(select(Account.account_ref, Account.status)).all())
    assert statuses["D091"] == AccountStatus.ESCALATED
    assert statuses["D000"] == AccountStatus.ACTIVE
    contacted = session.scalars(
        select(Account.account_ref).join(Attempt, Attempt.account_id == Account.id)
    ).all()
    assert sorted(contacted) == ["D001", "D090"]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.escalated")
    ).one()
    assert event.data["days_overdue"] == 91


def test_day_boundaries_follow_the_debtors_local_calendar(session: Session) -> None:
    # At 01:30 in Mexico City on the 26th it is still the 25th in Tijuana (23:30):
    # the same due date is 90 days overdue in Tijuana and 91 in Mexico City.
    client = make_client(session)
    due = date(2026, 11, 26) - timedelta(days=91)
    now = at(MX_ZONE, 2026, 11, 26, 1, 30)
    account(session, client, "CDMX", today=due + timedelta(days=91), days_overdue=91)
    account(
        session,
        client,
        "TIJ",
        today=due + timedelta(days=91),
        days_overdue=91,
        timezone="America/Tijuana",
    )
    campaign = make_campaign(session, client)

    assert rules(session, campaign, now) == {"TIJ": "outside_hours"}


def test_every_account_rule_is_reported_in_order(session: Session) -> None:
    client = make_client(session)
    other = make_client(session, name="Otra Telefonía")
    refs: dict[str, Account] = {}
    for ref in (
        "OK",
        "ZERO",
        "DISPUTE",
        "PROMISE",
        "BROKEN",
        "PLAN",
        "DNC_DEBTOR",
        "DNC_NUMBER",
        "DNC_OTHER_CLIENT",
        "INVALID",
        "LANDLINE",
        "OPTED_OUT",
        "BUSY",
        "PAID",
    ):
        refs[ref] = account(session, client, ref, balance="0.00" if ref == "ZERO" else "900.00")
    account(session, other, "FOREIGN")
    session.add(
        Dispute(
            client_id=client.id, account_id=refs["DISPUTE"].id, reason="no reconoce", created_at=NOW
        )
    )
    for ref, status, due in (
        ("PROMISE", PromiseStatus.PENDING, TODAY),
        ("BROKEN", PromiseStatus.BROKEN, TODAY - timedelta(days=1)),
    ):
        session.add(
            PromiseToPay(
                client_id=client.id,
                account_id=refs[ref].id,
                amount=Decimal("100"),
                due_date=due,
                status=status,
                created_at=NOW,
            )
        )
    refs["BROKEN"].priority_boost = 10
    session.add(
        PaymentPlan(
            client_id=client.id,
            account_id=refs["PLAN"].id,
            total_amount=Decimal("900"),
            down_payment=Decimal("100"),
            installment_count=4,
            created_at=NOW,
        )
    )
    session.add(
        DoNotContact(
            client_id=client.id,
            debtor_id=refs["DNC_DEBTOR"].debtor_id,
            reason="pidió no ser contactado",
            source="test",
            created_at=NOW,
        )
    )
    session.add(
        DoNotContact(
            client_id=None,
            value=point_of(session, refs["DNC_NUMBER"]).value,
            reason="lista nacional",
            source="test",
            created_at=NOW,
        )
    )
    session.add(
        DoNotContact(
            client_id=other.id,
            value=point_of(session, refs["DNC_OTHER_CLIENT"]).value,
            reason="otro acreedor",
            source="test",
            created_at=NOW,
        )
    )
    point_of(session, refs["INVALID"]).invalid = True
    point_of(session, refs["LANDLINE"]).line_type = "fixed_line"
    session.add(
        ChannelPermission(
            client_id=client.id,
            contact_point_id=point_of(session, refs["OPTED_OUT"]).id,
            channel=Channel.SMS,
            opted_out_at=NOW - timedelta(days=2),
        )
    )
    session.add(
        Attempt(
            client_id=client.id,
            account_id=refs["BUSY"].id,
            channel=Channel.VOICE,
            status=AttemptStatus.RINGING,
            created_at=NOW - timedelta(minutes=1),
        )
    )
    refs["PAID"].status = AccountStatus.PAID
    session.flush()
    campaign = make_campaign(session, client)

    assert rules(session, campaign) == {
        "OK": None,
        "ZERO": "zero_balance",
        "DISPUTE": "open_dispute",
        "PROMISE": "promise_in_force",
        "BROKEN": None,
        "PLAN": "promise_in_force",
        "DNC_DEBTOR": "do_not_contact",
        "DNC_NUMBER": "do_not_contact",
        "DNC_OTHER_CLIENT": None,
        "INVALID": "invalid_contact_point",
        "LANDLINE": "invalid_contact_point",
        "OPTED_OUT": "opted_out",
        "BUSY": "in_flight",
    }
    preview = preview_campaign(session, campaign_id=campaign.id, at=NOW)
    assert preview.contacted[0].account_ref == "BROKEN"  # a broken promise comes first
    assert preview.excluded["do_not_contact"] == 2


def test_whatsapp_needs_an_opt_in_and_an_approved_template(session: Session) -> None:
    client = make_client(session)
    client.whatsapp_sender = "+525550000300"
    client.whatsapp_templates = {"recordatorio_pago": "HX0001"}
    with_opt_in = account(session, client, "OPTIN")
    account(session, client, "NOOPTIN")
    opt_in(session, point_of(session, with_opt_in), "whatsapp", NOW - timedelta(days=30))
    campaign = make_campaign(
        session,
        client,
        steps=[{"day": 0, "channel": "whatsapp", "template": "recordatorio_pago"}],
    )

    assert rules(session, campaign) == {"OPTIN": None, "NOOPTIN": "no_consent_whatsapp"}
    run_tick(session, now=NOW)
    attempt = session.scalars(select(Attempt)).one()
    assert (attempt.channel, attempt.template_key, attempt.body) == (
        Channel.WHATSAPP,
        "recordatorio_pago",
        None,
    )


@pytest.mark.parametrize(
    ("hour", "minute", "second", "expected"),
    [
        (6, 59, 59, "outside_hours"),
        (7, 0, 0, None),
        (21, 59, 59, None),
        (22, 0, 0, "outside_hours"),
    ],
)
def test_window_edges_in_several_zones_at_once(
    session: Session, hour: int, minute: int, second: int, expected: str | None
) -> None:
    client = make_client(session)
    zones = {"CDMX": MX_ZONE, "TIJ": "America/Tijuana", "CUN": "America/Cancun"}
    for ref, zone in zones.items():
        account(session, client, ref, timezone=zone)
    campaign = make_campaign(session, client)

    for ref, zone in zones.items():
        now = at(zone, 2026, 11, 25, hour, minute, second)
        assert rules(session, campaign, now)[ref] == expected, (ref, now)


def test_dst_change_moves_the_window_in_utc(session: Session) -> None:
    # New York leaves DST on Sunday 1 November 2026: 12:30 UTC is 08:30 EDT on the 31st
    # (inside 08:00-21:00) but 07:30 EST on the 1st (outside).
    client = make_client(
        session,
        name="Cable USA",
        country="US",
        timezone="America/New_York",
        currency="USD",
        profile=ComplianceProfile.US,
    )
    account(session, client, "NY", today=date(2026, 11, 1), phone="+12125550123")
    campaign = make_campaign(session, client, steps=[{"day": 0, "channel": "voice"}])

    assert rules(session, campaign, datetime(2026, 10, 31, 12, 30, tzinfo=UTC)) == {"NY": None}
    assert rules(session, campaign, datetime(2026, 11, 1, 12, 30, tzinfo=UTC)) == {
        "NY": "outside_hours"
    }
    assert rules(session, campaign, datetime(2026, 11, 1, 13, 0, tzinfo=UTC)) == {"NY": None}


def test_public_holiday_in_the_debtors_country(session: Session) -> None:
    client = make_client(session)
    account(session, client, "MX", today=date(2026, 11, 16))
    campaign = make_campaign(session, client)

    assert rules(session, campaign, at(MX_ZONE, 2026, 11, 16, 11, 0)) == {"MX": "holiday"}
    assert rules(session, campaign, at(MX_ZONE, 2026, 11, 17, 11, 0)) == {"MX": None}


def test_colombia_sunday_is_a_closed_day(session: Session) -> None:
    client = make_client(
        session,
        name="Cable CO",
        country="CO",
        timezone="America/Bogota",
        currency="COP",
        profile=ComplianceProfile.CO,
    )
    account(session, client, "CO", phone="+573001234567")
    campaign = make_campaign(session, client)

    assert rules(session, campaign, at("America/Bogota", 2026, 11, 29, 11, 0)) == {
        "CO": "day_not_allowed"
    }


def _status(channel: Channel, connected: bool) -> AttemptStatus:
    if channel != Channel.VOICE:
        return AttemptStatus.DELIVERED if connected else AttemptStatus.UNDELIVERED
    return AttemptStatus.COMPLETED if connected else AttemptStatus.NO_ANSWER


def past_attempt(
    session: Session,
    acc: Account,
    channel: Channel,
    ago: timedelta,
    *,
    connected: bool = False,
    status: AttemptStatus | None = None,
) -> Attempt:
    moment = NOW - ago
    attempt = Attempt(
        client_id=acc.client_id,
        account_id=acc.id,
        channel=channel,
        status=status or _status(channel, connected),
        created_at=moment,
        answered_at=moment if connected and channel == Channel.VOICE else None,
        ended_at=moment + timedelta(minutes=2),
    )
    session.add(attempt)
    session.flush()
    return attempt


CAP_CASES = [
    # profile, zone, phone, step channel, past contacts, expected rule
    (
        "CO",
        "America/Bogota",
        "+573001234567",
        "sms",
        [("voice", timedelta(hours=1), False)],
        "cap:co_daily",
    ),
    ("CO", "America/Bogota", "+573001234567", "sms", [("voice", timedelta(days=1), False)], None),
    (
        "CO",
        "America/Bogota",
        "+573001234567",
        "voice",
        [("sms", timedelta(days=3), True)],
        "cap:co_weekly",
    ),
    (
        "CL",
        "America/Santiago",
        "+56912345678",
        "voice",
        [("voice", timedelta(days=6), False)],
        "cap:cl_calls",
    ),
    ("CL", "America/Santiago", "+56912345678", "sms", [("voice", timedelta(days=6), False)], None),
    (
        "CL",
        "America/Santiago",
        "+56912345678",
        "sms",
        [("sms", timedelta(days=3), False), ("sms", timedelta(days=5), False)],
        "cap:cl_messages",
    ),
    (
        "CL",
        "America/Santiago",
        "+56912345678",
        "sms",
        [("sms", timedelta(days=1), False)],
        "cap:cl_messages_spacing",
    ),
    (
        "US",
        "America/New_York",
        "+12125550123",
        "voice",
        [("voice", timedelta(hours=h), False) for h in range(1, 8)],
        "cap:us_calls",
    ),
    (
        "US",
        "America/New_York",
        "+12125550123",
        "voice",
        [("voice", timedelta(hours=h), False) for h in range(1, 7)],
        None,
    ),
    (
        "US",
        "America/New_York",
        "+12125550123",
        "voice",
        [("voice", timedelta(days=6), True)],
        "cap:us_after_conversation",
    ),
]


@pytest.mark.parametrize(("profile", "zone", "phone", "channel", "history", "expected"), CAP_CASES)
def test_every_frequency_cap_counts_contacts_across_campaigns(
    session: Session,
    profile: str,
    zone: str,
    phone: str,
    channel: str,
    history: list[tuple[str, timedelta, bool]],
    expected: str | None,
) -> None:
    client = make_client(
        session,
        name=f"Cable {profile}",
        country=profile[:2],
        timezone=zone,
        currency="USD",
        profile=ComplianceProfile(profile),
    )
    # Wednesday 11:00 local is open in every profile.
    now = at(zone, 2026, 11, 25, 11, 0)
    acc = account(session, client, "A", today=now.astimezone(ZoneInfo(zone)).date(), phone=phone)
    other_account = account(
        session, client, "B", today=now.astimezone(ZoneInfo(zone)).date(), phone=phone
    )
    other_account.debtor_id = acc.debtor_id  # the same debtor, another account
    other_account.status = AccountStatus.CLOSED
    for past_channel, ago, connected in history:
        past_attempt(
            session, other_account, Channel(past_channel), ago + (NOW - now), connected=connected
        )
    step: dict[str, Any] = {"day": 0, "channel": channel}
    if channel == "sms":
        step["template"] = "recordatorio"
    campaign = make_campaign(session, client, steps=[step])

    assert rules(session, campaign, now) == {"A": expected}


def test_refusals_are_stored_once_per_rule_a_day(session: Session) -> None:
    client = make_client(session)
    account(session, client, "NIGHT")
    campaign = make_campaign(session, client)
    night = at(MX_ZONE, 2026, 11, 25, 23, 0)

    run_tick(session, now=night)
    run_tick(session, now=night + timedelta(minutes=5))
    run_tick(session, now=night + timedelta(hours=25))
    refusals = session.scalars(select(ContactRefusal).order_by(ContactRefusal.id)).all()
    assert [(r.rule, r.campaign_id, r.context) for r in refusals] == [
        ("outside_hours", campaign.id, "scheduler")
    ] * 2
    assert session.scalar(select(Attempt.id)) is None
