"""The sandbox's own tools under /sandbox: what was placed and sent, the world in force, a reset,
and debtors who text or call us."""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from telephony.sandbox import inbound_calls, messages
from telephony.sandbox.network import Network
from telephony.sandbox.resources import call_json, message_json
from telephony.sandbox.state import TwilioError
from telephony.sandbox.world import World


class ResetIn(BaseModel):
    world: dict[str, Any] | None = None
    sms_inbound_url: str | None = None
    whatsapp_inbound_url: str | None = None
    voice_inbound_url: str | None = None
    voice_status_url: str | None = None


class InboundCallIn(BaseModel):
    from_number: str
    to: str
    # The caller's key presses, one per menu in order (the world's answers when omitted).
    answers: list[str] | None = None
    patience_seconds: float | None = None


class InboundIn(BaseModel):
    from_number: str
    to: str
    body: str


def add_routes(app: FastAPI, net: Network) -> None:
    """/sandbox/health, calls, messages, world, reset, inbound and inbound-call."""

    @app.get("/sandbox/health")
    async def health() -> dict[str, Any]:
        """Liveness and the account the sandbox accepts."""
        return {"status": "ok", "account_sid": net.account_sid}

    @app.get("/sandbox/calls")
    async def placed_calls() -> list[dict[str, Any]]:
        """Every call placed since the last reset, oldest first, with what the debtor heard."""
        with net.store.lock:
            return [
                {
                    **call_json(c),
                    "outcome": c.plan.outcome.value,
                    "params": c.params,
                    "heard": list(c.heard),
                    "callbacks": list(c.callbacks),
                    "conference": c.conference_name,
                    "initiated_at": c.initiated_at,
                    "created_at": c.created.isoformat(),
                }
                for c in net.store.calls.values()
            ]

    @app.get("/sandbox/messages")
    async def sent_messages() -> list[dict[str, Any]]:
        """Every message sent or received since the last reset, oldest first."""
        with net.store.lock:
            return [
                {
                    **message_json(m),
                    "params": m.params,
                    "callbacks": list(m.callbacks),
                    "created_at": m.created.isoformat(),
                }
                for m in net.store.messages.values()
            ]

    @app.get("/sandbox/world")
    async def current_world() -> dict[str, Any]:
        """The world in force."""
        return net.world.model_dump(mode="json")

    @app.post("/sandbox/reset")
    async def reset(body: ResetIn) -> dict[str, Any]:
        """Forget everything; start over with a world (the defaults when none is given)."""
        try:
            base = net.base_world.model_dump(mode="json")
            world = World.model_validate({**base, **(body.world or {})})
        except ValueError as error:
            raise TwilioError(400, 20001, f"Invalid world: {error}") from error
        await net.reset(
            world,
            sms_inbound_url=body.sms_inbound_url,
            whatsapp_inbound_url=body.whatsapp_inbound_url,
            voice_inbound_url=body.voice_inbound_url,
            voice_status_url=body.voice_status_url,
        )
        return net.world.model_dump(mode="json")

    @app.post("/sandbox/inbound")
    async def inbound(body: InboundIn) -> dict[str, Any]:
        """A debtor texts one of our numbers (whatsapp: addresses go to the WhatsApp webhook)."""
        message = await messages.inbound(net, from_=body.from_number, to=body.to, body=body.body)
        with net.store.lock:
            return {**message_json(message), "callbacks": list(message.callbacks)}

    @app.post("/sandbox/inbound-call")
    async def inbound_call(body: InboundCallIn) -> dict[str, Any]:
        """A debtor calls one of our numbers now (the signed voice webhook follows)."""
        call = inbound_calls.place(
            net,
            from_=body.from_number,
            to=body.to,
            answers=body.answers,
            patience_seconds=body.patience_seconds,
        )
        with net.store.lock:
            return call_json(call)
