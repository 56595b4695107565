"""The debtors' self-service page: public (no staff sign-in), server-rendered, no JavaScript.

`/s/{token}` is the signed link from a reminder. Before verification it shows only the masked
name and the creditor; the last digits of the document open a short signed session (a cookie
limited to /s/) and the page then shows the balance, the offers and the actions. Every action is
a form post answered with a redirect (POST/redirect/GET). A forged, expired or other-purpose link
gets one answer, 404, whatever was wrong with it.
"""

import json
import secrets
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from time import time as time_now
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from campaigns.data_requests import KIND_LABELS, RequestKind, data_copy, file_request
from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import _, normalise_locale
from campaigns.models import Account, Channel, Client, Role, utcnow
from campaigns.redis_conn import get_redis
from campaigns.self_service import LinkRefused, Purpose, actions, make_token, read_token
from campaigns.self_service.links import REFUSED
from campaigns.self_service.overview import PHONE_CHANNELS, overview
from campaigns.self_service.verification import (
    VerificationRefused,
    address_label,
    masked_identity,
    verify,
)
from campaigns.settings import get_settings
from campaigns.tenancy import Viewer, scope_session
from console.auth.addresses import client_address
from console.deps import LANG_COOKIE, SessionDep
from console.pages.common import PageRoute, back_to, page_locale, render


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


router = APIRouter(
    prefix="/s",
    route_class=PageRoute,
    include_in_schema=False,
    dependencies=[Depends(rate_limit)],
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


def _verified(request: Request, account: Account, now: datetime) -> bool:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return False
    try:
        return read_token(Purpose.SESSION, cookie, now) == account.id
    except LinkRefused:
        return False


def _open(request: Request, db: Session, token: str, *, verified: bool) -> tuple[Account, datetime]:
    """The link's account (scoped to its creditor), verified when the action needs it."""
    now = utcnow()
    account = _link_account(db, token, now)
    scope_session(db, Viewer(None, Role.CLIENT_VIEWER, frozenset({account.client_id})))
    _use_language(request, db.get_one(Client, account.client_id))
    if verified and not _verified(request, account, now):
        raise _NeedsVerification()
    return account, now


class _NeedsVerification(Exception):
    """The session cookie is missing or expired: back to the verification form."""


def _refused_page(request: Request, error: AcuerdoError) -> Response:
    return render(
        request,
        "self_service/refused.html",
        message=error.render(page_locale(request)),
        status_code=error.status_code,
    )


def _verify_page(
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


def _account_page(
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


@router.get("/{token}")
def self_service_page(request: Request, db: SessionDep, token: str) -> Response:
    """The self-service page of a signed link: verification first, then the account."""
    try:
        account, now = _open(request, db, token, verified=False)
    except LinkRefused as error:
        return _refused_page(request, error)
    if _verified(request, account, now):
        return _account_page(request, db, token, account, now)
    return _verify_page(request, db, token, account)


@router.post("/{token}/verify")
def verify_identity(
    request: Request, db: SessionDep, token: str, digits: Annotated[str, Form(max_length=40)]
) -> Response:
    """Check the last digits of the document; open a short session on success."""
    try:
        account, now = _open(request, db, token, verified=False)
    except LinkRefused as error:
        return _refused_page(request, error)
    db.info.pop("viewer", None)  # the per-address count spans every creditor
    try:
        verify(db, account_id=account.id, digits=digits, address=client_address(request), now=now)
    except VerificationRefused as error:
        db.commit()  # the failure stays in the audit trail and counts towards the limits
        return _verify_page(request, db, token, account, error.render(page_locale(request)))
    db.commit()
    settings = get_settings()
    minutes = settings.self_service_session_minutes
    response = back_to(f"/s/{token}")
    response.set_cookie(
        SESSION_COOKIE,
        make_token(Purpose.SESSION, account.id, now + timedelta(minutes=minutes)),
        max_age=minutes * 60,
        path="/s/",
        samesite="strict",
        secure=settings.cookie_secure,
        httponly=True,
    )
    return response


Action = Callable[[Session, Account, datetime], object]


def _act(request: Request, db: Session, token: str, done: str, action: Action) -> Response:
    """Run one action for a verified debtor: redirect with a confirmation, or show the error."""
    try:
        account, now = _open(request, db, token, verified=True)
    except LinkRefused as error:
        return _refused_page(request, error)
    except _NeedsVerification:
        return back_to(f"/s/{token}")
    try:
        action(db, account, now)
    except AcuerdoError as error:
        db.rollback()
        message = error.render(page_locale(request))
        account, now = _open(request, db, token, verified=True)
        return _account_page(request, db, token, account, now, message)
    db.commit()
    return back_to(f"/s/{token}?done={done}#done")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise Invalid(_("Choose a date.")) from error


def _clock(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError as error:
        raise Invalid(_("Choose a time.")) from error


@router.post("/{token}/promise")
def promise_to_pay(
    request: Request,
    db: SessionDep,
    token: str,
    due_date: Annotated[str, Form(max_length=10)],
    nonce: Annotated[str, Form(max_length=40)],
    discount: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Promise to pay the balance, or the discounted balance, by a date within the policy."""

    def act(db: Session, account: Account, now: datetime) -> object:
        return actions.promise(
            db,
            account_id=account.id,
            due_date=_day(due_date),
            with_discount=discount == "yes",
            nonce=nonce,
            now=now,
        )

    return _act(request, db, token, "discount" if discount == "yes" else "promise", act)


@router.post("/{token}/plan")
def choose_plan(
    request: Request,
    db: SessionDep,
    token: str,
    installments: Annotated[int, Form(ge=1, le=36)],
    first_due_date: Annotated[str, Form(max_length=10)],
    nonce: Annotated[str, Form(max_length=40)],
) -> Response:
    """Choose a payment plan within the creditor's policy."""

    def act(db: Session, account: Account, now: datetime) -> object:
        return actions.plan(
            db,
            account_id=account.id,
            installments=installments,
            first_due_date=_day(first_due_date),
            nonce=nonce,
            now=now,
        )

    return _act(request, db, token, "plan", act)


@router.post("/{token}/dispute")
def open_dispute(
    request: Request,
    db: SessionDep,
    token: str,
    reason: Annotated[str, Form(max_length=20)],
    nonce: Annotated[str, Form(max_length=40)],
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Open a dispute with a reason and the debtor's words."""

    def act(db: Session, account: Account, now: datetime) -> object:
        return actions.dispute(
            db, account_id=account.id, reason=reason, text=text, nonce=nonce, now=now
        )

    return _act(request, db, token, "dispute", act)


@router.post("/{token}/callback")
def ask_for_call(
    request: Request,
    db: SessionDep,
    token: str,
    day: Annotated[str, Form(max_length=10)],
    at: Annotated[str, Form(max_length=5)],
    nonce: Annotated[str, Form(max_length=40)],
) -> Response:
    """Ask for a call at a local time inside the contact window."""

    def act(db: Session, account: Account, now: datetime) -> object:
        return actions.callback(
            db, account_id=account.id, day=_day(day), at=_clock(at), nonce=nonce, now=now
        )

    return _act(request, db, token, "callback", act)


@router.post("/{token}/preferences")
def contact_preferences(
    request: Request,
    db: SessionDep,
    token: str,
    channels: Annotated[list[str] | None, Form()] = None,
    earliest: Annotated[str, Form(max_length=5)] = "",
    latest: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Choose the channels and hours contact is accepted on (never beyond the law's)."""
    chosen = {Channel(c) for c in channels or [] if c in PHONE_CHANNELS}

    def act(db: Session, account: Account, now: datetime) -> object:
        return actions.set_preference(
            db, account_id=account.id, channels=chosen, earliest=earliest, latest=latest, now=now
        )

    return _act(request, db, token, "preferences", act)


@router.post("/{token}/opt-out")
def opt_out(
    request: Request,
    db: SessionDep,
    token: str,
    choice: Annotated[str, Form(max_length=40)],
) -> Response:
    """Stop one channel of one of the debtor's numbers."""
    point_text, _sep, channel_text = choice.partition(":")

    def act(db: Session, account: Account, now: datetime) -> object:
        if not point_text.isdigit() or channel_text not in list(Channel):
            raise Invalid(_("Choose one of your own numbers."))
        actions.opt_out(
            db,
            account_id=account.id,
            contact_point_id=int(point_text),
            channel=Channel(channel_text),
            now=now,
        )
        return None

    return _act(request, db, token, "opt_out", act)


@router.post("/{token}/data-request")
def data_request(
    request: Request,
    db: SessionDep,
    token: str,
    kind: Annotated[str, Form(max_length=20)],
    details: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """File an access, rectification, cancellation or opposition request."""

    def act(db: Session, account: Account, now: datetime) -> object:
        if kind not in list(RequestKind):
            raise Invalid(_("Choose what you are asking for."))
        return file_request(
            db,
            account=account,
            kind=RequestKind(kind),
            details=details,
            source=actions.ACTOR,
            now=now,
        )

    return _act(request, db, token, "request", act)


@router.get("/{token}/pay")
def pay_online(request: Request, db: SessionDep, token: str) -> Response:
    """Go to the creditor's payment page for the account (the visit is audited)."""
    try:
        account, now = _open(request, db, token, verified=True)
    except LinkRefused as error:
        return _refused_page(request, error)
    except _NeedsVerification:
        return back_to(f"/s/{token}")
    link = actions.follow_payment_link(db, account_id=account.id, now=now)
    db.commit()
    return RedirectResponse(link, status_code=303)


@router.get("/{token}/my-data")
def my_data(request: Request, db: SessionDep, token: str) -> Response:
    """Download a copy of the debtor's data (JSON), as an access request is answered."""
    try:
        account, now = _open(request, db, token, verified=True)
    except LinkRefused as error:
        return _refused_page(request, error)
    except _NeedsVerification:
        return back_to(f"/s/{token}")
    copy = data_copy(
        db, debtor_id=account.debtor_id, now=now, actor_label=actions.ACTOR, actor_id=None
    )
    db.commit()
    return Response(
        json.dumps(copy, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="mis-datos.json"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/{token}/sign-out")
def sign_out(token: str) -> Response:
    """End the verified session on this device."""
    response = back_to(f"/s/{token}")
    response.delete_cookie(SESSION_COOKIE, path="/s/")
    return response
