"""The websocket hub: the only holder of sockets in a web process.

It subscribes to the agents' and supervisors' Redis channels and hands each message to the
sockets connected to this process. Every socket has a bounded queue; a client that falls behind
is disconnected (it resynchronises with a snapshot when it reconnects).
"""

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from campaigns.channels import SUPERVISORS_CHANNEL, USERS_CHANNEL
from campaigns.settings import get_settings
from console.auth.sessions import user_sessions_key
from console.resilience import Backoff, raise_if_cancelling, stop_task

log = logging.getLogger(__name__)

SLOW_CLIENT = 4408
SIGNED_OUT = 4401


class Connection:
    """One socket with its own bounded outgoing queue and writer task."""

    def __init__(self, websocket: WebSocket, *, user_id: int | None = None) -> None:
        self.websocket = websocket
        self.user_id = user_id
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=get_settings().socket_queue_limit)
        self.writer = asyncio.create_task(self._write())
        self.closer: asyncio.Task[None] | None = None

    def offer(self, text: str) -> None:
        """Queue a message; a full queue means the client is too slow: disconnect it."""
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            log.warning("closing a websocket that fell %d messages behind", self.queue.maxsize)
            self.writer.cancel()
            self.closer = asyncio.create_task(self._close(SLOW_CLIENT))

    async def send_now(self, message: dict[str, Any]) -> None:
        """Queue a message built by this process (snapshots, acknowledgements)."""
        self.offer(json.dumps(message, default=str))

    async def _write(self) -> None:
        while True:
            text = await self.queue.get()
            try:
                await self.websocket.send_text(text)
            except (WebSocketDisconnect, RuntimeError, ConnectionError):
                return

    def close(self, code: int) -> None:
        """Stop writing and close the socket with this code."""
        self.writer.cancel()
        self.closer = asyncio.create_task(self._close(code))

    async def _close(self, code: int) -> None:
        with contextlib.suppress(RuntimeError, ConnectionError):
            if self.websocket.application_state == WebSocketState.CONNECTED:
                await self.websocket.close(code)

    async def stop(self) -> None:
        """Stop writing (the socket is gone)."""
        self.writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.writer


class Hub:
    """Routes Redis messages to this process's sockets."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.agents: dict[int, set[Connection]] = defaultdict(set)
        # Each supervisor's socket with the creditors it may see (None: all, for admins).
        self.supervisors: dict[Connection, frozenset[int] | None] = {}
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._sign_outs: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Start listening to Redis (the app starts even while Redis is away; the listener
        keeps trying in the background)."""
        self._task = asyncio.create_task(self._listen())
        try:
            await asyncio.wait_for(self._subscribed.wait(), timeout=10)
        except TimeoutError:
            log.warning("hub not subscribed to Redis yet; it keeps trying")

    async def stop(self) -> None:
        """Stop listening."""
        if self._task is not None:
            await stop_task(self._task, "hub listener")

    def attach_agent(self, agent_id: int, connection: Connection) -> None:
        self.agents[agent_id].add(connection)

    def detach_agent(self, agent_id: int, connection: Connection) -> None:
        self.agents[agent_id].discard(connection)
        if not self.agents[agent_id]:
            del self.agents[agent_id]

    async def _listen(self) -> None:
        backoff = Backoff(first=0.2, ceiling=5.0)
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.psubscribe("agent:*")
                    await pubsub.subscribe(SUPERVISORS_CHANNEL, USERS_CHANNEL)
                    self._subscribed.set()
                    backoff.reset()
                    async for message in pubsub.listen():
                        if message["type"] in ("message", "pmessage"):
                            self._deliver_safely(message)
            except (RedisConnectionError, OSError) as error:
                raise_if_cancelling()
                log.warning("hub lost Redis (%s); resubscribing", type(error).__name__)
                await backoff.wait()
            except Exception:
                raise_if_cancelling()
                log.exception("hub listener failed; resubscribing")
                await backoff.wait()

    def _deliver_safely(self, message: dict[str, Any]) -> None:
        """Hand one message to its sockets; a bad message is logged and skipped."""
        try:
            self._deliver(message["channel"].decode(), message["data"].decode())
        except Exception:
            log.exception("hub could not deliver a message on %r", message.get("channel"))

    def _deliver(self, channel: str, text: str) -> None:
        if channel == USERS_CHANNEL:
            self._sign_out(int(json.loads(text)["user_id"]))
            return
        if channel == SUPERVISORS_CHANNEL:
            client_id = _client_of(text)
            targets = [
                connection
                for connection, clients in self.supervisors.items()
                if client_id is None or clients is None or client_id in clients
            ]
        else:
            targets = list(self.agents.get(int(channel.split(":", 1)[1]), ()))
        for connection in targets:
            connection.offer(text)

    def _sign_out(self, user_id: int) -> None:
        """End a disabled (or reset) user's sessions and close their sockets in this process."""
        for connection in [*self.agents.get(user_id, ()), *self.supervisors]:
            if connection.user_id == user_id:
                connection.close(SIGNED_OUT)
        task = asyncio.create_task(self._end_sessions(user_id))
        self._sign_outs.add(task)
        task.add_done_callback(self._sign_outs.discard)

    async def _end_sessions(self, user_id: int) -> None:
        key = user_sessions_key(user_id)
        sessions = await self.redis.smembers(key)
        await self.redis.delete(key, *sessions)


def _client_of(text: str) -> int | None:
    """The creditor a supervisors' message is about, if it names one."""
    if '"client_id"' not in text:
        return None
    client_id = json.loads(text).get("client_id")
    return int(client_id) if client_id is not None else None
