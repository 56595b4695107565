"""Manager pages: uploading payments, do-not-contact lists and withdrawals, each with its counts,
the rejects report (row, column, value, reason) and a progress bar while the file goes up."""

import csv
import io
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from campaigns.agreements import import_payments
from campaigns.clients import list_clients
from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import _
from campaigns.list_uploads import import_do_not_contact, import_withdrawals
from campaigns.models import Role, User, utcnow
from console.deps import DbId, ManagerUser, SessionDep
from console.i18n_templates import money, number
from console.pages.common import PageRoute, back_to, page_locale, render

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)

KINDS = {
    "payments": _("Payments"),
    "do-not-contact": _("Do-not-contact list"),
    "withdrawals": _("Withdrawals"),
}


def _page(
    request: Request,
    db: Session,
    user: User,
    *,
    kind: str = "",
    filename: str = "",
    counts: list[tuple[str, str]] | None = None,
    rejects_text: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    rows = list(csv.reader(io.StringIO(rejects_text))) if rejects_text else []
    return render(
        request,
        "manager/uploads.html",
        user=user,
        clients=list_clients(db),
        bpo_wide=Role(user.role) == Role.ADMIN,
        kinds=KINDS,
        kind=kind,
        filename=filename,
        counts=counts or [],
        rejects_header=rows[0] if rows else [],
        rejects=rows[1:51],
        rejected_rows=max(len(rows) - 1, 0),
        rejects_href="data:text/csv;charset=utf-8," + quote(rejects_text) if rejects_text else "",
        error=error,
        status_code=status_code,
    )


@router.get("/uploads")
def uploads(request: Request, db: SessionDep, user: ManagerUser) -> Response:
    """Upload payments, a do-not-contact list or withdrawals."""
    return _page(request, db, user)


def _failed(request: Request, db: Session, user: User, kind: str, error: AcuerdoError) -> Response:
    db.rollback()
    return _page(
        request,
        db,
        user,
        kind=kind,
        error=error.render(page_locale(request)),
        status_code=error.status_code,
    )


@router.post("/uploads/payments")
def upload_payments(
    request: Request,
    db: SessionDep,
    user: ManagerUser,
    client_id: Annotated[DbId, Form()],
    file: UploadFile,
) -> Response:
    """Record a payments file: settled accounts, kept promises, paid instalments."""
    locale = page_locale(request)
    try:
        summary = import_payments(
            db,
            client_id=client_id,
            filename=file.filename or "pagos.csv",
            content=file.file.read(),
            now=utcnow(),
            uploaded_by_id=user.id,
            locale=locale,
        )
    except AcuerdoError as error:
        return _failed(request, db, user, "payments", error)
    currency = next((c.currency for c in list_clients(db) if c.id == client_id), "MXN")
    db.commit()
    counts = [
        (_("Rows read"), number(summary.rows_read, locale)),
        (_("Payments recorded"), number(summary.recorded, locale)),
        (_("Already recorded"), number(summary.already_recorded, locale)),
        (_("Rejected"), number(summary.rejected, locale)),
        (_("Amount recorded"), money(summary.amount, currency, locale)),
        (_("Accounts paid off"), number(summary.accounts_settled, locale)),
        (_("Promises kept"), number(summary.promises_kept, locale)),
        (_("Instalments paid"), number(summary.installments_paid, locale)),
    ]
    return _page(
        request,
        db,
        user,
        kind="payments",
        filename=summary.filename,
        counts=counts,
        rejects_text=summary.rejects_csv,
    )


def _list_counts(summary: Any, applied: str, locale: str) -> list[tuple[str, str]]:
    return [
        (_("Rows read"), number(summary.rows_read, locale)),
        (applied, number(summary.applied, locale)),
        (_("Already listed"), number(summary.already, locale)),
        (_("Rejected"), number(summary.rejected, locale)),
        (_("Accounts affected"), number(summary.accounts_affected, locale)),
        (_("Pending contacts cancelled"), number(summary.attempts_cancelled, locale)),
    ]


@router.post("/uploads/do-not-contact")
def upload_do_not_contact(
    request: Request,
    db: SessionDep,
    user: ManagerUser,
    scope: Annotated[str, Form()],
    file: UploadFile,
) -> Response:
    """Add phones and documents to a creditor's do-not-contact list (or the BPO's, for admins)."""
    locale = page_locale(request)
    try:
        client_id = None if scope == "all" else int(scope)
        summary = import_do_not_contact(
            db,
            client_id=client_id,
            filename=file.filename or "no-contactar.csv",
            content=file.file.read(),
            by_id=user.id,
            by_label=user.username,
            locale=locale,
            now=utcnow(),
        )
    except ValueError:
        return _failed(request, db, user, "do-not-contact", _no_creditor())
    except AcuerdoError as error:
        return _failed(request, db, user, "do-not-contact", error)
    db.commit()
    return _page(
        request,
        db,
        user,
        kind="do-not-contact",
        filename=summary.filename,
        counts=_list_counts(summary, _("Added to the list"), locale),
        rejects_text=summary.rejects_csv,
    )


def _no_creditor() -> AcuerdoError:
    return Invalid(_("Choose one of the creditors offered."))


@router.post("/uploads/withdrawals")
def upload_withdrawals(
    request: Request,
    db: SessionDep,
    user: ManagerUser,
    client_id: Annotated[DbId, Form()],
    file: UploadFile,
) -> Response:
    """Close the accounts the creditor takes back; they leave every campaign at once."""
    locale = page_locale(request)
    try:
        summary = import_withdrawals(
            db,
            client_id=client_id,
            filename=file.filename or "retiros.csv",
            content=file.file.read(),
            by_id=user.id,
            by_label=user.username,
            locale=locale,
            now=utcnow(),
        )
    except AcuerdoError as error:
        return _failed(request, db, user, "withdrawals", error)
    db.commit()
    return _page(
        request,
        db,
        user,
        kind="withdrawals",
        filename=summary.filename,
        counts=_list_counts(summary, _("Accounts withdrawn"), locale),
        rejects_text=summary.rejects_csv,
    )


def _back_to_uploads(user: ManagerUser) -> Response:
    """An upload's result page reloaded (or its language switched): the uploads page."""
    return back_to("/manager/uploads")


for _path in ("/uploads/payments", "/uploads/do-not-contact", "/uploads/withdrawals"):
    router.add_api_route(_path, _back_to_uploads, methods=["GET"])
