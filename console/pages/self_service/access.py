"""The self-service page's access: the per-address request limit, the signed link's account,
the verified session, and the pages every route falls back to."""

import secrets
from collections.abc import Callable
from datetime import datetime
from time import time as time_now

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from campaigns.data_requests import KIND_LABELS
from campaigns.errors import AcuerdoError
from campaigns.i18n import _, normalise_locale
from campaigns.models import Account, Client, Role, utcnow
from campaigns.redis_conn import get_redis
from campaigns.self_service import LinkRefused, Purpose, actions, read_token
from campaigns.self_service.links import REFUSED
from campaigns.self_service.overview import overview
from campaigns.self_service.verification import address_label, masked_identity
from campaigns.settings import get_settings
from campaigns.tenancy import Viewer, scope_session
from console.auth.addresses import client_address
from console.deps import LANG_COOKIE
from console.pages.common import back_to, page_locale, render


class TooManyRequests(AcuerdoError):
    """An address past the self-service page's request limit."""

    status_code = 429


def rate_limit(request: Request) -> None:
    """Count the request against its address's window; past the limit, 429 until it ends."""
    settings = get_settings()
    window = settings.self_service_request_window_seconds
    slot = int(time_now() // window)
    key = f"acuerdo:self_service:rate:{address_label(client_address(request))}:{slot}"
    redis = get_redis()
    count = int(redis.incr(key))
    if count == 1:
        redis.expire(key, window)
    if count > settings.self_service_requests_per_window:
        raise TooManyRequests(
            _("Too many requests from your connection; try again in a few minutes.")
        )


SESSION_COOKIE = "acuerdo_self_service"
DONE = {"promise", "discount", "plan", "dispute", "callback", "preferences", "opt_out", "request"}
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _link_account(db: Session, token: str, now: datetime) -> Account:
    account = db.get(Account, read_token(Purpose.LINK, token, now))
    if account is None:
        raise LinkRefused(REFUSED)
    return account


def _use_language(request: Request, client: Client) -> None:
    request.state.locale = normalise_locale(request.cookies.get(LANG_COOKIE) or client.locale)


def is_verified(request: Request, account: Account, now: datetime) -> bool:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return False
    try:
        return read_token(Purpose.SESSION, cookie, now) == account.id
    except LinkRefused:
        return False


class NeedsVerification(Exception):
    """The session cookie is missing or expired: back to the verification form."""


def open_link(
    request: Request, db: Session, token: str, *, verified: bool
) -> tuple[Account, datetime]:
    """The link's account (scoped to its creditor), verified when the action needs it."""
    now = utcnow()
    account = _link_account(db, token, now)
    scope_session(db, Viewer(None, Role.CLIENT_VIEWER, frozenset({account.client_id})))
    _use_language(request, db.get_one(Client, account.client_id))
    if verified and not is_verified(request, account, now):
        raise NeedsVerification()
    return account, now


def refused_page(request: Request, error: AcuerdoError) -> Response:
    return render(
        request,
        "self_service/refused.html",
        message=error.render(page_locale(request)),
        status_code=error.status_code,
    )


def verify_page(
    request: Request, db: Session, token: str, account: Account, error: str = ""
) -> Response:
    return render(
        request,
        "self_service/verify.html",
        token=token,
        identity=masked_identity(db, account_id=account.id),
        error=error,
        status_code=422 if error else 200,
    )


def account_page(
    request: Request, db: Session, token: str, account: Account, now: datetime, error: str = ""
) -> Response:
    view = overview(db, account_id=account.id, now=now)
    done = request.query_params.get("done", "")
    return render(
        request,
        "self_service/account.html",
        token=token,
        view=view,
        nonce=secrets.token_urlsafe(12),
        done=done if done in DONE else "",
        error=error,
        kinds=KIND_LABELS,
        reasons=actions.DISPUTE_REASONS,
        weekdays=WEEKDAY_KEYS,
        status_code=422 if error else 200,
    )


def verified_route(
    request: Request,
    db: Session,
    token: str,
    respond: Callable[[Account, datetime], Response],
) -> Response:
    """Answer with `respond` for a verified debtor; a refused link gets the refused page, a
    missing or expired session the verification form."""
    try:
        account, now = open_link(request, db, token, verified=True)
    except LinkRefused as error:
        return refused_page(request, error)
    except NeedsVerification:
        return back_to(f"/s/{token}")
    return respond(account, now)
