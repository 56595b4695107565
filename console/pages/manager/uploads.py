"""Manager pages: uploading payments, do-not-contact lists and withdrawals, each with its counts,
the rejects report (row, column, value, reason) and a progress bar while the file goes up."""

import csv
import io
from collections.abc import Callable
from typing import Annotated, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from campaigns.agreements import PaymentImportSummary, import_payments
from campaigns.clients import list_clients
from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import _
from campaigns.list_uploads import ListUploadSummary, import_do_not_contact, import_withdrawals
from campaigns.models import Role, User, utcnow
from console.deps import DbId, ManagerUser, SessionDep
from console.i18n_templates import money, number
from console.pages.common import PageRoute, back_to, page_locale, render

router = APIRouter(prefix="/manager", route_class=PageRoute, include_in_schema=False)

Summary = TypeVar("Summary", PaymentImportSummary, ListUploadSummary)

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


def _upload(
    request: Request,
    db: Session,
    user: User,
    *,
    kind: str,
    run: Callable[[], Summary],
    counts: Callable[[Summary], list[tuple[str, str]]],
) -> Response:
    """Run one import: committed, its counts and rejects are shown; refused, it is rolled back and
    the page says why."""
    try:
        summary = run()
    except AcuerdoError as error:
        db.rollback()
        return _page(
            request,
            db,
            user,
            kind=kind,
            error=error.render(page_locale(request)),
            status_code=error.status_code,
        )
    shown = counts(summary)
    db.commit()
    return _page(
        request,
        db,
        user,
        kind=kind,
        filename=summary.filename,
        counts=shown,
        rejects_text=summary.rejects_csv,
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

    def counts(summary: PaymentImportSummary) -> list[tuple[str, str]]:
        currency = next((c.currency for c in list_clients(db) if c.id == client_id), "MXN")
        return [
            (_("Rows read"), number(summary.rows_read, locale)),
            (_("Payments recorded"), number(summary.recorded, locale)),
            (_("Already recorded"), number(summary.already_recorded, locale)),
            (_("Rejected"), number(summary.rejected, locale)),
            (_("Amount recorded"), money(summary.amount, currency, locale)),
            (_("Accounts paid off"), number(summary.accounts_settled, locale)),
            (_("Promises kept"), number(summary.promises_kept, locale)),
            (_("Instalments paid"), number(summary.installments_paid, locale)),
        ]

    return _upload(
        request,
        db,
        user,
        kind="payments",
        run=lambda: import_payments(
            db,
            client_id=client_id,
            filename=file.filename or "pagos.csv",
            content=file.file.read(),
            now=utcnow(),
            uploaded_by_id=user.id,
            locale=locale,
        ),
        counts=counts,
    )


def _list_counts(applied: str, locale: str) -> Callable[[ListUploadSummary], list[tuple[str, str]]]:
    """The counts of a list upload; `applied` names the rows it applied."""

    def counts(summary: ListUploadSummary) -> list[tuple[str, str]]:
        return [
            (_("Rows read"), number(summary.rows_read, locale)),
            (applied, number(summary.applied, locale)),
            (_("Already listed"), number(summary.already, locale)),
            (_("Rejected"), number(summary.rejected, locale)),
            (_("Accounts affected"), number(summary.accounts_affected, locale)),
            (_("Pending contacts cancelled"), number(summary.attempts_cancelled, locale)),
        ]

    return counts


def _import_list(
    importer: Callable[..., ListUploadSummary],
    db: Session,
    user: User,
    client_id: int | None,
    file: UploadFile,
    default_name: str,
    locale: str,
) -> ListUploadSummary:
    """Run a list import (do-not-contact or withdrawals) of the uploaded file for the user."""
    return importer(
        db,
        client_id=client_id,
        filename=file.filename or default_name,
        content=file.file.read(),
        by_id=user.id,
        by_label=user.username,
        locale=locale,
        now=utcnow(),
    )


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

    def run() -> ListUploadSummary:
        try:
            client_id = None if scope == "all" else int(scope)
        except ValueError as e:
            raise Invalid(_("Choose one of the creditors offered.")) from e
        return _import_list(
            import_do_not_contact, db, user, client_id, file, "no-contactar.csv", locale
        )

    return _upload(
        request,
        db,
        user,
        kind="do-not-contact",
        run=run,
        counts=_list_counts(_("Added to the list"), locale),
    )


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
    return _upload(
        request,
        db,
        user,
        kind="withdrawals",
        run=lambda: _import_list(
            import_withdrawals, db, user, client_id, file, "retiros.csv", locale
        ),
        counts=_list_counts(_("Accounts withdrawn"), locale),
    )


def _back_to_uploads(user: ManagerUser) -> Response:
    """An upload's result page reloaded (or its language switched): the uploads page."""
    return back_to("/manager/uploads")


for _path in ("/uploads/payments", "/uploads/do-not-contact", "/uploads/withdrawals"):
    router.add_api_route(_path, _back_to_uploads, methods=["GET"])
