"""Rate limits shared by every worker on every host, kept in Redis.

Each limited resource (the account's calls per second, one sender's messages per second) is held
to N requests in any window of N / rate seconds (30 in any second at 30 per second), counted as
the carrier counts them: when a request arrives there. Two parts, both in Redis, with times from
the Redis server's clock:

- **Slots** spread the requests: each caller reserves the next slot, 1 / rate seconds after the
  last one, and sleeps until it, so the workers together send evenly instead of in bursts.
- **Places in the window** make "never over" hold whatever the delays. A request's arrival at
  the carrier lies somewhere between the moment it is sent and the moment its answer is back; a
  caller takes one of the N places before sending and, once the answer is back, keeps it for one
  more window. Of any N + 1 requests the last one was sent while only N - 1 places were taken, so
  one of the other N had had its answer a whole window before: the N + 1 never arrive within one
  window, however late any request was on its way (a loaded host, a slow network). Slots alone
  cannot promise that: a request that arrives late shares the carrier's window with N others.

The price is the requests' round trip once a window: at 30 a second with answers in 10 ms, 29.7
requests a second. A place whose holder died before its answer frees itself after HELD_AT_MOST_S.
"""

import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis

log = logging.getLogger(__name__)

# Longer than any request waits for its answer: the Twilio client gives up after
# telephony.client.REQUEST_TIMEOUT_S (30 s). A worker killed mid-request frees its place then.
HELD_AT_MOST_S = 35.0
# How often a caller looks again while every place is held by a request still waiting its answer.
POLL_S = 0.005

_RESERVE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nxt)
redis.call('SET', KEYS[1], slot + interval, 'PX', math.floor((slot - now + interval) / 1000) + 1000)
return slot - now
"""

# Take a place if one is free (0), else the microseconds until the first one frees: a place kept
# after its answer frees within one window; one still waiting its answer is looked at again soon.
_TAKE_PLACE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local places, window, held, poll = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
    tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < places then
  redis.call('ZADD', KEYS[1], now + held, ARGV[5])
  redis.call('PEXPIRE', KEYS[1], math.floor(held / 1000) + 1000)
  return 0
end
local first = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
if first - now > window then
  return poll
end
return first - now
"""

# The answer is back: keep the place for one more window from now.
_KEEP_PLACE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
return 0
"""


def window_of(per_second: float) -> tuple[int, float]:
    """The places and the window's seconds for a rate: 30/s is 30 in 1 s, 0.5/s is 1 in 2 s."""
    places = max(1, int(per_second))
    return places, places / per_second


def _reserve_slot(client: "redis.Redis", *, key: str, per_second: float) -> float:
    """Reserve the next slot for this resource; returns the seconds to wait before using it."""
    interval_us = int(1_000_000 / per_second)
    wait_us = int(client.eval(_RESERVE_SLOT, 1, f"acuerdo:rate:{key}", interval_us))
    return wait_us / 1_000_000


@dataclass
class Place:
    """A place taken in a resource's window, for one request."""

    waited: float
    _client: "redis.Redis"
    _key: str
    _token: str
    _window_us: int
    _given_back: bool = False

    def give_back(self) -> None:
        """Nothing was sent after all: free the place at once."""
        self._given_back = True
        try:
            self._client.zrem(self._key, self._token)
        except redis.RedisError as error:  # it frees itself after HELD_AT_MOST_S
            log.warning("rate limit %s: place not given back: %s", self._key, error)

    def keep(self) -> None:
        """The request's answer is back (or it failed on its way): keep it one more window.

        Never raises: the request has been sent, and what the job does next (record it) must
        not be lost to a Redis blip. A place that could not be kept frees after HELD_AT_MOST_S.
        """
        if self._given_back:
            return
        try:
            self._client.eval(_KEEP_PLACE, 1, self._key, self._window_us, self._token)
        except redis.RedisError as error:
            log.warning("rate limit %s: place held until it expires: %s", self._key, error)


@contextmanager
def rate_limited(client: "redis.Redis", *, key: str, per_second: float) -> Iterator[Place]:
    """Wait for this resource's next slot and a place in its window, and yield the place.

    Send the request inside the block: the place is kept for one window after the block ends,
    however it ends, unless `Place.give_back` said nothing was sent.
    """
    places, window_s = window_of(per_second)
    window_key = f"acuerdo:rate-window:{key}"
    window_us = int(window_s * 1_000_000)
    token = uuid.uuid4().hex
    started = time.monotonic()
    wait = _reserve_slot(client, key=key, per_second=per_second)
    if wait > 0:
        time.sleep(wait)
    while True:
        wait_us = int(
            client.eval(
                _TAKE_PLACE,
                1,
                window_key,
                places,
                window_us,
                int(HELD_AT_MOST_S * 1_000_000),
                int(POLL_S * 1_000_000),
                token,
            )
        )
        if wait_us == 0:
            break
        time.sleep(wait_us / 1_000_000)
    place = Place(time.monotonic() - started, client, window_key, token, window_us)
    try:
        yield place
    finally:
        place.keep()
