"""Property: no generated portfolio and clock make the scheduler contact anyone the rules forbid.

Every account the scheduler picks is checked again, one by one, with the compliance module's own
per-contact check (`check_account_contact`), which loads its facts independently.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.compliance import Rule, check_account_contact
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    Channel,
    ChannelPermission,
    ComplianceProfile,
    ContactPoint,
    Dispute,
    DoNotContact,
    PromiseStatus,
    PromiseToPay,
)
from campaigns.scheduler import build_selection, pick_eligible
from tests.campaigns.test_scheduler_eligibility import make_campaign
from tests.factories import make_account, make_client

POINT_RULES = {
    Rule.INVALID_CONTACT_POINT.value,
    Rule.OPTED_OUT.value,
    Rule.NO_CONSENT.value,
    Rule.NO_CONSENT_WHATSAPP.value,
}
PROFILES = {
    "MX": ("America/Mexico_City", ["America/Mexico_City", "America/Tijuana", "America/Cancun"]),
    "CO": ("America/Bogota", ["America/Bogota"]),
    "CL": ("America/Santiago", ["America/Santiago", "Pacific/Easter"]),
    "US": ("America/New_York", ["America/New_York", "America/Chicago", "America/Los_Angeles"]),
}

account_strategy = st.fixed_dictionaries(
    {
        "days": st.integers(min_value=-3, max_value=95),
        "balance": st.sampled_from(["0.00", "15.50", "1200.00"]),
        "status": st.sampled_from(["active", "active", "promised", "plan", "paid", "disputed"]),
        "zone": st.integers(min_value=0, max_value=2),
        "phone": st.sampled_from(["mobile", "mobile", "landline", "invalid", "none"]),
        "opted_out": st.booleans(),
        "whatsapp_opt_in": st.booleans(),
        "dnc": st.sampled_from([None, None, None, "debtor", "value"]),
        "dispute": st.booleans(),
        "promise": st.sampled_from([None, None, "pending", "broken"]),
        "history": st.lists(
            st.tuples(
                st.sampled_from(["voice", "sms", "whatsapp"]),
                st.integers(min_value=1, max_value=60 * 24 * 9),
                st.booleans(),
            ),
            max_size=4,
        ),
        "shared_debtor": st.booleans(),
    }
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    profile=st.sampled_from(sorted(PROFILES)),
    channel=st.sampled_from(["sms", "voice", "whatsapp"]),
    accounts=st.lists(account_strategy, min_size=1, max_size=8),
    now=st.datetimes(
        min_value=datetime(2026, 3, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
    ),
)
def test_every_pick_passes_the_per_contact_check(
    session: Session,
    profile: str,
    channel: str,
    accounts: list[dict[str, object]],
    now: datetime,
) -> None:
    try:
        _check(session, profile, channel, accounts, now)
    finally:
        session.rollback()


def _check(
    session: Session, profile: str, channel: str, accounts: list[dict[str, object]], now: datetime
) -> None:
    home, zones = PROFILES[profile]
    client = make_client(
        session,
        name=f"Cable {profile}",
        country=profile,
        timezone=home,
        currency="USD",
        profile=ComplianceProfile(profile),
    )
    client.whatsapp_sender = "+15550000300"
    client.whatsapp_templates = {"recordatorio_pago": "HX0001"}
    previous: Account | None = None
    for n, spec in enumerate(accounts):
        zone = zones[int(spec["zone"]) % len(zones)]  # type: ignore[call-overload]
        today = now.astimezone(__import__("zoneinfo").ZoneInfo(zone)).date()
        acc = make_account(
            session,
            client=client,
            ref=f"H{n:03d}",
            days_overdue=int(spec["days"]),  # type: ignore[call-overload]
            balance=str(spec["balance"]),
            phone=f"+1212555{n:04d}",
            today=today,
            timezone=zone,
        )
        acc.status = AccountStatus(str(spec["status"]))
        point = session.scalars(
            select(ContactPoint).where(ContactPoint.debtor_id == acc.debtor_id)
        ).first()
        if spec["shared_debtor"] and previous is not None:
            acc.debtor_id = previous.debtor_id
            point = None
        if point is not None:
            if spec["phone"] == "landline":
                point.line_type = "fixed_line"
            elif spec["phone"] == "invalid":
                point.invalid = True
            elif spec["phone"] == "none":
                session.delete(point)
                point = None
        if point is not None:
            session.flush()
            if spec["opted_out"]:
                session.add(
                    ChannelPermission(
                        client_id=client.id,
                        contact_point_id=point.id,
                        channel=channel,
                        opted_out_at=now - timedelta(days=1),
                    )
                )
            elif spec["whatsapp_opt_in"] and channel == "whatsapp":
                session.add(
                    ChannelPermission(
                        client_id=client.id,
                        contact_point_id=point.id,
                        channel=channel,
                        opted_in_at=now - timedelta(days=9),
                    )
                )
            if spec["dnc"] == "value":
                session.add(
                    DoNotContact(
                        client_id=None, value=point.value, reason="t", source="t", created_at=now
                    )
                )
        if spec["dnc"] == "debtor":
            session.add(
                DoNotContact(
                    client_id=client.id,
                    debtor_id=acc.debtor_id,
                    reason="t",
                    source="t",
                    created_at=now,
                )
            )
        if spec["dispute"]:
            session.add(Dispute(client_id=client.id, account_id=acc.id, reason="t", created_at=now))
        if spec["promise"]:
            session.add(
                PromiseToPay(
                    client_id=client.id,
                    account_id=acc.id,
                    amount=Decimal("10"),
                    due_date=today + timedelta(days=2),
                    status=PromiseStatus(str(spec["promise"])),
                    created_at=now,
                )
            )
        for past_channel, minutes, connected in spec["history"]:  # type: ignore[attr-defined]
            moment = now - timedelta(minutes=minutes)
            voice = past_channel == "voice"
            status = (
                (AttemptStatus.COMPLETED if voice else AttemptStatus.DELIVERED)
                if connected
                else (AttemptStatus.NO_ANSWER if voice else AttemptStatus.UNDELIVERED)
            )
            session.add(
                Attempt(
                    client_id=client.id,
                    account_id=acc.id,
                    channel=past_channel,
                    status=status,
                    created_at=moment,
                    answered_at=moment if connected and voice else None,
                    ended_at=moment + timedelta(minutes=1),
                )
            )
        previous = acc
    session.flush()
    step: dict[str, object] = {"day": 0, "channel": channel}
    if channel == "sms":
        step["template"] = "recordatorio"
    elif channel == "whatsapp":
        step["template"] = "recordatorio_pago"
    campaign = make_campaign(
        session,
        client,
        steps=[step],
        account_filter={"statuses": ["active", "promised", "plan", "disputed"]},
    )

    selection = build_selection(session, campaign=campaign, client=client, now=now)
    picks = pick_eligible(session, selection, messages=1000, calls=1000)
    assert len({p.debtor_id for p in picks}) == len(picks)
    for pick in picks:
        decision = check_account_contact(
            session,
            account_id=pick.account_id,
            channel=Channel(pick.channel),
            contact_point_id=pick.contact_point_id,
            now=now,
            context="property",
        )
        assert decision.allowed, (pick, decision.rule, decision.detail("en"))
    ruled = session.execute(selection.query).all()
    # The rule asks whether a usable contact point exists with the chosen point's own conditions:
    # the two never disagree.
    for row in ruled:
        if row.rule is None:
            assert row.contact_point_id is not None, row
        if row.rule in POINT_RULES:
            assert row.contact_point_id is None, row
    # Conversely, an account the filter matched but the scheduler excluded for a compliance rule
    # is refused by the per-contact check too when checked on its best contact point.
    for row in ruled:
        if (
            row.rule is None
            or row.contact_point_id is None
            or row.rule.startswith(("in_flight", "retry_wait", "step_not_due", "steps_done"))
        ):
            continue
        decision = check_account_contact(
            session,
            account_id=row.account_id,
            channel=Channel(row.channel),
            contact_point_id=row.contact_point_id,
            now=now,
            context="property",
        )
        assert not decision.allowed, (row, decision)
        assert decision.rule == row.rule, (row, decision.rule)
