"""The pacer: how many calls one campaign should launch this second. Pure: no I/O, no clock.

The dialing loop (and the simulator) build a `PacingSnapshot` every second from plain numbers and
tuples of seconds and call `decide(snapshot)`; the answer is a `PacingDecision` with the number of
calls and a short reason for the wallboard.

Modes
-----
preview      0 calls: the agent reads the account and places the call.
progressive  one call per ready agent not already covered by a ringing or waiting call:
             n = ready - ringing - waiting. No answered call can ever lack an agent.
predictive   bets on agents about to free and on calls that will not be answered.

The predictive model
--------------------
Look at points x = 1 .. ring timeout seconds ahead. For each x:

* supply S(x) = ready + sum over busy agents of P(agent free by x + g), where g is the grace an
  answered call may wait (the rule says an agent within 2 s). An agent talking for e seconds frees
  with P(T + W <= e + x + g | T > e), one wrapping up for e seconds with P(W <= e + x + g | W > e),
  both from the campaign's recent talk (T) and wrap-up (W) times (conditional remaining time).
* demand D(x) = waiting + sum over ringing calls of P(answered by a person in (t, t + x] | rang t s)
  + n * p_h * F_A(x), where n is the number of new calls, p_h the person-answer share for this hour,
  F_A the ring-to-answer distribution and the ringing term is the hazard view (see estimates.py).

Supply and demand are sums of independent Bernoulli variables (mean, variance
V = sum p (1 - p) and third cumulant K = sum p (1 - p)(1 - 2p)). The pacer launches the largest n
whose *last* call is abandoned with probability at most `risk`:

    risk(n) = sum over points x_i of w_i * P(Y_i >= 0),  Y_i = D(x_i) + B_i - S(x_i),
    mean m_i = D(x_i) + (n - 1) p_h F_A(x_i) - S(x_i),  variance V_S + V_D + (n - 1) v(x_i),
    third cumulant K_D - K_S + (n - 1) k(x_i)   (B_i: answers of the other n - 1 new calls),

with w_i = (F_A(x_i) - F_A(x_(i-1))) / F_A(timeout) the chance that the call is answered in that
interval. P(Y >= 0) is a normal with 1/2 the continuity correction for counts; `skew_cap` > 0
corrects it for the skew (normal-power approximation, `estimates.upper_tail`): a few rare answers
make a right-skewed sum whose tail a plain normal puts at a third of its value. It is off by
default: measured in issue 14 item 8, it needed a hotter `risk_base` to pay, and that broke the
shared-team contract (docs/pacing.md). A call answered at x
finds no agent when the other answers by x already take every agent freed by x + g. Weighting by
when the call is answered means a shortfall in the next second or two (when a new call can
hardly answer) does not stop the bet, while the seconds where new calls do answer decide it.
risk(n) grows with n, so n is found by bisection up to the CPS and line limits.

The risk allowed goes from `risk_base` (room in the windows) to `risk_near` (at the fallback
level) with the strain s = max(by rate, by allowance):
* by rate: (r - r_0) / (r_f - r_0) clipped to [0, 1], for the rolling window's rate and for the
  last 24 hours' rate shrunk towards it ((day abandons + K r) / (day live + K),
  K = `day_prior_live`: a morning's first abandon in 20 live answers is not a 5% day);
  r_f = `fallback_fraction` x target is the fallback level, r_0 = `relaxed_fraction` x target the
  level under which the rate does not tighten the bet (the controller keeps the rate near r_0);
* by allowance: 1 - A / `allowance_scale`, A = r_f (live + 1) - (abandons + 1) the abandons the
  rolling window can still absorb: a young window bets cautiously.
A team smaller than `full_risk_agents` (20) takes risk x sqrt(agents / 20): a day of 8 agents
has few live answers, so each abandon moves its rate a lot.
Predictive never launches fewer calls than progressive would (each covered by a ready agent).

The answer share p_h
--------------------
p_h = w * recent + (1 - w) * curve[hour], w = m / (m + `prior_calls`) with m recent calls (the
hour-of-day curve from earlier days carries the estimate until the campaign has calls of its
own). Then it follows a change seen in the newest calls (`recent_person_answers`): for each window
of the k newest calls (`answer_windows`, 25 to 200) with person share r and standard error
se = sqrt(q (1 - q) / k), q = max(r, p_h), p_h is raised to at least r - `rise_z` se and lowered
to at most r + `fall_z` se. A rise (8% in the morning, 30% at lunch) is followed within a few
dozen calls, since under-estimating the share is what abandons debtors; a fall only once clear.
Finally p_h is never below `curve_floor` x curve[hour]: when earlier days say the share rises at
13:00, the bet shrinks at 13:00, before the newest calls can show it (calls ring up to 25 s
before their outcome is known, and a big team has placed hundreds of them by then).

Rules that override the model
-----------------------------
* fewer than `small_team_agents` (6) agents logged in (ready + talking + wrapping): progressive,
  because a handful of agents makes the abandon rate spiky (one bad second is several percent);
* the rolling window would be at or above `fallback_fraction` x target after one more abandon,
  (abandons + 1) / (live answers + 1) >= fallback_fraction x target: progressive. A fresh campaign
  therefore runs progressively until it has earned enough live answers to afford an abandon. A
  hot day (its shrunk rate at the fallback level) does not switch to progressive: it bets with
  `risk_near`, which keeps it well under the cap without idling every agent through every ring;
* not enough history (fewer than `min_samples` ring, talk or wrap-up times): progressive;
* never more than the CPS limit this second, never more than max_lines calls dialing at once
  (ringing + answered and waiting for an agent).

Ring-to-answer times are measured up to the moment a call reaches routing (after machine
detection), which is when it needs an agent.
"""

from __future__ import annotations

import math
from collections import Counter

from campaigns.i18n import _
from campaigns.models.enums import DialingMode
from telephony.dialer.estimates import (
    Row,
    Shortfall,
    answer_model,
    follow_change,
    freeing_model,
    known_freeing,
    largest_safe,
)
from telephony.dialer.pacing_contract import (
    PacerParameters,
    PacingDecision,
    PacingHistory,
    PacingSnapshot,
)

PREVIEW_REASON = _("Preview: agents place their own calls.")
PROGRESSIVE_REASON = _("Progressive: one call per ready agent.")
SMALL_TEAM_REASON = _("Small team ({agents} agents): one call per ready agent.")
NEAR_CAP_REASON = _("Abandon rate {rate} is near the {target} cap: one call per ready agent.")
WARM_UP_REASON = _(
    "Only {live} live answers in the window, too few to risk an abandon: one call per ready agent."
)
NO_HISTORY_REASON = _("Not enough call history yet: one call per ready agent.")
PREDICTIVE_REASON = _("Predictive: {live} live answers expected for {free} agents free.")


def progressive_calls(snapshot: PacingSnapshot) -> int:
    """One call per ready agent not already covered by a ringing or waiting call."""
    covered = len(snapshot.ringing_elapsed_s) + snapshot.answered_waiting
    return max(0, snapshot.agents_ready - covered)


def capacity(snapshot: PacingSnapshot) -> int:
    """Calls that may be launched this second under the CPS limit and max lines."""
    dialing = len(snapshot.ringing_elapsed_s) + snapshot.answered_waiting
    return max(0, min(snapshot.cps_limit, snapshot.max_lines - dialing))


def decide(snapshot: PacingSnapshot, parameters: PacerParameters | None = None) -> PacingDecision:
    """How many calls to launch now for this campaign snapshot."""
    params = parameters or PacerParameters()
    if snapshot.mode == DialingMode.PREVIEW:
        return PacingDecision(0, DialingMode.PREVIEW, PREVIEW_REASON)
    if snapshot.mode == DialingMode.PROGRESSIVE:
        return _progressive(snapshot, PROGRESSIVE_REASON)
    history = snapshot.history
    if snapshot.agents_logged_in < params.small_team_agents:
        return _progressive(
            snapshot, SMALL_TEAM_REASON, (("agents", str(snapshot.agents_logged_in)),)
        )
    fallback_rate = params.fallback_fraction * snapshot.abandon_target
    if not history.abandons and 1 / (history.live_answers + 1) >= fallback_rate:
        return _progressive(snapshot, WARM_UP_REASON, (("live", str(history.live_answers)),))
    near = []
    if history.abandons and (history.abandons + 1) / (history.live_answers + 1) >= fallback_rate:
        near.append(history.abandon_rate)
    if near:
        rate = max(near)
        return _progressive(
            snapshot,
            NEAR_CAP_REASON,
            (
                ("rate", f"{100 * rate:.1f}%"),
                ("target", f"{100 * snapshot.abandon_target:.1f}%"),
            ),
        )
    if min(len(history.ring_to_answer_s), len(history.talk_s), len(history.wrap_s)) < (
        params.min_samples
    ):
        return _progressive(snapshot, NO_HISTORY_REASON)
    strain = _strain(history, fallback_rate, params)
    risk = params.risk_base + (params.risk_near - params.risk_base) * strain
    if params.full_risk_agents > 0:
        risk *= min(1.0, math.sqrt(snapshot.agents_logged_in / params.full_risk_agents))
    return _predictive(snapshot, params, risk=risk)


def person_answer_rate(snapshot: PacingSnapshot, params: PacerParameters) -> float:
    """The person-answer share expected now: recent rate blended with the hour-of-day curve."""
    history = snapshot.history
    curve = history.answer_rate_by_hour
    expected = curve[snapshot.hour % 24] if len(curve) == 24 else history.answer_rate
    weight = history.recent_calls / (history.recent_calls + params.prior_calls)
    estimate = follow_change(
        weight * history.answer_rate + (1.0 - weight) * expected,
        history.recent_person_answers,
        windows=params.answer_windows,
        rise_z=params.rise_z,
        fall_z=params.fall_z,
    )
    if len(curve) == 24:
        estimate = max(estimate, params.curve_floor * curve[snapshot.hour % 24])
    return min(1.0, max(params.min_answer_rate, estimate))


def horizons(ring_timeout_s: float) -> tuple[float, ...]:
    """Points ahead (seconds) where supply must cover demand: dense first, up to the timeout."""
    points = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0]
    step = 20.0
    while step < ring_timeout_s:
        step += 3.0
        points.append(min(step, ring_timeout_s))
    return tuple(p for p in points if p <= max(1.0, ring_timeout_s))


def _day_rate(history: PacingHistory, params: PacerParameters) -> float:
    """The last 24 hours' abandon rate, shrunk towards the rolling window's: a morning's first
    abandon in 20 live answers is not a 5% day."""
    prior = params.day_prior_live
    if history.day_live_answers + prior <= 0:
        return 0.0
    return (history.day_abandons + prior * history.abandon_rate) / (
        history.day_live_answers + prior
    )


def _strain(history: PacingHistory, fallback_rate: float, params: PacerParameters) -> float:
    """0 (room in the windows) to 1 (at the fallback level): from the rolling window's or the
    day's (shrunk) rate above the relaxed level, or from the rolling window's remaining allowance
    running out (a young window, where one abandon weighs a lot)."""
    if fallback_rate <= 0:
        return 1.0
    relaxed = min(params.relaxed_fraction * fallback_rate / params.fallback_fraction, fallback_rate)
    worst = 0.0
    for rate in (history.abandon_rate, _day_rate(history, params)):
        worst = max(worst, min(1.0, max(0.0, rate - relaxed) / max(fallback_rate - relaxed, 1e-9)))
    allowance = fallback_rate * (history.live_answers + 1) - (history.abandons + 1)
    return max(worst, 1.0 - min(1.0, max(0.0, allowance) / params.allowance_scale))


def _progressive(
    snapshot: PacingSnapshot, reason: str, params: tuple[tuple[str, str], ...] = ()
) -> PacingDecision:
    calls = min(progressive_calls(snapshot), capacity(snapshot))
    ready = float(snapshot.agents_ready)
    return PacingDecision(calls, DialingMode.PROGRESSIVE, reason, params, expected_free=ready)


def _add_rows(rows: Counter[Row], size: int) -> tuple[list[float], list[float], list[float]]:
    """Mean, variance and third cumulant of the sum of the rows' Bernoulli variables."""
    means = [0.0] * size
    variances = [0.0] * size
    thirds = [0.0] * size
    for (probabilities, bernoulli, third), count in rows.items():
        for i in range(size):
            means[i] += count * probabilities[i]
            variances[i] += count * bernoulli[i]
            thirds[i] += count * third[i]
    return means, variances, thirds


def _predictive(
    snapshot: PacingSnapshot, params: PacerParameters, *, risk: float
) -> PacingDecision:
    history = snapshot.history
    points = horizons(snapshot.ring_timeout_s)
    size = len(points)
    human = round(person_answer_rate(snapshot, params), 3)
    machine = round(min(max(0.0, history.machine_rate), 1.0 - human), 3)
    answers = answer_model(
        history.ring_to_answer_s, human, machine, snapshot.ring_timeout_s, points
    )
    deadlines = tuple(p + params.grace_s for p in points)
    if snapshot.frees_in_s is None:
        freeing = freeing_model(history.talk_s, history.wrap_s, deadlines)
        supply_rows: Counter[Row] = Counter(freeing.talking(e) for e in snapshot.talk_elapsed_s)
        supply_rows.update(freeing.wrapping(e) for e in snapshot.wrap_elapsed_s)
    else:
        supply_rows = Counter(known_freeing(r, deadlines) for r in snapshot.frees_in_s)
    supply, supply_var, supply_third = _add_rows(supply_rows, size)
    demand, demand_var, demand_third = _add_rows(
        Counter(answers.ringing(t) for t in snapshot.ringing_elapsed_s), size
    )
    new_call = answers.new_call[0]
    shortfall = Shortfall(
        available=[
            snapshot.agents_ready + supply[i] - snapshot.answered_waiting - demand[i]
            for i in range(size)
        ],
        variance=[supply_var[i] + demand_var[i] for i in range(size)],
        third=[supply_third[i] - demand_third[i] for i in range(size)],
    )
    calls = largest_safe(capacity(snapshot), shortfall, answers.new_call, risk, params.skew_cap)
    calls = min(max(calls, progressive_calls(snapshot)), capacity(snapshot))
    live = snapshot.answered_waiting + demand[-1] + calls * new_call[-1]
    free = snapshot.agents_ready + supply[-1]
    return PacingDecision(
        calls,
        DialingMode.PREDICTIVE,
        PREDICTIVE_REASON,
        (("live", f"{live:.1f}"), ("free", f"{free:.1f}")),
        expected_live=live,
        expected_free=free,
    )
