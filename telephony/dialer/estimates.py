"""The probabilities the predictive pacer adds up: when busy agents free up, when calls answer,
and the chance that the last call launched finds no agent (`marginal_risk`).

Everything here is pure arithmetic over recent history (plain tuples of seconds). Distributions are
empirical: no shape is assumed, so a campaign whose calls are short or long, regular or erratic is
described by its own last few hundred calls. Per-second rows are memoised because the pacer asks
for the same elapsed times every second; the cache keys are the history tuples themselves.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

Row = tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]
"""Per horizon point: probabilities, their Bernoulli variances p(1 - p) and third cumulants
p(1 - p)(1 - 2p)."""

MIN_TAIL_SAMPLES = 5
"""Below this many samples longer than the elapsed time, the tail is too thin to condition on."""


class Empirical:
    """An empirical distribution of durations in seconds."""

    def __init__(self, samples: Sequence[float]) -> None:
        self.sorted: tuple[float, ...] = tuple(sorted(float(s) for s in samples))
        self.count = len(self.sorted)
        self.mean = sum(self.sorted) / self.count if self.count else 0.0

    def cdf(self, seconds: float) -> float:
        """P(X <= seconds)."""
        if not self.count:
            return 0.0
        return bisect_right(self.sorted, seconds) / self.count

    def longer_than(self, seconds: float) -> int:
        """How many samples exceed `seconds`."""
        return self.count - bisect_right(self.sorted, seconds)

    def quantile(self, share: float) -> float:
        """The smallest sample with at least `share` of the samples at or below it."""
        if not self.count:
            return 0.0
        index = min(self.count - 1, max(0, int(share * self.count + 0.999999) - 1))
        return self.sorted[index]

    def conditioning_cap(self) -> int:
        """The longest elapsed time that still has MIN_TAIL_SAMPLES longer samples."""
        if self.count <= MIN_TAIL_SAMPLES:
            return 0
        return max(0, int(self.sorted[self.count - MIN_TAIL_SAMPLES - 1]))


def _row(probabilities: Sequence[float]) -> Row:
    clipped = tuple(min(1.0, max(0.0, p)) for p in probabilities)
    return (
        clipped,
        tuple(p * (1.0 - p) for p in clipped),
        tuple(p * (1.0 - p) * (1.0 - 2.0 * p) for p in clipped),
    )


class FreeingModel:
    """P(a busy agent is free within x seconds), given how long it has been talking or wrapping up.

    An agent talking for `e` seconds frees when the rest of the call and the whole wrap-up are over:
    P(T + W <= e + x | T > e) = sum over talk samples t in (e, e + x] of F_W(e + x - t) / #{t > e}.
    An agent in wrap-up for `e` seconds: P(W <= e + x | W > e) = (F_W(e + x) - F_W(e)) / S_W(e).
    Past the longest well-sampled elapsed time the row of that time is used (a call longer than
    almost all calls is treated as one at the edge of what was seen, not as one about to end).
    """

    def __init__(self, talk: Empirical, wrap: Empirical, horizons: tuple[float, ...]) -> None:
        self.talk = talk
        self.wrap = wrap
        self.horizons = horizons
        self._talk_cap = talk.conditioning_cap()
        self._wrap_cap = wrap.conditioning_cap()
        self._talk_rows: dict[int, Row] = {}
        self._wrap_rows: dict[int, Row] = {}

    def talking(self, elapsed: float) -> Row:
        """Freeing probabilities for an agent `elapsed` seconds into a call."""
        key = min(int(elapsed), self._talk_cap)
        row = self._talk_rows.get(key)
        if row is None:
            row = self._talk_rows[key] = self._talking_row(key)
        return row

    def wrapping(self, elapsed: float) -> Row:
        """Freeing probabilities for an agent `elapsed` seconds into wrap-up."""
        key = min(int(elapsed), self._wrap_cap)
        row = self._wrap_rows.get(key)
        if row is None:
            row = self._wrap_rows[key] = self._wrapping_row(key)
        return row

    def _talking_row(self, elapsed: int) -> Row:
        longer = self.talk.longer_than(elapsed)
        if not longer:
            return _row([0.0] * len(self.horizons))
        samples = self.talk.sorted
        start = bisect_right(samples, elapsed)
        probabilities = []
        for x in self.horizons:
            end = bisect_right(samples, elapsed + x)
            total = sum(self.wrap.cdf(elapsed + x - t) for t in samples[start:end])
            probabilities.append(total / longer)
        return _row(probabilities)

    def _wrapping_row(self, elapsed: int) -> Row:
        longer = self.wrap.longer_than(elapsed)
        if not longer:
            return _row([1.0] * len(self.horizons))
        done = self.wrap.cdf(elapsed)
        survival = longer / self.wrap.count
        return _row([(self.wrap.cdf(elapsed + x) - done) / survival for x in self.horizons])


def known_freeing(remaining: float, horizons: tuple[float, ...]) -> Row:
    """Freeing "probabilities" of an agent known to free in `remaining` seconds: 1 from then on.
    Only the simulator's clairvoyant bound knows this (`PacingSnapshot.frees_in_s`)."""
    return _row([1.0 if remaining <= x else 0.0 for x in horizons])


class AnswerModel:
    """P(a call is answered by a person within x seconds), new or already ringing for `age` seconds.

    With p_h the person-answer share, p_m the machine-answer share, p_n = 1 - p_h - p_m the calls
    that ring out at the timeout, and F_A the ring-to-answer distribution of answered calls:
    new call: p_h * F_A(x);
    ringing for t seconds (the hazard view, conditioned on no answer so far):
        p_h * (F_A(t + x) - F_A(t)) / (p_h * S_A(t) + p_m * S_A(t) + p_n * [t < timeout]).
    A call that has rung long without an answer is more and more likely to be one that rings out.
    """

    def __init__(
        self,
        ring: Empirical,
        *,
        human: float,
        machine: float,
        timeout_s: float,
        horizons: tuple[float, ...],
    ) -> None:
        self.ring = ring
        self.human = human
        self.machine = machine
        self.no_answer = max(0.0, 1.0 - human - machine)
        self.timeout_s = timeout_s
        self.horizons = horizons
        self.new_call: Row = _row([human * ring.cdf(x) for x in horizons])
        self._rows: dict[int, Row] = {}

    def ringing(self, age: float) -> Row:
        """Answer probabilities for a call that has rung `age` seconds without an answer."""
        key = int(age)
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = self._ringing_row(key)
        return row

    def _ringing_row(self, age: int) -> Row:
        answered_later = 1.0 - self.ring.cdf(age)
        still_ringing = (self.human + self.machine) * answered_later + self.no_answer * (
            1.0 if age < self.timeout_s else 0.0
        )
        if still_ringing <= 0.0:
            return _row([0.0] * len(self.horizons))
        done = self.ring.cdf(age)
        return _row(
            [self.human * (self.ring.cdf(age + x) - done) / still_ringing for x in self.horizons]
        )


@dataclass(frozen=True)
class Shortfall:
    """Per horizon point x: the agents left for a new call answered at x, as cumulants of a sum
    of independent Bernoulli variables: supply - demand (mean), its variance and third cumulant."""

    available: list[float]
    variance: list[float]
    third: list[float]


def upper_tail(mean: float, variance: float, third: float, skew_cap: float) -> float:
    """P(Y >= 0) for an integer Y with these cumulants (continuity corrected: P(Y > -1/2)).

    The normal-power approximation: with skewness g, P(Z <= z) = Phi(w), z = w + g (w^2 - 1) / 6.
    A sum of a few unlikely answers is skewed to the right (a Poisson of mean 1 has g = 1): the
    plain normal puts P(4 or more answers) at 0.5% where it is 1.9%, and the pacer, betting on
    the tail, would abandon three times as often as it thinks. |g| is capped at `skew_cap`
    (0: the plain normal)."""
    sd = math.sqrt(max(1e-9, variance))
    z = (-0.5 - mean) / sd
    skew = max(-skew_cap, min(skew_cap, third / sd**3))
    if abs(skew) < 1e-6:
        return 0.5 * math.erfc(z / math.sqrt(2.0))
    radicand = 1.0 + skew * skew / 9.0 + 2.0 * skew * z / 3.0
    if radicand <= 0.0:
        return 1.0 if skew > 0 else 0.0
    w = 3.0 / skew * (math.sqrt(radicand) - 1.0)
    return 0.5 * math.erfc(w / math.sqrt(2.0))


def marginal_risk(calls: int, shortfall: Shortfall, new_call: Row, skew_cap: float) -> float:
    """P(the last of `calls` new calls finds no agent), averaged over when it is answered.

    Answered at point x, it is abandoned when the other answers by x already take every agent
    freed by x + g: Y = demand - supply + answers of the other (calls - 1) new calls >= 0."""
    share, bernoulli, third = new_call
    final = share[-1]
    if final <= 1e-9:
        return 0.0
    others = calls - 1
    risk = 0.0
    previous = 0.0
    for i, q in enumerate(share):
        weight = (q - previous) / final
        previous = q
        if weight <= 0.0:
            continue
        risk += weight * upper_tail(
            others * q - shortfall.available[i],
            shortfall.variance[i] + others * bernoulli[i],
            -shortfall.third[i] + others * third[i],
            skew_cap,
        )
    return risk


def largest_safe(
    limit: int, shortfall: Shortfall, new_call: Row, risk: float, skew_cap: float
) -> int:
    """The largest n in 0..limit whose marginal call is abandoned with at most `risk`."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if marginal_risk(middle, shortfall, new_call, skew_cap) <= risk:
            low = middle
        else:
            high = middle - 1
    return low


def follow_change(
    estimate: float,
    latest: Sequence[bool],
    *,
    windows: Sequence[int],
    rise_z: float,
    fall_z: float,
) -> float:
    """Move the estimate into the confidence band of every newest-call window that disagrees.

    With k newest calls and r their person-answer share, the band is
    [r - rise_z * se, r + fall_z * se], se = sqrt(q (1 - q) / k), q = max(r, estimate). An estimate
    below a band is raised to its lower edge (more answers than expected: bet less, now); one above
    every band is lowered to the lowest upper edge (fewer answers: bet more, once it is clear).
    Raising wins over lowering, since under-estimating the share is what abandons debtors.
    """
    lowest_top, highest_bottom = math.inf, 0.0
    answered = 0
    counted = 0
    for window in sorted(windows):
        if len(latest) < window:
            break
        answered += sum(latest[counted:window])
        counted = window
        share = answered / window
        worst = max(share, estimate)
        error = math.sqrt(worst * (1.0 - worst) / window)
        highest_bottom = max(highest_bottom, share - rise_z * error)
        lowest_top = min(lowest_top, share + fall_z * error)
    return max(min(estimate, lowest_top), highest_bottom)


@lru_cache(maxsize=32)
def empirical(samples: tuple[float, ...]) -> Empirical:
    """The (memoised) empirical distribution of these samples."""
    return Empirical(samples)


@lru_cache(maxsize=16)
def freeing_model(
    talk: tuple[float, ...], wrap: tuple[float, ...], horizons: tuple[float, ...]
) -> FreeingModel:
    """The (memoised) freeing model for these talk and wrap-up samples."""
    return FreeingModel(empirical(talk), empirical(wrap), horizons)


@lru_cache(maxsize=64)
def answer_model(
    ring: tuple[float, ...],
    human: float,
    machine: float,
    timeout_s: float,
    horizons: tuple[float, ...],
) -> AnswerModel:
    """The (memoised) answer model; rates are rounded by the caller so the cache stays small."""
    return AnswerModel(
        empirical(ring), human=human, machine=machine, timeout_s=timeout_s, horizons=horizons
    )
