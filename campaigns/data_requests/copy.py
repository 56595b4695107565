"""The copy of a debtor's personal data an access request is answered with (a JSON document)."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.audit import record
from campaigns.models import (
    Account,
    Attempt,
    Callback,
    ChannelPermission,
    Client,
    ContactPoint,
    ContactPreference,
    DataSubjectRequest,
    Debtor,
    Dispute,
    Payment,
    PaymentPlan,
    PromiseToPay,
)


def _iso(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def data_copy(
    session: Session, *, debtor_id: int, now: datetime, actor_label: str, actor_id: int | None
) -> dict[str, Any]:
    """Everything Acuerdo holds about one debtor for one creditor; the download is audited."""
    debtor = session.get_one(Debtor, debtor_id)
    client = session.get_one(Client, debtor.client_id)
    accounts = session.scalars(select(Account).where(Account.debtor_id == debtor.id)).all()
    ids = [a.id for a in accounts]
    points = session.scalars(select(ContactPoint).where(ContactPoint.debtor_id == debtor.id)).all()
    permissions = session.scalars(
        select(ChannelPermission).where(
            ChannelPermission.contact_point_id.in_([p.id for p in points])
        )
    ).all()
    preference = session.scalar(
        select(ContactPreference).where(ContactPreference.debtor_id == debtor.id)
    )

    def rows(model: Any, *fields: str) -> list[dict[str, Any]]:
        found = session.scalars(select(model).where(model.account_id.in_(ids))).all()
        return [{f: _iso(getattr(r, f)) for f in fields} for r in found]

    copy = {
        "generated_at": now.isoformat(),
        "controller": client.name,
        "debtor": {
            "name": debtor.name,
            "national_id": debtor.national_id,
            "country": debtor.country,
            "region": debtor.region,
            "timezone": debtor.timezone,
        },
        "contact_points": [
            {
                "kind": p.kind,
                "value": p.value,
                "line_type": p.line_type,
                "invalid": p.invalid,
                "permissions": [
                    {
                        "channel": perm.channel,
                        "opted_in_at": _iso(perm.opted_in_at),
                        "opted_out_at": _iso(perm.opted_out_at),
                    }
                    for perm in permissions
                    if perm.contact_point_id == p.id
                ],
            }
            for p in points
        ],
        "contact_preference": None
        if preference is None
        else {
            "voice": preference.accepts_voice,
            "sms": preference.accepts_sms,
            "whatsapp": preference.accepts_whatsapp,
            "earliest_minute": preference.earliest_minute,
            "latest_minute": preference.latest_minute,
        },
        "accounts": [
            {
                "account_ref": a.account_ref,
                "product": a.product,
                "original_balance": str(a.original_balance),
                "balance": str(a.balance),
                "currency": a.currency,
                "due_date": a.due_date.isoformat(),
                "status": a.status,
            }
            for a in accounts
        ],
        "contacts": rows(Attempt, "channel", "status", "created_at", "body"),
        "promises": rows(PromiseToPay, "amount", "due_date", "status", "created_at"),
        "payment_plans": rows(PaymentPlan, "total_amount", "down_payment", "installment_count"),
        "disputes": rows(Dispute, "reason", "status", "created_at"),
        "callbacks": rows(Callback, "due_at", "status"),
        "payments": rows(Payment, "amount", "paid_on", "reference"),
        "data_requests": [
            {
                "kind": r.kind,
                "law": r.law,
                "status": r.status,
                "received_on": r.received_on.isoformat(),
                "due_on": r.due_on.isoformat(),
                "answer": r.answer,
            }
            for r in session.scalars(
                select(DataSubjectRequest).where(DataSubjectRequest.debtor_id == debtor.id)
            )
        ],
    }
    if accounts:
        record(
            session,
            action="data_request.copy_downloaded",
            entity=accounts[0],
            actor_id=actor_id,
            actor_label=actor_label,
            at=now,
            data={"debtor_id": debtor.id},
        )
    return copy
