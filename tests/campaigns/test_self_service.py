"""The self-service domain: signed links, throttled verification, each action's effect on the
campaign (the scheduler's selection), and preferences that only ever make the check stricter."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.agreements.errors import CallbackTimeInvalid, PromiseDateOutOfPolicy
from campaigns.compliance import (
    PROFILES,
    AccountFacts,
    ContactContext,
    PointFacts,
    Rule,
    check_account_contact,
    check_contact,
)
from campaigns.compliance.preferences import Preference
from campaigns.compliance.send_time import Verdict, check_before_send
from campaigns.errors import Invalid
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    AuditEvent,
    Callback,
    Channel,
    Client,
    ComplianceProfile,
    ContactPoint,
    Dispute,
    PaymentPlan,
    PromiseToPay,
)
from campaigns.scheduler import run_tick
from campaigns.scheduler.messages import account_fields
from campaigns.self_service import (
    LinkRefused,
    Purpose,
    actions,
    make_token,
    read_token,
    self_service_link,
)
from campaigns.self_service.links import link_token
from campaigns.self_service.verification import (
    NOT_VERIFIED,
    VerificationRefused,
    masked_identity,
    verify,
)
from campaigns.settings import get_settings
from tests.campaigns.test_scheduler_eligibility import NOW, TODAY, account, make_campaign, rules
from tests.factories import make_client

LATER = NOW + timedelta(minutes=1)


def debtor_account(
    session: Session, ref: str = "A1", national_id: str = "PELJ800101HDFRRN07"
) -> Account:
    client = make_client(session)
    acc = account(session, client, ref)
    acc.debtor.national_id = national_id
    session.flush()
    return acc


# -- links ------------------------------------------------------------------------------------


def test_a_link_carries_its_account_and_expires_after_the_configured_days(
    session: Session,
) -> None:
    acc = debtor_account(session)
    link = self_service_link(acc, NOW)
    token = link.rsplit("/s/", 1)[1]
    assert link.startswith(get_settings().public_base_url)
    assert read_token(Purpose.LINK, token, NOW) == acc.id
    days = get_settings().self_service_link_days
    assert read_token(Purpose.LINK, token, NOW + timedelta(days=days, seconds=-1)) == acc.id
    with pytest.raises(LinkRefused):
        read_token(Purpose.LINK, token, NOW + timedelta(days=days))


def test_forged_altered_and_other_purpose_tokens_are_refused_alike(session: Session) -> None:
    acc = debtor_account(session)
    token = link_token(acc, NOW)
    account_id, expires, mac = token.split(".")
    forged = [
        f"{int(account_id) + 1}.{expires}.{mac}",  # another account
        f"{account_id}.{int(expires) + 86400}.{mac}",  # a longer life
        f"{account_id}.{expires}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}",  # one character
        make_token(Purpose.SESSION, acc.id, NOW + timedelta(days=1)),  # a session, not a link
        "", "abc", "1.2", "1.2.3.4", f"{account_id}.{expires}.",
    ]  # fmt: skip
    messages = set()
    for candidate in forged:
        with pytest.raises(LinkRefused) as refused:
            read_token(Purpose.LINK, candidate, NOW)
        messages.add(refused.value.render("es_MX"))
    assert len(messages) == 1
    session_token = make_token(Purpose.SESSION, acc.id, NOW + timedelta(minutes=5))
    with pytest.raises(LinkRefused):
        read_token(Purpose.SESSION, token, NOW)  # a link is not a session
    assert read_token(Purpose.SESSION, session_token, NOW) == acc.id


def creditor(session: Session, acc: Account) -> Client:
    return session.get_one(Client, acc.client_id)


def test_templates_render_the_link_and_the_creditors_payment_link(session: Session) -> None:
    acc = debtor_account(session)
    owner = creditor(session, acc)
    owner.payment_link_template = "https://pagos.example.com/pay?ref={account_ref}"
    fields = account_fields(acc, acc.debtor, owner, TODAY, now=NOW)
    token = fields["self_service_link"].rsplit("/s/", 1)[1]
    assert read_token(Purpose.LINK, token, NOW) == acc.id
    assert fields["payment_link"] == "https://pagos.example.com/pay?ref=A1"


# -- verification -----------------------------------------------------------------------------


def test_only_the_masked_identity_is_shown_before_verification(session: Session) -> None:
    acc = debtor_account(session)
    identity = masked_identity(session, account_id=acc.id)
    assert identity.masked_name == "J**** P****"
    assert identity.creditor == "Cablevisión Norte"


def _failures(session: Session, account_id: int) -> int:
    return (
        session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.account_id == account_id,
                AuditEvent.action == "self_service.verification_failed",
            )
        )
        or 0
    )


def test_verification_is_throttled_per_link_and_audited(session: Session) -> None:
    acc = debtor_account(session)
    limit = get_settings().self_service_link_max_failures
    for _attempt in range(limit):
        with pytest.raises(VerificationRefused):
            verify(session, account_id=acc.id, digits="0000", address="10.0.0.1", now=NOW)
    assert _failures(session, acc.id) == limit
    # The right digits now, even from another address, get the same answer as wrong ones.
    with pytest.raises(VerificationRefused) as refused:
        verify(session, account_id=acc.id, digits="0107", address="10.0.0.2", now=LATER)
    assert refused.value.message == NOT_VERIFIED
    throttled = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "self_service.verification_throttled")
    ).all()
    assert len(throttled) == 1
    assert "10.0.0" not in str([e.actor_label for e in throttled])
    # After the window the failures are forgotten and the right digits pass.
    window = timedelta(minutes=get_settings().self_service_failure_window_minutes)
    verify(session, account_id=acc.id, digits="0107", address="10.0.0.2", now=NOW + window)
    assert session.scalars(
        select(AuditEvent).where(AuditEvent.action == "self_service.verified")
    ).one()


def test_verification_is_throttled_per_address_across_links(session: Session) -> None:
    client = make_client(session)
    limit = get_settings().self_service_address_max_failures
    per_link = get_settings().self_service_link_max_failures - 1
    accounts = []
    for index in range(limit // per_link + 2):
        acc = account(session, client, f"R{index}")
        acc.debtor.national_id = f"DOC{index:04d}1234"
        accounts.append(acc)
    session.flush()
    failed = 0
    for acc in accounts:
        for _ in range(per_link):
            if failed == limit:
                break
            with pytest.raises(VerificationRefused):
                verify(session, account_id=acc.id, digits="9999", address="192.0.2.7", now=NOW)
            failed += 1
    fresh = accounts[-1]
    assert _failures(session, fresh.id) == 0
    with pytest.raises(VerificationRefused):
        verify(session, account_id=fresh.id, digits="1234", address="192.0.2.7", now=LATER)
    verify(session, account_id=fresh.id, digits="1234", address="198.51.100.1", now=LATER)


def test_wrong_digits_and_a_debtor_without_document_get_the_same_answer(
    session: Session,
) -> None:
    with_doc = debtor_account(session)
    without = account(session, creditor(session, with_doc), "NODOC")
    answers = set()
    for acc, digits in ((with_doc, "1111"), (without, "0107"), (with_doc, "")):
        with pytest.raises(VerificationRefused) as refused:
            verify(session, account_id=acc.id, digits=digits, address="203.0.113.5", now=NOW)
        answers.add((refused.value.status_code, refused.value.render("es_MX")))
    assert len(answers) == 1


# -- actions and the campaign ----------------------------------------------------------------


def test_a_promise_stops_the_running_campaigns_selection_at_once(session: Session) -> None:
    acc = debtor_account(session)
    campaign = make_campaign(
        session,
        creditor(session, acc),
        steps=[{"day": 0, "channel": "sms", "template": "recordatorio"}],
    )
    assert rules(session, campaign) == {"A1": None}
    assert run_tick(session, now=NOW).attempts == {campaign.id: 1}
    queued = session.scalars(select(Attempt)).one()
    assert queued.status == AttemptStatus.PENDING

    actions.promise(
        session, account_id=acc.id, due_date=TODAY + timedelta(days=5), with_discount=False,
        nonce="n1", now=LATER,
    )  # fmt: skip
    assert queued.status == AttemptStatus.CANCELED
    later = LATER + timedelta(hours=1)
    assert rules(session, campaign, later) == {"A1": Rule.PROMISE_IN_FORCE}
    assert run_tick(session, now=later).attempts.get(campaign.id, 0) == 0
    promise = session.scalars(select(PromiseToPay)).one()
    assert (promise.amount, promise.due_date) == (acc.balance, TODAY + timedelta(days=5))
    assert acc.status == AccountStatus.PROMISED
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "outcome.recorded")).one()
    assert event.actor_label == actions.ACTOR


def test_the_discount_and_the_plan_follow_the_creditors_policy(session: Session) -> None:
    acc = debtor_account(session)
    actions.promise(
        session, account_id=acc.id, due_date=TODAY, with_discount=True, nonce="d", now=NOW
    )
    promise = session.scalars(select(PromiseToPay)).one()
    assert promise.amount == Decimal("1080.00")  # the default 10 % discount on 1,200.00

    with pytest.raises(PromiseDateOutOfPolicy):
        actions.promise(
            session, account_id=acc.id, due_date=TODAY + timedelta(days=16),
            with_discount=False, nonce="late", now=NOW,
        )  # fmt: skip
    actions.plan(
        session, account_id=acc.id, installments=3, first_due_date=TODAY + timedelta(days=2),
        nonce="p", now=NOW,
    )  # fmt: skip
    plan = session.scalars(select(PaymentPlan)).one()
    assert (plan.down_payment, plan.installment_count) == (Decimal("240.00"), 3)
    session.refresh(promise)
    assert promise.status == "cancelled"  # the plan replaced the promise, as for an agent


def test_a_dispute_holds_contact_and_a_callback_must_fall_inside_the_window(
    session: Session,
) -> None:
    acc = debtor_account(session)
    with pytest.raises(CallbackTimeInvalid):
        actions.callback(
            session, account_id=acc.id, day=TODAY + timedelta(days=1), at=time(23, 30),
            nonce="late", now=NOW,
        )  # fmt: skip
    actions.callback(
        session, account_id=acc.id, day=TODAY + timedelta(days=1), at=time(10, 0),
        nonce="ok", now=NOW,
    )  # fmt: skip
    assert session.scalars(select(Callback)).one().owner_agent_id is None
    actions.dispute(
        session, account_id=acc.id, reason="not_mine", text="No reconozco este cargo",
        nonce="x", now=NOW,
    )  # fmt: skip
    dispute = session.scalars(select(Dispute)).one()
    assert dispute.reason == "[not_mine] No reconozco este cargo"
    decision = check_account_contact(
        session, account_id=acc.id, channel=Channel.VOICE,
        contact_point_id=acc.debtor.contact_points[0].id, now=LATER, context="test",
    )  # fmt: skip
    assert decision.rule == Rule.OPEN_DISPUTE


def test_an_opt_out_from_the_page_stops_that_channel(session: Session) -> None:
    acc = debtor_account(session)
    point = session.scalars(select(ContactPoint)).one()
    actions.opt_out(
        session, account_id=acc.id, contact_point_id=point.id, channel=Channel.SMS, now=NOW
    )
    sms = check_account_contact(
        session, account_id=acc.id, channel=Channel.SMS, contact_point_id=point.id, now=LATER,
        context="test",
    )  # fmt: skip
    voice = check_account_contact(
        session, account_id=acc.id, channel=Channel.VOICE, contact_point_id=point.id,
        now=LATER, context="test",
    )  # fmt: skip
    assert (sms.rule, voice.allowed) == (Rule.OPTED_OUT, True)


def test_preferences_narrow_the_campaign_and_the_check_alike(session: Session) -> None:
    acc = debtor_account(session)
    client = creditor(session, acc)
    calls = make_campaign(session, client, name="Llamadas", steps=[{"day": 0, "channel": "voice"}])
    texts = make_campaign(session, client, name="SMS")
    point = session.scalars(select(ContactPoint)).one()
    # NOW is 11:00 in Mexico City: the debtor accepts only SMS, from 12:00 to 14:00.
    actions.set_preference(
        session, account_id=acc.id, channels={Channel.SMS}, earliest="12:00", latest="14:00",
        now=NOW,
    )  # fmt: skip
    assert rules(session, calls) == {"A1": Rule.DEBTOR_PREFERENCE}
    assert rules(session, texts) == {"A1": Rule.DEBTOR_PREFERENCE}
    noon = NOW + timedelta(hours=1)
    assert rules(session, calls, noon) == {"A1": Rule.DEBTOR_PREFERENCE}
    assert rules(session, texts, noon) == {"A1": None}
    for moment, channel, allowed in (
        (NOW, Channel.SMS, False), (noon, Channel.SMS, True), (noon, Channel.VOICE, False),
    ):  # fmt: skip
        decision = check_account_contact(
            session, account_id=acc.id, channel=channel, contact_point_id=point.id, now=moment,
            context="test", record=False,
        )  # fmt: skip
        assert decision.allowed is allowed, (moment, channel, decision.rule)


def test_hours_wider_than_the_law_widen_nothing(session: Session) -> None:
    acc = debtor_account(session)
    campaign = make_campaign(session, creditor(session, acc))
    actions.set_preference(
        session, account_id=acc.id, channels={Channel.SMS, Channel.VOICE, Channel.WHATSAPP},
        earliest="00:00", latest="23:59", now=NOW,
    )  # fmt: skip
    night = NOW + timedelta(hours=12)  # 23:00 in Mexico City: outside the MX window
    assert rules(session, campaign, night) == {"A1": Rule.OUTSIDE_HOURS}


def test_invalid_hours_are_refused(session: Session) -> None:
    acc = debtor_account(session)

    for earliest, latest in (("14:00", "12:00"), ("12:00", ""), ("25:00", "26:00")):
        with pytest.raises(Invalid):
            actions.set_preference(
                session, account_id=acc.id, channels=set(), earliest=earliest, latest=latest,
                now=NOW,
            )  # fmt: skip


MX = PROFILES[ComplianceProfile.MX]


@settings(max_examples=200, deadline=None)
@given(
    minute=st.integers(0, 7 * 24 * 60 - 1),
    channel=st.sampled_from([Channel.VOICE, Channel.SMS, Channel.WHATSAPP]),
    channels=st.frozensets(st.sampled_from([Channel.VOICE, Channel.SMS, Channel.WHATSAPP])),
    hours=st.one_of(
        st.none(),
        st.tuples(st.integers(0, 1439), st.integers(1, 1440)).filter(lambda h: h[0] < h[1]),
    ),
)
def test_a_preference_never_allows_what_the_law_refuses(
    minute: int, channel: Channel, channels: frozenset[Channel], hours: tuple[int, int] | None
) -> None:
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC) + timedelta(minutes=minute)
    base = ContactContext(
        profile=MX,
        timezone="America/Mexico_City",
        country="MX",
        now=now,
        channel=channel,
        account=AccountFacts(AccountStatus.ACTIVE, Decimal("100"), date(2026, 10, 1)),
        point=PointFacts(consented=True),
    )
    preference = Preference(channels, *(hours or (None, None)))

    with_preference = check_contact(replace(base, preference=preference))
    without = check_contact(base)
    if not without.allowed:
        assert not with_preference.allowed
    if with_preference.allowed:
        assert without.allowed


def test_the_send_time_check_refuses_a_queued_message_outside_the_debtors_hours(
    session: Session,
) -> None:
    acc = debtor_account(session)
    point = session.scalars(select(ContactPoint)).one()
    queued = Attempt(
        client_id=acc.client_id, account_id=acc.id, contact_point_id=point.id,
        channel=Channel.SMS, status=AttemptStatus.PENDING, body="Hola",
        created_at=NOW - timedelta(minutes=5),
    )  # fmt: skip
    session.add(queued)
    session.flush()
    actions.set_preference(
        session, account_id=acc.id, channels={Channel.SMS}, earliest="12:00", latest="14:00",
        now=NOW,
    )  # fmt: skip
    decision = check_before_send(session, attempt_id=queued.id, now=NOW)
    assert (decision.verdict, decision.rule) == (Verdict.REFUSED, Rule.DEBTOR_PREFERENCE)
    assert queued.status == AttemptStatus.REFUSED
