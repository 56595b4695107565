"""The webhook dependency: a request proven to come from Twilio, with its form parameters."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from campaigns.db import request_session
from campaigns.safe_text import strip_forbidden
from campaigns.settings import get_settings

SessionDep = Annotated[Session, Depends(request_session, scope="function")]


def public_url(request: Request) -> str:
    """The URL Twilio called, rebuilt from the public base URL (correct behind a TLS proxy)."""
    url = get_settings().public_base_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


async def twilio_params(request: Request) -> dict[str, str]:
    """The webhook's form parameters, after checking X-Twilio-Signature (403 when it fails),
    without characters no person types (a debtor's message may relay them; none is stored)."""
    form = await request.form()
    params = {key: str(value) for key, value in form.items()}
    signature = request.headers.get("x-twilio-signature", "")
    validator = RequestValidator(get_settings().auth_token)
    if not signature or not validator.validate(public_url(request), params, signature):
        raise HTTPException(status_code=403, detail="invalid Twilio signature")
    return {key: strip_forbidden(value) for key, value in params.items()}


TwilioRequest = Annotated[dict[str, str], Depends(twilio_params)]
