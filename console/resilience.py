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


async def forever(
    name: str, step: Callable[[], Awaitable[Any]], interval: float, backoff: Backoff | None = None
) -> None:
    """Await `step` every `interval` seconds until cancelled; a failure is logged, then retried."""
    backoff = backoff or Backoff()
    while True:
        try:
            await step()
        except Exception:
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
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
