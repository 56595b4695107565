"""Finding accounts by reference, debtor name, document or phone, within the reader's creditors.

A phone is read as the portfolio import reads it (any local or international writing, Mexico's
old prefixes), in the country of each creditor the reader works, and matched on E.164. Names
match without regard to accents or case. The session's tenancy decides which creditors' rows
are searched.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.models import Account, AccountStatus, Client, ContactKind, ContactPoint, Debtor
from campaigns.portfolio_import.values import ValueProblem, parse_phone

MAX_RESULTS = 50
MIN_NAME_LENGTH = 3
MIN_PHONE_DIGITS = 7
# Letters that may carry an accent in a name; in SQL each is matched by any one character (LIKE's
# "_"), on both backends alike, and the candidates are then compared folded in Python.
_MAY_BE_ACCENTED = frozenset("aeioun")
NAME_CANDIDATES = 500
_LAST_CHAR = "\U0010ffff"  # every reference starting with a prefix sorts below prefix + this


@dataclass(frozen=True)
class AccountHit:
    """One account found, with what tells it apart in a list."""

    account_id: int
    account_ref: str
    client_name: str
    debtor_name: str
    national_id: str | None
    balance: Decimal
    currency: str
    status: AccountStatus
    matched_on: str
    """What matched: "reference", "name", "document" or "phone"."""


def fold(text: str) -> str:
    """Text without accents, in lower case, with single spaces."""
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )
    return " ".join(stripped.lower().split())


def _name_pattern(word: str) -> str:
    """A LIKE pattern (on the lower-cased name) that every accented writing of the word fits."""
    letters = ("_" if c in _MAY_BE_ACCENTED else _like_literal(c) for c in word)
    return "%" + "".join(letters) + "%"


def _like_literal(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text)


def phone_candidates(session: Session, text: str) -> set[str]:
    """The E.164 numbers a typed phone can be, in the countries of the creditors one may see."""
    if len(re.sub(r"\D", "", text)) < MIN_PHONE_DIGITS:
        return set()
    numbers = set()
    for country in sorted(set(session.scalars(select(Client.country)))):
        try:
            numbers.add(parse_phone(text, region=country).e164)
        except ValueProblem:
            continue
    return numbers


def search_accounts(session: Session, *, query: str, limit: int = MAX_RESULTS) -> list[AccountHit]:
    """Accounts whose reference, debtor name, document or phone matches the query.

    An exact reference, document or phone wins: the reference-prefix lookup runs only when none
    matched, and the name scan only when the prefix found nothing either. Every lookup names the
    reader's creditors, so the (client_id, ...) indexes serve it.
    """
    text = " ".join(query.split())
    if not text:
        return []
    clients = list(session.scalars(select(Client.id)))
    found: dict[int, str] = {}

    def keep(ids: Sequence[int], matched_on: str) -> None:
        for account_id in ids:
            found.setdefault(account_id, matched_on)

    references = sorted({text, text.upper()})
    keep(
        session.scalars(
            select(Account.id)
            .where(Account.client_id.in_(clients), Account.account_ref.in_(references))
            .limit(limit)
        ).all(),
        "reference",
    )
    keep(
        session.scalars(
            select(Account.id)
            .join(Debtor, Debtor.id == Account.debtor_id)
            .where(
                Debtor.client_id.in_(clients),
                Debtor.national_id == "".join(text.split()).upper(),
            )
            .limit(limit)
        ).all(),
        "document",
    )
    numbers = phone_candidates(session, text)
    if numbers:
        keep(
            session.scalars(
                select(Account.id)
                .join(ContactPoint, ContactPoint.debtor_id == Account.debtor_id)
                .where(ContactPoint.kind == ContactKind.PHONE, ContactPoint.value.in_(numbers))
                .limit(limit)
            ).all(),
            "phone",
        )
    if found or len(text) < MIN_NAME_LENGTH:
        return _hits(session, found, limit)
    for prefix in references:
        keep(
            session.scalars(
                select(Account.id)
                .where(
                    Account.client_id.in_(clients),
                    Account.account_ref >= prefix,
                    Account.account_ref < prefix + _LAST_CHAR,
                )
                .order_by(Account.account_ref)
                .limit(limit)
            ).all(),
            "reference",
        )
    name = fold(text)
    if not found and not re.fullmatch(r"[\d\s+().-]+", name):
        words = name.split()
        candidates = session.execute(
            select(Account.id, Debtor.name)
            .join(Debtor, Debtor.id == Account.debtor_id)
            .where(*(func.lower(Debtor.name).like(_name_pattern(w), escape="\\") for w in words))
            .order_by(Debtor.name, Account.account_ref)
            .limit(NAME_CANDIDATES)
        ).all()
        keep(
            [
                account_id
                for account_id, debtor_name in candidates
                if all(w in fold(debtor_name) for w in words)
            ][:limit],
            "name",
        )
    return _hits(session, found, limit)


def _hits(session: Session, found: dict[int, str], limit: int) -> list[AccountHit]:
    ids = list(found)[:limit]
    if not ids:
        return []
    rows = session.execute(
        select(Account, Debtor.name, Debtor.national_id, Client.name)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .join(Client, Client.id == Account.client_id)
        .where(Account.id.in_(ids))
    ).all()
    by_id = {row[0].id: row for row in rows}
    hits = []
    for account_id in ids:
        if account_id not in by_id:
            continue
        account, debtor_name, national_id, client_name = by_id[account_id]
        hits.append(
            AccountHit(
                account_id=account.id,
                account_ref=account.account_ref,
                client_name=client_name,
                debtor_name=debtor_name,
                national_id=national_id,
                balance=account.balance,
                currency=account.currency,
                status=AccountStatus(account.status),
                matched_on=found[account_id],
            )
        )
    return hits
