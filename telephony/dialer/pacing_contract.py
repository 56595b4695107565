"""The pacer's contract: what the dialing loop (or the simulator) tells it every second about
one campaign, its tuning, and what it answers. Plain numbers and tuples of seconds, so a snapshot
is built straight from the database and Redis (docs/pacing.md, "The contract"); the model that
turns a snapshot into a decision is `pacer.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from campaigns.i18n import translate
from campaigns.models.enums import DialingMode


@dataclass(frozen=True)
class PacingHistory:
    """What the campaign's recent calls say; plain numbers and tuples of seconds."""

    answer_rate: float
    """Share of recently placed calls answered by a person."""
    machine_rate: float = 0.0
    """Share of recently placed calls answered by a machine (detected, no agent needed)."""
    recent_calls: int = 0
    """How many placed calls the two rates above come from."""
    recent_person_answers: tuple[bool, ...] = ()
    """The same recent calls newest first: True where a person answered. Lets the pacer see a
    change of the answer share in the last few dozen calls before the whole window shows it."""
    answer_rate_by_hour: tuple[float, ...] = ()
    """Person-answer share by local hour of day (24 values), from earlier days; may be empty."""
    ring_to_answer_s: tuple[float, ...] = ()
    """Recent ring-to-answer times of answered calls, seconds."""
    talk_s: tuple[float, ...] = ()
    """Recent talk times, seconds."""
    wrap_s: tuple[float, ...] = ()
    """Recent wrap-up times, seconds."""
    live_answers: int = 0
    """Calls answered by a person in the rolling abandon window."""
    abandons: int = 0
    """Of those, calls abandoned (no agent within the grace time)."""
    day_live_answers: int = 0
    """Calls answered by a person in the last 24 hours (a subset of the rolling window)."""
    day_abandons: int = 0
    """Of those, calls abandoned."""

    @property
    def abandon_rate(self) -> float:
        """Abandoned / live answers in the rolling window (0 when there are none)."""
        return self.abandons / self.live_answers if self.live_answers else 0.0

    @property
    def windows(self) -> tuple[tuple[int, int], ...]:
        """(live answers, abandons) of the rolling window and of the last 24 hours."""
        return (self.live_answers, self.abandons), (self.day_live_answers, self.day_abandons)


@dataclass(frozen=True)
class PacingSnapshot:
    """One campaign, this second."""

    mode: DialingMode
    agents_ready: int
    history: PacingHistory
    talk_elapsed_s: tuple[float, ...] = ()
    """One entry per agent on a call: seconds talked so far."""
    wrap_elapsed_s: tuple[float, ...] = ()
    """One entry per agent in wrap-up: seconds so far."""
    frees_in_s: tuple[float, ...] | None = None
    """Seconds until each busy agent frees, known exactly: only the simulator's clairvoyant bound
    sets it (a dialing loop never knows it); it then replaces the freeing model's estimate."""
    ringing_elapsed_s: tuple[float, ...] = ()
    """One entry per call placed and not yet answered: seconds since it was placed."""
    answered_waiting: int = 0
    """Calls answered by a person and waiting for an agent right now."""
    hour: int = 12
    """Local hour of day (0-23), to read the answer-rate curve."""
    cps_limit: int = 1
    max_lines: int = 50
    """Most calls dialing at once (ringing + answered and waiting)."""
    ring_timeout_s: float = 25.0
    abandon_target: float = 0.03

    @property
    def agents_logged_in(self) -> int:
        """Ready, talking and wrapping-up agents."""
        return self.agents_ready + len(self.talk_elapsed_s) + len(self.wrap_elapsed_s)


@dataclass(frozen=True)
class PacerParameters:
    """Tuning of the predictive model; the defaults are the benchmarked ones (docs/pacing.md)."""

    small_team_agents: int = 6
    """Below this many agents logged in, progressive."""
    fallback_fraction: float = 0.8
    """Fall back when one more abandon brings the rolling window to this share of the target."""
    risk_base: float = 0.015
    """Abandon probability allowed for the last call launched, with room in the windows."""
    risk_near: float = 0.002
    """The same at the fallback level."""
    full_risk_agents: int = 20
    """Teams smaller than this take risk x sqrt(agents / this): each abandon weighs more in a
    small team's day, so its rate is spikier (0: no scaling)."""
    allowance_scale: float = 5.0
    """Abandons of remaining allowance under which the bet tightens."""
    relaxed_fraction: float = 0.5
    """Below this share of the target a window's rate does not tighten the bet."""
    day_prior_live: int = 100
    """The day's rate is read as if it had this many more live answers at the rolling rate."""
    grace_s: float = 2.0
    """How long an answered call may wait for an agent."""
    prior_calls: int = 200
    """Weight, in calls, of the hour curve against the recent calls."""
    min_samples: int = 20
    """Ring, talk and wrap-up samples needed before predicting."""
    min_answer_rate: float = 0.02
    """Floor on the answer share used (never bet on nobody answering)."""
    curve_floor: float = 0.9
    """The share is never taken below this fraction of the hour curve's value for this hour."""
    answer_windows: tuple[int, ...] = (25, 50, 100, 200)
    """Newest-call windows checked for a change of the answer share."""
    rise_z: float = 1.0
    """A window whose share is this many standard errors above the estimate raises it."""
    fall_z: float = 2.0
    """A window whose share is this many standard errors below the estimate lowers it."""
    skew_cap: float = 0.0
    """Largest skewness the tail of supply minus demand is corrected for (0: plain normal)."""


@dataclass(frozen=True)
class PacingDecision:
    """How many calls to launch now, which rule decided, and why (a message for the wallboard)."""

    calls: int
    mode_used: DialingMode
    reason: str
    params: tuple[tuple[str, str], ...] = field(default=())
    expected_live: float = 0.0
    expected_free: float = 0.0

    def describe(self, locale: str | None) -> str:
        """The reason in the reader's language."""
        return translate(locale, self.reason, **dict(self.params))
