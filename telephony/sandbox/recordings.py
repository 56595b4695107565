"""Conference recordings like Twilio's: a Recording resource when a recorded conference ends,
its status callback, and its media (a short generated tone, so playback works offline).

A conference started by TwiML `<Conference record="record-from-start">` records until it ends;
then the sandbox creates `/2010-04-01/Accounts/{Sid}/Recordings/{RecordingSid}.json`, serves the
audio at `.wav` (and without an extension, Twilio's default), and posts the signed
recordingStatusCallback with RecordingSid, RecordingUrl, RecordingStatus=completed.
"""

import asyncio
import io
import math
import struct
import wave
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from telephony.sandbox.rest import ACCOUNT, authenticate
from telephony.sandbox.state import (
    API_VERSION,
    SimConference,
    TwilioError,
    new_sid,
    rfc2822,
    utcnow,
)

if TYPE_CHECKING:
    from telephony.sandbox.network import Network

SAMPLE_RATE = 8000
TONE_HZ = 440.0
TONE_SECONDS = 1.5


@dataclass
class SimRecording:
    sid: str
    account_sid: str
    conference_sid: str
    call_sid: str | None
    start_time: datetime
    duration: int
    status: str = "completed"
    created: datetime = field(default_factory=utcnow)


@dataclass
class RecordingRequest:
    """What a conference's TwiML asked for: record from start, and where to report."""

    status_callback: str | None
    status_callback_method: str = "POST"
    started_at: float = 0.0
    started: datetime = field(default_factory=utcnow)
    call_sid: str | None = None


@lru_cache(maxsize=1)
def tone_wav() -> bytes:
    """A short 440 Hz tone as 8 kHz 16-bit mono WAV (what every sandbox recording plays)."""
    frames = int(SAMPLE_RATE * TONE_SECONDS)
    samples = (int(8000 * math.sin(2 * math.pi * TONE_HZ * n / SAMPLE_RATE)) for n in range(frames))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(SAMPLE_RATE)
        audio.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return buffer.getvalue()


def recording_uri(account_sid: str, sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}/Recordings/{sid}"


def recording_json(recording: SimRecording) -> dict[str, Any]:
    """A recording as api.v2010.account.recording."""
    base = recording_uri(recording.account_sid, recording.sid)
    return {
        "account_sid": recording.account_sid,
        "api_version": API_VERSION,
        "call_sid": recording.call_sid,
        "conference_sid": recording.conference_sid,
        "date_created": rfc2822(recording.created),
        "date_updated": rfc2822(recording.created),
        "start_time": rfc2822(recording.start_time),
        "duration": str(recording.duration),
        "sid": recording.sid,
        "price": None,
        "price_unit": "USD",
        "status": recording.status,
        "channels": 1,
        "source": "Conference",
        "error_code": None,
        "uri": f"{base}.json",
        "encryption_details": None,
        "subresource_uris": {
            "add_on_results": f"{base}/AddOnResults.json",
            "transcriptions": f"{base}/Transcriptions.json",
        },
        "media_url": f"https://api.twilio.com{base}",
    }


def start(conference: SimConference, request: RecordingRequest, loop_time: float) -> None:
    """The conference records from now on (the first recorded TwiML join). Hold the lock."""
    if conference.recording is None:
        request.started_at = loop_time
        request.started = utcnow()
        conference.recording = request


def finish(net: "Network", conference: SimConference) -> None:
    """A recorded conference ended: create its recording, report it. Hold the lock."""
    request = conference.recording
    if request is None or conference.recording_sid is not None:
        return
    loop = asyncio.get_running_loop()
    seconds = (loop.time() - request.started_at) * net.world.speed
    recording = SimRecording(
        sid=new_sid("RE"),
        account_sid=conference.account_sid,
        conference_sid=conference.sid,
        call_sid=request.call_sid,
        start_time=request.started,
        duration=max(1, math.ceil(seconds)),
    )
    net.store.recordings[recording.sid] = recording
    conference.recording_sid = recording.sid
    if request.status_callback:
        # Posted once the lock is released (spawn takes it).
        loop.call_soon(net.spawn, _announce(net, recording, request))


async def _announce(net: "Network", recording: SimRecording, request: RecordingRequest) -> None:
    assert request.status_callback is not None
    uri = recording_uri(recording.account_sid, recording.sid)
    params = {
        "AccountSid": recording.account_sid,
        "ConferenceSid": recording.conference_sid,
        "RecordingSid": recording.sid,
        "RecordingUrl": f"https://api.twilio.com{uri}",
        "RecordingStatus": "completed",
        "RecordingDuration": str(recording.duration),
        "RecordingChannels": "1",
        "RecordingStartTime": rfc2822(recording.start_time) or "",
        "RecordingSource": "DialConference",
        "RecordingTrack": "both",
    }
    if recording.call_sid:
        params["CallSid"] = recording.call_sid
    delivery = await net.request(request.status_callback, params, request.status_callback_method)
    with net.store.lock:
        net.store.recording_callbacks.append(delivery.as_dict())


def _find(net: "Network", sid: str) -> SimRecording:
    recording = net.store.recordings.get(sid)
    if recording is None:
        raise TwilioError(404, 20404, f"The requested resource {sid} was not found")
    return recording


def add_routes(app: FastAPI, net: "Network") -> None:
    """Recordings.json, Recordings/{Sid}.json and the media (.wav, or no extension)."""

    @app.get("/sandbox/recordings")
    async def made_recordings() -> dict[str, Any]:
        """Every recording since the last reset and its status callbacks (oldest first)."""
        with net.store.lock:
            return {
                "recordings": [recording_json(r) for r in net.store.recordings.values()],
                "callbacks": list(net.store.recording_callbacks),
            }

    @app.get(ACCOUNT + "/Recordings.json")
    async def list_recordings(account_sid: str, request: Request) -> dict[str, Any]:
        """List recordings, newest first, filtered by ConferenceSid or CallSid."""
        authenticate(net, request, account_sid)
        conference = request.query_params.get("ConferenceSid")
        call = request.query_params.get("CallSid")
        with net.store.lock:
            found = [
                recording_json(r)
                for r in reversed(net.store.recordings.values())
                if (conference is None or r.conference_sid == conference)
                and (call is None or r.call_sid == call)
            ]
        path = f"/{API_VERSION}/Accounts/{account_sid}/Recordings.json"
        return {
            "recordings": found,
            "uri": path,
            "first_page_uri": path,
            "next_page_uri": None,
            "previous_page_uri": None,
            "page": 0,
            "page_size": 50,
            "start": 0,
            "end": max(len(found) - 1, 0),
        }

    @app.get(ACCOUNT + "/Recordings/{sid}.json")
    async def fetch_recording(account_sid: str, sid: str, request: Request) -> dict[str, Any]:
        """Fetch a recording's metadata."""
        authenticate(net, request, account_sid)
        with net.store.lock:
            return recording_json(_find(net, sid))

    @app.get(ACCOUNT + "/Recordings/{sid}.wav")
    async def recording_wav(account_sid: str, sid: str, request: Request) -> Response:
        """The recording's audio as WAV (HTTP auth enforced on media, as accounts can ask)."""
        authenticate(net, request, account_sid)
        with net.store.lock:
            _find(net, sid)
        return Response(tone_wav(), media_type="audio/x-wav")

    @app.get(ACCOUNT + "/Recordings/{sid}")
    async def recording_default(account_sid: str, sid: str, request: Request) -> Response:
        """Without an extension Twilio serves WAV."""
        return await recording_wav(account_sid, sid, request)
