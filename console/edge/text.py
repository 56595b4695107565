"""Text that may enter: no NUL, no control characters other than tab and line breaks, no lone
surrogates (PostgreSQL cannot store them, and no person types them)."""

import json
from collections.abc import Iterable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import HTTPConnection, Request

from campaigns.errors import Invalid
from campaigns.i18n import _
from campaigns.safe_text import has_forbidden

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ForbiddenCharacters(Invalid):
    """A value holds a character that is never typed by a person (NUL, a control character)."""


def refused_text() -> ForbiddenCharacters:
    """The refusal for a value with a forbidden character."""
    return ForbiddenCharacters(
        _(
            "The request holds characters that are not allowed (such as NUL or control "
            "characters). Remove them and try again."
        )
    )


def _any_forbidden(values: Iterable[Any]) -> bool:
    return any(has_forbidden(value) for value in values)


async def clean_input(connection: HTTPConnection) -> None:
    """Refuse (422) a request whose path, query, form fields or JSON body hold such characters."""
    if _any_forbidden(connection.path_params.values()) or _any_forbidden(
        item for pair in connection.query_params.multi_items() for item in pair
    ):
        raise refused_text()
    if not isinstance(connection, Request):
        return
    content_type = connection.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in FORM_TYPES:
        form = await connection.form()
        for key, value in form.multi_items():
            if has_forbidden(key) or (not isinstance(value, UploadFile) and has_forbidden(value)):
                raise refused_text()
            if isinstance(value, UploadFile) and has_forbidden(value.filename or ""):
                raise refused_text()
    elif content_type == "application/json" or content_type.endswith("+json"):
        body = await connection.body()
        try:
            data = json.loads(body) if body else None
        except ValueError:
            return
        if has_forbidden(data):
            raise refused_text()
