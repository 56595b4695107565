"""The contact check on plain facts: account rules, contact point rules, order and messages."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from campaigns.compliance import (
    PROFILES,
    AccountFacts,
    ContactContext,
    ContactEvent,
    PointFacts,
    Purpose,
    check_contact,
)
from campaigns.models import AccountStatus, Channel, ComplianceProfile

MX = PROFILES[ComplianceProfile.MX]
# Monday 23 November 2026, 10:00 in Mexico City (UTC-6 all year).
NOON = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
GOOD_POINT = PointFacts()


def local(tz: str, *args: int) -> datetime:
    """A wall-clock moment in a zone, as an aware UTC datetime."""
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)  # type: ignore[arg-type,misc]


def context(
    *,
    profile: ComplianceProfile = ComplianceProfile.MX,
    tz: str = "America/Mexico_City",
    country: str = "MX",
    now: datetime = NOON,
    channel: Channel = Channel.VOICE,
    days: int = 30,
    history: list[ContactEvent] | None = None,
    point: PointFacts | None = GOOD_POINT,
    **account: Any,
) -> ContactContext:
    """A contact that every rule allows unless a parameter says otherwise."""
    today = now.astimezone(ZoneInfo(tz)).date()
    facts: dict[str, Any] = {
        "status": AccountStatus.ACTIVE,
        "balance": Decimal("1200.00"),
        "due_date": today - timedelta(days=days),
    }
    facts.update(account)
    return ContactContext(
        profile=PROFILES[profile],
        timezone=tz,
        country=country,
        now=now,
        channel=channel,
        account=AccountFacts(**facts),
        point=point,
        history=history or [],
    )


def rule_of(ctx: ContactContext) -> str | None:
    return check_contact(ctx).rule


def test_an_ordinary_contact_is_allowed() -> None:
    decision = check_contact(context())
    assert decision.allowed and decision.rule is None and decision.detail() == ""


@pytest.mark.parametrize(
    ("days", "rule"),
    [(-5, "not_yet_due"), (0, "not_yet_due"), (1, None), (90, None), (91, "over_90_days")],
)
def test_days_overdue_boundaries(days: int, rule: str | None) -> None:
    assert rule_of(context(days=days)) == rule


def test_days_overdue_count_on_the_debtors_calendar() -> None:
    # 23:30 on 23 Nov in Mexico City is already 24 Nov in UTC: the debtor's date decides.
    late = local("America/Mexico_City", 2026, 11, 23, 21, 30)
    ctx = context(now=late, due_date=date(2026, 8, 25))  # 90 days before 23 Nov
    assert check_contact(ctx).allowed
    assert rule_of(context(now=late + timedelta(hours=3), due_date=date(2026, 8, 25))) == (
        "over_90_days"
    )


@pytest.mark.parametrize(
    ("facts", "rule"),
    [
        ({"status": AccountStatus.PAID}, "account_status"),
        ({"status": AccountStatus.ESCALATED}, "account_status"),
        ({"status": AccountStatus.CLOSED}, "account_status"),
        ({"status": AccountStatus.DISPUTED}, "open_dispute"),
        ({"open_dispute": True}, "open_dispute"),
        ({"promise_in_force": True}, "promise_in_force"),
        ({"balance": Decimal("0.00")}, "zero_balance"),
        ({"balance": Decimal("-1.00")}, "zero_balance"),
        ({"balance": Decimal("0.01")}, None),
        ({"status": AccountStatus.PROMISED}, None),  # a broken promise makes it eligible again
        ({"status": AccountStatus.PLAN}, None),
    ],
)
def test_account_rules(facts: dict[str, Any], rule: str | None) -> None:
    assert rule_of(context(**facts)) == rule


def test_a_reminder_goes_out_while_the_promise_is_in_force() -> None:
    ctx = context(promise_in_force=True)
    reminder = ContactContext(**{**ctx.__dict__, "purpose": Purpose.REMINDER})
    assert check_contact(reminder).allowed


@pytest.mark.parametrize(
    ("channel", "point", "rule"),
    [
        (Channel.VOICE, None, "invalid_contact_point"),
        (Channel.VOICE, PointFacts(invalid=True), "invalid_contact_point"),
        (Channel.SMS, PointFacts(can_receive=False), "invalid_contact_point"),
        (Channel.SMS, PointFacts(opted_out=True), "opted_out"),
        (Channel.SMS, PointFacts(opted_out=True, consented=True), "opted_out"),
        (Channel.WHATSAPP, PointFacts(), "no_consent_whatsapp"),
        (Channel.WHATSAPP, PointFacts(consented=True), None),
        (Channel.WHATSAPP, PointFacts(consented=True, opted_out=True), "opted_out"),
        (Channel.SMS, PointFacts(), None),
        (Channel.EMAIL, PointFacts(), None),
    ],
)
def test_contact_point_rules(channel: Channel, point: PointFacts | None, rule: str | None) -> None:
    assert rule_of(context(channel=channel, point=point)) == rule


def test_do_not_contact_refuses_every_channel() -> None:
    for channel in Channel:
        ctx = context(channel=channel, point=PointFacts(consented=True))
        ctx = ContactContext(**{**ctx.__dict__, "do_not_contact": True})
        assert rule_of(ctx) == "do_not_contact"


def test_the_first_rule_in_order_is_reported() -> None:
    sunday_night = local("America/Bogota", 2026, 11, 22, 23, 0)
    ctx = context(
        profile=ComplianceProfile.CO,
        tz="America/Bogota",
        country="CO",
        now=sunday_night,
        days=120,
        point=None,
    )
    assert rule_of(ctx) == "over_90_days"
    assert (
        rule_of(
            context(profile=ComplianceProfile.CO, tz="America/Bogota", now=sunday_night, point=None)
        )
        == "invalid_contact_point"
    )
    assert (
        rule_of(context(profile=ComplianceProfile.CO, tz="America/Bogota", now=sunday_night))
        == "day_not_allowed"
    )


def test_refusals_explain_themselves_in_spanish_and_english() -> None:
    early = local("America/Mexico_City", 2026, 11, 23, 6, 59, 59)
    decision = check_contact(context(now=early))
    assert decision.rule == "outside_hours"
    assert decision.detail("en") == (
        "It is 2026-11-23 06:59 CST for the debtor, outside the contact hours 07:00-22:00."
    )
    assert decision.detail("es_MX") == (
        "Para el deudor son las 2026-11-23 06:59 CST, fuera del horario de contacto 07:00-22:00."
    )
    capped = check_contact(
        context(
            profile=ComplianceProfile.CO,
            tz="America/Bogota",
            country="CO",
            history=[ContactEvent(NOON - timedelta(hours=1), Channel.SMS, False)],
        )
    )
    assert capped.rule == "cap:co_daily"
    assert capped.detail() == (
        "Se alcanzó el límite de frecuencia co_daily para este deudor; intente más tarde."
    )


def test_a_naive_moment_is_refused_loudly() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check_contact(context(now=datetime(2026, 11, 23, 10, 0)))
