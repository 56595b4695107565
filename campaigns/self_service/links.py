"""Signed, expiring, single-purpose tokens: the link in each reminder and the verified session.

A token is `{account_id}.{expires}.{mac}`: the account, the moment (epoch seconds) it stops
working, and an HMAC-SHA256 of both with the purpose ("link" or "session") under the
self-service secret. A token made for one purpose never passes as another, a changed digit breaks
the MAC, and an expired one is refused whatever else is right. `read_token` gives one answer to
every refusal, so nothing tells a forger which part was wrong.
"""

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from enum import StrEnum

from campaigns.errors import AcuerdoError
from campaigns.i18n import _
from campaigns.models import Account
from campaigns.settings import get_settings

MAC_BYTES = 16
LINK_PATH = "/s/"


class Purpose(StrEnum):
    """What a token may be used for."""

    LINK = "link"
    SESSION = "session"


class LinkRefused(AcuerdoError):
    """A forged, expired, other-purpose or malformed token (one answer for all of them)."""

    status_code = 404


class NoSecret(AcuerdoError):
    """Live mode without ACUERDO_SELF_SERVICE_SECRET: no link can be signed."""

    status_code = 503


REFUSED = _("This link is not valid or has expired. Ask for a new one by calling your creditor.")


def _mac(purpose: Purpose, account_id: int, expires: int) -> str:
    key = get_settings().self_service_key
    if not key:
        raise NoSecret(_("Self-service links need ACUERDO_SELF_SERVICE_SECRET to be set."))
    digest = hmac.new(key, f"{purpose}:{account_id}:{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:MAC_BYTES]).decode().rstrip("=")


def make_token(purpose: Purpose, account_id: int, expires_at: datetime) -> str:
    """A token for one purpose and account, working until `expires_at`."""
    expires = int(expires_at.timestamp())
    return f"{account_id}.{expires}.{_mac(purpose, account_id, expires)}"


def read_token(purpose: Purpose, token: str, now: datetime) -> int:
    """The account id a token of this purpose carries, if it is genuine and not expired."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise LinkRefused(REFUSED)
    account_id, expires = int(parts[0]), int(parts[1])
    if len(parts[0]) > 10 or len(parts[1]) > 12:
        raise LinkRefused(REFUSED)
    expected = _mac(purpose, account_id, expires)
    if not hmac.compare_digest(expected.encode(), parts[2].encode()):
        raise LinkRefused(REFUSED)
    if now.timestamp() >= expires:
        raise LinkRefused(REFUSED)
    return account_id


def link_token(account: Account, now: datetime) -> str:
    """The token of the self-service link for an account, made at `now`."""
    days = get_settings().self_service_link_days
    return make_token(Purpose.LINK, account.id, now + timedelta(days=days))


def self_service_link(account: Account, now: datetime) -> str:
    """The self-service page's address for an account, signed and expiring (for SMS and
    WhatsApp templates, `{{ self_service_link }}`, and for anyone sending it, e.g. inbound
    calls)."""
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}{LINK_PATH}{link_token(account, now)}"
