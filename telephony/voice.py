"""What a debtor hears when a call is answered: an agent, a courteous voicemail, or an apology."""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import Dial, VoiceResponse

from campaigns.i18n import _, normalise_locale, translate
from campaigns.local_formats import greeting
from campaigns.models import GREETED, ROUTED, Account, Attempt, AttemptEvent, Client
from campaigns.settings import get_settings
from telephony.recording import RecordingPlan, recording_plan
from telephony.status_updates import is_machine
from telephony.statuses import TERMINAL

log = logging.getLogger(__name__)


class CallRouting(Protocol):
    """The console's side of calls, handed to the webhooks by the composition root."""

    async def answer(self, attempt_id: int, call_sid: str, answered_by: str | None) -> str | None:
        """Route an answered call whose screen is ready in one Redis round trip (its TwiML; the
        database is written once answered); None when the general path must decide."""

    async def finished(self, attempt_id: int) -> None:
        """The call is over: no late answer may route it."""

    async def connect(self, attempt_id: int, call_sid: str) -> str | None:
        """Bridge an answered call to a ready agent: its TwiML, or None if none within 2 s."""

    async def ended(self, attempt_id: int, agent_id: int) -> None:
        """A call an agent was on has ended."""


# Twilio's <Say> voices: US Spanish for es_US, Latin-American (Mexican) Spanish for the others.
SAY_LANGUAGE = {"es_US": "es-US", "en": "en-US"}


@dataclass(frozen=True)
class Answered:
    """An answered call: who answered and what to say if nobody can take it."""

    attempt_id: int
    machine: bool
    locale: str
    creditor: str
    callback_number: str
    already_routed: bool = False
    timezone: str = "UTC"
    at: datetime | None = None
    recording: RecordingPlan | None = None

    @property
    def greeting(self) -> str:
        """Buenos días / Buenas tardes / Buenas noches by the debtor's local time of the answer."""
        return greeting(self.at, self.timezone, self.locale) if self.at else ""


def answered(
    session: Session,
    *,
    attempt_id: int,
    answered_by: str | None,
    now: datetime,
    call_sid: str = "",
) -> Answered | None:
    """Record who answered; None for an unknown attempt or one this answer cannot be about.

    An answer for an attempt that already ended (a replayed or late webhook) or for another call
    than the attempt's is refused and logged: it must never route a call to an agent.
    """
    attempt = session.get(Attempt, attempt_id, with_for_update=True)
    if attempt is None:
        return None
    if attempt.status in TERMINAL or attempt.ended_at is not None:
        log.warning(
            "answer webhook refused: attempt %s already ended (%s)", attempt.id, attempt.status
        )
        return None
    if call_sid and attempt.provider_sid not in (None, call_sid):
        log.warning("answer webhook refused: call %s is not attempt %s's", call_sid, attempt.id)
        return None
    milestones = _milestones(session, attempt.id)
    attempt.answered_by = answered_by or attempt.answered_by
    attempt.answered_at = attempt.answered_at or now
    machine = is_machine(answered_by)
    if not machine and GREETED not in milestones:
        session.add(AttemptEvent.on(attempt, GREETED, now))
    client = session.get_one(Client, attempt.client_id)
    return Answered(
        attempt_id=attempt.id,
        machine=machine,
        locale=client.locale,
        creditor=client.name,
        callback_number=client.callback_number or get_settings().default_caller_id,
        already_routed=ROUTED in milestones,
        timezone=session.get_one(Account, attempt.account_id).debtor.timezone,
        at=now,
        recording=recording_plan(session, attempt),
    )


def mark_routed(session: Session, *, attempt_id: int, agent_id: int, now: datetime) -> None:
    """The answered call was bridged to this agent (a repeated answer webhook reuses the bridge)."""
    attempt = session.get_one(Attempt, attempt_id, with_for_update=True)
    attempt.agent_id = agent_id
    session.add(AttemptEvent.on(attempt, ROUTED, now, data={"agent_id": agent_id}))


def record_route_write(
    session: Session, *, attempt_id: int, agent_id: int, answered_by: str, now: datetime
) -> None:
    """Store a call routed in Redis: who answered, when, and the agent (once: a replay of the
    same routing writes nothing more)."""
    attempt = session.get(Attempt, attempt_id, with_for_update=True)
    if attempt is None:
        return
    attempt.answered_by = answered_by or attempt.answered_by
    attempt.answered_at = attempt.answered_at or now
    milestones = _milestones(session, attempt.id)
    if GREETED not in milestones:  # routed as its answer webhook came: greeted then too
        session.add(AttemptEvent.on(attempt, GREETED, now))
    if ROUTED not in milestones:
        mark_routed(session, attempt_id=attempt_id, agent_id=agent_id, now=now)


def _milestones(session: Session, attempt_id: int) -> set[str]:
    """Which of Acuerdo's own milestones (greeted, routed) the call has reached."""
    return set(
        session.scalars(
            select(AttemptEvent.status).where(
                AttemptEvent.attempt_id == attempt_id, AttemptEvent.status.in_([GREETED, ROUTED])
            )
        )
    )


def mark_abandoned(session: Session, *, attempt_id: int) -> None:
    """The debtor answered and no agent took the call within 2 seconds."""
    attempt = session.get_one(Attempt, attempt_id, with_for_update=True)
    attempt.abandoned = True


def conference_name(attempt_id: int) -> str:
    """The conference a bridged call lives in."""
    return f"acuerdo-attempt-{attempt_id}"


def conference_twiml(
    attempt_id: int, *, recording: RecordingPlan | None = None, locale: str = "es_MX"
) -> str:
    """TwiML putting the debtor into the call's conference, where the agent's leg joins.

    A recorded call first says the recording notice, then records the conference from its start
    (the agent's leg is added only once the debtor is in: see console/routing.py).
    """
    response = VoiceResponse()
    recorded: dict[str, str] = {}
    if recording is not None:
        response.say(
            recording.disclosure, language=SAY_LANGUAGE.get(normalise_locale(locale), "es-MX")
        )
        recorded = {
            "record": "record-from-start",
            "recording_status_callback": recording.status_callback,
            "recording_status_callback_method": "POST",
            "recording_status_callback_event": "completed",
        }
    dial = Dial()
    dial.conference(
        conference_name(attempt_id),
        start_conference_on_enter=True,
        end_conference_on_exit=True,
        beep=False,
        **recorded,
    )
    response.append(dial)
    return str(response)


def voicemail(call: Answered) -> str:
    """A short courteous message for an answering machine: who calls and where to call back."""
    text = translate(
        call.locale,
        _(
            "{greeting}, this is a message from {agency} on behalf of {creditor}. "
            "Please call us back at {number}. Thank you, have a good day."
        ),
        greeting=call.greeting,
        agency=get_settings().agency_name,
        creditor=call.creditor,
        number=_spoken_number(call.callback_number),
    )
    return _say_and_hang_up(text, call.locale)


def abandon_message(call: Answered) -> str:
    """The recorded message when no agent is free: the caller's name and a number to call back."""
    text = translate(
        call.locale,
        _(
            "{greeting}, we are calling from {agency} on behalf of {creditor}. No advisor is "
            "available right now. Please call us back at {number}. Thank you."
        ),
        greeting=call.greeting,
        agency=get_settings().agency_name,
        creditor=call.creditor,
        number=_spoken_number(call.callback_number),
    )
    return _say_and_hang_up(text, call.locale)


def _say_and_hang_up(text: str, locale: str) -> str:
    response = VoiceResponse()
    response.say(text, language=SAY_LANGUAGE.get(normalise_locale(locale), "es-MX"))
    response.hangup()
    return str(response)


def _spoken_number(number: str) -> str:
    digits = number.lstrip("+")
    return " ".join(digits[-10:]) if len(digits) >= 10 else " ".join(digits)


def hang_up_twiml() -> str:
    """A TwiML document that ends the call at once."""
    response = VoiceResponse()
    response.hangup()
    return str(response)
