"""Twilio-shaped JSON for the sandbox's calls, messages, conferences and participants."""

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from telephony.sandbox.state import (
    API_VERSION,
    SimCall,
    SimConference,
    SimMessage,
    SimParticipant,
    rfc2822,
)

T = TypeVar("T")


def account_uri(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}"


def _formatted(number: str) -> str:
    if number.startswith("+1") and len(number) == 12:
        return f"({number[2:5]}) {number[5:8]}-{number[8:]}"
    return number


def call_json(call: SimCall) -> dict[str, Any]:
    """A call as api.v2010.account.call."""
    base = f"{account_uri(call.account_sid)}/Calls/{call.sid}"
    subresources = (
        "notifications",
        "recordings",
        "payments",
        "events",
        "siprec",
        "streams",
        "transcriptions",
        "user_defined_message_subscriptions",
        "user_defined_messages",
    )
    names = {
        "user_defined_message_subscriptions": "UserDefinedMessageSubscriptions",
        "user_defined_messages": "UserDefinedMessages",
    }
    return {
        "sid": call.sid,
        "date_created": rfc2822(call.created),
        "date_updated": rfc2822(call.updated),
        "parent_call_sid": None,
        "account_sid": call.account_sid,
        "to": call.to,
        "to_formatted": _formatted(call.to),
        "from": call.from_,
        "from_formatted": _formatted(call.from_),
        "phone_number_sid": None,
        "status": call.status,
        "start_time": rfc2822(call.start_time),
        "end_time": rfc2822(call.end_time),
        "duration": None if call.duration is None else str(call.duration),
        "price": None if call.duration is None else f"-{0.013 * math.ceil(call.duration / 60):.5f}",
        "price_unit": "USD",
        "direction": call.direction,
        "answered_by": call.answered_by,
        "api_version": API_VERSION,
        "forwarded_from": None,
        "group_sid": None,
        "caller_name": None,
        "queue_time": str(call.queue_time_ms),
        "trunk_sid": None,
        "uri": f"{base}.json",
        "subresource_uris": {
            name: f"{base}/{names.get(name, name.capitalize())}.json" for name in subresources
        },
    }


def message_json(message: SimMessage) -> dict[str, Any]:
    """A message as api.v2010.account.message."""
    base = f"{account_uri(message.account_sid)}/Messages/{message.sid}"
    segments = max(1, math.ceil(len(message.body) / 153)) if len(message.body) > 160 else 1
    return {
        "body": message.body,
        "num_segments": str(segments),
        "direction": message.direction,
        "from": message.from_,
        "to": message.to,
        "date_updated": rfc2822(message.updated),
        "price": None,
        "error_message": message.error_message,
        "uri": f"{base}.json",
        "account_sid": message.account_sid,
        "num_media": "0",
        "status": message.status,
        "messaging_service_sid": message.messaging_service_sid,
        "sid": message.sid,
        "date_sent": rfc2822(message.sent),
        "date_created": rfc2822(message.created),
        "error_code": message.error_code,
        "price_unit": "USD",
        "api_version": API_VERSION,
        "subresource_uris": {"media": f"{base}/Media.json", "feedback": f"{base}/Feedback.json"},
    }


def conference_json(conference: SimConference) -> dict[str, Any]:
    """A conference as api.v2010.account.conference."""
    base = f"{account_uri(conference.account_sid)}/Conferences/{conference.sid}"
    return {
        "account_sid": conference.account_sid,
        "date_created": rfc2822(conference.created),
        "date_updated": rfc2822(conference.updated),
        "api_version": API_VERSION,
        "friendly_name": conference.friendly_name,
        "region": "us1",
        "sid": conference.sid,
        "status": conference.status,
        "uri": f"{base}.json",
        "subresource_uris": {
            "participants": f"{base}/Participants.json",
            "recordings": f"{base}/Recordings.json",
        },
        "reason_conference_ended": conference.reason_ended,
        "call_sid_ending_conference": conference.call_sid_ending,
    }


def participant_json(account_sid: str, participant: SimParticipant) -> dict[str, Any]:
    """A participant as api.v2010.account.conference.participant."""
    return {
        "account_sid": account_sid,
        "call_sid": participant.call_sid,
        "label": participant.label,
        "call_sid_to_coach": participant.call_sid_to_coach,
        "coaching": participant.coaching,
        "conference_sid": participant.conference_sid,
        "date_created": rfc2822(participant.created),
        "date_updated": rfc2822(participant.updated),
        "end_conference_on_exit": participant.end_conference_on_exit,
        "muted": participant.muted,
        "hold": participant.hold,
        "start_conference_on_enter": participant.start_conference_on_enter,
        "status": participant.status,
        "queue_time": "0",
        "uri": (
            f"{account_uri(account_sid)}/Conferences/{participant.conference_sid}"
            f"/Participants/{participant.call_sid}.json"
        ),
    }


def page_json(
    *,
    key: str,
    path: str,
    items: Sequence[T],
    render: Callable[[T], dict[str, Any]],
    filters: dict[str, str],
    page: int,
    page_size: int,
) -> dict[str, Any]:
    """One page of a list in Twilio's paging shape (newest first, Page and PageSize)."""

    def uri(number: int) -> str:
        query = {**filters, "PageSize": str(page_size), "Page": str(number)}
        if number > 0:
            query["PageToken"] = f"PA{number * page_size}"
        return f"{path}?{urlencode(query)}"

    start = page * page_size
    chunk = items[start : start + page_size]
    has_next = start + page_size < len(items)
    return {
        key: [render(item) for item in chunk],
        "end": start + max(len(chunk), 1) - 1,
        "first_page_uri": uri(0),
        "next_page_uri": uri(page + 1) if has_next else None,
        "page": page,
        "page_size": page_size,
        "previous_page_uri": uri(page - 1) if page > 0 else None,
        "start": start,
        "uri": uri(page),
    }
