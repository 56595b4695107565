"""Outbound calls like Twilio: queued under the CPS limit, ringing, answered, TwiML, ended."""

import asyncio
import contextlib
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from telephony.sandbox import conferences, twiml
from telephony.sandbox.state import SimCall, SimParticipant, TwilioError, new_sid, rfc2822, utcnow
from telephony.sandbox.twiml import Source
from telephony.sandbox.world import CallOutcome, is_valid_address, plan_call

if TYPE_CHECKING:
    from telephony.sandbox.network import Network

FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
SIP_CODES = {"busy": "486", "no-answer": "487", "failed": "500", "canceled": "487"}


def _truthy(value: str | None, default: bool = False) -> bool:
    return default if value is None else value.strip().lower() == "true"


def _check_endpoints(net: "Network", to: str | None, from_: str | None) -> str:
    if not to:
        raise TwilioError(400, 21201, "No 'To' number is specified")
    if not from_:
        raise TwilioError(400, 21213, "No 'From' number is specified")
    rule = net.world.rule_for(to)
    if not is_valid_address(to) or (rule is not None and rule.call is CallOutcome.INVALID):
        raise TwilioError(400, 21211, f"Invalid 'To' Phone Number: {to}")
    if not is_valid_address(from_):
        raise TwilioError(400, 21212, f"Invalid 'From' Phone Number: {from_}")
    if rule is not None and rule.call is CallOutcome.OPTED_OUT:
        raise TwilioError(400, 21610, "Attempt to send to unsubscribed recipient")
    return to


def _new_call(net: "Network", form: dict[str, str], events: list[str]) -> SimCall:
    """A queued call with its plan. Hold the lock."""
    to, from_ = form["To"], form["From"]
    attempt = net.store.call_attempts.get(to, 0)
    net.store.call_attempts[to] = attempt + 1
    plan = plan_call(net.world, to=to, attempt=attempt, at=utcnow())
    call = SimCall(
        sid=new_sid("CA"),
        account_sid=net.account_sid,
        to=to,
        from_=from_,
        params={**form, "StatusCallbackEvent": [e.strip() for e in events if e.strip()]},
        plan=plan,
    )
    net.store.calls[call.sid] = call
    return call


def create_call(net: "Network", form: dict[str, str], events: list[str]) -> SimCall:
    """POST Calls.json: validate, queue the call and start its life."""
    _check_endpoints(net, form.get("To"), form.get("From"))
    if not (form.get("Url") or form.get("Twiml") or form.get("ApplicationSid")):
        raise TwilioError(400, 21205, "Url parameter is required.")
    with net.store.lock:
        call = _new_call(net, form, events)
    call.task = net.spawn(run_call(net, call))
    return call


def add_participant(
    net: "Network", conference: str, form: dict[str, str], events: list[str]
) -> SimParticipant:
    """POST Participants.json: dial a number and put it into the conference when it answers."""
    _check_endpoints(net, form.get("To"), form.get("From"))
    with net.store.lock:
        if conference.startswith("CF") and conference in net.store.conferences:
            target = net.store.conferences[conference]
        elif conference.startswith("CF") and len(conference) == 34:
            raise TwilioError(404, 20404, f"The requested resource {conference} was not found")
        else:
            target = conferences.get_or_create(net, conference)
        call = _new_call(net, form, events)
        call.conference_target = target.friendly_name
        participant = SimParticipant(
            call_sid=call.sid,
            conference_sid=target.sid,
            label=form.get("Label") or None,
            muted=_truthy(form.get("Muted")),
            coaching=_truthy(form.get("Coaching")),
            call_sid_to_coach=form.get("CallSidToCoach") or None,
            start_conference_on_enter=_truthy(form.get("StartConferenceOnEnter"), True),
            end_conference_on_exit=_truthy(form.get("EndConferenceOnExit")),
        )
        target.participants[call.sid] = participant
    call.task = net.spawn(run_call(net, call))
    return participant


def get_call(net: "Network", sid: str) -> SimCall:
    """A call by SID, or Twilio's 404. Hold the lock."""
    call = net.store.calls.get(sid)
    if call is None:
        raise TwilioError(404, 20404, f"The requested resource {sid} was not found")
    return call


def _close(net: "Network", call: SimCall, status: str) -> bool:
    """Give a call its final status once; False when it already had one."""
    with net.store.lock:
        if call.status in FINAL_STATUSES:
            return False
        loop = asyncio.get_running_loop()
        call.status = status
        call.end_time = utcnow()
        call.updated = call.end_time
        if call.answered_at is not None:
            elapsed = (loop.time() - call.answered_at) * net.world.speed
            call.duration = max(1, math.ceil(elapsed)) if status == "completed" else 0
        else:
            call.duration = 0
        return True


async def announce_end(net: "Network", call: SimCall) -> None:
    conferences.leave(net, call)
    if call.conference_target is not None:
        with net.store.lock:
            for conference in net.store.conferences.values():
                conference.participants.pop(call.sid, None)
    await status_event(net, call, "completed")


async def finish(net: "Network", call: SimCall, status: str) -> None:
    if _close(net, call, status):
        await announce_end(net, call)


async def status_event(net: "Network", call: SimCall, event: str) -> None:
    """Post a status callback for an event the call asked for (completed always)."""
    url = call.params.get("StatusCallback")
    if not url or (event != "completed" and event not in call.params["StatusCallbackEvent"]):
        return
    with net.store.lock:
        sequence = call.sequence
        call.sequence += 1
    params = twiml.call_params(call)
    params.update(
        {
            "CallStatus": "initiated" if event == "initiated" else call.status,
            "CallbackSource": "call-progress-events",
            "SequenceNumber": str(sequence),
            "Timestamp": rfc2822(utcnow()) or "",
        }
    )
    if event == "completed":
        params["CallDuration"] = str(call.duration or 0)
        params["Duration"] = str(math.ceil((call.duration or 0) / 60))
        params["SipResponseCode"] = SIP_CODES.get(call.status, "200")
    delivery = await net.request(url, params, call.params.get("StatusCallbackMethod", "POST"))
    with net.store.lock:
        call.callbacks.append({"kind": "status", "event": event, **delivery.as_dict()})


async def _async_amd(net: "Network", call: SimCall, answered_by: str) -> None:
    await net.sleep(call.plan.amd_seconds)
    with net.store.lock:
        if call.status != "in-progress":
            return
        call.answered_by = answered_by
    url = call.params.get("AsyncAmdStatusCallback")
    if not url:
        return
    params = {
        "AccountSid": call.account_sid,
        "AnsweredBy": answered_by,
        "CallSid": call.sid,
        "MachineDetectionDuration": str(int(call.plan.amd_seconds * 1000)),
    }
    method = call.params.get("AsyncAmdStatusCallbackMethod", "POST")
    delivery = await net.request(url, params, method)
    with net.store.lock:
        call.callbacks.append({"kind": "amd", **delivery.as_dict()})


def _initial_source(call: SimCall) -> Source:
    if call.params.get("Twiml"):
        return Source(twiml=call.params["Twiml"])
    return Source(url=call.params.get("Url"), method=call.params.get("Method", "POST") or "POST")


async def run_call(net: "Network", call: SimCall) -> None:
    """The whole life of one call; a hang-up by the API cancels it and posts `completed`."""
    try:
        await _life(net, call)
    except asyncio.CancelledError:
        if call.twiml_task is not None:
            call.twiml_task.cancel()
        if not call.hangup_requested:
            raise
        await announce_end(net, call)


async def _life(net: "Network", call: SimCall) -> None:
    plan = call.plan
    loop = asyncio.get_running_loop()
    queued_at = loop.time()
    started = await net.call_slot()
    with net.store.lock:
        call.queue_time_ms = int((loop.time() - queued_at) * 1000)
        call.start_time = datetime.fromtimestamp(started, UTC)
        call.initiated_at = started
        call.updated = call.start_time
    await status_event(net, call, "initiated")
    if plan.outcome is CallOutcome.FAILED:
        await net.sleep(1)
        await finish(net, call, "failed")
        return
    with net.store.lock:
        call.status = "ringing"
        call.updated = utcnow()
    await status_event(net, call, "ringing")
    timeout = min(max(int(call.params.get("Timeout") or 60), 5), 600)
    if plan.outcome is CallOutcome.BUSY:
        await net.sleep(min(plan.ring_seconds, 4.0))
        await finish(net, call, "busy")
        return
    if plan.outcome is CallOutcome.NO_ANSWER or plan.ring_seconds > timeout:
        await net.sleep(timeout)
        await finish(net, call, "no-answer")
        return
    await net.sleep(plan.ring_seconds)
    with net.store.lock:
        call.status = "in-progress"
        call.answered_at = loop.time()
        call.updated = utcnow()
    await status_event(net, call, "answered")
    if call.conference_target is not None:
        await _participant_leg(net, call)
        return
    await talk(net, call, loop.time() + net.real_seconds(plan.talk_seconds))
    await finish(net, call, "completed")


async def _participant_leg(net: "Network", call: SimCall) -> None:
    with net.store.lock:
        previous = next(
            (
                c.participants[call.sid]
                for c in net.store.conferences.values()
                if call.sid in c.participants
            ),
            None,
        )
    assert call.conference_target is not None
    await conferences.join(
        net,
        call,
        name=call.conference_target,
        start_on_enter=previous.start_conference_on_enter if previous else True,
        end_on_exit=previous.end_conference_on_exit if previous else False,
        muted=previous.muted if previous else False,
        label=previous.label if previous else None,
    )
    await call.left_conference.wait()
    await finish(net, call, "completed")


async def talk(net: "Network", call: SimCall, deadline: float) -> None:
    """Answering machine detection, then TwiML until it ends or the debtor hangs up."""
    loop = asyncio.get_running_loop()
    detection = call.params.get("MachineDetection", "")
    machine = call.plan.outcome is CallOutcome.MACHINE
    if detection in {"Enable", "DetectMessageEnd"}:
        answered_by = "human"
        if machine:
            answered_by = "machine_start" if detection == "Enable" else call.plan.machine_detail
        if _truthy(call.params.get("AsyncAmd")):
            net.spawn(_async_amd(net, call, answered_by))
        else:
            await net.sleep(call.plan.amd_seconds)
            with net.store.lock:
                call.answered_by = answered_by
    source: Source | None = _initial_source(call)
    while source is not None:
        if call.redirect_to is not None:
            source, call.redirect_to = call.redirect_to, None
        assert source is not None
        task = loop.create_task(twiml.run_document(net, call, source))
        call.twiml_task = task
        done: set[asyncio.Task[Source | None]] = set()
        while not done and (left := deadline + call.waited_on_webhooks() - loop.time()) > 0:
            done, _ = await asyncio.wait({task}, timeout=left)
        if task not in done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            call.heard.append({"verb": "debtor-hung-up"})
            return
        if task.cancelled():
            source = call.redirect_to
            continue
        source = task.result()


def update_call(net: "Network", sid: str, form: dict[str, str]) -> SimCall:
    """POST Calls/{Sid}.json: hang up (Status) or redirect (Url or Twiml) a call."""
    with net.store.lock:
        call = get_call(net, sid)
    status = form.get("Status")
    if status in {"completed", "canceled"}:
        if call.finished or (status == "canceled" and call.status == "in-progress"):
            return call
        call.hangup_requested = True
        _close(net, call, "completed" if call.status == "in-progress" else "canceled")
        if call.task is not None:
            call.task.cancel()
        return call
    if status is not None:
        raise TwilioError(400, 21218, f"Invalid value for Status: {status}")
    if form.get("Url") or form.get("Twiml"):
        if call.finished:
            raise TwilioError(400, 21220, "Call is not in-progress. Cannot redirect.")
        if form.get("Twiml"):
            call.redirect_to = Source(twiml=form["Twiml"])
        else:
            call.redirect_to = Source(url=form["Url"], method=form.get("Method", "POST") or "POST")
        if call.twiml_task is not None and not call.twiml_task.done():
            call.twiml_task.cancel()
    return call
