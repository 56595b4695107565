"""Conferences: calls join by name (TwiML <Dial><Conference>) or are added by the REST API."""

import asyncio
from typing import TYPE_CHECKING

from telephony.sandbox import recordings
from telephony.sandbox.recordings import RecordingRequest
from telephony.sandbox.state import (
    SimCall,
    SimConference,
    SimParticipant,
    TwilioError,
    new_sid,
    utcnow,
)

# Twilio's own hold music when a participant is held without a HoldUrl.
DEFAULT_HOLD_URL = "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical"

if TYPE_CHECKING:
    from telephony.sandbox.network import Network


def get_or_create(net: "Network", name: str) -> SimConference:
    """The live conference with a name, created (status init) when there is none. Hold the lock."""
    conference = net.store.conference_by_name(name)
    if conference is None or conference.status == "completed":
        conference = SimConference(
            sid=new_sid("CF"), account_sid=net.account_sid, friendly_name=name
        )
        net.store.conferences[conference.sid] = conference
    return conference


def find(net: "Network", sid_or_name: str) -> SimConference:
    """A conference by SID or friendly name, or Twilio's 404. Hold the lock."""
    conference = net.store.conferences.get(sid_or_name) or net.store.conference_by_name(sid_or_name)
    if conference is None:
        raise TwilioError(404, 20404, f"The requested resource {sid_or_name} was not found")
    return conference


async def join(
    net: "Network",
    call: SimCall,
    *,
    name: str,
    start_on_enter: bool = True,
    end_on_exit: bool = False,
    muted: bool = False,
    label: str | None = None,
    recording: RecordingRequest | None = None,
) -> SimParticipant:
    """Put an answered call into the named conference."""
    with net.store.lock:
        conference = get_or_create(net, name)
        participant = conference.participants.get(call.sid)
        if participant is None:
            participant = SimParticipant(call_sid=call.sid, conference_sid=conference.sid)
            conference.participants[call.sid] = participant
        participant.label = label or participant.label
        participant.start_conference_on_enter = start_on_enter
        participant.end_conference_on_exit = end_on_exit
        participant.muted = muted
        participant.status = "connected"
        participant.updated = utcnow()
        call.conference_name = name
        call.left_conference.clear()
        if recording is not None:
            recordings.start(conference, recording, asyncio.get_running_loop().time())
        if start_on_enter and conference.status == "init":
            conference.status = "in-progress"
            conference.updated = utcnow()
    return participant


def _remove(net: "Network", conference: SimConference, call_sid: str, reason: str) -> None:
    participant = conference.participants.pop(call_sid, None)
    call = net.store.calls.get(call_sid)
    if call is not None:
        call.left_conference.set()
    if participant is None or conference.status == "completed":
        return
    if participant.end_conference_on_exit:
        _end(net, conference, "participant-with-end-conference-on-exit-" + reason, call_sid)
    elif not conference.participants and conference.status == "in-progress":
        _end(net, conference, "last-participant-" + reason, call_sid)


def _end(net: "Network", conference: SimConference, reason: str, call_sid: str | None) -> None:
    conference.status = "completed"
    conference.reason_ended = reason
    conference.call_sid_ending = call_sid
    conference.updated = utcnow()
    recordings.finish(net, conference)
    for other in list(conference.participants):
        conference.participants.pop(other)
        call = net.store.calls.get(other)
        if call is not None:
            call.left_conference.set()


def leave(net: "Network", call: SimCall) -> None:
    """Take a call out of its conference because it ended (the participant left)."""
    with net.store.lock:
        for conference in net.store.conferences.values():
            if call.sid in conference.participants:
                _remove(net, conference, call.sid, "left")


def kick(net: "Network", conference_sid: str, call_sid: str) -> None:
    """Remove a participant by the REST API; its call goes on with the verb after <Dial>."""
    with net.store.lock:
        conference = find(net, conference_sid)
        if call_sid not in conference.participants:
            raise TwilioError(404, 20404, f"The requested resource {call_sid} was not found")
        _remove(net, conference, call_sid, "kicked")


def end(net: "Network", conference_sid: str) -> SimConference:
    """End a conference by the REST API (Status=completed)."""
    with net.store.lock:
        conference = find(net, conference_sid)
        if conference.status != "completed":
            _end(net, conference, "conference-ended-via-api", None)
        return conference


def participant(net: "Network", conference_sid: str, call_sid_or_label: str) -> SimParticipant:
    """A current participant by call SID or label, or Twilio's 404. Hold the lock."""
    conference = find(net, conference_sid)
    found = conference.participants.get(call_sid_or_label) or next(
        (p for p in conference.participants.values() if p.label == call_sid_or_label), None
    )
    if found is None:
        raise TwilioError(404, 20404, f"The requested resource {call_sid_or_label} was not found")
    return found


def update_participant(
    net: "Network", conference_sid: str, call_sid: str, form: dict[str, str]
) -> SimParticipant:
    """Mute, hold (with its music), coach or change end-on-exit of a participant."""
    with net.store.lock:
        found = participant(net, conference_sid, call_sid)
        for key, attribute in (
            ("Muted", "muted"),
            ("Hold", "hold"),
            ("Coaching", "coaching"),
            ("EndConferenceOnExit", "end_conference_on_exit"),
        ):
            if key in form:
                setattr(found, attribute, form[key].strip().lower() == "true")
        if "HoldUrl" in form:
            found.hold_url = form["HoldUrl"] or None
        if "Hold" in form:
            _hear_hold(net, found)
        if "CallSidToCoach" in form:
            found.call_sid_to_coach = form["CallSidToCoach"] or None
        found.updated = utcnow()
        return found


def _hear_hold(net: "Network", found: SimParticipant) -> None:
    """What the held participant hears: the hold music (Twilio's default without HoldUrl)."""
    call = net.store.calls.get(found.call_sid)
    if call is None:
        return
    if found.hold:
        call.heard.append({"verb": "hold", "url": found.hold_url or DEFAULT_HOLD_URL})
    else:
        call.heard.append({"verb": "resumed"})
