"""The simulated floor: deterministic for a seed; predictive beats progressive within the cap."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from campaigns.models.enums import DialingMode
from telephony.dialer.simulator import DAILY_PROFILE, SimulationConfig, compare, simulate

pytestmark = pytest.mark.backend_free

ACUERDO = str(Path(sys.executable).parent / "acuerdo")


def test_a_seed_gives_the_same_shift_and_another_seed_another() -> None:
    config = SimulationConfig(agents=12, hours=0.25, answer_rate=0.25, seed=11)
    first = simulate(config, DialingMode.PREDICTIVE)
    assert simulate(config, DialingMode.PREDICTIVE) == first
    other = simulate(replace(config, seed=12), DialingMode.PREDICTIVE)
    assert other != first
    assert first.calls_placed > 0 and first.live_answers > 0


def test_predictive_gives_more_talk_minutes_than_progressive_with_20_agents_at_25_percent() -> None:
    progressive, predictive = compare(SimulationConfig(agents=20, hours=1.0, answer_rate=0.25))
    assert progressive.mode == "progressive" and predictive.mode == "predictive"
    assert progressive.abandons == 0
    assert predictive.talk_minutes_per_agent_hour > progressive.talk_minutes_per_agent_hour + 2
    assert predictive.idle_share < progressive.idle_share
    assert predictive.talk_minutes_per_agent_hour < 60 * predictive.ceiling


def test_predictive_keeps_abandons_at_or_under_three_percent_over_a_few_hours() -> None:
    for answer_rate in (0.10, 0.50):
        result = simulate(
            SimulationConfig(agents=20, hours=1.5, answer_rate=answer_rate, seed=3),
            DialingMode.PREDICTIVE,
        )
        assert result.live_answers > 200
        assert result.predictive_share > 0.5
        assert result.abandon_rate <= 0.03


def test_abandons_stay_under_the_cap_when_the_answer_share_jumps_from_8_to_30_percent() -> None:
    """12:00-14:00 of the daily profile: 8% answer, then 30% at 13:00. The pacer knows the hour
    curve only roughly (20% error) and the campaign has a 30-day window at 1.5%."""
    for agents in (8, 30):
        config = SimulationConfig(
            agents=agents,
            hours=2.0,
            answer_profile=DAILY_PROFILE,
            curve_error=0.2,
            start_hour=12,
            prior_live_answers=2000,
            prior_abandons=30,
            seed=7,
        )
        progressive, predictive = compare(config)
        assert predictive.live_answers > 20 * agents
        assert predictive.predictive_share > 0.9
        assert predictive.abandon_rate <= 0.03
        assert progressive.abandons == 0
        assert (
            predictive.talk_minutes_per_agent_hour > 1.25 * progressive.talk_minutes_per_agent_hour
        )


def test_the_answer_share_of_a_profile_is_given_hour_by_hour() -> None:
    config = SimulationConfig(answer_profile=DAILY_PROFILE, machine_rate=0.15)
    assert [config.person_answer_rate(h) for h in (12, 13, 14, 15)] == [0.08, 0.30, 0.30, 0.15]
    assert [config.person_answer_rate(h) for h in (9, 17, 18, 20, 21)] == [
        0.08,
        0.15,
        0.25,
        0.25,
        0.12,
    ]
    assert SimulationConfig(answer_rate=0.2).person_answer_rate(11) == 0.2


def test_small_teams_are_paced_progressively_and_never_abandon() -> None:
    result = simulate(SimulationConfig(agents=5, hours=0.5), DialingMode.PREDICTIVE)
    assert result.predictive_share == 0.0
    assert result.abandons == 0


def test_preview_places_no_calls() -> None:
    result = simulate(SimulationConfig(agents=10, hours=0.05), DialingMode.PREVIEW)
    assert result.calls_placed == 0
    assert result.idle_share == 1.0


def test_acuerdo_simulate_compare_prints_both_modes_as_json(child_env: dict[str, str]) -> None:
    command = [ACUERDO, "simulate", "--compare", "--json"]
    command += ["--agents", "10", "--hours", "0.2", "--seed", "5"]
    ran = subprocess.run(command, env=child_env, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    rows = json.loads(ran.stdout)
    assert [r["mode"] for r in rows] == ["progressive", "predictive"]
    for row in rows:
        assert set(row) >= {
            "occupancy",
            "talk_minutes_per_agent_hour",
            "abandon_rate",
            "calls_per_hour",
            "wait_p95_s",
            "idle_share",
            "ceiling",
        }
        assert 0.0 <= row["occupancy"] <= 1.0


def test_acuerdo_simulate_prints_a_spanish_table_by_default(child_env: dict[str, str]) -> None:
    command = [ACUERDO, "simulate", "--hours", "0.05"]
    ran = subprocess.run(
        command + ["--locale", "es_MX"], env=child_env, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    assert "Minutos de conversación por hora de agente" in ran.stdout
    bad = subprocess.run(
        command + ["--answer-rate", "0.9", "--machine-rate", "0.2", "--locale", "en"],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0
    assert "at most 1" in bad.stderr
