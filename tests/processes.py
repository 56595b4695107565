"""Acuerdo's own processes started for end-to-end tests: the web app and rq workers."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import httpx

from campaigns.redis_conn import redis_url
from tests.telephony.conftest import free_port, wait_until


def process_env(public_url: str | None = None, **extra: str) -> dict[str, str]:
    """The test run's environment for a child: same database, Redis, sandbox and folders."""
    env = dict(os.environ)
    env["ACUERDO_REDIS_URL"] = redis_url()
    if public_url:
        env["ACUERDO_PUBLIC_BASE_URL"] = public_url
        env["ACUERDO_ALLOWED_ORIGINS"] = f'["{public_url}"]'
    env.update(extra)
    return env


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/auth/me", timeout=1).status_code == 401
    except httpx.HTTPError:
        return False


@contextmanager
def web_server(
    port: int | None = None, *, output: IO[bytes] | None = None, **extra: str
) -> Iterator[str]:
    """`acuerdo serve` on a free port; yields its base URL (also its public URL).

    With `output`, the server's stdout and stderr (its whole log) go to that file.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=process_env(url, **extra),
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
    )
    try:
        # A readiness wait, not a speed check: on a loaded shared machine start-up takes 45 s+.
        wait_until(lambda: _answers(url) or process.poll() is not None, timeout=120)
        assert process.poll() is None, "the web server exited at start"
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_worker(
    public_url: str, *, burst: bool = True, output: IO[bytes] | None = None, **extra: str
) -> subprocess.Popen[bytes]:
    """An rq worker (`acuerdo worker`), by default in burst mode; its log to `output` if given."""
    argv = [sys.executable, "-m", "console", "worker"] + (["--burst"] if burst else [])
    return subprocess.Popen(
        argv,
        env=process_env(public_url, **extra),
        start_new_session=True,
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
    )


def kill_worker(worker: subprocess.Popen[bytes]) -> None:
    """SIGKILL a worker and the job process it forked, as a crashed host would lose them."""
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()


def run_worker(
    public_url: str, timeout: float = 60, *, output: IO[bytes] | None = None, **extra: str
) -> None:
    """Run a burst worker until the queues are empty."""
    worker = start_worker(public_url, output=output, **extra)
    assert worker.wait(timeout=timeout) == 0


def eventually(check, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    """Wait for a condition over the database or the sandbox."""
    return wait_until(check, timeout=timeout, interval=0.1)


def wait_seconds(seconds: float) -> None:
    """Let real processes make progress (never used to assert speed)."""
    time.sleep(seconds)
