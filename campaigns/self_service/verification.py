"""Before verification: the masked identity; verifying with the document's last digits.

Failures are audited (on the account, with a hash of the address, never the address or the
digits) and counted from the audit trail: past the per-link or per-address limit inside the
window, even the right digits are refused. Every refusal gives the same answer, whatever was
wrong, so the page tells nobody whether an account, a document or a limit was the reason.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from campaigns.audit import record
from campaigns.errors import AcuerdoError
from campaigns.i18n import _
from campaigns.models import Account, AuditEvent, Client, Debtor
from campaigns.settings import get_settings

FAILED = "self_service.verification_failed"
THROTTLED = "self_service.verification_throttled"
VERIFIED = "self_service.verified"
NOT_VERIFIED = _(
    "We could not verify these details. Check the digits of your document and try again later."
)


class VerificationRefused(AcuerdoError):
    """Wrong digits, too many attempts or no document on file: one answer for all."""

    status_code = 422


@dataclass(frozen=True)
class MaskedIdentity:
    """All the page shows before verification."""

    masked_name: str
    creditor: str
    digits: int


def mask_name(name: str) -> str:
    """Each word's first letter and asterisks: 'Juana Pérez' -> 'J**** P****'."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def masked_identity(session: Session, *, account_id: int) -> MaskedIdentity:
    """The masked name of the debtor and the creditor's name."""
    account = session.get_one(Account, account_id)
    client = session.get_one(Client, account.client_id)
    return MaskedIdentity(
        mask_name(account.debtor.name), client.name, get_settings().self_service_digits
    )


def address_label(address: str) -> str:
    """How an address appears in the audit trail: a hash, never the address itself."""
    digest = hashlib.sha256(f"self-service:{address}".encode()).hexdigest()[:24]
    return f"debtor@{digest}"


def _failures_since(session: Session, since: datetime, where: ColumnElement[bool]) -> int:
    query = select(func.count(AuditEvent.id)).where(
        AuditEvent.action == FAILED, AuditEvent.created_at > since, where
    )
    return session.scalar(query) or 0


def _document_digits(debtor: Debtor, count: int) -> str | None:
    digits = "".join(ch for ch in (debtor.national_id or "") if ch.isdigit())
    return digits[-count:] if len(digits) >= count else None


def verify(session: Session, *, account_id: int, digits: str, address: str, now: datetime) -> None:
    """Accept the last digits of the debtor's document, or refuse (always the same way)."""
    settings = get_settings()
    account = session.get_one(Account, account_id)
    label = address_label(address)
    since = now - timedelta(minutes=settings.self_service_failure_window_minutes)
    by_link = _failures_since(session, since, AuditEvent.account_id == account.id)
    by_address = _failures_since(session, since, AuditEvent.actor_label == label)
    if (
        by_link >= settings.self_service_link_max_failures
        or by_address >= settings.self_service_address_max_failures
    ):
        record(session, action=THROTTLED, entity=account, actor_label=label, at=now)
        raise VerificationRefused(NOT_VERIFIED)
    expected = _document_digits(account.debtor, settings.self_service_digits)
    typed = "".join(ch for ch in digits if ch.isdigit())
    if expected is None or not hmac.compare_digest(typed, expected):
        record(session, action=FAILED, entity=account, actor_label=label, at=now)
        raise VerificationRefused(NOT_VERIFIED)
    record(session, action=VERIFIED, entity=account, actor_label=label, at=now)
