"""The screen pop: what an agent sees when a call is bridged or previewed."""

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.db import session_scope
from campaigns.models import (
    Account,
    Attempt,
    ChannelPermission,
    Client,
    ContactPoint,
    Debtor,
    Disposition,
    utcnow,
)
from campaigns.timeline import account_timeline

AGENT_DISPOSITIONS = [d.value for d in Disposition if d != Disposition.UNRECORDED]


def mask_name(name: str) -> str:
    """First name in full (to ask for the person), the rest as initials."""
    first, *rest = name.split()
    return " ".join([first, *(f"{part[0]}." for part in rest)])


def mask_tail(value: str | None, keep: int = 3) -> str | None:
    """All but the last characters hidden."""
    if not value:
        return value
    return "•" * max(0, len(value) - keep) + value[-keep:]


def client_today(client: Client) -> date:
    """Today's date where the creditor is."""
    return utcnow().astimezone(ZoneInfo(client.timezone)).date()


def build_screen(session: Session, *, account_id: int, verified: bool) -> dict[str, Any]:
    """Debtor, account, contact points with consent, and the cross-channel timeline."""
    account = session.get_one(Account, account_id)
    client = session.get_one(Client, account.client_id)
    debtor = session.get_one(Debtor, account.debtor_id)
    today = client_today(client)
    points = session.scalars(
        select(ContactPoint).where(ContactPoint.debtor_id == debtor.id)
        .order_by(ContactPoint.priority)
    ).all()
    permissions: dict[int, list[ChannelPermission]] = {}
    for permission in session.scalars(
        select(ChannelPermission).where(
            ChannelPermission.contact_point_id.in_([p.id for p in points])
        )
    ):
        permissions.setdefault(permission.contact_point_id, []).append(permission)
    return {
        "verified": verified,
        "account": {
            "id": account.id,
            "ref": account.account_ref if verified else mask_tail(account.account_ref, 4),
            "creditor": client.name,
            "product": account.product,
            "balance": str(account.balance),
            "currency": account.currency,
            "due_date": account.due_date.isoformat(),
            "days_overdue": account.days_overdue(today),
            "bucket": str(account.aging_bucket(today)),
            "status": str(account.status),
        },
        "debtor": {
            "name": debtor.name if verified else mask_name(debtor.name),
            "national_id": debtor.national_id if verified else mask_tail(debtor.national_id),
            "region": debtor.region,
            "timezone": debtor.timezone,
        },
        "contact_points": [
            {
                "id": point.id,
                "kind": str(point.kind),
                "value": point.value if verified else mask_tail(point.value, 4),
                "line_type": point.line_type,
                "invalid": point.invalid,
                "channels": {
                    str(p.channel): {
                        "opted_in_at": p.opted_in_at.isoformat() if p.opted_in_at else None,
                        "opted_out_at": p.opted_out_at.isoformat() if p.opted_out_at else None,
                    }
                    for p in permissions.get(point.id, [])
                },
            }
            for point in points
        ],
        "timeline": [entry.as_dict() for entry in account_timeline(session, account_id=account.id)],
        "dispositions": AGENT_DISPOSITIONS,
    }


def screen_for_attempt(attempt_id: int, verified: bool) -> dict[str, Any]:
    """The screen pop of the account an attempt is about (opens its own session)."""
    with session_scope() as session:
        attempt = session.get_one(Attempt, attempt_id)
        return build_screen(session, account_id=attempt.account_id, verified=verified)
