"""The sandbox's responses validate against Twilio's OpenAPI description of API v2010."""

import json
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft7Validator, FormatChecker

from campaigns.settings import get_settings
from tests.telephony.conftest import Receiver, SandboxServer, wait_until

OAI = Path("/work/shared/reference/twilio-oai/twilio_api_v2010.json")
if not OAI.exists():
    OAI = Path(__file__).resolve().parents[3] / "shared/reference/twilio-oai/twilio_api_v2010.json"
SPEC: dict[str, Any] = json.loads(OAI.read_text(encoding="utf-8"))
ACCOUNT = "/2010-04-01/Accounts/{AccountSid}"
RESOURCES = {
    "#/components/schemas/api.v2010.account.call",
    "#/components/schemas/api.v2010.account.message",
    "#/components/schemas/api.v2010.account.conference",
    "#/components/schemas/api.v2010.account.conference.participant",
    "#/components/schemas/api.v2010.account.recording",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "more_info", "status"],
    "properties": {
        "code": {"type": "integer"},
        "message": {"type": "string"},
        "more_info": {"type": "string"},
        "status": {"type": "integer"},
    },
}
OURS = "+525550000100"
# The spec's enum lacks `nullable` although its own description says the value is null while the
# conference is in progress (and Twilio answers null); accept null for it and nothing else.
NULL_WHILE_LIVE = {"#/components/schemas/conference_enum_reason_conference_ended"}

formats = FormatChecker(formats=())


@formats.checks("date-time-rfc-2822", raises=(TypeError, ValueError))  # type: ignore[untyped-decorator]
def _rfc2822(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = parsedate_to_datetime(value)
    return parsed.utcoffset() is not None and value.endswith("+0000")


def _json_schema(node: Any, *, strict: bool = False) -> Any:
    """OpenAPI 3.0 to JSON Schema: inline $refs, `nullable` as a null type, all props required."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        target: Any = SPEC
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        resolved = _json_schema(target, strict=ref in RESOURCES)
        if ref in NULL_WHILE_LIVE:
            resolved = {**resolved, "type": ["string", "null"], "enum": [*resolved["enum"], None]}
        return resolved
    out = {k: _json_schema(v) for k, v in node.items() if k not in {"nullable", "examples"}}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if strict and "properties" in out:
        out["required"] = sorted(out["properties"])
        out["additionalProperties"] = False
    return out


def _schema(path: str, method: str, status: int) -> dict[str, Any]:
    operation = SPEC["paths"][ACCOUNT + path][method]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    result = _json_schema(schema)
    if "properties" in result and any(
        isinstance(v, dict) and v.get("type") == "array" for v in result["properties"].values()
    ):
        result["required"] = sorted(result["properties"])
    return dict(result)


def _check(response: httpx.Response, path: str, method: str, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    schema = _schema(path, method, status) if status < 400 else ERROR_SCHEMA
    errors = sorted(Draft7Validator(schema, format_checker=formats).iter_errors(body), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    return dict(body)


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    settings = get_settings()
    base = f"{sandbox}/2010-04-01/Accounts/{settings.account_sid}"
    auth = (settings.account_sid, settings.auth_token)
    with httpx.Client(base_url=base, auth=auth, timeout=10) as client:
        yield client


def test_the_schema_conversion_rejects_a_wrong_body() -> None:
    schema = _schema("/Calls/{Sid}.json", "get", 200)
    body = {name: None for name in schema["properties"]}
    assert list(Draft7Validator(schema, format_checker=formats).iter_errors(body))
    body_missing = {"sid": "CA" + "0" * 32}
    assert list(Draft7Validator(schema, format_checker=formats).iter_errors(body_missing))
    bad_date = {**body, "status": "queued", "date_created": "2026-01-01T00:00:00Z"}
    messages = [
        e.message for e in Draft7Validator(schema, format_checker=formats).iter_errors(bad_date)
    ]
    assert any("date-time-rfc-2822" in m for m in messages)


def test_calls_conform(sandbox: SandboxServer, api: httpx.Client, receiver: Receiver) -> None:
    sandbox.reset(
        {"numbers": [{"match": "*", "call": "human", "ring_seconds": 3, "talk_seconds": 3600}]}
    )
    receiver.routes["/answer"] = "<Response><Pause length='600'/></Response>"
    form = {
        "To": "+525511112222",
        "From": OURS,
        "Url": f"{receiver.url}/answer",
        "StatusCallback": f"{receiver.url}/status",
        "StatusCallbackEvent": ["initiated", "answered"],
        "MachineDetection": "Enable",
    }
    created = _check(api.post("/Calls.json", data=form), "/Calls.json", "post", 201)
    sid = created["sid"]
    receiver.wait_for("/answer")
    fetched = _check(api.get(f"/Calls/{sid}.json"), "/Calls/{Sid}.json", "get", 200)
    assert fetched["status"] == "in-progress" and fetched["answered_by"] == "human"
    listed = _check(
        api.get("/Calls.json", params={"To": "+525511112222"}), "/Calls.json", "get", 200
    )
    assert [c["sid"] for c in listed["calls"]] == [sid]
    updated = _check(
        api.post(f"/Calls/{sid}.json", data={"Status": "completed"}),
        "/Calls/{Sid}.json",
        "post",
        200,
    )
    assert updated["status"] == "completed" and updated["end_time"]
    _check(
        api.get("/Calls/CA00000000000000000000000000000000.json"), "/Calls/{Sid}.json", "get", 404
    )
    invalid = _check(
        api.post("/Calls.json", data={"To": "abc", "From": OURS, "Twiml": "<Response/>"}),
        "/Calls.json",
        "post",
        400,
    )
    assert invalid["code"] == 21211


def test_messages_conform(sandbox: SandboxServer, api: httpx.Client) -> None:
    created = _check(
        api.post("/Messages.json", data={"To": "+525511113333", "From": OURS, "Body": "Hola"}),
        "/Messages.json",
        "post",
        201,
    )
    assert created["sid"].startswith("SM") and created["direction"] == "outbound-api"
    fetched = _check(
        api.get(f"/Messages/{created['sid']}.json"), "/Messages/{Sid}.json", "get", 200
    )
    assert fetched["body"] == "Hola"
    listed = _check(
        api.get("/Messages.json", params={"To": "+525511113333"}), "/Messages.json", "get", 200
    )
    assert [m["sid"] for m in listed["messages"]] == [created["sid"]]
    service = _check(
        api.post(
            "/Messages.json",
            data={"To": "+525511113334", "MessagingServiceSid": "MG" + "a" * 32, "Body": "Hola"},
        ),
        "/Messages.json",
        "post",
        201,
    )
    assert service["messaging_service_sid"] == "MG" + "a" * 32
    for to, code in (("+525512340008", 21614), ("+5", 21211), ("+525512340007", 21610)):
        error = _check(
            api.post("/Messages.json", data={"To": to, "From": OURS, "Body": "x"}),
            "/Messages.json",
            "post",
            400,
        )
        assert error["code"] == code
    _check(
        api.get("/Messages/SM00000000000000000000000000000000.json"),
        "/Messages/{Sid}.json",
        "get",
        404,
    )


def test_conferences_and_participants_conform(sandbox: SandboxServer, api: httpx.Client) -> None:
    added = _check(
        api.post(
            "/Conferences/sala-9/Participants.json",
            data={"To": "client:agente-1", "From": OURS, "Label": "agent"},
        ),
        "/Conferences/{ConferenceSid}/Participants.json",
        "post",
        201,
    )
    conference_sid, call_sid = added["conference_sid"], added["call_sid"]
    listed = _check(
        api.get("/Conferences.json", params={"FriendlyName": "sala-9"}),
        "/Conferences.json",
        "get",
        200,
    )
    assert [c["sid"] for c in listed["conferences"]] == [conference_sid]
    wait_until(
        lambda: (
            api.get(f"/Conferences/{conference_sid}/Participants/{call_sid}.json").json()["status"]
            == "connected"
        )
    )
    _check(api.get(f"/Conferences/{conference_sid}.json"), "/Conferences/{Sid}.json", "get", 200)
    _check(
        api.get(f"/Conferences/{conference_sid}/Participants.json"),
        "/Conferences/{ConferenceSid}/Participants.json",
        "get",
        200,
    )
    path = "/Conferences/{ConferenceSid}/Participants/{CallSid}.json"
    _check(api.get(f"/Conferences/{conference_sid}/Participants/{call_sid}.json"), path, "get", 200)
    held = _check(
        api.post(
            f"/Conferences/{conference_sid}/Participants/{call_sid}.json", data={"Hold": "true"}
        ),
        path,
        "post",
        200,
    )
    assert held["hold"] is True
    ended = _check(
        api.post(f"/Conferences/{conference_sid}.json", data={"Status": "completed"}),
        "/Conferences/{Sid}.json",
        "post",
        200,
    )
    assert ended["status"] == "completed"
    assert ended["reason_conference_ended"] == "conference-ended-via-api"
    _check(
        api.get("/Conferences/CF00000000000000000000000000000000.json"),
        "/Conferences/{Sid}.json",
        "get",
        404,
    )


def test_a_recorded_conference_makes_a_conforming_recording_with_audio(
    sandbox: SandboxServer, api: httpx.Client, receiver: Receiver
) -> None:
    sandbox.reset(
        {"numbers": [{"match": "*", "call": "human", "ring_seconds": 1, "talk_seconds": 3600}]}
    )
    receiver.routes["/answer"] = (
        "<Response><Say>Esta llamada puede ser grabada.</Say><Dial>"
        f'<Conference record="record-from-start" recordingStatusCallback="{receiver.url}/rec">'
        "sala-rec</Conference></Dial></Response>"
    )
    form = {"To": "+525511114444", "From": OURS, "Url": f"{receiver.url}/answer"}
    _check(api.post("/Calls.json", data=form), "/Calls.json", "post", 201)
    conference = wait_until(
        lambda: api.get(
            "/Conferences.json", params={"FriendlyName": "sala-rec", "Status": "in-progress"}
        ).json()["conferences"]
    )[0]
    api.post(f"/Conferences/{conference['sid']}.json", data={"Status": "completed"})
    callback = receiver.wait_for("/rec")[0]
    assert callback.signed
    reported = callback.params
    assert reported["RecordingStatus"] == "completed"
    assert reported["ConferenceSid"] == conference["sid"]
    sid = reported["RecordingSid"]
    assert reported["RecordingUrl"].endswith(f"/Recordings/{sid}")
    fetched = _check(api.get(f"/Recordings/{sid}.json"), "/Recordings/{Sid}.json", "get", 200)
    assert fetched["conference_sid"] == conference["sid"] and int(fetched["duration"]) >= 1
    listed = _check(
        api.get("/Recordings.json", params={"ConferenceSid": conference["sid"]}),
        "/Recordings.json",
        "get",
        200,
    )
    assert [r["sid"] for r in listed["recordings"]] == [sid]
    audio = api.get(f"/Recordings/{sid}.wav")
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    assert audio.headers["content-type"] == "audio/x-wav"
    _check(
        api.get("/Recordings/RE00000000000000000000000000000000.json"),
        "/Recordings/{Sid}.json",
        "get",
        404,
    )


def test_bad_credentials_conform(sandbox: SandboxServer) -> None:
    settings = get_settings()
    response = httpx.get(
        f"{sandbox}/2010-04-01/Accounts/{settings.account_sid}/Calls.json",
        auth=(settings.account_sid, "wrong"),
    )
    assert _check(response, "/Calls.json", "get", 401)["code"] == 20003
