"""How a refusal is answered and documented: `{"error": "<message in the reader's language>"}`.

Every status a route can answer is listed in /openapi.json with this body, and a request that
fails validation (a value of the wrong type, an id out of range, a date out of range) gets the
same body with 422 instead of FastAPI's English list.
"""

from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from campaigns.errors import AcuerdoError, Invalid
from campaigns.i18n import _

DESCRIPTIONS = {
    400: "The request could not be read.",
    401: "Not signed in.",
    403: "Not allowed: role, creditor, origin or signature.",
    404: "No such record (or not one you may see).",
    409: "The record's current state does not allow it.",
    413: "The request body is past its size limit.",
    422: "A value is missing, of the wrong type, out of range or not allowed.",
    429: "Too many attempts: wait and try again.",
}


class ErrorOut(BaseModel):
    """A refusal: what was wrong and what to do, in the reader's language."""

    error: str


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` entry of these error statuses."""
    return {code: {"model": ErrorOut, "description": DESCRIPTIONS[code]} for code in codes}


# Every route behind the edge: a body may be unreadable, too large, cross-site or invalid.
EDGE_ERRORS = documented(400, 403, 413, 422)
# Routes for signed-in users, that look up records and change their state.
SIGNED_IN_ERRORS = documented(400, 401, 403, 404, 409, 413, 422)


class RequestInvalid(Invalid):
    """A request that failed validation, naming the values to fix."""


def validation_refusal(error: RequestValidationError) -> RequestInvalid:
    """The validation error as a domain refusal naming the values (query, path, form, body)."""
    names = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if str(part) not in ("body",)]
        if location[:1] and location[0] in ("path", "query", "header", "cookie"):
            location = location[1:]
        names.append(".".join(location) or "body")
    fields = ", ".join(sorted(set(names)))
    return RequestInvalid(_("Check these values and try again: {fields}."), fields=fields)


HTTP_MESSAGES = {
    400: _("The request could not be read; check its format and try again."),
    403: _("Not allowed."),
    404: _("There is nothing at this address."),
    405: _("This address does not take that method."),
}


def http_refusal(error: HTTPException) -> AcuerdoError:
    """A framework refusal (unreadable body, unknown address, wrong method) in our words."""
    message = HTTP_MESSAGES.get(error.status_code, _("The request could not be served."))
    return AcuerdoError(message, error.status_code)
