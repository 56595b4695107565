"""Recording what an agent says happened on a contact, with every effect, in one transaction.

`record_outcome` validates the submission against the creditor's policy, writes the Outcome and
its effects (promise, plan, dispute hold, callback, invalid number, opt-out, do-not-contact,
closing), appends an audit event and queues the confirmation SMS to go out after commit. It is
idempotent on the client-generated submission key. The caller commits.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.agreements.contact import cancel_pending_contact, set_status
from campaigns.agreements.errors import (
    AccountNotOpen,
    AgentRequired,
    AgreementNotFound,
    AttemptMismatch,
    CallbackTimeInvalid,
    ContactPointRequired,
    OutcomeAlreadyRecorded,
)
from campaigns.agreements.messages import (
    PLAN_CONFIRMATION,
    PROMISE_CONFIRMATION,
    long_date,
    may_text,
    money,
    queue_sms,
)
from campaigns.agreements.negotiation import (
    Policy,
    plan_schedule,
    validate_plan,
    validate_promise,
)
from campaigns.agreements.notes import check_notes
from campaigns.agreements.schemas import (
    CallbackIn,
    DisputeIn,
    DoNotContactIn,
    OutcomeIn,
    PaymentPlanIn,
    PromiseToPayIn,
    is_right_party,
)
from campaigns.audit import record
from campaigns.compliance import closed_rule, effective_profile
from campaigns.contact_points import mark_invalid, opt_out
from campaigns.i18n import _
from campaigns.models import (
    Account,
    AccountStatus,
    Attempt,
    Callback,
    Channel,
    Client,
    ContactKind,
    ContactPoint,
    Disposition,
    Dispute,
    DoNotContact,
    Installment,
    Outcome,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
    User,
)

CLOSED = frozenset({AccountStatus.PAID, AccountStatus.CLOSED, AccountStatus.ESCALATED})
AGREEMENTS = frozenset({Disposition.PROMISE_TO_PAY, Disposition.PAYMENT_PLAN, Disposition.CALLBACK})
MAX_CALLBACK_AHEAD = timedelta(days=30)
PHONE_CHANNELS = (Channel.VOICE, Channel.SMS, Channel.WHATSAPP)


def record_outcome(
    session: Session,
    *,
    account_id: int,
    attempt_id: int | None,
    agent_id: int | None,
    outcome: OutcomeIn,
    submission_key: str,
    now: datetime,
    today: date | None = None,
) -> Outcome:
    """Record an outcome and its effects; the same submission key twice records it once."""
    existing = session.scalar(select(Outcome).where(Outcome.submission_key == submission_key))
    if existing is not None:
        return existing
    account = session.get(Account, account_id)
    if account is None:
        raise AgreementNotFound(_("No account with id {id}."), id=account_id)
    client = session.get_one(Client, account.client_id)
    today = today or now.astimezone(ZoneInfo(client.timezone)).date()
    attempt = _attempt(session, account, attempt_id)
    if agent_id is not None and session.get(User, agent_id) is None:
        raise AgreementNotFound(_("No agent with id {id}."), id=agent_id)
    notes = check_notes(outcome.notes)
    if isinstance(outcome, DisputeIn):
        check_notes(outcome.reason)
    disposition = Disposition(outcome.disposition)
    if disposition in AGREEMENTS | {Disposition.DISPUTE} and account.status in CLOSED:
        raise AccountNotOpen(
            _("The account is {status}; an agreement can no longer be recorded on it."),
            status=account.status,
        )
    point = _contact_point(session, account, outcome.contact_point_id, attempt)

    row = Outcome(
        client_id=account.client_id,
        account_id=account.id,
        attempt_id=attempt.id if attempt else None,
        agent_id=agent_id,
        disposition=disposition,
        right_party=is_right_party(outcome),
        notes=notes,
        submission_key=submission_key,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        first = session.scalar(select(Outcome).where(Outcome.submission_key == submission_key))
        if first is None:
            raise
        return first

    effects = _Effects(session, client, account, row, point, agent_id, now, today)
    data = effects.apply(outcome)
    record(
        session,
        action="outcome.recorded",
        entity=row,
        actor_id=agent_id,
        actor_label=f"agent:{agent_id}" if agent_id else "system",
        data={"disposition": str(disposition), "attempt_id": row.attempt_id, **data},
    )
    session.flush()
    return row


def _attempt(session: Session, account: Account, attempt_id: int | None) -> Attempt | None:
    if attempt_id is None:
        return None
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise AgreementNotFound(_("No attempt with id {id}."), id=attempt_id)
    if attempt.account_id != account.id:
        raise AttemptMismatch(
            _("Attempt {attempt} is not a contact with account {account}; reload the account."),
            attempt=attempt_id,
            account=account.id,
        )
    other = session.scalar(select(Outcome).where(Outcome.attempt_id == attempt_id).limit(1))
    if other is not None:
        raise OutcomeAlreadyRecorded(
            _("This contact already has an outcome ({disposition}); it cannot be changed."),
            disposition=other.disposition,
        )
    return attempt


def _contact_point(
    session: Session, account: Account, point_id: int | None, attempt: Attempt | None
) -> ContactPoint | None:
    point_id = point_id or (attempt.contact_point_id if attempt else None)
    if point_id is None:
        return None
    point = session.get(ContactPoint, point_id)
    if point is None or point.debtor_id != account.debtor_id:
        raise ContactPointRequired(
            _("Contact point {id} is not one of this debtor's; choose one of the debtor's."),
            id=point_id,
        )
    return point


class _Effects:
    """What each disposition changes besides the Outcome row."""

    def __init__(
        self,
        session: Session,
        client: Client,
        account: Account,
        outcome: Outcome,
        point: ContactPoint | None,
        agent_id: int | None,
        now: datetime,
        today: date,
    ) -> None:
        self.session, self.client, self.account, self.outcome = session, client, account, outcome
        self.point, self.agent_id, self.now, self.today = point, agent_id, now, today
        self.source = f"agent:{agent_id}" if agent_id else "outcome"

    def apply(self, outcome: OutcomeIn) -> dict[str, object]:
        if isinstance(outcome, PromiseToPayIn):
            return self.promise(outcome)
        if isinstance(outcome, PaymentPlanIn):
            return self.plan(outcome)
        if isinstance(outcome, DisputeIn):
            return self.dispute(outcome)
        if isinstance(outcome, CallbackIn):
            return self.callback(outcome)
        if isinstance(outcome, DoNotContactIn):
            return self.do_not_contact()
        disposition = outcome.disposition
        if disposition == Disposition.WRONG_NUMBER:
            return self.wrong_number()
        if disposition == Disposition.DECEASED:
            return self.deceased()
        if disposition == Disposition.PAID_ALREADY:
            return {
                "paid_on": str(getattr(outcome, "paid_on", None) or ""),
                "amount": str(getattr(outcome, "amount", None) or ""),
                "reference": getattr(outcome, "reference", ""),
            }
        if disposition == Disposition.LANGUAGE_BARRIER:
            return {"language": getattr(outcome, "language", "")}
        return {}

    def _open_balance(self) -> None:
        if self.account.balance <= 0:
            raise AccountNotOpen(
                _("The account has no balance left; an agreement can no longer be recorded on it.")
            )

    def _supersede(self, reason: str = "agreement recorded") -> None:
        """A new agreement replaces the pending promise or active plan, and holds contact."""
        for promise in self.session.scalars(
            select(PromiseToPay).where(
                PromiseToPay.account_id == self.account.id,
                PromiseToPay.status == PromiseStatus.PENDING,
            )
        ):
            promise.status, promise.resolved_at = PromiseStatus.CANCELLED, self.now
        for plan in self.session.scalars(
            select(PaymentPlan).where(
                PaymentPlan.account_id == self.account.id, PaymentPlan.status == PlanStatus.ACTIVE
            )
        ):
            plan.status = PlanStatus.CANCELLED
        cancel_pending_contact(
            self.session,
            account_id=self.account.id,
            now=self.now,
            reason=reason,
            except_attempt_id=self.outcome.attempt_id,
        )
        self.account.priority_boost = 0

    def promise(self, outcome: PromiseToPayIn) -> dict[str, object]:
        self._open_balance()
        validate_promise(
            Policy.of(self.client),
            balance=self.account.balance,
            amount=outcome.amount,
            due_date=outcome.due_date,
            today=self.today,
        )
        self._supersede()
        promise = PromiseToPay(
            client_id=self.account.client_id,
            account_id=self.account.id,
            outcome_id=self.outcome.id,
            amount=outcome.amount,
            due_date=outcome.due_date,
        )
        self.session.add(promise)
        set_status(self.account, AccountStatus.PROMISED, self.now)
        self.session.flush()
        self._confirm(
            PROMISE_CONFIRMATION,
            amount=money(outcome.amount, self.account.currency, self.client.locale),
            date=long_date(outcome.due_date, self.client.locale),
        )
        return {
            "promise_id": promise.id,
            "amount": str(outcome.amount),
            "due_date": outcome.due_date.isoformat(),
        }

    def plan(self, outcome: PaymentPlanIn) -> dict[str, object]:
        self._open_balance()
        balance = self.account.balance
        validate_plan(
            Policy.of(self.client),
            balance=balance,
            down_payment=outcome.down_payment,
            installments=outcome.installments,
            first_due_date=outcome.first_due_date,
            today=self.today,
        )
        self._supersede()
        schedule = plan_schedule(
            balance=balance,
            down_payment=outcome.down_payment,
            installments=outcome.installments,
            first_due_date=outcome.first_due_date,
            frequency=outcome.frequency,
        )
        plan = PaymentPlan(
            client_id=self.account.client_id,
            account_id=self.account.id,
            outcome_id=self.outcome.id,
            total_amount=balance,
            down_payment=outcome.down_payment,
            installment_count=outcome.installments,
        )
        self.session.add(plan)
        self.session.flush()
        for payment in schedule:
            self.session.add(
                Installment(
                    client_id=self.account.client_id,
                    plan_id=plan.id,
                    number=payment.number,
                    due_date=payment.due_date,
                    amount=payment.amount,
                )
            )
        set_status(self.account, AccountStatus.PLAN, self.now)
        self.session.flush()
        locale = self.client.locale
        self._confirm(
            PLAN_CONFIRMATION,
            amount=money(outcome.down_payment, self.account.currency, locale),
            date=long_date(outcome.first_due_date, locale),
            count=outcome.installments,
            first_date=long_date(schedule[1].due_date, locale),
        )
        return {
            "plan_id": plan.id,
            "schedule": [
                {"number": p.number, "due_date": p.due_date.isoformat(), "amount": str(p.amount)}
                for p in schedule
            ],
        }

    def _confirm(self, message: str, **params: object) -> None:
        courtesy = may_text(
            self.session,
            account=self.account,
            now=self.now,
            context="agreement_confirmation",
            preferred_id=self.point.id if self.point else None,
        )
        if courtesy is not None:
            queue_sms(
                self.session,
                courtesy=courtesy,
                message=message,
                dedup_key=f"confirm-outcome-{self.outcome.id}",
                **params,
            )

    def dispute(self, outcome: DisputeIn) -> dict[str, object]:
        dispute = Dispute(
            client_id=self.account.client_id,
            account_id=self.account.id,
            outcome_id=self.outcome.id,
            reason=outcome.reason.strip(),
        )
        self.session.add(dispute)
        set_status(self.account, AccountStatus.DISPUTED, self.now)
        cancel_pending_contact(
            self.session,
            account_id=self.account.id,
            now=self.now,
            reason="dispute opened",
            except_attempt_id=self.outcome.attempt_id,
        )
        self.session.flush()
        return {"dispute_id": dispute.id}

    def callback(self, outcome: CallbackIn) -> dict[str, object]:
        debtor = self.account.debtor
        zone = ZoneInfo(debtor.timezone)
        at = outcome.callback_at
        local = at.replace(tzinfo=zone) if at.tzinfo is None else at.astimezone(zone)
        due_at = local.astimezone(ZoneInfo("UTC"))
        shown = local.strftime("%Y-%m-%d %H:%M")
        if not self.now < due_at <= self.now + MAX_CALLBACK_AHEAD:
            raise CallbackTimeInvalid(
                _(
                    "The callback time {local} (the debtor's time) must be in the next "
                    "{days} days; choose another time."
                ),
                local=shown,
                days=MAX_CALLBACK_AHEAD.days,
            )
        if closed_rule(effective_profile(self.client), debtor.timezone, debtor.country, due_at):
            raise CallbackTimeInvalid(
                _(
                    "The callback time {local} (the debtor's time) is outside the hours or days "
                    "the debtor may be called; choose a time inside the contact window."
                ),
                local=shown,
            )
        if outcome.personal and self.agent_id is None:
            raise AgentRequired(_("A personal callback needs the agent who will make it."))
        callback = Callback(
            client_id=self.account.client_id,
            account_id=self.account.id,
            outcome_id=self.outcome.id,
            contact_point_id=self.point.id if self.point else None,
            owner_agent_id=self.agent_id if outcome.personal else None,
            due_at=due_at,
        )
        self.session.add(callback)
        self.session.flush()
        return {
            "callback_id": callback.id,
            "due_at": due_at.isoformat(),
            "personal": outcome.personal,
        }

    def _require_point(self) -> ContactPoint:
        if self.point is None:
            raise ContactPointRequired(
                _("Choose the phone number or address this outcome is about.")
            )
        return self.point

    def wrong_number(self) -> dict[str, object]:
        point = self._require_point()
        mark_invalid(
            self.session,
            contact_point=point,
            reason="wrong number",
            source=self.source,
            at=self.now,
        )
        cancel_pending_contact(
            self.session,
            account_id=self.account.id,
            now=self.now,
            reason="wrong number",
            contact_point_id=point.id,
            except_attempt_id=self.outcome.attempt_id,
        )
        return {"contact_point_id": point.id}

    def do_not_contact(self) -> dict[str, object]:
        point = self._require_point()
        channels = (Channel.EMAIL,) if point.kind == ContactKind.EMAIL else PHONE_CHANNELS
        for channel in channels:
            opt_out(
                self.session, contact_point=point, channel=channel, source=self.source, at=self.now
            )
        self.session.add(
            DoNotContact(
                client_id=self.account.client_id,
                value=point.value,
                reason="the person asked not to be contacted",
                source=self.source,
            )
        )
        cancel_pending_contact(
            self.session,
            account_id=self.account.id,
            now=self.now,
            reason="do not contact",
            contact_point_id=point.id,
            except_attempt_id=self.outcome.attempt_id,
        )
        return {"contact_point_id": point.id, "channels": [str(c) for c in channels]}

    def deceased(self) -> dict[str, object]:
        self._supersede("debtor deceased")
        self.session.add(
            DoNotContact(
                client_id=self.account.client_id,
                debtor_id=self.account.debtor_id,
                reason="debtor deceased",
                source=self.source,
            )
        )
        set_status(self.account, AccountStatus.CLOSED, self.now)
        return {}
