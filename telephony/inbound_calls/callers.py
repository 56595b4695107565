"""Who is calling: the creditor a dialled number belongs to, and the caller's accounts with it."""

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from campaigns.models import Account, AccountStatus, Client, ContactKind, ContactPoint, Debtor
from campaigns.portfolio_import.values import ValueProblem, parse_phone

CLOSED = (AccountStatus.PAID, AccountStatus.CLOSED)


def digits(text: str | None) -> str:
    """Only the digits of a number, a reference or a document."""
    return re.sub(r"\D", "", text or "")


def creditor_for_number(session: Session, *, number: str) -> Client | None:
    """The creditor whose callback number or caller ID was dialled (phones compared by digits)."""
    dialled = digits(number)
    if not dialled:
        return None
    for client in session.scalars(
        select(Client)
        .where(or_(Client.callback_number.is_not(None), Client.caller_id.is_not(None)))
        .order_by(Client.id)
    ):
        if dialled in (digits(client.callback_number), digits(client.caller_id)):
            return client
    return None


def caller_e164(number: str, *, country: str) -> str:
    """The caller's number as the portfolio import stores phones (E.164), else as given."""
    try:
        return parse_phone(number, region=country).e164
    except ValueProblem:
        return number


def accounts_for_caller(session: Session, *, client: Client, number: str) -> list[Account]:
    """The creditor's open accounts of every debtor with the caller's number on file."""
    phone = caller_e164(number, country=client.country)
    return list(
        session.scalars(
            select(Account)
            .where(
                Account.client_id == client.id,
                Account.status.not_in(CLOSED),
                # A subquery, not a join with DISTINCT: PostgreSQL cannot compare JSON columns.
                Account.debtor_id.in_(
                    select(ContactPoint.debtor_id).where(
                        ContactPoint.client_id == client.id,
                        ContactPoint.kind == ContactKind.PHONE,
                        ContactPoint.value == phone,
                    )
                ),
            )
            .order_by(Account.id)
        )
    )


def accounts_for_digits(
    session: Session, *, client: Client, typed: str, among: list[Account]
) -> list[Account]:
    """The accounts whose reference or holder's document is the digits the caller typed.

    Among the caller's matches when there are several; across the creditor when there are none.
    """
    if not typed:
        return []
    if among:
        return [account for account in among if _is_typed(account, typed)]
    candidates = session.scalars(
        select(Account)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .where(
            Account.client_id == client.id,
            Account.status.not_in(CLOSED),
            or_(Account.account_ref.endswith(typed), Debtor.national_id.contains(typed)),
        )
        .order_by(Account.id)
        .limit(50)
    )
    return [account for account in candidates if _is_typed(account, typed)][:2]


def _is_typed(account: Account, typed: str) -> bool:
    return typed in (digits(account.account_ref), digits(account.debtor.national_id))
