"""An agent's websocket in end-to-end tests: sign in, open the socket, read and send messages."""

import json
import time
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

PASSWORD = "contraseña-segura-1"


def sign_in(url: str, username: str) -> str:
    response = httpx.post(f"{url}/auth/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.cookies["acuerdo_session"])


def open_socket(url: str, cookie: str, origin: str | None = None) -> ClientConnection:
    ws_url = url.replace("http://", "ws://") + "/ws/agent"
    return connect(
        ws_url,
        additional_headers={"Cookie": f"acuerdo_session={cookie}"},
        origin=origin or url,
        open_timeout=10,
    )  # type: ignore[arg-type]


def open_supervisor_socket(url: str, cookie: str) -> ClientConnection:
    return connect(
        url.replace("http://", "ws://") + "/ws/supervisor",
        additional_headers={"Cookie": f"acuerdo_session={cookie}"},
        origin=url,  # type: ignore[arg-type]
        open_timeout=10,
    )


def receive(socket: ClientConnection, kind: str, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        if message["type"] == kind:
            return dict(message)
        if message["type"] == "error":
            raise AssertionError(message)


def send(socket: ClientConnection, kind: str, **fields: Any) -> None:
    socket.send(json.dumps({"type": kind, **fields}))


def go_ready(socket: ClientConnection) -> dict[str, Any]:
    """Read the socket's first snapshot, set the agent ready and return the `state` reply."""
    receive(socket, "snapshot")
    send(socket, "set_state", state="ready")
    return receive(socket, "state")
