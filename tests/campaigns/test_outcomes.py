"""Recording outcomes: every disposition's effects, policy checks, idempotency, card numbers and
the confirmation SMS that reaches rq only after commit."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements import (
    AccountNotOpen,
    CallbackTimeInvalid,
    CardNumberInNotes,
    ContactPointRequired,
    DownPaymentOutOfPolicy,
    InstallmentsOutOfPolicy,
    OutcomeAlreadyRecorded,
    PromiseAmountOutOfPolicy,
    PromiseDateOutOfPolicy,
    parse_outcome,
    record_outcome,
)
from campaigns.compliance import check_account_contact
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    AttemptStatus,
    AuditEvent,
    Callback,
    CallbackStatus,
    Channel,
    ChannelPermission,
    Dispute,
    DisputeStatus,
    DoNotContact,
    Installment,
    Outcome,
    PaymentPlan,
    PromiseStatus,
    PromiseToPay,
    Role,
)
from tests.campaigns.agreements_helpers import (
    NOW,
    TODAY,
    answered_call,
    dispatch_jobs,
    phone_of,
    sms_attempts,
)
from tests.factories import make_account, make_user


def _record(
    session: Session, account: Account, form: dict[str, Any], *, key: str = "k1", **kw: Any
) -> Outcome:
    attempt = kw.pop("attempt", None) or answered_call(session, account)
    return record_outcome(
        session,
        account_id=account.id,
        attempt_id=attempt.id,
        agent_id=kw.pop("agent_id", None),
        outcome=parse_outcome(form),
        submission_key=key,
        now=kw.pop("now", NOW),
    )


def _promise(amount: str = "1200.00", days: int = 7, **extra: Any) -> dict[str, Any]:
    due = (TODAY + timedelta(days=days)).isoformat()
    return {"disposition": "promise_to_pay", "amount": amount, "due_date": due, **extra}


def test_promise_to_pay_records_the_promise_and_holds_contact(session: Session) -> None:
    account = make_account(session)
    outcome = _record(session, account, _promise())
    session.commit()

    promise = session.scalars(select(PromiseToPay)).one()
    assert (promise.amount, promise.due_date) == (Decimal("1200.00"), TODAY + timedelta(days=7))
    assert promise.outcome_id == outcome.id and promise.status == PromiseStatus.PENDING
    assert account.status == AccountStatus.PROMISED
    assert outcome.right_party is True
    decision = check_account_contact(
        session,
        account_id=account.id,
        channel=Channel.VOICE,
        contact_point_id=phone_of(session, account).id,
        now=NOW + timedelta(hours=1),
        context="test",
    )
    assert decision.rule == "promise_in_force"
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "outcome.recorded")).one()
    assert audit.data["disposition"] == "promise_to_pay"


def test_confirmation_sms_is_courteous_spanish_and_lands_in_rq_after_commit(
    session: Session,
) -> None:
    account = make_account(session)
    _record(session, account, _promise("1080.00", 7))
    [sms] = sms_attempts(session, account)
    assert dispatch_jobs() == []  # nothing before the commit
    session.commit()

    assert dispatch_jobs() == [f"dispatch-attempt-{sms.id}"]
    assert sms.status == AttemptStatus.PENDING
    assert sms.body is not None
    assert "Buenos días, Juana, gracias por su acuerdo con Cablevisión Norte" in sms.body  # 11:00
    assert "$1,080.00" in sms.body and "30 de noviembre de 2026" in sms.body
    assert "BAJA" in sms.body


def test_nothing_is_enqueued_when_the_transaction_rolls_back(session: Session) -> None:
    account = make_account(session)
    session.commit()
    _record(session, account, _promise())
    session.rollback()

    assert dispatch_jobs() == []
    assert session.scalars(select(Attempt).where(Attempt.channel == Channel.SMS)).all() == []
    assert session.scalars(select(PromiseToPay)).all() == []


def test_confirmation_is_not_sent_to_an_opted_out_number(session: Session) -> None:
    account = make_account(session)
    point = phone_of(session, account)
    session.add(
        ChannelPermission(
            client_id=point.client_id,
            contact_point_id=point.id,
            channel=Channel.SMS,
            opted_out_at=NOW - timedelta(days=1),
            opt_out_source="test",
        )
    )
    _record(session, account, _promise())
    session.commit()
    assert sms_attempts(session, account) == []
    assert dispatch_jobs() == []
    assert account.status == AccountStatus.PROMISED


@pytest.mark.parametrize(
    ("form", "error", "message"),
    [
        (
            _promise(days=16),
            PromiseDateOutOfPolicy,
            "The payment date 2026-12-09 is outside the creditor's policy: choose a date from "
            "2026-11-23 to 2026-12-08 (15 days at most).",
        ),
        (
            _promise(days=-1),
            PromiseDateOutOfPolicy,
            "The payment date 2026-11-22 is outside the creditor's policy: choose a date from "
            "2026-11-23 to 2026-12-08 (15 days at most).",
        ),
        (
            _promise("1079.99"),
            PromiseAmountOutOfPolicy,
            "The promised amount 1079.99 is outside the creditor's policy: promise from 1080.00 "
            "(the balance with the early-payment discount) to 1200.00 (the balance), or offer "
            "an instalment plan.",
        ),
        (
            {
                "disposition": "payment_plan",
                "down_payment": "239.99",
                "installments": 6,
                "first_due_date": "2026-11-30",
            },
            DownPaymentOutOfPolicy,
            "The down payment 239.99 is below the creditor's minimum of 240.00 (20% of the "
            "balance); ask for a larger down payment.",
        ),
        (
            {
                "disposition": "payment_plan",
                "down_payment": "240.00",
                "installments": 7,
                "first_due_date": "2026-11-30",
            },
            InstallmentsOutOfPolicy,
            "7 instalments is outside the creditor's policy: offer from 1 to 6 instalments "
            "after the down payment.",
        ),
        (
            {
                "disposition": "payment_plan",
                "down_payment": "1200.00",
                "installments": 2,
                "first_due_date": "2026-11-30",
            },
            DownPaymentOutOfPolicy,
            "The down payment 1200.00 covers the whole balance 1200.00; record a promise to pay "
            "instead of a plan.",
        ),
    ],
)
def test_policy_violations_say_what_to_fix_and_change_nothing(
    session: Session, form: dict[str, Any], error: type[Exception], message: str
) -> None:
    account = make_account(session)
    with pytest.raises(error) as raised:
        _record(session, account, form)
    assert str(raised.value) == message
    assert getattr(raised.value, "status_code", None) == 422
    session.rollback()
    assert session.scalars(select(Outcome)).all() == []


def test_policy_errors_are_translated_to_spanish(session: Session) -> None:
    account = make_account(session)
    with pytest.raises(PromiseDateOutOfPolicy) as raised:
        _record(session, account, _promise(days=16))
    assert raised.value.render("es_MX") == (
        "La fecha de pago 2026-12-09 está fuera de la política del acreedor: elija una fecha "
        "del 2026-11-23 al 2026-12-08 (15 días como máximo)."
    )


def test_payment_plan_writes_instalments_that_add_up_to_the_balance(session: Session) -> None:
    account = make_account(session, balance="1000.00")
    form = {
        "disposition": "payment_plan",
        "down_payment": "200.00",
        "installments": 3,
        "first_due_date": "2026-11-30",
    }
    _record(session, account, form)
    session.commit()

    plan = session.scalars(select(PaymentPlan)).one()
    rows = [(i.number, i.due_date.isoformat(), i.amount) for i in plan.installments]
    assert rows == [
        (0, "2026-11-30", Decimal("200.00")),
        (1, "2026-12-30", Decimal("266.66")),
        (2, "2027-01-30", Decimal("266.66")),
        (3, "2027-02-28", Decimal("266.68")),
    ]
    assert plan.total_amount == Decimal("1000.00") and plan.installment_count == 3
    assert account.status == AccountStatus.PLAN
    [sms] = sms_attempts(session, account)
    assert sms.body is not None and "pago inicial de $200.00" in sms.body
    assert "3 parcialidades" in sms.body
    assert dispatch_jobs() == [f"dispatch-attempt-{sms.id}"]


def test_a_new_promise_replaces_the_pending_one(session: Session) -> None:
    account = make_account(session)
    _record(session, account, _promise(days=3), key="a")
    _record(session, account, _promise(days=10), key="b")
    statuses = sorted(p.status for p in session.scalars(select(PromiseToPay)))
    assert statuses == [PromiseStatus.CANCELLED, PromiseStatus.PENDING]


def test_same_submission_key_returns_the_first_outcome_and_changes_nothing(
    session: Session,
) -> None:
    account = make_account(session)
    attempt = answered_call(session, account)
    first = _record(session, account, _promise(), key="form-1", attempt=attempt)
    session.commit()
    again = _record(session, account, _promise("1100.00"), key="form-1", attempt=attempt)
    session.commit()

    assert again.id == first.id
    assert len(session.scalars(select(PromiseToPay)).all()) == 1
    assert len(sms_attempts(session, account)) == 1
    assert len(dispatch_jobs()) == 1


def test_another_agents_outcome_for_the_same_call_is_a_conflict(session: Session) -> None:
    account = make_account(session)
    attempt = answered_call(session, account)
    first = make_user(session, username="agente1", role=Role.AGENT)
    other = make_user(session, username="agente2", role=Role.AGENT)
    _record(session, account, _promise(), key="one", attempt=attempt, agent_id=first.id)
    with pytest.raises(OutcomeAlreadyRecorded) as raised:
        _record(
            session,
            account,
            {"disposition": "refuses"},
            key="two",
            attempt=attempt,
            agent_id=other.id,
        )
    assert raised.value.status_code == 409
    assert str(raised.value) == (
        "This contact already has an outcome (promise_to_pay); it cannot be changed."
    )


@pytest.mark.parametrize(
    "notes",
    [
        "pagará con tarjeta 4111 1111 1111 1111 el viernes",
        "card 4111-1111-1111-1111",
        "amex 378282246310005",
        "5555555555554444",
    ],
)
def test_notes_with_a_card_number_are_refused(session: Session, notes: str) -> None:
    account = make_account(session)
    with pytest.raises(CardNumberInNotes) as raised:
        _record(session, account, {"disposition": "refuses", "notes": notes})
    assert "remove the card number" in str(raised.value)
    assert raised.value.status_code == 422


@pytest.mark.parametrize(
    "notes",
    [
        "pagará con tarjeta 4111 1111 1111 1112 el viernes",  # fails Luhn
        "llamar al 55 1234 5678 después de las 5",
        "folio 123456789012",  # 12 digits
        "",
    ],
)
def test_notes_without_a_card_number_are_kept(session: Session, notes: str) -> None:
    account = make_account(session)
    outcome = _record(session, account, {"disposition": "refuses", "notes": notes})
    assert outcome.notes == notes


def test_notes_are_never_logged(session: Session, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    account = make_account(session)
    _record(session, account, _promise(notes="secreto-de-nota-xyz"))
    session.commit()
    assert "secreto-de-nota-xyz" not in caplog.text
    audit = session.scalars(select(AuditEvent)).all()
    assert all("secreto-de-nota-xyz" not in str(event.data) for event in audit)


def test_dispute_holds_contact_and_cancels_what_was_pending(session: Session) -> None:
    account = make_account(session)
    pending = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        contact_point_id=phone_of(session, account).id,
        channel=Channel.SMS,
        status=AttemptStatus.PENDING,
        body="recordatorio",
        created_at=NOW,
    )
    session.add(pending)
    _record(session, account, {"disposition": "dispute", "reason": "No contraté ese paquete"})
    session.commit()

    dispute = session.scalars(select(Dispute)).one()
    assert dispute.status == DisputeStatus.OPEN and dispute.reason == "No contraté ese paquete"
    assert account.status == AccountStatus.DISPUTED
    assert pending.status == AttemptStatus.CANCELED
    decision = check_account_contact(
        session,
        account_id=account.id,
        channel=Channel.VOICE,
        contact_point_id=phone_of(session, account).id,
        now=NOW,
        context="test",
    )
    assert decision.rule == "open_dispute"


def test_personal_callback_in_the_debtors_zone_is_stored_in_utc(session: Session) -> None:
    agent = make_user(session, role=Role.AGENT)
    account = make_account(session, timezone="America/Tijuana")
    form = {"disposition": "callback", "callback_at": "2026-11-24T18:30:00", "personal": True}
    _record(session, account, form, agent_id=agent.id)
    callback = session.scalars(select(Callback)).one()
    # 18:30 in Tijuana (UTC-8 in November) is 02:30 UTC the next day.
    assert callback.due_at == datetime.fromisoformat("2026-11-25T02:30:00+00:00")
    assert callback.owner_agent_id == agent.id
    assert callback.status == CallbackStatus.PENDING
    assert callback.contact_point_id == phone_of(session, account).id


def test_any_agent_callback_has_no_owner(session: Session) -> None:
    account = make_account(session)
    form = {"disposition": "callback", "callback_at": "2026-11-24T10:00:00-06:00"}
    _record(session, account, form)
    assert session.scalars(select(Callback)).one().owner_agent_id is None


@pytest.mark.parametrize(
    ("when", "fragment"),
    [
        ("2026-11-24T23:00:00", "outside the hours or days the debtor may be called"),
        ("2026-11-23T10:00:00", "must be in the next 30 days"),
        ("2027-01-30T10:00:00", "must be in the next 30 days"),
    ],
)
def test_callback_times_outside_the_rules_are_refused(
    session: Session, when: str, fragment: str
) -> None:
    account = make_account(session)
    with pytest.raises(CallbackTimeInvalid) as raised:
        _record(session, account, {"disposition": "callback", "callback_at": when})
    assert fragment in str(raised.value)


def test_wrong_number_invalidates_the_contact_point(session: Session) -> None:
    account = make_account(session)
    _record(session, account, {"disposition": "wrong_number"})
    point = phone_of(session, account)
    assert point.invalid and point.invalid_reason == "wrong number"


def test_wrong_number_without_a_number_asks_for_one(session: Session) -> None:
    account = make_account(session)
    with pytest.raises(ContactPointRequired):
        record_outcome(
            session,
            account_id=account.id,
            attempt_id=None,
            agent_id=None,
            outcome=parse_outcome({"disposition": "wrong_number"}),
            submission_key="x",
            now=NOW,
        )


def test_do_not_contact_opts_out_every_channel_and_lists_the_number(session: Session) -> None:
    account = make_account(session)
    _record(session, account, {"disposition": "do_not_contact"})
    session.commit()
    point = phone_of(session, account)
    opted = {p.channel: p.opted_out_at for p in session.scalars(select(ChannelPermission))}
    assert set(opted) == {Channel.VOICE, Channel.SMS, Channel.WHATSAPP}
    assert all(value is not None for value in opted.values())
    listed = session.scalars(select(DoNotContact)).one()
    assert listed.value == point.value and listed.client_id == account.client_id
    decision = check_account_contact(
        session,
        account_id=account.id,
        channel=Channel.VOICE,
        contact_point_id=point.id,
        now=NOW,
        context="test",
    )
    assert decision.rule == "do_not_contact"


def test_deceased_closes_the_account_and_lists_the_debtor(session: Session) -> None:
    account = make_account(session)
    _record(session, account, _promise(), key="p")
    _record(session, account, {"disposition": "deceased"}, key="d")
    session.commit()
    assert account.status == AccountStatus.CLOSED
    listed = session.scalars(select(DoNotContact)).one()
    assert listed.debtor_id == account.debtor_id
    assert session.scalars(select(PromiseToPay)).one().status == PromiseStatus.CANCELLED
    with pytest.raises(AccountNotOpen):
        _record(session, account, _promise(), key="again")


@pytest.mark.parametrize(
    ("form", "right_party"),
    [
        (
            {
                "disposition": "paid_already",
                "paid_on": "2026-11-20",
                "amount": "1200.00",
                "reference": "F-99",
            },
            True,
        ),
        ({"disposition": "third_party"}, False),
        ({"disposition": "refuses"}, True),
        ({"disposition": "language_barrier", "language": "náhuatl"}, False),
        ({"disposition": "no_answer"}, False),
        ({"disposition": "machine"}, False),
    ],
)
def test_dispositions_without_agreement_leave_the_account_as_it_was(
    session: Session, form: dict[str, Any], right_party: bool
) -> None:
    account = make_account(session)
    outcome = _record(session, account, form)
    session.commit()
    assert outcome.disposition == form["disposition"]
    assert outcome.right_party is right_party
    assert account.status == AccountStatus.ACTIVE
    assert session.scalars(select(PromiseToPay)).all() == []
    assert sms_attempts(session, account) == []
    assert dispatch_jobs() == []


def test_paid_already_records_the_debtors_claim_for_the_creditor(session: Session) -> None:
    account = make_account(session)
    _record(
        session,
        account,
        {
            "disposition": "paid_already",
            "paid_on": "2026-11-20",
            "amount": "1200.00",
            "reference": "F-99",
        },
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "outcome.recorded")).one()
    assert event.data["reference"] == "F-99" and event.data["paid_on"] == "2026-11-20"
    assert account.balance == Decimal("1200.00")


def test_plan_rows_are_in_one_transaction_with_the_outcome(session: Session) -> None:
    account = make_account(session)
    session.commit()
    form = {
        "disposition": "payment_plan",
        "down_payment": "240.00",
        "installments": 6,
        "first_due_date": "2026-11-30",
    }
    _record(session, account, form)
    session.rollback()
    assert session.scalars(select(Installment)).all() == []
    assert session.scalars(select(Outcome)).all() == []
    assert session.get(Account, account.id).status == AccountStatus.ACTIVE  # type: ignore[union-attr]


def test_two_concurrent_submissions_with_one_key_record_one_outcome(session: Session) -> None:
    import threading

    from campaigns.db import session_factory

    account = make_account(session)
    attempt = answered_call(session, account)
    session.commit()
    account_id, attempt_id = account.id, attempt.id  # the threads never touch this session
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def submit() -> None:
        with session_factory()() as own:
            try:
                barrier.wait()
                outcome = record_outcome(
                    own,
                    account_id=account_id,
                    attempt_id=attempt_id,
                    agent_id=None,
                    outcome=parse_outcome(_promise()),
                    submission_key="same-key",
                    now=NOW,
                )
                own.commit()
                results.append(outcome.id)
            except BaseException as error:  # reported below
                errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    session.rollback()  # end the read snapshot; see what the other side committed
    assert len(session.scalars(select(Outcome)).all()) == 1
    assert len(session.scalars(select(PromiseToPay)).all()) == 1
    assert len(sms_attempts(session, account)) == 1
    assert len(dispatch_jobs()) == 1
