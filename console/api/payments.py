"""Payments API: a manager uploads a creditor's payments file."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, UploadFile

from campaigns.agreements import import_payments
from campaigns.models import utcnow
from console.deps import DbId, ManagerUser, SessionDep
from console.edge.errors import SIGNED_IN_ERRORS

router = APIRouter(prefix="/api/payments", tags=["payments"], responses=SIGNED_IN_ERRORS)


@router.post("/import")
def import_payments_file(
    db: SessionDep,
    user: ManagerUser,
    client_id: Annotated[DbId, Form()],
    file: UploadFile,
) -> dict[str, Any]:
    """Record a creditor's payments file (CSV or XLSX) and return the counts and rejects."""
    content = file.file.read()
    summary = import_payments(
        db,
        client_id=client_id,
        filename=file.filename or "payments.csv",
        content=content,
        now=utcnow(),
        uploaded_by_id=user.id,
    )
    return {**summary.as_json(), "rejects_csv": summary.rejects_csv}
