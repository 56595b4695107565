"""The forms a verified debtor posts on the self-service page: promise, plan, dispute, callback,
contact preferences, opt-out and data requests. Each answers with a redirect (POST/redirect/GET)
or the page with the error."""

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from campaigns.data_requests import RequestKind, file_request
from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import _
from campaigns.models import Account, Channel
from campaigns.self_service import actions
from campaigns.self_service.overview import PHONE_CHANNELS
from console.deps import SessionDep
from console.pages.common import PageRoute, back_to, page_locale
from console.pages.self_service.access import account_page, open_link, verified_route

router = APIRouter(route_class=PageRoute, include_in_schema=False)


Action = Callable[[Session, Account, datetime], object]


def _act(request: Request, db: Session, token: str, done: str, action: Action) -> Response:
    """Run one action for a verified debtor: redirect with a confirmation, or show the error."""

    def run(account: Account, now: datetime) -> Response:
        try:
            action(db, account, now)
        except AcuerdoError as error:
            db.rollback()
            message = error.render(page_locale(request))
            account, now = open_link(request, db, token, verified=True)
            return account_page(request, db, token, account, now, message)
        db.commit()
        return back_to(f"/s/{token}?done={done}#done")

    return verified_route(request, db, token, run)


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
