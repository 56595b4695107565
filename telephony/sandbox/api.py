"""The sandbox's HTTP face: Twilio's REST API v2010 (the part Acuerdo uses); the /sandbox tools
are `tools.py`'s and the recordings' routes `recordings.py`'s."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from telephony.sandbox import calls, conferences, messages, recordings, tools
from telephony.sandbox.network import Network
from telephony.sandbox.resources import (
    account_uri,
    call_json,
    conference_json,
    message_json,
    page_json,
    participant_json,
)
from telephony.sandbox.rest import ACCOUNT, authenticate, paging, query_filters, read_form
from telephony.sandbox.state import TwilioError

API_ERRORS = {
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    502: (20502, "Bad Gateway"),
    503: (20503, "Service Unavailable"),
}


def _injected_failure(net: Network, to: str | None) -> None:
    """Answer an API error the world's rule for this number asks for (nothing is created)."""
    rule = net.world.rule_for(to) if to else None
    if rule is None or not rule.api_errors:
        return
    with net.store.lock:
        key = to.removeprefix("whatsapp:") if to else ""
        count = net.store.api_error_counts.get(key, 0)
        net.store.api_error_counts[key] = count + 1
    if count < len(rule.api_errors):
        status = rule.api_errors[count]
    elif rule.api_errors_repeat:
        status = rule.api_errors[-1]
    else:
        return
    code, message = API_ERRORS[status]
    raise TwilioError(status, code, message)


async def _slow_answer(net: Network) -> None:
    """Hold a create's answer `api_delay_seconds` (wall clock) after the resource exists."""
    if net.world.api_delay_seconds:
        await asyncio.sleep(net.world.api_delay_seconds)


def create_app(net: Network) -> FastAPI:
    """The sandbox application around one network."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        net.start_debtors()
        yield
        await net.close()

    app = FastAPI(title="Acuerdo carrier sandbox", lifespan=lifespan, openapi_url=None)

    @app.exception_handler(TwilioError)
    async def twilio_error(_: Request, error: TwilioError) -> JSONResponse:
        return JSONResponse(error.body(), status_code=error.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = 20404 if error.status_code == 404 else 20001
        body = TwilioError(
            error.status_code,
            code,
            f"The requested resource {request.url.path} was not found"
            if code == 20404
            else str(error.detail),
        ).body()
        return JSONResponse(body, status_code=error.status_code)

    @app.post(ACCOUNT + "/Calls.json", status_code=201)
    async def create_call(account_sid: str, request: Request) -> dict[str, Any]:
        """Place an outbound call."""
        authenticate(net, request, account_sid)
        form, events = await read_form(request)
        _injected_failure(net, form.get("To"))
        call = calls.create_call(net, form, events)
        await _slow_answer(net)
        with net.store.lock:
            return call_json(call)

    @app.get(ACCOUNT + "/Calls.json")
    async def list_calls(account_sid: str, request: Request) -> dict[str, Any]:
        """List calls, newest first, filtered by To, From, Status or ParentCallSid."""
        authenticate(net, request, account_sid)
        filters = query_filters(request, ("To", "From", "Status", "ParentCallSid"))
        with net.store.lock:
            found = [
                c
                for c in reversed(net.store.calls.values())
                if filters.get("To", c.to) == c.to
                and filters.get("From", c.from_) == c.from_
                and filters.get("Status", c.status) == c.status
                and "ParentCallSid" not in filters
            ]
            page, size = paging(request)
            return page_json(
                key="calls",
                path=f"{account_uri(account_sid)}/Calls.json",
                items=found,
                render=call_json,
                filters=filters,
                page=page,
                page_size=size,
            )

    @app.get(ACCOUNT + "/Calls/{sid}.json")
    async def fetch_call(account_sid: str, sid: str, request: Request) -> dict[str, Any]:
        """Fetch a call."""
        authenticate(net, request, account_sid)
        with net.store.lock:
            return call_json(calls.get_call(net, sid))

    @app.post(ACCOUNT + "/Calls/{sid}.json")
    async def update_call(account_sid: str, sid: str, request: Request) -> dict[str, Any]:
        """Hang up (Status=completed|canceled) or redirect (Url or Twiml) a call."""
        authenticate(net, request, account_sid)
        form, _ = await read_form(request)
        call = calls.update_call(net, sid, form)
        with net.store.lock:
            return call_json(call)

    @app.post(ACCOUNT + "/Messages.json", status_code=201)
    async def create_message(account_sid: str, request: Request) -> dict[str, Any]:
        """Send an SMS or WhatsApp message."""
        authenticate(net, request, account_sid)
        form, _ = await read_form(request)
        _injected_failure(net, form.get("To"))
        message = messages.create_message(net, form)
        await _slow_answer(net)
        with net.store.lock:
            return message_json(message)

    @app.get(ACCOUNT + "/Messages.json")
    async def list_messages(account_sid: str, request: Request) -> dict[str, Any]:
        """List messages, newest first, filtered by To or From."""
        authenticate(net, request, account_sid)
        filters = query_filters(request, ("To", "From"))
        with net.store.lock:
            found = [
                m
                for m in reversed(net.store.messages.values())
                if filters.get("To", m.to) == m.to and filters.get("From", m.from_) == m.from_
            ]
            page, size = paging(request)
            return page_json(
                key="messages",
                path=f"{account_uri(account_sid)}/Messages.json",
                items=found,
                render=message_json,
                filters=filters,
                page=page,
                page_size=size,
            )

    @app.get(ACCOUNT + "/Messages/{sid}.json")
    async def fetch_message(account_sid: str, sid: str, request: Request) -> dict[str, Any]:
        """Fetch a message."""
        authenticate(net, request, account_sid)
        with net.store.lock:
            message = net.store.messages.get(sid)
            if message is None:
                raise TwilioError(404, 20404, f"The requested resource {sid} was not found")
            return message_json(message)

    @app.get(ACCOUNT + "/Conferences.json")
    async def list_conferences(account_sid: str, request: Request) -> dict[str, Any]:
        """List conferences, newest first, filtered by FriendlyName or Status."""
        authenticate(net, request, account_sid)
        filters = query_filters(request, ("FriendlyName", "Status"))
        with net.store.lock:
            found = [
                c
                for c in reversed(net.store.conferences.values())
                if filters.get("FriendlyName", c.friendly_name) == c.friendly_name
                and filters.get("Status", c.status) == c.status
            ]
            page, size = paging(request)
            return page_json(
                key="conferences",
                path=f"{account_uri(account_sid)}/Conferences.json",
                items=found,
                render=conference_json,
                filters=filters,
                page=page,
                page_size=size,
            )

    @app.get(ACCOUNT + "/Conferences/{sid}.json")
    async def fetch_conference(account_sid: str, sid: str, request: Request) -> dict[str, Any]:
        """Fetch a conference."""
        authenticate(net, request, account_sid)
        with net.store.lock:
            return conference_json(conferences.find(net, sid))

    @app.post(ACCOUNT + "/Conferences/{sid}.json")
    async def update_conference(account_sid: str, sid: str, request: Request) -> dict[str, Any]:
        """End a conference (Status=completed)."""
        authenticate(net, request, account_sid)
        form, _ = await read_form(request)
        if form.get("Status") == "completed":
            conference = conferences.end(net, sid)
        else:
            with net.store.lock:
                conference = conferences.find(net, sid)
        with net.store.lock:
            return conference_json(conference)

    participants = ACCOUNT + "/Conferences/{conference_sid}/Participants"

    @app.post(participants + ".json", status_code=201)
    async def add_participant(
        account_sid: str, conference_sid: str, request: Request
    ) -> dict[str, Any]:
        """Dial a number into a conference (by SID or friendly name)."""
        authenticate(net, request, account_sid)
        form, events = await read_form(request)
        participant = calls.add_participant(net, conference_sid, form, events)
        await _slow_answer(net)
        with net.store.lock:
            return participant_json(account_sid, participant)

    @app.get(participants + ".json")
    async def list_participants(
        account_sid: str, conference_sid: str, request: Request
    ) -> dict[str, Any]:
        """List the participants currently in a conference."""
        authenticate(net, request, account_sid)
        filters = query_filters(request, ("Muted", "Hold", "Coaching"))
        with net.store.lock:
            conference = conferences.find(net, conference_sid)
            found = [
                p
                for p in conference.participants.values()
                if all(str(getattr(p, k.lower())).lower() == v.lower() for k, v in filters.items())
            ]
            page, size = paging(request)
            return page_json(
                key="participants",
                path=f"{account_uri(account_sid)}/Conferences/{conference.sid}/Participants.json",
                items=found,
                render=lambda p: participant_json(account_sid, p),
                filters=filters,
                page=page,
                page_size=size,
            )

    @app.get(participants + "/{call_sid}.json")
    async def fetch_participant(
        account_sid: str, conference_sid: str, call_sid: str, request: Request
    ) -> dict[str, Any]:
        """Fetch a participant by call SID or label."""
        authenticate(net, request, account_sid)
        with net.store.lock:
            found = conferences.participant(net, conference_sid, call_sid)
            return participant_json(account_sid, found)

    @app.post(participants + "/{call_sid}.json")
    async def update_participant(
        account_sid: str, conference_sid: str, call_sid: str, request: Request
    ) -> dict[str, Any]:
        """Mute, hold or coach a participant."""
        authenticate(net, request, account_sid)
        form, _ = await read_form(request)
        found = conferences.update_participant(net, conference_sid, call_sid, form)
        with net.store.lock:
            return participant_json(account_sid, found)

    @app.delete(participants + "/{call_sid}.json", status_code=204)
    async def remove_participant(
        account_sid: str, conference_sid: str, call_sid: str, request: Request
    ) -> None:
        """Take a participant out of a conference."""
        authenticate(net, request, account_sid)
        with net.store.lock:
            found = conferences.participant(net, conference_sid, call_sid)
        conferences.kick(net, conference_sid, found.call_sid)

    tools.add_routes(app, net)
    recordings.add_routes(app, net)
    return app
