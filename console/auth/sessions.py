"""Server-side sessions kept in Redis, keyed by a hash of the cookie's random id.

A session expires after `session_idle_minutes` without use and, in any case, after
`session_absolute_hours`. A fresh id is issued at every login.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass

import redis
import redis.asyncio

from campaigns.settings import get_settings

COOKIE_NAME = "acuerdo_session"


@dataclass(frozen=True)
class WebSession:
    """A signed-in browser: whose it is and when it started."""

    key: str
    user_id: int
    created_at: float


def _key(session_id: str) -> str:
    return "acuerdo:session:" + hashlib.sha256(session_id.encode()).hexdigest()


def user_sessions_key(user_id: int) -> str:
    """The set of a user's session keys, so that disabling the user can end them all."""
    return f"acuerdo:user-sessions:{user_id}"


def create_session(client: "redis.Redis", *, user_id: int) -> str:
    """Start a session for the user and return the id to put in the cookie."""
    session_id = secrets.token_urlsafe(32)
    key = _key(session_id)
    settings = get_settings()
    client.hset(key, mapping={"user_id": user_id, "created_at": time.time()})
    client.expire(key, settings.session_idle_minutes * 60)
    client.sadd(user_sessions_key(user_id), key)
    client.expire(user_sessions_key(user_id), settings.session_absolute_hours * 3600)
    return session_id


def load_session(client: "redis.Redis", session_id: str | None) -> WebSession | None:
    """The live session for this id, refreshed; None if unknown or expired."""
    if not session_id:
        return None
    settings = get_settings()
    key = _key(session_id)
    data = client.hgetall(key)
    if not data:
        return None
    created_at = float(data[b"created_at"])
    if time.time() - created_at > settings.session_absolute_hours * 3600:
        client.delete(key)
        return None
    client.expire(key, settings.session_idle_minutes * 60)
    return WebSession(key=key, user_id=int(data[b"user_id"]), created_at=created_at)


async def session_alive(
    client: "redis.asyncio.Redis", session_id: str | None, user_id: int
) -> bool:
    """Whether the user's session is still live (refreshed, as `load_session` does)."""
    if not session_id:
        return False
    settings = get_settings()
    key = _key(session_id)
    owner, created_at = await client.hmget(key, ["user_id", "created_at"])
    if owner is None or int(owner) != user_id or created_at is None:
        return False
    if time.time() - float(created_at) > settings.session_absolute_hours * 3600:
        await client.delete(key)
        return False
    await client.expire(key, settings.session_idle_minutes * 60)
    return True


def destroy_session(client: "redis.Redis", session_id: str | None) -> None:
    """End the session, if any."""
    if session_id:
        client.delete(_key(session_id))
