"""Debtors calling our numbers: Twilio's inbound call to a number's VoiceUrl, then TwiML.

Like Twilio, the sandbox answers the call at once, asks the number's voice URL what to do
(signed, with Direction=inbound), follows the TwiML with the caller's key presses, and posts the
call's progress to the number's status callback. `calls_per_hour` in the world makes debtors
the sandbox called before call the number that called them (its caller ID).
"""

import asyncio
import random
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from telephony.sandbox import calls
from telephony.sandbox.state import SimCall, TwilioError, new_sid, utcnow
from telephony.sandbox.world import is_valid_address, plan_call

if TYPE_CHECKING:
    from telephony.sandbox.network import Network

STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]


def place(
    net: "Network",
    *,
    from_: str,
    to: str,
    answers: list[str] | None = None,
    patience_seconds: float | None = None,
) -> SimCall:
    """A debtor calls one of our numbers now; the call runs in the background."""
    if not is_valid_address(from_) or not is_valid_address(to):
        raise TwilioError(400, 21211, f"Invalid Phone Number: {from_} / {to}")
    world = net.world.inbound_calls
    with net.store.lock:
        attempt = net.store.call_attempts.get(from_, 0)
        net.store.call_attempts[from_] = attempt + 1
        plan = plan_call(net.world, to=from_, attempt=attempt, at=utcnow())
        rng = random.Random(f"{net.world.seed}|inbound|{from_}|{attempt}")
        patience = (
            patience_seconds if patience_seconds is not None else world.patience_seconds.draw(rng)
        )
        call = SimCall(
            sid=new_sid("CA"),
            account_sid=net.account_sid,
            to=to,
            from_=from_,
            params={
                "Url": net.voice_inbound_url,
                "StatusCallback": net.voice_status_url,
                "StatusCallbackEvent": STATUS_EVENTS,
            },
            plan=plan,
            direction="inbound",
        )
        call.menu_answers = list(world.answers if answers is None else answers)
        net.store.calls[call.sid] = call
    call.task = net.spawn(_life(net, call, patience))
    return call


async def _life(net: "Network", call: SimCall, patience: float) -> None:
    loop = asyncio.get_running_loop()
    with net.store.lock:
        call.start_time = datetime.now(UTC)
        call.initiated_at = call.start_time.timestamp()
        call.status = "ringing"
    await calls.status_event(net, call, "ringing")
    with net.store.lock:
        call.status = "in-progress"
        call.answered_at = loop.time()
        call.updated = utcnow()
    await calls.status_event(net, call, "answered")
    try:
        await calls.talk(net, call, loop.time() + net.real_seconds(patience))
    except asyncio.CancelledError:
        if not call.hangup_requested:
            raise
        await calls.announce_end(net, call)
        return
    await calls.finish(net, call, "completed")


def _simulated_debtors(net: "Network") -> list[tuple[str, str]]:
    """(debtor, our number) pairs: the debtors the sandbox called, and the number they saw."""
    with net.store.lock:
        return sorted(
            {
                (c.to, c.from_)
                for c in net.store.calls.values()
                if c.direction != "inbound" and not c.to.startswith(("client:", "sip:"))
            }
        )


async def generate(net: "Network") -> None:
    """Place inbound calls at the world's rate from debtors reached before (runs until reset)."""
    rng = random.Random(f"{net.world.seed}|inbound-calls")
    while True:
        rate = net.world.inbound_calls.calls_per_hour
        if rate <= 0:
            await asyncio.sleep(1.0)
            continue
        await net.sleep(rng.expovariate(rate / 3600.0))
        debtors = _simulated_debtors(net)
        if debtors:
            debtor, number = rng.choice(debtors)
            place(net, from_=debtor, to=number)
