"""The pacer's decisions on hand-built snapshots of one campaign, and its limits under any input."""

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.models.enums import DialingMode
from telephony.dialer.estimates import upper_tail
from telephony.dialer.pacer import (
    NEAR_CAP_REASON,
    SMALL_TEAM_REASON,
    capacity,
    decide,
    person_answer_rate,
)
from telephony.dialer.pacing_contract import (
    PacerParameters,
    PacingDecision,
    PacingHistory,
    PacingSnapshot,
)

pytestmark = pytest.mark.backend_free

# Talk 100-140 s, wrap-up 20-30 s, answered calls ring 6-18 s: plain evenly spread samples.
TALK = tuple(100.0 + 40.0 * i / 199 for i in range(200))
WRAP = tuple(20.0 + 10.0 * i / 199 for i in range(200))
RING = tuple(6.0 + 12.0 * i / 199 for i in range(200))


def history(
    *,
    answer_rate: float = 0.10,
    live: int = 1000,
    abandons: int = 5,
    machine: float = 0.1,
    day: tuple[int, int] | None = None,
) -> PacingHistory:
    """A campaign's history; the last 24 hours hold the whole window unless `day` is given."""
    day_live, day_abandons = day or (live, abandons)
    return PacingHistory(
        answer_rate=answer_rate,
        machine_rate=machine,
        recent_calls=400,
        ring_to_answer_s=RING,
        talk_s=TALK,
        wrap_s=WRAP,
        live_answers=live,
        abandons=abandons,
        day_live_answers=day_live,
        day_abandons=day_abandons,
    )


def snapshot(**changes: object) -> PacingSnapshot:
    base = PacingSnapshot(
        mode=DialingMode.PREDICTIVE,
        agents_ready=2,
        history=history(),
        wrap_elapsed_s=(27.0,) * 18,
        cps_limit=100,
        max_lines=500,
        ring_timeout_s=25.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_preview_launches_nothing_the_agent_decides() -> None:
    decision = decide(snapshot(mode=DialingMode.PREVIEW, agents_ready=10))
    assert decision.calls == 0
    assert decision.mode_used == DialingMode.PREVIEW


def test_progressive_launches_one_call_per_ready_agent_not_already_covered() -> None:
    progressive = snapshot(mode=DialingMode.PROGRESSIVE, agents_ready=7)
    assert decide(progressive).calls == 7
    assert decide(replace(progressive, ringing_elapsed_s=(3.0, 10.0))).calls == 5
    assert decide(replace(progressive, ringing_elapsed_s=(3.0,), answered_waiting=1)).calls == 5
    assert decide(replace(progressive, ringing_elapsed_s=(1.0,) * 9)).calls == 0


def test_predictive_bets_on_agents_about_to_free_when_few_calls_answer() -> None:
    about_to_free = decide(snapshot())
    just_started = decide(snapshot(wrap_elapsed_s=(), talk_elapsed_s=(5.0,) * 18))
    assert about_to_free.mode_used == DialingMode.PREDICTIVE
    assert about_to_free.calls > 2 * 5
    assert 2 <= just_started.calls < about_to_free.calls / 3


def test_a_pacer_told_when_agents_free_bets_on_exactly_those_agents() -> None:
    """The simulator's clairvoyant bound: known freeing times replace the freeing model."""
    just_started = snapshot(wrap_elapsed_s=(), talk_elapsed_s=(5.0,) * 18)
    estimated = decide(just_started)
    freeing_now = decide(replace(just_started, frees_in_s=(3.0,) * 18))
    freeing_late = decide(replace(just_started, frees_in_s=(600.0,) * 18))
    assert freeing_now.calls > 3 * estimated.calls
    assert freeing_now.expected_free == pytest.approx(20.0)
    assert freeing_late.calls <= estimated.calls  # only the two ready agents are bet on
    assert freeing_late.expected_free == pytest.approx(2.0)


def test_predictive_launches_fewer_calls_when_more_people_answer() -> None:
    low = decide(snapshot(history=history(answer_rate=0.10)))
    high = decide(snapshot(history=history(answer_rate=0.50)))
    assert high.calls < low.calls


def test_calls_that_rang_long_are_expected_to_ring_out() -> None:
    busy = snapshot(agents_ready=8, wrap_elapsed_s=(), talk_elapsed_s=(5.0,) * 12)
    young = decide(replace(busy, ringing_elapsed_s=(2.0,) * 20))
    old = decide(replace(busy, ringing_elapsed_s=(22.0,) * 20))
    assert old.calls > young.calls


def test_predictive_falls_back_to_progressive_near_the_abandon_cap() -> None:
    near_cap = decide(snapshot(history=history(live=1000, abandons=25)))
    assert near_cap.mode_used == DialingMode.PROGRESSIVE
    assert near_cap.reason == NEAR_CAP_REASON
    assert near_cap.calls == 2
    assert "2.5%" in near_cap.describe("en")
    assert "tope" in near_cap.describe("es_MX")


def test_a_hot_day_tightens_the_bet_even_when_the_month_has_room() -> None:
    wide = {"cps_limit": 1000, "max_lines": 5000}
    calm = decide(snapshot(history=history(live=3000, abandons=30, day=(400, 2)), **wide))
    hot = decide(snapshot(history=history(live=3000, abandons=30, day=(400, 14)), **wide))
    assert calm.mode_used == hot.mode_used == DialingMode.PREDICTIVE
    assert 2 <= hot.calls < calm.calls


def test_a_mornings_first_abandon_is_read_with_the_month_not_as_a_5_percent_day() -> None:
    """1 abandon in 20 live answers today, 1% over the month: still predictive, a smaller bet."""
    clean = decide(snapshot(history=history(live=3000, abandons=30, day=(20, 0))))
    first = decide(snapshot(history=history(live=3000, abandons=30, day=(20, 1))))
    assert first.mode_used == DialingMode.PREDICTIVE
    assert 2 < first.calls <= clean.calls


def test_a_young_window_bets_cautiously_until_one_abandon_weighs_little() -> None:
    """60 live answers and no abandon yet: predictive, with a smaller bet than a settled month."""
    wide = {"cps_limit": 1000, "max_lines": 5000}
    settled = decide(snapshot(history=history(live=3000, abandons=15, day=(400, 2)), **wide))
    young = decide(snapshot(history=history(live=60, abandons=0), **wide))
    assert young.mode_used == settled.mode_used == DialingMode.PREDICTIVE
    assert 2 < young.calls < settled.calls


def test_fresh_campaign_paces_progressively_until_it_can_afford_an_abandon() -> None:
    fresh = decide(snapshot(history=history(live=10, abandons=0)))
    assert fresh.mode_used == DialingMode.PROGRESSIVE
    assert fresh.calls == 2


def test_small_teams_fall_back_to_progressive_by_rule() -> None:
    small = decide(snapshot(agents_ready=2, wrap_elapsed_s=(27.0,) * 3))
    assert small.mode_used == DialingMode.PROGRESSIVE
    assert small.reason == SMALL_TEAM_REASON
    assert small.calls == 2
    assert decide(snapshot(agents_ready=2, wrap_elapsed_s=(27.0,) * 4)).calls > 2


def test_predictive_without_history_dials_progressively() -> None:
    empty = PacingHistory(answer_rate=0.1, live_answers=1000, abandons=5)
    decision = decide(snapshot(history=empty))
    assert decision.mode_used == DialingMode.PROGRESSIVE
    assert decision.calls == 2


def test_cps_and_max_lines_bound_every_mode() -> None:
    assert decide(snapshot(cps_limit=3)).calls == 3
    assert decide(snapshot(max_lines=12, ringing_elapsed_s=(24.0,) * 10)).calls == 2
    progressive = snapshot(mode=DialingMode.PROGRESSIVE, agents_ready=50, wrap_elapsed_s=())
    assert decide(replace(progressive, cps_limit=4)).calls == 4
    assert decide(replace(progressive, max_lines=20, ringing_elapsed_s=(1.0,) * 18)).calls == 2


def test_the_wallboard_reason_reads_in_spanish_and_english() -> None:
    decision = decide(snapshot())
    assert decision.describe("en").startswith("Predictive:")
    assert decision.describe("es_MX").startswith("Predictivo:")


elapsed = st.lists(st.floats(min_value=0.0, max_value=3000.0), max_size=40).map(tuple)
samples = st.lists(st.floats(min_value=0.5, max_value=900.0), max_size=60).map(tuple)


@settings(max_examples=150, deadline=None)
@given(
    mode=st.sampled_from(list(DialingMode)),
    ready=st.integers(min_value=0, max_value=200),
    talking=elapsed,
    wrapping=elapsed,
    ringing=elapsed,
    waiting=st.integers(min_value=0, max_value=20),
    answer_rate=st.floats(min_value=0.0, max_value=1.0),
    machine_rate=st.floats(min_value=0.0, max_value=1.0),
    ring=samples,
    talk=samples,
    wrap=samples,
    live=st.integers(min_value=0, max_value=100_000),
    abandons=st.integers(min_value=0, max_value=5_000),
    cps=st.integers(min_value=0, max_value=50),
    max_lines=st.integers(min_value=0, max_value=300),
    timeout=st.floats(min_value=1.0, max_value=120.0),
    hour=st.integers(min_value=0, max_value=23),
)
def test_the_pacer_never_launches_a_negative_number_or_more_than_limits_allow(
    mode: DialingMode,
    ready: int,
    talking: tuple[float, ...],
    wrapping: tuple[float, ...],
    ringing: tuple[float, ...],
    waiting: int,
    answer_rate: float,
    machine_rate: float,
    ring: tuple[float, ...],
    talk: tuple[float, ...],
    wrap: tuple[float, ...],
    live: int,
    abandons: int,
    cps: int,
    max_lines: int,
    timeout: float,
    hour: int,
) -> None:
    state = PacingSnapshot(
        mode=mode,
        agents_ready=ready,
        history=PacingHistory(
            answer_rate=answer_rate,
            machine_rate=machine_rate,
            recent_calls=len(ring) * 5,
            answer_rate_by_hour=(answer_rate,) * 24,
            ring_to_answer_s=ring,
            talk_s=talk,
            wrap_s=wrap,
            live_answers=live,
            abandons=min(abandons, live),
        ),
        talk_elapsed_s=talking,
        wrap_elapsed_s=wrapping,
        ringing_elapsed_s=ringing,
        answered_waiting=waiting,
        hour=hour,
        cps_limit=cps,
        max_lines=max_lines,
        ring_timeout_s=timeout,
    )
    decision = decide(state)
    assert isinstance(decision, PacingDecision)
    assert 0 <= decision.calls <= capacity(state)
    assert decision.calls <= cps
    assert decision.calls + len(ringing) + waiting <= max(max_lines, len(ringing) + waiting)
    if mode == DialingMode.PREVIEW:
        assert decision.calls == 0


def newest(answered: int, of: int, then_rate: float, total: int = 400) -> tuple[bool, ...]:
    """Newest-first outcomes: `answered` of the newest `of` calls, then `then_rate` evenly."""
    head = tuple(int((i + 1) * answered / of) > int(i * answered / of) for i in range(of))
    rest = range(total - of)
    return head + tuple(int((i + 1) * then_rate) > int(i * then_rate) for i in rest)


def test_a_rise_of_the_answer_share_in_the_newest_calls_shrinks_the_bet_at_once() -> None:
    """8% all morning; at lunch 15 of the newest 50 calls were answered by a person (30%)."""
    morning = snapshot(history=replace(history(answer_rate=0.08), recent_person_answers=()))
    lunch = replace(
        morning, history=replace(morning.history, recent_person_answers=newest(15, 50, 0.08))
    )
    params = PacerParameters()
    assert person_answer_rate(morning, params) == 0.08
    assert 0.15 < person_answer_rate(lunch, params) < 0.30
    assert decide(lunch).calls < decide(morning).calls


def test_a_fall_of_the_answer_share_is_followed_only_once_it_is_clear() -> None:
    base = history(answer_rate=0.10)
    params = PacerParameters()
    unlucky = snapshot(history=replace(base, recent_person_answers=newest(0, 25, 0.11)))
    assert person_answer_rate(unlucky, params) == 0.10
    fallen = snapshot(history=replace(base, recent_person_answers=newest(8, 200, 0.16)))
    assert 0.04 < person_answer_rate(fallen, params) < 0.10
    wider, narrower = (replace(s, cps_limit=1000, max_lines=5000) for s in (fallen, unlucky))
    assert decide(wider).calls > decide(narrower).calls


def test_the_risk_allowed_for_the_last_call_sets_the_size_of_the_bet() -> None:
    state = snapshot(talk_elapsed_s=(60.0,) * 10, wrap_elapsed_s=(10.0,) * 8)
    careful = decide(state, PacerParameters(risk_base=0.002)).calls
    default = decide(state).calls
    bold = decide(state, PacerParameters(risk_base=0.05)).calls
    assert 2 <= careful < default < bold


def test_eight_agents_are_paced_predictively() -> None:
    eight = decide(snapshot(agents_ready=1, wrap_elapsed_s=(20.0,) * 3, talk_elapsed_s=(90.0,) * 4))
    assert eight.mode_used == DialingMode.PREDICTIVE
    assert eight.calls > 1


def test_the_hour_curve_anticipates_the_lunch_rise_before_the_newest_calls_show_it() -> None:
    """At 13:00 the recent calls still say 8%; earlier days say lunch answers 30%."""
    curve = (0.08,) * 13 + (0.30,) * 2 + (0.15,) * 9
    morning = replace(history(answer_rate=0.08), answer_rate_by_hour=curve)
    params = PacerParameters()
    at_noon = snapshot(history=morning, hour=12)
    at_one = snapshot(history=morning, hour=13)
    assert person_answer_rate(at_noon, params) == 0.08
    assert person_answer_rate(at_one, params) >= 0.9 * 0.30
    assert decide(at_one).calls < decide(at_noon).calls


def test_the_tail_of_a_few_rare_answers_is_read_with_its_skew_not_as_a_normal() -> None:
    """20 ringing calls each answered with 5% (about one answer) and 4 agents to spare: the
    chance of 4 answers or more is 1.6%. The plain normal says 0.5%, a third of it, and a pacer
    betting on that tail abandons three times as often as it planned."""
    calls, share, spare = 20, 0.05, 4
    exact = sum(
        math.comb(calls, k) * share**k * (1 - share) ** (calls - k) for k in range(4, calls + 1)
    )
    mean, variance = calls * share, calls * share * (1 - share)
    third = variance * (1 - 2 * share)

    skewed = upper_tail(mean - spare, variance, third, skew_cap=2.0)
    plain = upper_tail(mean - spare, variance, third, skew_cap=0.0)

    assert abs(exact - 0.0159) < 0.0005
    assert abs(skewed - exact) < 0.25 * exact
    assert plain < 0.4 * exact
