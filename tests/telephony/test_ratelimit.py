"""The shared rate limit holds N requests to any window at the carrier, however late they arrive."""

import logging
import random
import threading
import time

import pytest
import redis as redis_lib

from telephony.ratelimit import Place, rate_limited, window_of
from tests.telephony.conftest import free_port


def _carrier_arrivals(
    client: "redis_lib.Redis", *, key: str, per_second: float, senders: int, requests: int
) -> list[float]:
    """Send from several threads; each request reaches the carrier at a random moment between
    its sending and its answer, which comes back 0-120 ms later (a few much later)."""
    arrivals: list[float] = []
    lock = threading.Lock()
    left = iter(range(requests))

    def sender(seed: int) -> None:
        rng = random.Random(seed)
        while True:
            with lock:
                if next(left, None) is None:
                    return
            with rate_limited(client, key=key, per_second=per_second):
                sent = time.time()
                answer_after = rng.choice([rng.uniform(0, 0.03), rng.uniform(0, 0.12), 0.25])
                arrival = sent + rng.uniform(0, answer_after)
                time.sleep(answer_after)
                with lock:
                    arrivals.append(arrival)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(arrivals)


def test_no_window_at_the_carrier_holds_more_than_the_rate_whatever_the_delays(
    redis: "redis_lib.Redis",
) -> None:
    arrivals = _carrier_arrivals(redis, key="test-cps", per_second=20, senders=6, requests=120)

    assert len(arrivals) == 120
    spans = [last - first for first, last in zip(arrivals, arrivals[20:], strict=False)]
    assert min(spans) >= 1.0, min(spans)
    # ... and the price is about one round trip a window, not a slower rate.
    assert (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) > 20 * 0.8


def test_a_place_given_back_is_free_at_once_and_a_kept_one_a_window_after_its_answer(
    redis: "redis_lib.Redis",
) -> None:
    assert window_of(2) == (2, 1.0)
    for _ in range(2):
        with rate_limited(redis, key="test-given", per_second=2) as place:
            place.give_back()
    with rate_limited(redis, key="test-given", per_second=2) as place:
        assert place.waited < 0.9  # the next slot, 0.5 s on: both places were free

    answered = []
    for _ in range(2):
        with rate_limited(redis, key="test-kept", per_second=2):
            pass
        answered.append(time.monotonic())
    with rate_limited(redis, key="test-kept", per_second=2):
        assert time.monotonic() - answered[0] >= 0.95  # the first place freed a window after


def test_slow_rates_keep_one_place_for_a_longer_window() -> None:
    assert window_of(0.5) == (1, 2.0)
    assert window_of(30) == (30, 1.0)
    assert window_of(2.5) == (2, 0.8)


def test_a_redis_blip_after_sending_does_not_fail_the_send(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gone = redis_lib.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.5)
    place = Place(0.0, gone, "acuerdo:rate-window:test", "token", 1_000_000)
    with caplog.at_level(logging.WARNING, logger="telephony.ratelimit"):
        place.keep()  # logged, not raised: the request was sent and must be recorded
    assert "place held until it expires" in caplog.text
