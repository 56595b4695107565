"""Inbound callers waiting for an advisor: one queue per creditor, first come first served.

Keys (prefix `acuerdo:inbound:`): `queue:{client}` sorted set of waiting attempts scored by
when they joined; `seen:{attempt}` a caller's presence, renewed at every hold loop (a caller who
hung up without a status callback leaves the line when it expires). Only the head of the line
is offered to an agent: the creditor's agent ready the longest (console/routing.py).
"""

import time
from typing import cast

from redis.asyncio import Redis

from console.routing import Routing
from telephony.inbound_calls.queueing import Turn

PREFIX = "acuerdo:inbound"
# Longer than one hold loop (the position, a callback offer and the hold music).
SEEN_SECONDS = 120


def _queue(client_id: int) -> str:
    return f"{PREFIX}:queue:{client_id}"


def _seen(attempt_id: int) -> str:
    return f"{PREFIX}:seen:{attempt_id}"


def _client(attempt_id: int) -> str:
    return f"{PREFIX}:client:{attempt_id}"


class InboundQueue:
    """The console's side of inbound calls waiting for an advisor."""

    def __init__(self, routing: Routing) -> None:
        self.routing = routing

    @property
    def redis(self) -> Redis:
        return self.routing.redis

    async def join(self, attempt_id: int, client_id: int) -> None:
        """Put the call at the end of its creditor's line (a repeated join keeps its place)."""
        pipe = self.redis.pipeline()
        pipe.zadd(_queue(client_id), {str(attempt_id): time.time()}, nx=True)
        pipe.set(_seen(attempt_id), 1, ex=SEEN_SECONDS)
        pipe.set(_client(attempt_id), client_id, ex=24 * 3600)
        await pipe.execute()

    async def turn(self, attempt_id: int, client_id: int) -> Turn:
        """The call's place in line; the head of the line goes to a ready agent if there is one."""
        await self.join(attempt_id, client_id)
        key = _queue(client_id)
        await self._drop_gone(key)
        rank = await self.redis.zrank(key, str(attempt_id))
        joined = await self.redis.zscore(key, str(attempt_id))
        waited = time.time() - float(joined or time.time())
        position = int(cast(int, rank or 0)) + 1
        if position == 1:
            twiml = await self.routing.connect_inbound(attempt_id)
            if twiml is not None:
                await self.leave(attempt_id)
                return Turn(position=1, waited_seconds=waited, twiml=twiml)
        return Turn(position=position, waited_seconds=waited, twiml=None)

    async def leave(self, attempt_id: int) -> None:
        """Take the call out of its line (answered, hung up, or a callback instead)."""
        client_id = await self.redis.get(_client(attempt_id))
        if client_id is not None:
            await self.redis.zrem(_queue(int(client_id)), str(attempt_id))
        await self.redis.delete(_seen(attempt_id), _client(attempt_id))

    async def _drop_gone(self, key: str) -> None:
        """Callers at the head of the line who are no longer on hold leave it."""
        while True:
            head = await self.redis.zrange(key, 0, 0)
            if not head:
                return
            member = head[0].decode() if isinstance(head[0], bytes) else str(head[0])
            if await self.redis.exists(_seen(int(member))):
                return
            await self.redis.zrem(key, member)
