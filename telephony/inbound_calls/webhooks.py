"""A debtor calls the creditor's number: Twilio's voice webhooks for the IVR and the queue.

The creditor's numbers (callback number, caller ID) have their VoiceUrl set to
/twilio/voice/inbound and their status callback to /twilio/voice/status; every request is
signed like the other Twilio webhooks (403 when the signature fails).
"""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from campaigns.db import session_scope
from campaigns.models import Client, utcnow
from telephony.deps import SessionDep, TwilioRequest
from telephony.inbound_calls import callers, ivr, service
from telephony.inbound_calls.queueing import InboundQueue

TWIML = "application/xml"
MAX_LOOKUPS = 3


def _twiml(text: str) -> Response:
    return Response(text, media_type=TWIML)


def create_router(queue: InboundQueue | None) -> APIRouter:
    """The /twilio/voice/inbound router; `queue` is the console's line of waiting callers."""
    router = APIRouter(prefix="/voice/inbound", tags=["twilio"], include_in_schema=False)

    @router.post("")
    def incoming(params: TwilioRequest, db: SessionDep) -> Response:
        """A debtor calls one of the creditor's numbers."""
        client = callers.creditor_for_number(db, number=params.get("To", ""))
        if client is None:
            return _twiml(ivr.unknown_number("es_MX"))
        accounts = callers.accounts_for_caller(db, client=client, number=params.get("From", ""))
        if len(accounts) != 1:
            return _twiml(
                ivr.ask_account(client.locale, creditor=client.name, client_id=client.id, tries=0)
            )
        return _menu_for(db, params, account_id=accounts[0].id, first=True)

    @router.post("/lookup")
    def lookup(
        params: TwilioRequest,
        db: SessionDep,
        client: Annotated[int, Query()],
        tries: Annotated[int, Query()] = 0,
    ) -> Response:
        """The account or document digits a caller typed (several or no caller-ID matches)."""
        creditor = db.get(Client, client)
        if creditor is None:
            return _twiml(ivr.unknown_number("es_MX"))
        among = callers.accounts_for_caller(db, client=creditor, number=params.get("From", ""))
        found = callers.accounts_for_digits(
            db, client=creditor, typed=callers.digits(params.get("Digits")), among=among
        )
        if len(found) == 1:
            return _menu_for(db, params, account_id=found[0].id, first=False)
        if tries + 1 >= MAX_LOOKUPS:
            return _twiml(ivr.not_found(creditor.locale))
        return _twiml(
            ivr.ask_account(
                creditor.locale, creditor=creditor.name, client_id=creditor.id, tries=tries + 1
            )
        )

    @router.post("/menu")
    def menu(params: TwilioRequest, db: SessionDep, attempt: Annotated[int, Query()]) -> Response:
        """The main menu again (after the balance, the SMS or a wrong key)."""
        call = service.context(db, attempt_id=attempt, call_sid=params["CallSid"], now=utcnow())
        return _twiml(_menu(db, call, first=False))

    @router.post("/choice")
    async def choice(params: TwilioRequest, attempt: Annotated[int, Query()]) -> Response:
        """What the caller pressed at the main menu."""
        pressed = params.get("Digits", "")
        call = await asyncio.to_thread(_context, attempt, params["CallSid"])
        if pressed == "1" or (pressed == "" and not call.after_hours):
            if call.after_hours:
                return _twiml(await asyncio.to_thread(_callback, call))
            await asyncio.to_thread(_step, call, "queued")
            if queue is not None:
                await queue.join(call.attempt_id, call.client_id)
            return _twiml(await _wait(call, offers=0))
        if pressed == "":
            return _twiml(ivr.goodbye(call.locale))
        if pressed == "2":
            return _twiml(ivr.ask_document(call.locale, call.attempt_id))
        if pressed == "3":
            sent = await asyncio.to_thread(_send_link, call)
            return _twiml(ivr.link_sent(call.locale, call.attempt_id, sent=sent))
        return _twiml(ivr.invalid_choice(call.locale, call.attempt_id))

    @router.post("/verify")
    def verify(params: TwilioRequest, db: SessionDep, attempt: Annotated[int, Query()]) -> Response:
        """The last 4 digits of the document, before the balance is said."""
        now = utcnow()
        call = service.context(db, attempt_id=attempt, call_sid=params["CallSid"], now=now)
        result = service.verify_document(
            db, call=call, typed=callers.digits(params.get("Digits")), now=now
        )
        if result.verified:
            return _twiml(ivr.balance(call.locale, call.attempt_id, amount=result.balance_text))
        return _twiml(ivr.verification_failed(call.locale, call.attempt_id, locked=result.locked))

    @router.post("/wait")
    async def wait(
        params: TwilioRequest,
        attempt: Annotated[int, Query()],
        offers: Annotated[int, Query()] = 0,
    ) -> Response:
        """One hold loop: an agent if it is the caller's turn, else the place in line."""
        call = await asyncio.to_thread(_context, attempt, params["CallSid"])
        return _twiml(await _wait(call, offers=offers))

    @router.post("/offer")
    async def offer(
        params: TwilioRequest,
        attempt: Annotated[int, Query()],
        offers: Annotated[int, Query()] = 1,
    ) -> Response:
        """The caller's answer to the callback offer (1: a callback instead of waiting)."""
        call = await asyncio.to_thread(_context, attempt, params["CallSid"])
        if params.get("Digits") != "1":
            return _twiml(await _wait(call, offers=offers))
        if queue is not None:
            await queue.leave(call.attempt_id)
        return _twiml(await asyncio.to_thread(_callback, call))

    async def _wait(call: service.CallContext, *, offers: int) -> str:
        if queue is None:
            return ivr.goodbye(call.locale)
        turn = await queue.turn(call.attempt_id, call.client_id)
        if turn.twiml is not None:
            return turn.twiml
        offer_due = turn.waited_seconds >= call.callback_offer_seconds * (offers + 1)
        return ivr.hold(
            call.locale,
            call.attempt_id,
            position=turn.position,
            offers=offers,
            offer_callback=offer_due,
        )

    return router


def _menu_for(db: Session, params: dict[str, str], *, account_id: int, first: bool) -> Response:
    call = service.start_call(
        db,
        account_id=account_id,
        call_sid=params.get("CallSid", ""),
        caller=params.get("From", ""),
        now=utcnow(),
    )
    return _twiml(_menu(db, call, first=first))


def _menu(db: Session, call: service.CallContext, *, first: bool) -> str:
    client = db.get_one(Client, call.client_id)
    return ivr.menu(
        call.locale,
        creditor=call.creditor,
        attempt_id=call.attempt_id,
        after_hours=call.after_hours,
        hours=service.opening_hours(client, utcnow()) if call.after_hours else "",
        first=first,
    )


def _context(attempt_id: int, call_sid: str) -> service.CallContext:
    with session_scope() as session:
        return service.context(session, attempt_id=attempt_id, call_sid=call_sid, now=utcnow())


def _step(call: service.CallContext, name: str) -> None:
    with session_scope() as session:
        service.step(session, call=call, name=name, now=utcnow())


def _send_link(call: service.CallContext) -> bool:
    with session_scope() as session:
        return service.send_link(session, call=call, now=utcnow())


def _callback(call: service.CallContext) -> str:
    with session_scope() as session:
        now = utcnow()
        due_at = service.request_callback(session, call=call, now=now)
        when = (
            service.callback_time_text(session, call=call, due_at=due_at, now=now)
            if due_at
            else None
        )
    return ivr.callback_recorded(call.locale, when=when)
