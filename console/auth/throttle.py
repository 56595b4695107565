"""Login throttling: too many failures for a username or an address lock it out for a while."""

import redis

from campaigns.settings import get_settings


def _keys(username: str, address: str) -> list[str]:
    return [f"acuerdo:login-fail:user:{username.lower()}", f"acuerdo:login-fail:addr:{address}"]


def is_locked_out(client: "redis.Redis", *, username: str, address: str) -> bool:
    """Whether login is refused for now for this username or address."""
    limit = get_settings().login_max_failures
    return any(int(client.get(key) or 0) >= limit for key in _keys(username, address))


def record_failure(client: "redis.Redis", *, username: str, address: str) -> None:
    """Count a failed login against the username and the address."""
    window = get_settings().login_lockout_minutes * 60
    pipe = client.pipeline()
    for key in _keys(username, address):
        pipe.incr(key)
        pipe.expire(key, window)
    pipe.execute()


def clear_failures(client: "redis.Redis", *, username: str, address: str) -> None:
    """Forget failures after a successful login."""
    client.delete(*_keys(username, address))
