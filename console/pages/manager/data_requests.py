"""Manager pages: data-subject requests (ARCO, habeas data) with their statutory deadlines, filing
one for an account, answering, and the copy of a debtor's data."""

import json
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.clients import list_clients
from campaigns.data_requests import (
    KIND_LABELS,
    LAW_LABELS,
    RequestKind,
    answer_request,
    data_copy,
    file_request,
    list_requests,
)
from campaigns.errors import AcuerdoError, Invalid, NotFound
from campaigns.i18n import _
from campaigns.models import Account, DataSubjectRequest, User, utcnow
from campaigns.settings import get_settings
from console.deps import DbId, ManagerUser, SessionDep
from console.pages.common import PageRoute, back_to, page_locale, render

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)


def _page(
    request: Request,
    db: Session,
    user: User,
    error: AcuerdoError | None = None,
    prefill: dict[str, object] | None = None,
) -> Response:
    today = utcnow().astimezone(ZoneInfo(get_settings().operating_timezone)).date()
    return render(
        request,
        "manager/data_requests.html",
        user=user,
        rows=list_requests(db, today=today),
        clients=list_clients(db),
        kinds=KIND_LABELS,
        laws=LAW_LABELS,
        prefill=prefill or {},
        error=error.render(page_locale(request)) if error else "",
        status_code=error.status_code if error else 200,
    )


@router.get("/data-requests")
def data_requests(
    request: Request,
    db: SessionDep,
    user: ManagerUser,
    client_id: DbId | None = None,
    account: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    """Data-subject requests, the nearest statutory deadline first, overdue ones highlighted;
    from an account's page the form to record one comes filled with that account."""
    return _page(request, db, user, prefill={"client_id": client_id, "account_ref": account})


@router.post("/data-requests")
def file_data_request(
    request: Request,
    db: SessionDep,
    user: ManagerUser,
    client_id: Annotated[DbId, Form()],
    account_ref: Annotated[str, Form(max_length=60)],
    kind: Annotated[str, Form(max_length=20)],
    details: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Record a request a debtor made by phone, letter or e-mail for one of their accounts."""
    try:
        account = db.scalar(
            select(Account).where(
                Account.client_id == client_id, Account.account_ref == account_ref.strip()
            )
        )
        if account is None:
            raise NotFound(_("No account {ref} at that creditor."), ref=account_ref.strip())
        if kind not in list(RequestKind):
            raise Invalid(_("Choose what the debtor asks for."))
        file_request(
            db,
            account=account,
            kind=RequestKind(kind),
            details=details,
            source=f"manager:{user.id}",
            now=utcnow(),
            actor_id=user.id,
        )
    except AcuerdoError as error:
        db.rollback()
        return _page(request, db, user, error)
    db.commit()
    return back_to("/manager/data-requests")


@router.post("/data-requests/{request_id}/answer")
def answer_data_request(
    request: Request,
    db: SessionDep,
    user: ManagerUser,
    request_id: DbId,
    answer: Annotated[str, Form(max_length=2000)],
) -> Response:
    """Mark a request answered, with the answer given to the debtor."""
    try:
        answer_request(db, request_id=request_id, answer=answer, user_id=user.id, now=utcnow())
    except AcuerdoError as error:
        db.rollback()
        return _page(request, db, user, error)
    db.commit()
    return back_to("/manager/data-requests")


@router.get("/data-requests/{request_id}/copy")
def data_request_copy(db: SessionDep, user: ManagerUser, request_id: DbId) -> Response:
    """The copy of the debtor's data (JSON) that answers an access request."""
    row = db.get(DataSubjectRequest, request_id)
    if row is None:
        raise NotFound(_("No data request with id {id}."), id=request_id)
    copy = data_copy(
        db, debtor_id=row.debtor_id, now=utcnow(), actor_label=f"manager:{user.id}",
        actor_id=user.id,
    )  # fmt: skip
    db.commit()
    return Response(
        json.dumps(copy, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="datos-{row.id}.json"',
            "Cache-Control": "no-store",
        },
    )
