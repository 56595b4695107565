"""The self-service page itself, the identity check, and what a verified debtor opens or
downloads without a form: the creditor's payment page and a copy of the data."""

import json
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from campaigns.data_requests import data_copy
from campaigns.models import Account
from campaigns.self_service import LinkRefused, Purpose, actions, make_token
from campaigns.self_service.verification import VerificationRefused, verify
from campaigns.settings import get_settings
from console.auth.addresses import client_address
from console.deps import SessionDep
from console.pages.common import PageRoute, back_to, page_locale
from console.pages.self_service.access import (
    SESSION_COOKIE,
    account_page,
    is_verified,
    open_link,
    refused_page,
    verified_route,
    verify_page,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/{token}")
def self_service_page(request: Request, db: SessionDep, token: str) -> Response:
    """The self-service page of a signed link: verification first, then the account."""
    try:
        account, now = open_link(request, db, token, verified=False)
    except LinkRefused as error:
        return refused_page(request, error)
    if is_verified(request, account, now):
        return account_page(request, db, token, account, now)
    return verify_page(request, db, token, account)


@router.post("/{token}/verify")
def verify_identity(
    request: Request, db: SessionDep, token: str, digits: Annotated[str, Form(max_length=40)]
) -> Response:
    """Check the last digits of the document; open a short session on success."""
    try:
        account, now = open_link(request, db, token, verified=False)
    except LinkRefused as error:
        return refused_page(request, error)
    db.info.pop("viewer", None)  # the per-address count spans every creditor
    try:
        verify(db, account_id=account.id, digits=digits, address=client_address(request), now=now)
    except VerificationRefused as error:
        db.commit()  # the failure stays in the audit trail and counts towards the limits
        return verify_page(request, db, token, account, error.render(page_locale(request)))
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


@router.get("/{token}/pay")
def pay_online(request: Request, db: SessionDep, token: str) -> Response:
    """Go to the creditor's payment page for the account (the visit is audited)."""

    def go(account: Account, now: datetime) -> Response:
        link = actions.follow_payment_link(db, account_id=account.id, now=now)
        db.commit()
        return RedirectResponse(link, status_code=303)

    return verified_route(request, db, token, go)


@router.get("/{token}/my-data")
def my_data(request: Request, db: SessionDep, token: str) -> Response:
    """Download a copy of the debtor's data (JSON), as an access request is answered."""

    def download(account: Account, now: datetime) -> Response:
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

    return verified_route(request, db, token, download)


@router.post("/{token}/sign-out")
def sign_out(token: str) -> Response:
    """End the verified session on this device."""
    response = back_to(f"/s/{token}")
    response.delete_cookie(SESSION_COOKIE, path="/s/")
    return response
