"""Twilio's webhooks: verify the signature, store the event once, apply it, answer fast."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session
from twilio.twiml.messaging_response import MessagingResponse

from campaigns.db import session_scope
from campaigns.models import Channel, utcnow
from telephony import inbound, recording, status_updates, voice
from telephony.deps import SessionDep, TwilioRequest
from telephony.inbound_calls.queueing import InboundQueue
from telephony.inbound_calls.webhooks import create_router as inbound_calls_router

TWIML = "application/xml"


def create_router(
    routing: voice.CallRouting | None, inbound_queue: InboundQueue | None = None
) -> APIRouter:
    """The /twilio router; `routing` is the console's routing of answered calls to agents and
    `inbound_queue` its line of debtors who called and wait for one."""
    router = APIRouter(prefix="/twilio", tags=["twilio"], include_in_schema=False)

    @router.post("/voice/answer")
    async def voice_answer(params: TwilioRequest, attempt: Annotated[int, Query()]) -> Response:
        """Twilio asks what to do with an answered call: a call whose screen is ready is routed
        in one Redis round trip and the database written after the answer; others take the
        general path."""
        answered_by, call_sid = params.get("AnsweredBy"), params.get("CallSid", "")
        routed = await routing.answer(attempt, call_sid, answered_by) if routing else None
        if routed is not None:
            return Response(routed, media_type=TWIML)
        call = await asyncio.to_thread(_answered, attempt, answered_by, call_sid)
        if call is None:
            return Response(voice.hang_up_twiml(), media_type=TWIML)
        if call.machine:
            return Response(voice.voicemail(call), media_type=TWIML)
        if call.already_routed:
            bridge = voice.conference_twiml(attempt, recording=call.recording, locale=call.locale)
            return Response(bridge, media_type=TWIML)
        twiml = await routing.connect(attempt, call_sid) if routing else None
        if twiml is not None:
            return Response(twiml, media_type=TWIML)
        await asyncio.to_thread(_abandon, attempt)
        return Response(voice.abandon_message(call), media_type=TWIML)

    @router.post("/voice/status")
    async def voice_status(
        params: TwilioRequest, attempt: Annotated[int | None, Query()] = None
    ) -> Response:
        """Call progress: initiated, ringing, answered, completed (and why it ended)."""
        change = await asyncio.to_thread(_apply_call_status, attempt, params)
        if change is not None and change.final and routing is not None:
            await routing.finished(change.attempt_id)
        if change is not None and change.final and inbound_queue is not None:
            await inbound_queue.leave(change.attempt_id)
        if change is not None and change.final and change.agent_id and routing is not None:
            await routing.ended(change.attempt_id, change.agent_id)
        return Response(status_code=204)

    @router.post("/voice/recording")
    def voice_recording(
        params: TwilioRequest, db: SessionDep, attempt: Annotated[int, Query()]
    ) -> Response:
        """A conference recording is ready: keep the provider's reference on the attempt."""
        recording.store_recording(
            db,
            attempt_id=attempt,
            recording_sid=params.get("RecordingSid", ""),
            recording_url=params.get("RecordingUrl", ""),
            status=params.get("RecordingStatus", ""),
            now=utcnow(),
        )
        return Response(status_code=204)

    @router.post("/messages/status")
    def message_status(
        params: TwilioRequest, db: SessionDep, attempt: Annotated[int | None, Query()] = None
    ) -> Response:
        """SMS and WhatsApp delivery progress."""
        status = params.get("MessageStatus") or params.get("SmsStatus", "")
        sid = params.get("MessageSid") or params.get("SmsSid", "")
        status_updates.apply_status(
            db, attempt_id=attempt, sid=sid, provider_status=status, params=params, now=utcnow()
        )
        return Response(status_code=204)

    @router.post("/sms/inbound")
    def sms_inbound(params: TwilioRequest, db: SessionDep) -> Response:
        """A debtor's SMS: opt-out/opt-in keywords, or a reply for the agents."""
        return _inbound(db, params, Channel.SMS)

    @router.post("/whatsapp/inbound")
    def whatsapp_inbound(params: TwilioRequest, db: SessionDep) -> Response:
        """A debtor's WhatsApp message: keywords, or a reply (opens the 24-hour window)."""
        return _inbound(db, params, Channel.WHATSAPP)

    router.include_router(inbound_calls_router(inbound_queue))
    return router


def _answered(attempt_id: int, answered_by: str | None, call_sid: str) -> voice.Answered | None:
    with session_scope() as session:
        return voice.answered(
            session,
            attempt_id=attempt_id,
            answered_by=answered_by,
            now=utcnow(),
            call_sid=call_sid,
        )


def _apply_call_status(
    attempt_id: int | None, params: dict[str, str]
) -> status_updates.StatusChange | None:
    with session_scope() as session:
        return status_updates.apply_status(
            session,
            attempt_id=attempt_id,
            sid=params.get("CallSid", ""),
            provider_status=params.get("CallStatus", ""),
            params=params,
            now=utcnow(),
        )


def _abandon(attempt_id: int) -> None:
    with session_scope() as session:
        voice.mark_abandoned(session, attempt_id=attempt_id)


def _inbound(db: Session, params: dict[str, str], channel: Channel) -> Response:
    result = inbound.receive(
        db,
        channel=channel,
        sid=params.get("MessageSid", ""),
        sender=params.get("From", ""),
        body=params.get("Body", ""),
        now=utcnow(),
    )
    response = MessagingResponse()
    if result.reply:
        response.message(result.reply)
    return Response(str(response), media_type=TWIML)
