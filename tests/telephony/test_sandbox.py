"""The carrier sandbox over real HTTP, driven by the official twilio SDK through twilio_client()."""

import time
from typing import Any

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from campaigns.settings import Settings, get_settings
from telephony.client import twilio_client
from tests.telephony.conftest import Receiver, SandboxServer, wait_until

OURS = "+525550000100"
FINAL = {"completed", "busy", "failed", "no-answer", "canceled"}
SAY_HANGUP = (
    "<Response><Say language='es-MX'>Hola, le llamamos de Acuerdo.</Say><Hangup/></Response>"
)
ALL_EVENTS = ["initiated", "ringing", "answered", "completed"]


@pytest.fixture
def client(sandbox: SandboxServer) -> Client:
    return twilio_client()


def _final(client: Client, sid: str, timeout: float = 10.0) -> Any:
    return wait_until(
        lambda: (call := client.calls(sid).fetch()).status in FINAL and call, timeout=timeout
    )


def _human(number: str, talk: float = 120, **extra: Any) -> dict[str, Any]:
    return {"number": number, "call": "human", "ring_seconds": 5, "talk_seconds": talk, **extra}


def test_human_answers_hears_say_and_twilio_hangs_up(
    sandbox: SandboxServer, client: Client, receiver: Receiver
) -> None:
    sandbox.reset({"numbers": [_human("+525511110001")]})
    receiver.routes["/answer"] = SAY_HANGUP
    call = client.calls.create(
        to="+525511110001",
        from_=OURS,
        url=f"{receiver.url}/answer",
        status_callback=f"{receiver.url}/status",
        status_callback_event=ALL_EVENTS,
    )
    assert call.status == "queued"
    assert call.sid.startswith("CA") and len(call.sid) == 34
    done = _final(client, call.sid)
    assert done.status == "completed"
    assert int(done.duration) >= 1
    statuses = receiver.wait_for("/status", 4)
    assert [r.params["CallStatus"] for r in statuses] == [
        "initiated",
        "ringing",
        "in-progress",
        "completed",
    ]
    assert [r.params["SequenceNumber"] for r in statuses] == ["0", "1", "2", "3"]
    assert all(r.signed for r in statuses)
    assert statuses[-1].params["CallDuration"] == done.duration
    assert {r.params["CallSid"] for r in statuses} == {call.sid}
    (fetch,) = receiver.at("/answer")
    assert fetch.signed and fetch.params["CallStatus"] == "in-progress"
    assert fetch.params["To"] == "+525511110001" and "AnsweredBy" not in fetch.params
    heard = sandbox.call(call.sid)["heard"]
    assert heard[0] == {
        "verb": "Say",
        "text": "Hola, le llamamos de Acuerdo.",
        "voice": None,
        "language": "es-MX",
    }
    assert heard[1] == {"verb": "Hangup"}


def test_machine_detection_reports_machine_start(
    sandbox: SandboxServer, client: Client, receiver: Receiver
) -> None:
    sandbox.reset({"numbers": [{"number": "+525511110002", "call": "machine"}]})
    receiver.routes["/answer"] = "<Response><Say>Mensaje</Say></Response>"
    call = client.calls.create(
        to="+525511110002",
        from_=OURS,
        url=f"{receiver.url}/answer",
        machine_detection="Enable",
        status_callback=f"{receiver.url}/status",
    )
    (fetch,) = receiver.wait_for("/answer")
    assert fetch.params["AnsweredBy"] == "machine_start"
    assert fetch.signed
    assert _final(client, call.sid).answered_by == "machine_start"
    (completed,) = receiver.wait_for("/status")
    assert completed.params["AnsweredBy"] == "machine_start"


def test_async_amd_posts_answered_by_to_its_callback(
    sandbox: SandboxServer, client: Client, receiver: Receiver
) -> None:
    sandbox.reset({"numbers": [_human("+525511110003")]})
    receiver.routes["/answer"] = "<Response><Pause length='30'/></Response>"
    call = client.calls.create(
        to="+525511110003",
        from_=OURS,
        url=f"{receiver.url}/answer",
        machine_detection="Enable",
        async_amd="true",
        async_amd_status_callback=f"{receiver.url}/amd",
    )
    (fetch,) = receiver.wait_for("/answer")
    assert "AnsweredBy" not in fetch.params
    (amd,) = receiver.wait_for("/amd")
    assert amd.signed and amd.params["AnsweredBy"] == "human" and amd.params["CallSid"] == call.sid


@pytest.mark.parametrize(
    ("outcome", "status", "sip"),
    [("busy", "busy", "486"), ("no-answer", "no-answer", "487"), ("failed", "failed", "500")],
)
def test_unanswered_outcomes_end_without_twiml(
    sandbox: SandboxServer,
    client: Client,
    receiver: Receiver,
    outcome: str,
    status: str,
    sip: str,
) -> None:
    sandbox.reset({"numbers": [{"match": "*4444", "call": outcome}]})
    receiver.routes["/answer"] = SAY_HANGUP
    call = client.calls.create(
        to="+525512344444",
        from_=OURS,
        url=f"{receiver.url}/answer",
        timeout=20,
        status_callback=f"{receiver.url}/status",
    )
    assert _final(client, call.sid).status == status
    (completed,) = receiver.wait_for("/status")
    assert completed.params["CallStatus"] == status
    assert completed.params["SipResponseCode"] == sip
    assert completed.signed
    assert receiver.at("/answer") == []


def test_invalid_and_opted_out_numbers_are_refused_and_nothing_is_dialled(
    sandbox: SandboxServer, client: Client
) -> None:
    sandbox.reset({"numbers": [{"regex": r"77$", "call": "opted-out"}]})
    with pytest.raises(TwilioRestException) as invalid:
        client.calls.create(to="12345", from_=OURS, twiml=SAY_HANGUP)
    assert (invalid.value.code, invalid.value.status) == (21211, 400)
    with pytest.raises(TwilioRestException) as opted_out:
        client.calls.create(to="+525512340077", from_=OURS, twiml=SAY_HANGUP)
    assert opted_out.value.code == 21610
    with pytest.raises(TwilioRestException) as sms_out:
        client.messages.create(to="+525512340077", from_=OURS, body="Hola")
    assert sms_out.value.code == 21610
    assert sandbox.calls() == []
    assert sandbox.messages() == []


def test_calls_per_second_limit_holds_excess_calls_queued(
    sandbox: SandboxServer, client: Client
) -> None:
    sandbox.reset(
        {"speed": 1.0, "calls_per_second": 2, "numbers": [{"match": "*", "call": "busy"}]}
    )
    began = time.monotonic()
    sids = [
        client.calls.create(to=f"+52551234500{i}", from_=OURS, twiml=SAY_HANGUP).sid
        for i in range(6)
    ]
    placing = time.monotonic() - began
    records = wait_until(
        lambda: (calls := sandbox.calls()) and all(c["initiated_at"] for c in calls) and calls,
        timeout=10,
    )
    assert [c["sid"] for c in records] == sids
    starts = [c["initiated_at"] for c in records]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 0.499, gaps  # 1 ms for wall clock against the monotonic gate
    achieved = (len(starts) - 1) / (starts[-1] - starts[0])
    assert achieved <= 2.01, achieved
    last_waited = int(client.calls(sids[-1]).fetch().queue_time) / 1000
    assert last_waited >= 2.5 - placing - 0.05, (last_waited, placing)


def test_hang_up_by_update(sandbox: SandboxServer, client: Client, receiver: Receiver) -> None:
    sandbox.reset({"numbers": [_human("+525511110004", talk=3600)]})
    receiver.routes["/answer"] = "<Response><Pause length='600'/></Response>"
    call = client.calls.create(
        to="+525511110004",
        from_=OURS,
        url=f"{receiver.url}/answer",
        status_callback=f"{receiver.url}/status",
    )
    receiver.wait_for("/answer")
    assert client.calls(call.sid).fetch().status == "in-progress"
    updated = client.calls(call.sid).update(status="completed")
    assert updated.status == "completed"
    (completed,) = receiver.wait_for("/status")
    assert completed.params["CallStatus"] == "completed" and completed.signed
    with pytest.raises(TwilioRestException) as late:
        client.calls(call.sid).update(url=f"{receiver.url}/answer")
    assert late.value.code == 21220


def test_cancel_a_queued_call(sandbox: SandboxServer, client: Client) -> None:
    sandbox.reset({"speed": 1.0, "calls_per_second": 0.2})
    first = client.calls.create(to="+525511110020", from_=OURS, twiml=SAY_HANGUP)
    second = client.calls.create(to="+525511110021", from_=OURS, twiml=SAY_HANGUP)
    assert client.calls(second.sid).update(status="canceled").status == "canceled"
    client.calls(first.sid).update(status="canceled")
    assert sandbox.call(second.sid)["initiated_at"] is None


def test_redirect_by_update(sandbox: SandboxServer, client: Client, receiver: Receiver) -> None:
    sandbox.reset({"numbers": [_human("+525511110005", talk=3600)]})
    receiver.routes["/answer"] = "<Response><Pause length='600'/></Response>"
    receiver.routes["/moved"] = "<Response><Say>Transferido</Say><Hangup/></Response>"
    call = client.calls.create(to="+525511110005", from_=OURS, url=f"{receiver.url}/answer")
    receiver.wait_for("/answer")
    client.calls(call.sid).update(url=f"{receiver.url}/moved", method="POST")
    (moved,) = receiver.wait_for("/moved")
    assert moved.signed and moved.params["CallSid"] == call.sid
    assert _final(client, call.sid).status == "completed"
    heard = [h for h in sandbox.call(call.sid)["heard"] if h["verb"] == "Say"]
    assert heard[0]["text"] == "Transferido"


def test_gather_posts_the_pressed_digits_to_the_action(
    sandbox: SandboxServer, client: Client, receiver: Receiver
) -> None:
    sandbox.reset({"numbers": [_human("+525511110006", digits="2")]})
    receiver.routes["/answer"] = (
        "<Response><Gather numDigits='1' action='/menu'><Say>Oprima 1 o 2</Say></Gather>"
        "<Say>No recibimos respuesta</Say></Response>"
    )
    receiver.routes["/menu"] = "<Response><Redirect>/bye</Redirect></Response>"
    receiver.routes["/bye"] = "<Response><Say>Gracias</Say><Hangup/></Response>"
    call = client.calls.create(to="+525511110006", from_=OURS, url=f"{receiver.url}/answer")
    (menu,) = receiver.wait_for("/menu")
    assert menu.params["Digits"] == "2" and menu.signed
    receiver.wait_for("/bye")
    assert _final(client, call.sid).status == "completed"
    verbs = [h["verb"] for h in sandbox.call(call.sid)["heard"]]
    assert verbs == ["Say", "Gather", "Redirect", "Say", "Hangup"]


def test_conference_join_and_agent_participant(
    sandbox: SandboxServer, client: Client, receiver: Receiver
) -> None:
    sandbox.reset({"numbers": [_human("+525511110007", talk=3600)]})
    receiver.routes["/answer"] = (
        "<Response><Dial><Conference endConferenceOnExit='true'>sala-7</Conference></Dial>"
        "<Say>Fin</Say></Response>"
    )
    debtor = client.calls.create(to="+525511110007", from_=OURS, url=f"{receiver.url}/answer")
    receiver.wait_for("/answer")
    agent = client.conferences("sala-7").participants.create(
        from_=OURS, to="client:agente-3", label="agent", status_callback=f"{receiver.url}/agent"
    )
    assert agent.status == "queued" and agent.call_sid.startswith("CA")
    (conference,) = wait_until(
        lambda: [
            c
            for c in client.conferences.list(friendly_name="sala-7")
            if c.status == "in-progress"
            and [p.status for p in c.participants.list()] == ["connected", "connected"]
        ]
    )
    fetched = client.conferences(conference.sid).participants(agent.call_sid).fetch()
    assert fetched.status == "connected"
    muted = client.conferences(conference.sid).participants(agent.call_sid).update(muted=True)
    assert muted.muted is True
    client.calls(debtor.sid).update(status="completed")
    assert wait_until(lambda: client.conferences(conference.sid).fetch().status == "completed")
    ended = client.conferences(conference.sid).fetch()
    assert ended.reason_conference_ended == "participant-with-end-conference-on-exit-left"
    assert _final(client, agent.call_sid).status == "completed"
    assert sandbox.call(debtor.sid)["conference"] == "sala-7"


def test_sms_delivered_and_failed_with_signed_callbacks(
    sandbox: SandboxServer, client: Client, receiver: Receiver
) -> None:
    sandbox.reset(
        {
            "numbers": [
                {"number": "+525511110008", "sms": "delivered"},
                {"number": "+525511110009", "sms": "failed"},
            ]
        }
    )
    ok = client.messages.create(
        to="+525511110008", from_=OURS, body="Recordatorio", status_callback=f"{receiver.url}/ok"
    )
    bad = client.messages.create(
        to="+525511110009", from_=OURS, body="Recordatorio", status_callback=f"{receiver.url}/bad"
    )
    assert ok.sid.startswith("SM") and ok.status == "queued"
    delivered = receiver.wait_for("/ok", 3)
    assert [r.params["MessageStatus"] for r in delivered] == ["sending", "sent", "delivered"]
    assert all(r.signed and r.params["MessageSid"] == ok.sid for r in delivered)
    failed = receiver.wait_for("/bad", 2)
    assert failed[-1].params["MessageStatus"] == "failed"
    assert failed[-1].params["ErrorCode"] == "30008"
    assert client.messages(bad.sid).fetch().error_code == 30008
    assert client.messages(ok.sid).fetch().status == "delivered"
    listed = client.messages.list(to="+525511110008")
    assert [m.sid for m in listed] == [ok.sid]


def test_landline_cannot_get_sms(sandbox: SandboxServer, client: Client) -> None:
    with pytest.raises(TwilioRestException) as landline:
        client.messages.create(to="+525512340008", from_=OURS, body="Hola")
    assert landline.value.code == 21614


def test_stop_reply_is_posted_signed_and_opts_the_number_out(
    sandbox: SandboxServer, client: Client, receiver: Receiver
) -> None:
    sandbox.reset(
        {"numbers": [{"number": "+525511110010", "sms": "delivered", "reply": "STOP"}]},
        sms_inbound_url=f"{receiver.url}/sms",
    )
    client.messages.create(to="+525511110010", from_=OURS, body="Su saldo vence hoy")
    (reply,) = receiver.wait_for("/sms", timeout=30)
    assert reply.signed
    assert reply.params["Body"] == "STOP"
    assert (reply.params["From"], reply.params["To"]) == ("+525511110010", OURS)
    assert reply.params["MessageSid"].startswith("SM")
    with pytest.raises(TwilioRestException) as refused:
        client.messages.create(to="+525511110010", from_=OURS, body="Otra vez")
    assert refused.value.code == 21610


def test_inbound_trigger_and_start_opt_in(
    sandbox: SandboxServer, client: Client, receiver: Receiver
) -> None:
    sandbox.reset(sms_inbound_url=f"{receiver.url}/sms")
    posted = sandbox.inbound(from_number="+525511110011", to=OURS, body="BAJA")
    assert posted["callbacks"][0]["status_code"] == 204
    (baja,) = receiver.wait_for("/sms")
    assert baja.params["Body"] == "BAJA" and baja.signed
    sandbox.inbound(from_number="+525511110011", to=OURS, body="stop")
    with pytest.raises(TwilioRestException):
        client.messages.create(to="+525511110011", from_=OURS, body="Hola")
    sandbox.inbound(from_number="+525511110011", to=OURS, body="START")
    assert client.messages.create(to="+525511110011", from_=OURS, body="Hola").status == "queued"


def test_whatsapp_template_anytime_free_text_only_inside_the_window(
    sandbox: SandboxServer, client: Client, receiver: Receiver
) -> None:
    sandbox.reset(
        {
            "templates": {"HX" + "1" * 32: "Hola {{1}}, su factura vence el {{2}}."},
            "numbers": [{"number": "+525511110012", "sms": "delivered"}],
        },
        whatsapp_inbound_url=f"{receiver.url}/wa",
    )
    to, sender = "whatsapp:+525511110012", "whatsapp:+525550000300"
    template = client.messages.create(
        to=to,
        from_=sender,
        content_sid="HX" + "1" * 32,
        content_variables='{"1": "Ana", "2": "15/12"}',
        status_callback=f"{receiver.url}/t",
    )
    assert template.body == "Hola Ana, su factura vence el 15/12."
    assert receiver.wait_for("/t", 3)[-1].params["MessageStatus"] == "delivered"
    free = client.messages.create(
        to=to, from_=sender, body="Hola", status_callback=f"{receiver.url}/f"
    )
    failed = receiver.wait_for("/f")[-1]
    assert (failed.params["MessageStatus"], failed.params["ErrorCode"]) == ("failed", "63016")
    sandbox.inbound(from_number=to, to=sender, body="Hola, ¿cuánto debo?")
    assert receiver.wait_for("/wa")[0].params["WaId"] == "525511110012"
    inside = client.messages.create(
        to=to, from_=sender, body="Hola", status_callback=f"{receiver.url}/i"
    )
    assert receiver.wait_for("/i", 3)[-1].params["MessageStatus"] == "delivered"
    assert client.messages(free.sid).fetch().error_code == 63016
    assert client.messages(inside.sid).fetch().status == "delivered"


def test_bad_credentials_get_401_20003(sandbox: SandboxServer) -> None:
    wrong = twilio_client(Settings(twilio_auth_token="not-the-token", sandbox_url=sandbox))
    with pytest.raises(TwilioRestException) as refused:
        wrong.calls.create(to="+525511110030", from_=OURS, twiml=SAY_HANGUP)
    assert (refused.value.status, refused.value.code) == (401, 20003)
    assert sandbox.calls() == []


def test_unknown_sid_is_404_20404(client: Client) -> None:
    with pytest.raises(TwilioRestException) as missing:
        client.messages("SM" + "0" * 32).fetch()
    assert (missing.value.status, missing.value.code) == (404, 20404)


def test_speed_factor_scales_ringing_and_talking(sandbox: SandboxServer, client: Client) -> None:
    world = {
        "numbers": [
            {"number": "+525511110013", "call": "human", "ring_seconds": 20, "talk_seconds": 60}
        ]
    }
    sandbox.reset({**world, "speed": 1.0})
    slow = client.calls.create(
        to="+525511110013", from_=OURS, twiml="<Response><Pause length='600'/></Response>"
    )
    time.sleep(1.5)
    assert client.calls(slow.sid).fetch().status == "ringing"
    sandbox.reset({**world, "speed": 60.0})
    started = time.monotonic()
    fast = client.calls.create(
        to="+525511110013", from_=OURS, twiml="<Response><Pause length='600'/></Response>"
    )
    done = _final(client, fast.sid, timeout=10)
    elapsed = time.monotonic() - started
    # 80 s of ring and talk at 60x is 1.33 s; the bound only has to tell it from real time (80 s)
    # with room for a loaded machine (CI runs two suites at once).
    assert 1.0 <= elapsed < 20.0, elapsed
    assert 59 <= int(done.duration) <= 62


def test_same_seed_same_world_same_outcomes(sandbox: SandboxServer, client: Client) -> None:
    numbers = [f"+5255777{i:05d}" for i in range(40)]

    def outcomes(seed: int) -> list[str]:
        sandbox.reset({"seed": seed, "numbers": [], "calls_per_second": 1000})
        for number in numbers:
            client.calls.create(to=number, from_=OURS, twiml=SAY_HANGUP)
        return [c["outcome"] for c in sandbox.calls()]

    first = outcomes(11)
    assert outcomes(11) == first
    assert len(set(first)) >= 3
    assert outcomes(12) != first


def test_list_calls_pages_through_the_sdk(sandbox: SandboxServer, client: Client) -> None:
    sandbox.reset({"calls_per_second": 1000, "numbers": [{"match": "*", "call": "busy"}]})
    sids = {
        client.calls.create(to="+525511110014", from_=OURS, twiml=SAY_HANGUP).sid for _ in range(7)
    }
    client.calls.create(to="+525511110015", from_=OURS, twiml=SAY_HANGUP)
    listed = client.calls.list(to="+525511110014", page_size=3)
    assert {c.sid for c in listed} == sids
    assert len(listed) == 7


def test_live_mode_talks_to_twilio_and_sandbox_mode_rewrites_hosts(sandbox: SandboxServer) -> None:
    from telephony.client import SandboxHttpClient

    live = twilio_client(
        Settings(twilio_mode="live", twilio_account_sid="AC" + "1" * 32, twilio_auth_token="x")
    )
    assert not isinstance(live.http_client, SandboxHttpClient)
    mine = twilio_client()
    assert isinstance(mine.http_client, SandboxHttpClient)
    assert mine.http_client.rewrite(
        "https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json?a=1"
    ) == (f"{get_settings().sandbox_url}/2010-04-01/Accounts/AC1/Calls.json?a=1")


def test_api_delay_leaves_the_call_placed_when_the_client_gives_up(
    sandbox: SandboxServer,
) -> None:
    import requests

    from telephony.client import SandboxHttpClient

    sandbox.reset({"api_delay_seconds": 2.0})
    settings = get_settings()
    impatient = Client(
        settings.account_sid,
        settings.auth_token,
        http_client=SandboxHttpClient(sandbox, timeout=0.5),
    )
    with pytest.raises(requests.exceptions.Timeout):
        impatient.calls.create(to="+525511110040", from_=OURS, twiml=SAY_HANGUP)
    assert [c["to"] for c in sandbox.calls()] == ["+525511110040"]


def test_waiting_for_our_webhook_does_not_use_up_the_debtors_talk_time(
    sandbox: SandboxServer, client: Client, receiver: Receiver
) -> None:
    sandbox.reset({"numbers": [_human("+525511110041", talk=60)]})

    def slow_answer(params: dict[str, str]) -> str:
        time.sleep(1.5)
        return SAY_HANGUP

    receiver.routes["/answer"] = slow_answer
    call = client.calls.create(to="+525511110041", from_=OURS, url=f"{receiver.url}/answer")
    assert _final(client, call.sid).status == "completed"
    assert [h["verb"] for h in sandbox.call(call.sid)["heard"]] == ["Say", "Hangup"]
