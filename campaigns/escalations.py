"""Escalated accounts (over 90 days overdue): listed for hand-off to extrajudicial collection."""

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.errors import NotFound
from campaigns.i18n import _, translate
from campaigns.models import (
    Account,
    AccountStatus,
    Client,
    ContactKind,
    ContactPoint,
    Debtor,
)
from campaigns.safe_export import SafeCsvWriter

HANDOFF_COLUMNS = (
    "account_ref",
    "debtor_name",
    "national_id",
    "balance",
    "currency",
    "due_date",
    "days_overdue",
    "phone",
)
# The headers people read, translated in their language; the portfolio import accepts them back.
HANDOFF_HEADERS = {
    "account_ref": _("Account number"),
    "debtor_name": _("Name"),
    "national_id": _("National ID"),
    "balance": _("Balance"),
    "currency": _("Currency"),
    "due_date": _("Due date"),
    "days_overdue": _("Days overdue"),
    "phone": _("Phone"),
}


@dataclass(frozen=True)
class EscalatedAccount:
    """One account to hand off, with the debtor's best phone."""

    account_ref: str
    debtor_name: str
    national_id: str | None
    balance: Decimal
    currency: str
    due_date: date
    days_overdue: int
    phone: str | None


def escalated_accounts(
    session: Session, *, client_id: int, now: datetime, today: date | None = None
) -> list[EscalatedAccount]:
    """The client's escalated accounts, oldest debt first, as of `now` (or `today`)."""
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(_("No creditor with id {id}."), id=client_id)
    today = today or now.astimezone(ZoneInfo(client.timezone)).date()
    rows = session.execute(
        select(
            Account.account_ref,
            Account.balance,
            Account.currency,
            Account.due_date,
            Account.debtor_id,
            Debtor.name,
            Debtor.national_id,
        )
        .join(Debtor, Debtor.id == Account.debtor_id)
        .where(Account.client_id == client_id, Account.status == AccountStatus.ESCALATED)
        .order_by(Account.due_date, Account.account_ref)
    ).all()
    phones: dict[int, str] = {}
    debtor_ids = sorted({row.debtor_id for row in rows})
    for start in range(0, len(debtor_ids), 500):
        points = session.execute(
            select(ContactPoint.debtor_id, ContactPoint.value)
            .where(
                ContactPoint.debtor_id.in_(debtor_ids[start : start + 500]),
                ContactPoint.kind == ContactKind.PHONE,
                ContactPoint.invalid.is_(False),
            )
            .order_by(ContactPoint.debtor_id, ContactPoint.priority, ContactPoint.id)
        )
        for debtor_id, value in points:
            phones.setdefault(debtor_id, value)
    return [
        EscalatedAccount(
            account_ref=row.account_ref,
            debtor_name=row.name,
            national_id=row.national_id,
            balance=row.balance,
            currency=row.currency,
            due_date=row.due_date,
            days_overdue=(today - row.due_date).days,
            phone=phones.get(row.debtor_id),
        )
        for row in rows
    ]


def escalations_csv(
    session: Session,
    *,
    client_id: int,
    now: datetime,
    today: date | None = None,
    locale: str | None = None,
) -> str:
    """The hand-off file: one row per escalated account, headers the import also accepts (the
    field names, or with `locale` the headers in that language)."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer, lineterminator="\r\n")
    writer.writerow(
        [translate(locale, HANDOFF_HEADERS[c]) for c in HANDOFF_COLUMNS]
        if locale
        else HANDOFF_COLUMNS
    )
    for account in escalated_accounts(session, client_id=client_id, now=now, today=today):
        writer.writerow(
            [
                account.account_ref,
                account.debtor_name,
                account.national_id or "",
                f"{account.balance:.2f}",
                account.currency,
                account.due_date.isoformat(),
                account.days_overdue,
                account.phone or "",
            ]
        )
    return buffer.getvalue()
