"""Loops that survive errors still stop when cancelled, even when the cancellation surfaces as
another error (a Redis connection torn down mid-command)."""

import asyncio

from console.resilience import Backoff, forever, stop_task
from tests.event_loop import run_async


async def _cancel_a_loop_whose_step_turns_cancellation_into_an_error() -> tuple[bool, int]:
    steps = 0

    async def step() -> None:
        nonlocal steps
        steps += 1
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            raise ConnectionError("connection closed while reading") from None

    task = asyncio.create_task(forever("test loop", step, 0.01, Backoff(first=0.01)))
    await asyncio.sleep(0.05)
    await stop_task(task, "test loop", timeout=2)
    return task.done(), steps


def test_a_loop_ends_when_cancelled_even_if_its_step_raises_another_error() -> None:
    done, steps = run_async(_cancel_a_loop_whose_step_turns_cancellation_into_an_error())
    assert done and steps == 1


async def _a_task_that_ignores_cancellation() -> bool:
    give_up = asyncio.Event()

    async def stubborn() -> None:
        while not give_up.is_set():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await stop_task(task, "stubborn", timeout=0.2)
    stopped = task.done()
    give_up.set()
    task.cancel()
    await task
    return stopped


def test_stopping_a_task_that_will_not_end_does_not_hang_the_shutdown() -> None:
    assert run_async(_a_task_that_ignores_cancellation()) is False
