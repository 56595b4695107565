"""The sandbox's debtors call our numbers like Twilio's inbound calls: signed VoiceUrl, the
caller's key presses at each <Gather>, status callbacks, and calls placed by the world's rate."""

import subprocess
import sys

from telephony.client import twilio_client
from tests.processes import process_env
from tests.telephony.conftest import Receiver, SandboxServer, wait_until

OURS = "+525550000100"
DEBTOR = "+525512340077"
MENU = (
    "<Response><Gather action='/menu' numDigits='1' actionOnEmptyResult='true'>"
    "<Say language='es-MX'>Marque 1</Say></Gather></Response>"
)


def _reset(sandbox: SandboxServer, receiver: Receiver, **world: object) -> None:
    sandbox.reset(
        dict(world),
        voice_inbound_url=f"{receiver.url}/voice",
        voice_status_url=f"{receiver.url}/status",
    )


def test_an_inbound_call_asks_the_voice_url_and_presses_the_callers_keys(
    sandbox: SandboxServer, receiver: Receiver
) -> None:
    _reset(sandbox, receiver)
    receiver.routes["/voice"] = MENU
    receiver.routes["/menu"] = MENU.replace("/menu", "/second")
    receiver.routes["/second"] = "<Response><Hangup/></Response>"

    call = sandbox.inbound_call(from_number=DEBTOR, to=OURS, answers=["2", ""])
    (first,) = receiver.wait_for("/voice")
    assert first.signed
    assert first.params["Direction"] == "inbound"
    assert first.params["From"] == DEBTOR and first.params["To"] == OURS
    assert first.params["CallSid"] == call["sid"]
    (pressed,) = receiver.wait_for("/menu")
    assert pressed.params["Digits"] == "2" and pressed.signed
    (timed_out,) = receiver.wait_for("/second")
    assert timed_out.params["Digits"] == ""
    statuses = receiver.wait_for("/status", 3)
    assert [s.params["CallStatus"] for s in statuses] == ["ringing", "in-progress", "completed"]
    assert all(s.signed for s in statuses)
    fetched = twilio_client().calls(call["sid"]).fetch()
    assert fetched.direction == "inbound" and fetched.status == "completed"


def test_the_world_makes_a_debtor_the_sandbox_called_call_back(
    sandbox: SandboxServer, receiver: Receiver
) -> None:
    _reset(
        sandbox,
        receiver,
        numbers=[{"number": DEBTOR, "call": "busy"}],
        inbound_calls={"calls_per_hour": 36000, "answers": ["1"]},
    )
    receiver.routes["/voice"] = "<Response><Hangup/></Response>"
    receiver.routes["/outbound"] = "<Response><Hangup/></Response>"
    twilio_client().calls.create(to=DEBTOR, from_=OURS, url=f"{receiver.url}/outbound")

    (inbound,) = receiver.wait_for("/voice", timeout=20)[:1]
    assert inbound.params["From"] == DEBTOR and inbound.params["To"] == OURS
    assert inbound.params["Direction"] == "inbound"


def test_acuerdo_call_in_places_an_inbound_call_now(
    sandbox: SandboxServer, receiver: Receiver
) -> None:
    _reset(sandbox, receiver)
    receiver.routes["/voice"] = "<Response><Hangup/></Response>"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from console.cli import main; main()",
            "call-in",
            "--from",
            DEBTOR,
            "--to",
            OURS,
            "--press",
            "1",
        ],
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert f"{DEBTOR} -> {OURS}" in done.stdout
    wait_until(lambda: receiver.at("/voice"))
    (placed,) = [c for c in sandbox.calls() if c["direction"] == "inbound"]
    assert placed["from"] == DEBTOR
