"""Sign-in throttling that slows guessing down without letting anyone lock a person out.

- Per account: after `login_max_failures` failures for a username, each further attempt must
  wait `login_delay_seconds * 2^(failures - max)` (capped) after the last failure. Attempts
  refused while waiting are not counted, so the wait never grows by itself; the right password
  after the wait signs in and clears the count. There is no hard lock.
- Per address: an address (the real client, see `addresses.py`) may fail
  `login_address_max_failures` times per window; past that it waits for its oldest failure to
  leave the window. Only that address is held.
- A browser that signed in as the user before carries a device cookie: its attempts for that
  user pass both limits (its own failures are counted on the device, which is forgotten after
  `login_max_failures` of them), so a guessing campaign against a username or from a shared
  address does not keep the account's owner out (OWASP's device cookies).

Time is an input: every function takes `now` (epoch seconds).
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass

import redis

from campaigns.settings import get_settings

PREFIX = "acuerdo:login"


@dataclass(frozen=True)
class LoginAttempt:
    """Who tries to sign in, from where, and the device cookie the browser sent (if any)."""

    username: str
    address: str
    device: str | None = None


@dataclass(frozen=True)
class Verdict:
    """Whether the attempt may be checked now; if not, how long to wait and which limit holds."""

    wait_seconds: float
    limit: str = ""

    @property
    def allowed(self) -> bool:
        """The password may be checked now."""
        return self.wait_seconds <= 0


@dataclass(frozen=True)
class ThrottleEvent:
    """A delay or an address limit that a failure just imposed (for the audit trail)."""

    action: str
    username: str | None
    address: str
    failures: int
    wait_seconds: float


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _user_key(username: str) -> str:
    return f"{PREFIX}:user:{_hash(username.strip().lower())}"


def _address_key(address: str) -> str:
    return f"{PREFIX}:addr:{address}"


def _device_key(token: str) -> str:
    return f"{PREFIX}:device:{_hash(token)}"


def delay_after(failures: int) -> float:
    """Seconds an account waits after its last failure, given how many it has had."""
    settings = get_settings()
    over = failures - settings.login_max_failures
    if over < 0:
        return 0.0
    return float(
        min(settings.login_delay_seconds * 2 ** min(over, 40), settings.login_delay_max_seconds)
    )


def trusted_device(client: "redis.Redis", attempt: LoginAttempt) -> bool:
    """Whether the attempt comes from a browser that signed in as this user before."""
    if not attempt.device:
        return False
    owner = client.hget(_device_key(attempt.device), "user")
    if isinstance(owner, bytes):
        owner = owner.decode()
    return owner is not None and owner == _hash(attempt.username.strip().lower())


def check(client: "redis.Redis", attempt: LoginAttempt, *, now: float) -> Verdict:
    """Whether the password may be checked now, or how long this attempt must wait."""
    if trusted_device(client, attempt):
        return Verdict(0.0)
    settings = get_settings()
    failures, last = client.hmget(_user_key(attempt.username), "failures", "last")
    if failures is not None and last is not None:
        wait = float(last) + delay_after(int(failures)) - now
        if wait > 0:
            return Verdict(wait, "account")
    window = settings.login_address_window_minutes * 60
    key = _address_key(attempt.address)
    client.zremrangebyscore(key, "-inf", now - window)
    if client.zcard(key) >= settings.login_address_max_failures:
        oldest = client.zrange(key, 0, 0, withscores=True)
        wait = (float(oldest[0][1]) + window - now) if oldest else float(window)
        return Verdict(max(wait, 1.0), "address")
    return Verdict(0.0)


def record_failure(
    client: "redis.Redis", attempt: LoginAttempt, *, now: float
) -> list[ThrottleEvent]:
    """Count a wrong password; the delays and limits it imposes, to audit."""
    settings = get_settings()
    if trusted_device(client, attempt) and attempt.device:
        key = _device_key(attempt.device)
        if client.hincrby(key, "failures", 1) >= settings.login_max_failures:
            client.delete(key)
        return []
    events = []
    user_key = _user_key(attempt.username)
    pipe = client.pipeline()
    pipe.hincrby(user_key, "failures", 1)
    pipe.hset(user_key, "last", now)
    pipe.expire(user_key, settings.login_failure_memory_hours * 3600)
    failures = int(pipe.execute()[0])
    if failures >= settings.login_max_failures:
        events.append(
            ThrottleEvent(
                "login_delayed", attempt.username, attempt.address, failures, delay_after(failures)
            )
        )
    window = settings.login_address_window_minutes * 60
    key = _address_key(attempt.address)
    pipe = client.pipeline()
    pipe.zadd(key, {f"{now}:{uuid.uuid4().hex}": now})
    pipe.zremrangebyscore(key, "-inf", now - window)
    pipe.zcard(key)
    pipe.expire(key, window)
    count = int(pipe.execute()[2])
    if count == settings.login_address_max_failures:
        events.append(ThrottleEvent("login_address_limited", None, attempt.address, count, window))
    return events


def record_success(client: "redis.Redis", attempt: LoginAttempt, *, now: float) -> str:
    """Forget the account's failures; the device token to give the browser (kept or new)."""
    client.delete(_user_key(attempt.username))
    token = attempt.device if trusted_device(client, attempt) and attempt.device else None
    token = token or secrets.token_urlsafe(32)
    key = _device_key(token)
    client.hset(
        key, mapping={"user": _hash(attempt.username.strip().lower()), "failures": 0, "since": now}
    )
    client.expire(key, get_settings().login_device_days * 86400)
    return token
