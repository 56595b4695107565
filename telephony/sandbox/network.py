"""The sandbox's running network: the store, the clock, the account limits and signed webhooks."""

import asyncio
import logging
import secrets
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urlencode

import httpx
from twilio.request_validator import RequestValidator

from telephony.sandbox.state import Store
from telephony.sandbox.world import World

log = logging.getLogger("acuerdo.sandbox")
WEBHOOK_CONNECTIONS = 8  # webhook requests in flight to our app at once (more wait their turn)


@dataclass
class Delivery:
    """What happened to one webhook request the sandbox made."""

    url: str
    method: str
    params: dict[str, str]
    status_code: int | None
    text: str
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "method": self.method,
            "params": self.params,
            "status_code": self.status_code,
            "error": self.error,
        }


class Network:
    """One sandbox: state behind a lock, a scaled clock, a calls-per-second gate, signed posts."""

    def __init__(
        self,
        world: World,
        *,
        account_sid: str,
        auth_token: str,
        sms_inbound_url: str,
        whatsapp_inbound_url: str,
        voice_inbound_url: str = "",
        voice_status_url: str = "",
    ) -> None:
        self.store = Store(world=world)
        self.base_world = world
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sms_inbound_url = self.default_sms_inbound_url = sms_inbound_url
        self.whatsapp_inbound_url = self.default_whatsapp_inbound_url = whatsapp_inbound_url
        # Our numbers' VoiceUrl and StatusCallback (where debtors' calls to them go).
        self.voice_inbound_url = self.default_voice_inbound_url = voice_inbound_url
        self.voice_status_url = self.default_voice_status_url = voice_status_url
        self.validator = RequestValidator(auth_token)
        self._http: httpx.AsyncClient | None = None
        self._cps_gate = asyncio.Lock()

    @property
    def world(self) -> World:
        return self.store.world

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            # Every connection the pool may open is kept open between requests: one closed after
            # a burst is a new TCP connection (CPU at both ends) at the next burst.
            limits = httpx.Limits(
                max_connections=WEBHOOK_CONNECTIONS, max_keepalive_connections=WEBHOOK_CONNECTIONS
            )
            self._http = httpx.AsyncClient(timeout=15.0, follow_redirects=False, limits=limits)
        return self._http

    async def close(self) -> None:
        """Stop every scheduled behaviour and close the webhook client."""
        await self.cancel_all()
        if self._http is not None:
            await self._http.aclose()

    async def cancel_all(self) -> None:
        """Cancel every scheduled task (no callbacks are posted for them)."""
        with self.store.lock:
            tasks = list(self.store.tasks)
            self.store.tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def reset(
        self,
        world: World,
        *,
        sms_inbound_url: str | None = None,
        whatsapp_inbound_url: str | None = None,
        voice_inbound_url: str | None = None,
        voice_status_url: str | None = None,
    ) -> None:
        """Start over with a world; inbound webhooks go back to the settings unless given."""
        await self.cancel_all()
        with self.store.lock:
            self.store = Store(world=world)
        self.sms_inbound_url = sms_inbound_url or self.default_sms_inbound_url
        self.whatsapp_inbound_url = whatsapp_inbound_url or self.default_whatsapp_inbound_url
        self.voice_inbound_url = voice_inbound_url or self.default_voice_inbound_url
        self.voice_status_url = voice_status_url or self.default_voice_status_url
        self.start_debtors()

    def start_debtors(self) -> None:
        """Start the debtors' own behaviour: calling our numbers back at the world's rate."""
        from telephony.sandbox import inbound_calls

        self.spawn(inbound_calls.generate(self))

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> "asyncio.Task[Any]":
        """Run a behaviour in the background, tracked so that a reset can cancel it."""
        task = asyncio.get_running_loop().create_task(coro)
        store = self.store
        with store.lock:
            store.tasks.add(task)

        def _done(finished: "asyncio.Task[Any]") -> None:
            with store.lock:
                store.tasks.discard(finished)
            if not finished.cancelled() and finished.exception() is not None:
                log.error("sandbox task failed", exc_info=finished.exception())

        task.add_done_callback(_done)
        return task

    def real_seconds(self, simulated: float) -> float:
        """Wall-clock seconds for simulated seconds at the world's speed."""
        return max(simulated, 0.0) / self.world.speed

    async def sleep(self, simulated: float) -> None:
        """Let simulated seconds pass."""
        await asyncio.sleep(self.real_seconds(simulated))

    async def call_slot(self) -> float:
        """Wait for this call's turn under the calls-per-second limit; the start (epoch seconds).

        Calls start in the order they were placed, each at least 1/CPS wall-clock seconds after
        the previous start.
        """
        loop = asyncio.get_running_loop()
        async with self._cps_gate:
            wait = self.store.last_call_start + 1.0 / self.world.calls_per_second - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            with self.store.lock:
                self.store.last_call_start = loop.time()
            return time.time()

    def signature(self, url: str, params: dict[str, str]) -> str:
        """X-Twilio-Signature for a request, computed exactly as Twilio does."""
        return str(self.validator.compute_signature(url, params))

    async def request(self, url: str, params: dict[str, str], method: str = "POST") -> Delivery:
        """Send a signed webhook request like Twilio (form POST, or GET with a query string)."""
        url = urldefrag(url).url
        method = (method or "POST").upper()
        headers = {
            "User-Agent": "TwilioProxy/1.1",
            "I-Twilio-Idempotency-Token": secrets.token_hex(16),
        }
        try:
            if method == "GET":
                full = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
                headers["X-Twilio-Signature"] = self.signature(full, {})
                response = await self.http.get(full, headers=headers)
            else:
                headers["X-Twilio-Signature"] = self.signature(url, params)
                response = await self.http.post(url, data=params, headers=headers)
        except httpx.HTTPError as error:
            log.warning("webhook %s %s failed: %s", method, url, error)
            return Delivery(url, method, params, None, "", error=f"{type(error).__name__}: {error}")
        return Delivery(url, method, params, response.status_code, response.text)
