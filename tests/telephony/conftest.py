"""Fixtures for telephony tests: the carrier sandbox as a real process, and a webhook receiver.

`sandbox` is the sandbox's base URL (a str) with helpers to reset its world and look inside it.
The process starts once per test run on a free port, and ACUERDO_SANDBOX_URL points at it before
settings are first read, so `telephony.client.twilio_client()` and child processes reach it.
Other test folders can use these fixtures with
`from tests.telephony.conftest import receiver, sandbox, sandbox_server  # noqa: F401`.
"""

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from twilio.request_validator import RequestValidator


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_SANDBOX_PORT = free_port()
os.environ["ACUERDO_SANDBOX_URL"] = f"http://127.0.0.1:{_SANDBOX_PORT}"
# Dispatch retries without waiting, so a burst worker runs every retry of a job before it stops.
os.environ.setdefault("ACUERDO_DISPATCH_RETRY_SECONDS", "[0, 0, 0, 0, 0]")

# Fast by default: a test day passes 60 times faster; tests that measure time reset the world.
TEST_WORLD: dict[str, Any] = {"speed": 60.0, "seed": 7}


def wait_until(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll until `check()` returns something truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


class SandboxServer(str):
    """The sandbox's base URL, with helpers over its /sandbox introspection endpoints."""

    def reset(
        self,
        world: dict[str, Any] | None = None,
        *,
        sms_inbound_url: str | None = None,
        whatsapp_inbound_url: str | None = None,
        voice_inbound_url: str | None = None,
        voice_status_url: str | None = None,
    ) -> dict[str, Any]:
        """Forget everything and start over with TEST_WORLD updated by `world`."""
        body = {
            "world": {**TEST_WORLD, **(world or {})},
            "sms_inbound_url": sms_inbound_url,
            "whatsapp_inbound_url": whatsapp_inbound_url,
            "voice_inbound_url": voice_inbound_url,
            "voice_status_url": voice_status_url,
        }
        response = httpx.post(f"{self}/sandbox/reset", json=body, timeout=10)
        response.raise_for_status()
        return dict(response.json())

    def calls(self) -> list[dict[str, Any]]:
        """Every call placed since the last reset, oldest first."""
        return list(httpx.get(f"{self}/sandbox/calls", timeout=10).json())

    def messages(self) -> list[dict[str, Any]]:
        """Every message sent or received since the last reset, oldest first."""
        return list(httpx.get(f"{self}/sandbox/messages", timeout=10).json())

    def inbound(self, *, from_number: str, to: str, body: str) -> dict[str, Any]:
        """Make a debtor text one of our numbers; the sandbox posts the signed webhook."""
        payload = {"from_number": from_number, "to": to, "body": body}
        response = httpx.post(f"{self}/sandbox/inbound", json=payload, timeout=20)
        response.raise_for_status()
        return dict(response.json())

    def inbound_call(
        self,
        *,
        from_number: str,
        to: str,
        answers: list[str] | None = None,
        patience_seconds: float | None = None,
    ) -> dict[str, Any]:
        """Make a debtor call one of our numbers now, pressing `answers` at the menus."""
        payload = {
            "from_number": from_number,
            "to": to,
            "answers": answers,
            "patience_seconds": patience_seconds,
        }
        response = httpx.post(f"{self}/sandbox/inbound-call", json=payload, timeout=20)
        response.raise_for_status()
        return dict(response.json())

    def call(self, sid: str) -> dict[str, Any]:
        """One call's introspection record."""
        return next(c for c in self.calls() if c["sid"] == sid)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    """The sandbox process for the whole run (`python -m telephony.sandbox` under uvicorn)."""
    url = SandboxServer(os.environ["ACUERDO_SANDBOX_URL"])
    port = urlsplit(url).port
    process = subprocess.Popen(
        [sys.executable, "-m", "telephony.sandbox", "--host", "127.0.0.1", "--port", str(port)],
        env=dict(os.environ),
    )
    try:
        # A readiness wait, not a speed check: on a loaded shared machine start-up is slow.
        wait_until(lambda: _healthy(url) or process.poll() is not None, timeout=120)
        assert process.poll() is None, "the sandbox exited at start"
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/sandbox/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    """The sandbox reset to TEST_WORLD; call `sandbox.reset(world)` for another world."""
    from campaigns.settings import get_settings

    assert get_settings().sandbox_url == sandbox_server, (
        "settings were read before tests/telephony/conftest.py set ACUERDO_SANDBOX_URL"
    )
    sandbox_server.reset()
    return sandbox_server


@dataclass
class Received:
    """One request the receiver got."""

    method: str
    path: str
    params: dict[str, str]
    signed: bool
    at: float


@dataclass
class Receiver:
    """A tiny real web server standing for Acuerdo's webhooks: serves TwiML, records requests."""

    url: str
    auth_token: str
    routes: dict[str, str | Callable[[dict[str, str]], str]] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def at(self, path: str) -> list[Received]:
        """The requests made to one path, in arrival order."""
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def wait_for(self, path: str, count: int = 1, timeout: float = 10.0) -> list[Received]:
        """Wait until a path got at least `count` requests."""
        return list(wait_until(lambda: len(self.at(path)) >= count and self.at(path), timeout))


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    validator = RequestValidator(receiver.auth_token)

    class Handler(BaseHTTPRequestHandler):
        def _handle(self, method: str) -> None:
            parts = urlsplit(self.path)
            full_url = f"{receiver.url}{self.path}"
            signature = self.headers.get("X-Twilio-Signature", "")
            if method == "POST":
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length).decode("utf-8")
                params = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                signed = validator.validate(full_url, params, signature)
            else:
                params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                signed = validator.validate(full_url, {}, signature)
            with receiver.lock:
                receiver.requests.append(
                    Received(method, parts.path, params, bool(signed), time.monotonic())
                )
                route = receiver.routes.get(parts.path)
            body = route(params) if callable(route) else route
            if body is None:
                self.send_response(204)
                self.end_headers()
                return
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

        def do_GET(self) -> None:  # noqa: N802
            self._handle("GET")

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a free port, verifying X-Twilio-Signature on every request."""
    from campaigns.settings import get_settings

    port = free_port()
    receiver = Receiver(url=f"http://127.0.0.1:{port}", auth_token=get_settings().auth_token)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(receiver))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
