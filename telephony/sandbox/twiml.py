"""Following TwiML like Twilio: Say, Play, Pause, Gather, Dial/Conference, Redirect, Hangup."""

import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from telephony.sandbox.recordings import RecordingRequest
from telephony.sandbox.state import API_VERSION, SimCall

if TYPE_CHECKING:
    from telephony.sandbox.network import Network


@dataclass(frozen=True)
class Source:
    """Where the next TwiML document comes from: a URL to request, or inline TwiML."""

    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    extra: tuple[tuple[str, str], ...] = ()


class Hangup(Exception):
    """The document ends the call."""


def call_params(call: SimCall, *, with_answered_by: bool = True) -> dict[str, str]:
    """The parameters Twilio sends with every voice request about a call."""
    params = {
        "AccountSid": call.account_sid,
        "ApiVersion": API_VERSION,
        "CallSid": call.sid,
        "CallStatus": call.status,
        "Called": call.to,
        "Caller": call.from_,
        "Direction": call.direction,
        "From": call.from_,
        "To": call.to,
    }
    if with_answered_by and call.answered_by is not None:
        params["AnsweredBy"] = call.answered_by
    return params


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() == "true"


def _loops(element: ET.Element) -> int:
    loop = int(element.get("loop", "1") or "1")
    return 10 if loop <= 0 else loop


async def fetch(net: "Network", call: SimCall, source: Source) -> tuple[ET.Element, str | None]:
    """The TwiML document of a source, parsed; raises Hangup when it cannot be had."""
    if source.twiml is not None:
        text = source.twiml
    else:
        assert source.url is not None
        params = {**call_params(call), **dict(source.extra)}
        call.webhook_since = time.monotonic()
        try:
            delivery = await net.request(source.url, params, source.method)
        finally:
            call.webhook_wait += time.monotonic() - call.webhook_since
            call.webhook_since = None
        with net.store.lock:
            call.callbacks.append({"kind": "twiml", **delivery.as_dict()})
        if delivery.status_code is None or not 200 <= delivery.status_code < 300:
            call.heard.append({"verb": "error", "code": 11200, "url": source.url})
            raise Hangup
        text = delivery.text
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        call.heard.append({"verb": "error", "code": 12100, "detail": str(error)})
        raise Hangup from error
    if root.tag != "Response":
        call.heard.append({"verb": "error", "code": 12100, "detail": "root is not <Response>"})
        raise Hangup
    return root, source.url


async def _say_or_play(net: "Network", call: SimCall, element: ET.Element) -> None:
    if element.tag == "Say":
        text = "".join(element.itertext()).strip()
        call.heard.append(
            {
                "verb": "Say",
                "text": text,
                "voice": element.get("voice"),
                "language": element.get("language"),
            }
        )
        words = max(len(text.split()), 1)
        await net.sleep(_loops(element) * words / net.world.say_words_per_second)
    elif element.tag == "Play":
        call.heard.append({"verb": "Play", "url": (element.text or "").strip()})
        await net.sleep(_loops(element) * net.world.play_seconds)
    elif element.tag == "Pause":
        call.heard.append({"verb": "Pause"})
        await net.sleep(float(element.get("length", "1")))


def _resolve(base: str | None, target: str | None) -> str | None:
    if not target:
        return base
    return urljoin(base, target) if base else target


async def _gather(
    net: "Network", call: SimCall, element: ET.Element, document_url: str | None
) -> Source | None:
    pressed = ""
    for child in element:
        await _say_or_play(net, call, child)
    if call.menu_answers is not None:
        pressed = call.menu_answers.pop(0) if call.menu_answers else ""
        await net.sleep(call.plan.gather_seconds if pressed else float(element.get("timeout", "5")))
    elif call.plan.press_digits:
        await net.sleep(call.plan.gather_seconds)
        pressed = call.plan.digits
        num_digits = element.get("numDigits")
        if num_digits:
            pressed = pressed[: int(num_digits)]
    else:
        await net.sleep(float(element.get("timeout", "5")))
    call.heard.append({"verb": "Gather", "digits": pressed})
    action = _resolve(document_url, element.get("action"))
    if not pressed and not _bool(element.get("actionOnEmptyResult"), False):
        return None
    if action is None:
        return None
    extra = (("Digits", pressed), ("FinishedOnKey", ""))
    return Source(url=action, method=element.get("method", "POST"), extra=extra)


def _recording_request(
    call: SimCall, conference: ET.Element, document_url: str | None
) -> RecordingRequest | None:
    """What <Conference record="record-from-start" recordingStatusCallback=...> asks for."""
    if conference.get("record") != "record-from-start":
        return None
    return RecordingRequest(
        status_callback=_resolve(document_url, conference.get("recordingStatusCallback")),
        status_callback_method=conference.get("recordingStatusCallbackMethod", "POST"),
        call_sid=call.sid,
    )


async def _dial(
    net: "Network", call: SimCall, element: ET.Element, document_url: str | None
) -> Source | None:
    from telephony.sandbox import conferences

    conference = element.find("Conference")
    if conference is not None:
        name = (conference.text or "").strip()
        call.heard.append({"verb": "Dial", "conference": name})
        await conferences.join(
            net,
            call,
            name=name,
            start_on_enter=_bool(conference.get("startConferenceOnEnter"), True),
            end_on_exit=_bool(conference.get("endConferenceOnExit"), False),
            muted=_bool(conference.get("muted"), False),
            recording=_recording_request(call, conference, document_url),
        )
        await call.left_conference.wait()
        status = "completed"
    else:
        number = "".join(element.itertext()).strip()
        call.heard.append({"verb": "Dial", "number": number})
        await net.sleep(float(element.get("timeLimit", "14400")))
        status = "completed"
    action = element.get("action")
    if action:
        extra = (("DialCallStatus", status),)
        url = _resolve(document_url, action)
        return Source(url=url, method=element.get("method", "POST"), extra=extra)
    return None


async def run_document(net: "Network", call: SimCall, source: Source) -> Source | None:
    """Follow one TwiML document; the next source to follow, or None when the call ends."""
    try:
        root, document_url = await fetch(net, call, source)
        for verb in root:
            if verb.tag in {"Say", "Play", "Pause"}:
                await _say_or_play(net, call, verb)
            elif verb.tag == "Gather":
                following = await _gather(net, call, verb, document_url)
                if following is not None:
                    return following
            elif verb.tag == "Dial":
                following = await _dial(net, call, verb, document_url)
                if following is not None:
                    return following
            elif verb.tag == "Redirect":
                call.heard.append({"verb": "Redirect", "url": (verb.text or "").strip()})
                url = _resolve(document_url, (verb.text or "").strip())
                return Source(url=url, method=verb.get("method", "POST"))
            elif verb.tag in {"Hangup", "Reject"}:
                call.heard.append({"verb": verb.tag})
                return None
            else:
                call.heard.append({"verb": verb.tag, "ignored": True})
    except Hangup:
        return None
    return None
