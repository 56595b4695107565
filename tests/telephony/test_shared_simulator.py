"""Campaigns sharing one team on the simulated floor: the real allocation splits the ready agents
(priority, then fair share), progressive never abandons nor over-commits, each predictive
campaign stays within the cap."""

from dataclasses import replace

import pytest

from campaigns.models.enums import DialingMode
from telephony.dialer.simulator import (
    CampaignSpec,
    SharedSimulationConfig,
    SimulationConfig,
    simulate_shared,
    three_campaigns,
)

pytestmark = pytest.mark.backend_free

WORLD = SimulationConfig(
    hours=0.5, curve_error=0.2, prior_live_answers=2000, prior_abandons=30, seed=4
)


def _two_progressive(priorities: tuple[int, int]) -> SharedSimulationConfig:
    team = tuple(range(10))
    return SharedSimulationConfig(
        agents=10,
        campaigns=tuple(
            CampaignSpec(f"campaign {n}", DialingMode.PROGRESSIVE, priority, team)
            for n, priority in enumerate(priorities)
        ),
        world=WORLD,
    )


def test_a_higher_priority_campaign_takes_the_shared_team_first() -> None:
    high, low = simulate_shared(_two_progressive((2, 1))).campaigns

    assert high.calls_placed > 100
    assert low.calls_placed == 0, "no ready agent was ever left over for the lower priority"
    assert high.abandons == 0


def test_campaigns_of_equal_priority_share_the_team_fairly() -> None:
    first, second = simulate_shared(_two_progressive((1, 1))).campaigns

    assert first.calls_placed > 50 and second.calls_placed > 50
    share = first.calls_placed / (first.calls_placed + second.calls_placed)
    assert 0.4 < share < 0.6
    assert first.abandons == second.abandons == 0


@pytest.mark.slow
def test_three_campaigns_sharing_a_team_no_progressive_abandon_each_predictive_within_cap() -> None:
    result = simulate_shared(three_campaigns(30, replace(WORLD, hours=1.5)))
    predictive_a, progressive, predictive_b = result.campaigns

    assert progressive.mode == "progressive" and progressive.live_answers > 20
    assert progressive.abandons == 0
    assert result.progressive_overcommitted_seconds == 0
    for campaign in (predictive_a, predictive_b):
        assert campaign.mode == "predictive" and campaign.live_answers > 100
        assert campaign.abandon_rate <= 0.03
        assert campaign.predictive_share > 0.5
    floor = simulate_shared(
        replace(
            three_campaigns(30, replace(WORLD, hours=1.5)),
            campaigns=tuple(
                replace(c, mode=DialingMode.PROGRESSIVE)
                for c in three_campaigns(30, WORLD).campaigns
            ),
        )
    )
    assert result.ratio_to_ceiling > floor.ratio_to_ceiling + 0.1
