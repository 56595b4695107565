"""Long-lived loops that survive faults: log, wait with backoff, try again.

Redis and the database come back on their own (redis-py and SQLAlchemy's pool reconnect on the
next command); a loop only has to outlive the error and not hammer them while they are away.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)


class Backoff:
    """Exponential waits between failed tries: 0.5 s, 1 s, 2 s ... up to `ceiling`."""

    def __init__(self, first: float = 0.5, ceiling: float = 10.0) -> None:
        self.first = first
        self.ceiling = ceiling
        self.failures = 0

    def next_delay(self) -> float:
        """The wait before the next try (and count this failure)."""
        delay = min(self.ceiling, self.first * 2.0**self.failures)
        self.failures += 1
        return delay

    def reset(self) -> None:
        """A try succeeded: the next failure waits the first delay again."""
        self.failures = 0

    async def wait(self) -> None:
        """Sleep (asynchronously) before the next try."""
        await asyncio.sleep(self.next_delay())

    def sleep(self) -> None:
        """Sleep (blocking) before the next try."""
        time.sleep(self.next_delay())


def raise_if_cancelling() -> None:
    """Re-raise a cancellation that a library turned into another error on its way out (e.g. a
    Redis connection torn down mid-command), so a loop that catches errors still ends when its
    task is cancelled instead of looping forever and hanging whoever awaits it."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def stop_task(task: "asyncio.Task[Any]", name: str, timeout: float = 5.0) -> None:
    """Cancel a task and wait for it to end, at most `timeout` seconds (a task that will not end
    is logged and left behind rather than hanging the shutdown)."""
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        log.error("%s did not stop within %s s of being cancelled", name, timeout)


async def forever(
    name: str, step: Callable[[], Awaitable[Any]], interval: float, backoff: Backoff | None = None
) -> None:
    """Await `step` every `interval` seconds until cancelled; a failure is logged, then retried."""
    backoff = backoff or Backoff()
    while True:
        try:
            await step()
        except Exception:
            raise_if_cancelling()
            log.exception("%s failed; retrying", name)
            await backoff.wait()
            continue
        backoff.reset()
        await asyncio.sleep(interval)


class TaskSet:
    """Keeps references to fire-and-forget tasks (the loop holds them only weakly) and logs
    their failures."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Awaitable[Any], name: str) -> "asyncio.Task[Any]":
        """Start a task and keep it until it ends."""

        async def run() -> Any:
            return await coro

        task = asyncio.ensure_future(run())
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: "asyncio.Task[Any]") -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("task %s failed", task.get_name(), exc_info=task.exception())

    async def cancel_all(self) -> None:
        """Cancel every task still running and wait for them."""
        await asyncio.gather(
            *(stop_task(task, task.get_name()) for task in list(self._tasks)),
            return_exceptions=True,
        )
