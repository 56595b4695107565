"""What a promise to pay or a payment plan changes: it replaces the agreement in force, holds
contact, sets the account's status and queues a confirmation SMS."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements.contact import cancel_pending_contact, set_status
from campaigns.agreements.errors import AccountNotOpen
from campaigns.agreements.messages import (
    PLAN_CONFIRMATION,
    PROMISE_CONFIRMATION,
    long_date,
    may_text,
    money,
    queue_sms,
)
from campaigns.agreements.negotiation import Policy, plan_schedule, validate_plan, validate_promise
from campaigns.agreements.schemas import PaymentPlanIn, PromiseToPayIn
from campaigns.i18n import _
from campaigns.models import (
    Account,
    AccountStatus,
    Client,
    ContactPoint,
    Installment,
    Outcome,
    PaymentPlan,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
)


class AgreementEffects:
    """The outcome being applied, and what a new promise or plan changes besides its row."""

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
            created_at=self.now,
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
            created_at=self.now,
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
                now=self.now,
                **params,
            )
