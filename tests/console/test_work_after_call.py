"""An agent's work after its call ends: an update read before the end (a draft, an outcome
saved during the call) never brings the finished call back to a ready agent's console."""

from redis.asyncio import Redis

from campaigns.redis_conn import redis_url
from console.agents import work
from tests.event_loop import run_async

AGENT, ATTEMPT = 9101, 9301


async def _stale_update_after_the_end() -> tuple[bool, work.Work]:
    redis = Redis.from_url(redis_url())
    try:
        await work.start(redis, AGENT, work.Work(attempt_id=ATTEMPT, call_status="connected"))
        read_before_the_end = await work.load(redis, AGENT)
        await work.clear(redis, AGENT)  # the call ended with its outcome saved
        read_before_the_end.draft = {"notes": "typed as the debtor hung up"}
        written = await work.save(redis, AGENT, read_before_the_end)
        return written, await work.load(redis, AGENT)
    finally:
        await redis.aclose()


def test_an_update_read_before_the_call_ended_is_not_written() -> None:
    written, now = run_async(_stale_update_after_the_end())
    assert written is False
    assert now.attempt_id is None and now.draft == {}


async def _update_during_the_call() -> tuple[bool, work.Work]:
    redis = Redis.from_url(redis_url())
    try:
        await work.start(redis, AGENT, work.Work(attempt_id=ATTEMPT, call_status="connected"))
        current = await work.load(redis, AGENT)
        current.script_step = "verify"
        written = await work.save(redis, AGENT, current)
        return written, await work.load(redis, AGENT)
    finally:
        await work.clear(redis, AGENT)
        await redis.aclose()


def test_an_update_during_the_call_is_written() -> None:
    written, now = run_async(_update_during_the_call())
    assert written is True
    assert now.attempt_id == ATTEMPT and now.script_step == "verify"
