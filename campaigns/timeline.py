"""One account's history across channels and campaigns, newest first."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.debtor_zones import debtor_zones, local_times
from campaigns.models import (
    Account,
    Attempt,
    AttemptEvent,
    AuditEvent,
    Callback,
    Campaign,
    DataSubjectRequest,
    Dispute,
    InboundMessage,
    MessageDirection,
    Outcome,
    Payment,
    PaymentPlan,
    PromiseToPay,
)


@dataclass(frozen=True)
class TimelineEntry:
    """Something that happened on an account."""

    at: datetime
    kind: str
    channel: str | None
    summary: dict[str, Any]
    zones: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The entry, with the debtor's local time in each candidate zone at that moment."""
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "channel": self.channel,
            "local": [t.as_dict() for t in local_times(self.zones, self.at)],
            **self.summary,
        }


def account_timeline(session: Session, *, account_id: int, limit: int = 100) -> list[TimelineEntry]:
    """Every attempt, message, reply, outcome, promise, plan, dispute, payment, self-service
    action and data-subject request of an account."""
    entries: list[TimelineEntry] = []
    attempts = session.scalars(select(Attempt).where(Attempt.account_id == account_id)).all()
    named = {a.campaign_id for a in attempts if a.campaign_id}
    campaign_names = {
        cid: name
        for cid, name in session.execute(
            select(Campaign.id, Campaign.name).where(Campaign.id.in_(named))
        )
    }
    ivr_steps: dict[int, list[str]] = {}
    inbound = [a.id for a in attempts if a.direction == MessageDirection.INBOUND]
    for attempt_id, status in session.execute(
        select(AttemptEvent.attempt_id, AttemptEvent.status)
        .where(AttemptEvent.attempt_id.in_(inbound), AttemptEvent.status.startswith("ivr:"))
        .order_by(AttemptEvent.occurred_at, AttemptEvent.id)
    ):
        ivr_steps.setdefault(attempt_id, []).append(status.removeprefix("ivr:"))
    for attempt in attempts:
        entries.append(
            TimelineEntry(
                attempt.created_at,
                "attempt",
                str(attempt.channel),
                {
                    "attempt_id": attempt.id,
                    "status": str(attempt.status),
                    "direction": str(attempt.direction),
                    # What a debtor who called us did in the phone menu, in order.
                    "ivr": ivr_steps.get(attempt.id, []),
                    "answered_by": attempt.answered_by,
                    "campaign": campaign_names.get(attempt.campaign_id or 0),
                    "abandoned": attempt.abandoned,
                    "body": attempt.body,
                    "agent_id": attempt.agent_id,
                    # Played through Acuerdo (console/api/recordings.py), never the provider's URL.
                    "recording": f"/api/calls/{attempt.id}/recording"
                    if attempt.recording_sid
                    else None,
                },
            )
        )
    for message in session.scalars(
        select(InboundMessage).where(InboundMessage.account_id == account_id)
    ):
        entries.append(
            TimelineEntry(
                message.created_at,
                "reply",
                str(message.channel),
                {
                    "body": message.body,
                    "handled_as": message.handled_as,
                },
            )
        )
    for outcome in session.scalars(select(Outcome).where(Outcome.account_id == account_id)):
        entries.append(
            TimelineEntry(
                outcome.created_at,
                "outcome",
                None,
                {
                    "disposition": str(outcome.disposition),
                    "right_party": outcome.right_party,
                },
            )
        )
    for promise in session.scalars(
        select(PromiseToPay).where(PromiseToPay.account_id == account_id)
    ):
        entries.append(
            TimelineEntry(
                promise.created_at,
                "promise",
                None,
                {
                    "amount": str(promise.amount),
                    "due_date": promise.due_date.isoformat(),
                    "status": str(promise.status),
                },
            )
        )
    for plan in session.scalars(select(PaymentPlan).where(PaymentPlan.account_id == account_id)):
        entries.append(
            TimelineEntry(
                plan.created_at,
                "plan",
                None,
                {
                    "total": str(plan.total_amount),
                    "down_payment": str(plan.down_payment),
                    "installments": plan.installment_count,
                    "status": str(plan.status),
                },
            )
        )
    for dispute in session.scalars(select(Dispute).where(Dispute.account_id == account_id)):
        entries.append(
            TimelineEntry(
                dispute.created_at,
                "dispute",
                None,
                {
                    "reason": dispute.reason,
                    "status": str(dispute.status),
                },
            )
        )
    for callback in session.scalars(select(Callback).where(Callback.account_id == account_id)):
        entries.append(
            TimelineEntry(
                callback.created_at,
                "callback",
                None,
                {
                    "due_at": callback.due_at.isoformat(),
                    "status": str(callback.status),
                    "personal": callback.owner_agent_id is not None,
                },
            )
        )
    for payment in session.scalars(select(Payment).where(Payment.account_id == account_id)):
        entries.append(
            TimelineEntry(
                payment.created_at,
                "payment",
                None,
                {
                    "amount": str(payment.amount),
                    "paid_on": payment.paid_on.isoformat(),
                },
            )
        )
    for event in session.scalars(
        select(AuditEvent).where(
            AuditEvent.account_id == account_id, AuditEvent.action.startswith("self_service.")
        )
    ):
        entries.append(
            TimelineEntry(
                event.created_at,
                "self_service",
                None,
                {"action": event.action.removeprefix("self_service."), **event.data},
            )
        )
    for request in session.scalars(
        select(DataSubjectRequest).where(DataSubjectRequest.account_id == account_id)
    ):
        entries.append(
            TimelineEntry(
                request.created_at,
                "data_request",
                None,
                {
                    "request_kind": request.kind,
                    "law": request.law,
                    "status": request.status,
                    "due_on": request.due_on.isoformat(),
                    "source": request.source,
                },
            )
        )
    account = session.get(Account, account_id)
    zones = debtor_zones(account.debtor) if account is not None else ()
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return [replace(entry, zones=zones) for entry in entries[:limit]]
