"""The request body limit: an ASGI middleware that answers 413 before a large body is read.

File uploads (multipart) may be as large as `max_upload_bytes`; every other body as large as
`max_body_bytes`. The declared Content-Length is checked first; a body sent without one is
counted as it arrives.
"""

import json
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campaigns.errors import AcuerdoError
from campaigns.i18n import _
from campaigns.settings import get_settings
from console.deps import request_locale


class BodyTooLarge(AcuerdoError):
    status_code = 413


def body_limit(scope: Scope) -> int:
    """The largest body this request may carry."""
    settings = get_settings()
    content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
    if content_type.lower().startswith(b"multipart/form-data"):
        return settings.max_upload_bytes
    return settings.max_body_bytes


def readable_size(size: int) -> str:
    """A byte count as people write it: 100 MB, 1.5 MB, 64 KB."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f}".removesuffix(".0") + " MB"
    return f"{max(size // 1000, 1)} KB"


def too_large(limit: int) -> BodyTooLarge:
    """The refusal of a body past the limit, saying the limit."""
    return BodyTooLarge(
        _("The request is too large: the limit is {size}. Send a smaller file or text."),
        size=readable_size(limit),
    )


class BodyLimit:
    """Answer 413 (in the reader's language) to a request body past its limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, limit)
            return
        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise too_large(limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                if not started:
                    started = True
                    await _refuse(scope, send, limit)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except BodyTooLarge:
            if not started:
                await _refuse(scope, send, limit)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    body = json.dumps({"error": too_large(limit).render(request_locale(Request(scope)))}).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
