"""Rate limits shared by every worker on every host, kept in Redis.

Each limited resource (the account's calls per second, one sender's messages per second) has a
"next free slot" time in Redis. A caller atomically reserves the next slot and sleeps until it, so
N workers together never exceed the configured rate. Times come from the Redis server's clock.

The carrier counts a request when it arrives, a few milliseconds after its slot and not always
the same few: with slots exactly 1/N s apart, a request that arrived a little late shares a
one-second window with N others at the carrier. Slots are spaced (1 + ARRIVAL_JITTER_S) / N s
apart, so any one-second window at the carrier holds at most N requests while they arrive within
ARRIVAL_JITTER_S of their slots; the rate is then 1.5% under N.
"""

import time

import redis

ARRIVAL_JITTER_S = 0.015

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nxt)
redis.call('SET', KEYS[1], slot + interval, 'PX', math.floor((slot - now + interval) / 1000) + 1000)
return slot - now
"""


def reserve_slot(client: "redis.Redis", *, key: str, per_second: float) -> float:
    """Reserve the next slot for this resource; returns the seconds to wait before using it."""
    interval_us = int(1_000_000 * (1 + ARRIVAL_JITTER_S) / per_second)
    wait_us = int(client.eval(_RESERVE, 1, f"acuerdo:rate:{key}", interval_us))
    return wait_us / 1_000_000


def wait_for_slot(client: "redis.Redis", *, key: str, per_second: float) -> float:
    """Block until this process may use the resource; returns how long it waited."""
    wait = reserve_slot(client, key=key, per_second=per_second)
    if wait > 0:
        time.sleep(wait)
    return wait
