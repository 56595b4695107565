"""Agents shared by campaigns: each ready agent is counted by one campaign at a time."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephony.dialer.allocation import (
    CampaignDemand,
    allocate,
    freeing_campaign,
    processing_order,
)

pytestmark = pytest.mark.backend_free


def _campaign(
    campaign_id: int, agents: set[int], *, priority: int = 0, in_flight: int = 0
) -> CampaignDemand:
    return CampaignDemand(campaign_id, priority, frozenset(agents), in_flight)


def test_a_shared_ready_agent_is_counted_by_one_campaign_only() -> None:
    allocation = allocate([_campaign(1, {7}), _campaign(2, {7})], ready=[7])
    assert sorted(allocation.agents.values()) == [[], [7]]


def test_calls_in_flight_keep_their_agents_before_anything_is_shared() -> None:
    first, second = _campaign(1, {7, 8}), _campaign(2, {8}, in_flight=1)
    allocation = allocate([first, second], ready=[7, 8])
    assert allocation.agents == {1: [7], 2: [8]}


def test_the_higher_priority_campaign_gets_the_shared_agents() -> None:
    low, high = _campaign(1, {7, 8}), _campaign(2, {7, 8}, priority=5)
    assert allocate([low, high], ready=[7, 8]).agents == {1: [], 2: [7, 8]}
    assert [c.campaign_id for c in processing_order([low, high])] == [2, 1]


def test_campaigns_of_equal_priority_share_fairly() -> None:
    allocation = allocate([_campaign(1, {1, 2, 3, 4}), _campaign(2, {1, 2, 3, 4})], range(1, 5))
    assert sorted(len(a) for a in allocation.agents.values()) == [2, 2]


def test_a_busy_agent_feeds_the_bet_of_the_campaign_that_gets_it_when_it_frees() -> None:
    progressive, predictive = _campaign(1, {7, 8}), _campaign(2, {7})
    urgent = _campaign(3, {8}, priority=5)
    campaigns = [progressive, predictive, urgent]
    assert freeing_campaign(7, 1, campaigns) == 1, "its call's campaign among equals"
    assert freeing_campaign(7, 99, campaigns) == 1, "a preview call: lowest id among equals"
    assert freeing_campaign(8, 1, campaigns) == 3, "a higher-priority campaign takes it back"
    assert freeing_campaign(9, 4, campaigns) == 4, "in no paced campaign: its call's"
    assert freeing_campaign(7, 2, [progressive, _campaign(2, {7}, priority=1)]) == 2


def test_agents_a_campaign_cannot_use_go_to_the_next_campaign() -> None:
    first, second = _campaign(1, {7, 8}), _campaign(2, {7, 8})
    allocation = allocate([first, second], ready=[7, 8])
    assert allocation.take(first) == [7]
    allocation.hand_back(first, used=0)
    assert sorted(allocation.take(second)) == [7, 8]
    assert allocation.owner_of() == {7: 2, 8: 2}


@given(
    teams=st.lists(st.sets(st.integers(0, 9), min_size=1), min_size=1, max_size=4),
    ready=st.sets(st.integers(0, 9)),
    in_flight=st.lists(st.integers(0, 3), min_size=4, max_size=4),
    priorities=st.lists(st.integers(0, 2), min_size=4, max_size=4),
)
def test_no_agent_is_given_twice_and_none_outside_its_campaigns(
    teams: list[set[int]], ready: set[int], in_flight: list[int], priorities: list[int]
) -> None:
    campaigns = [
        _campaign(n, team, priority=priorities[n], in_flight=in_flight[n])
        for n, team in enumerate(teams)
    ]
    allocation = allocate(campaigns, ready)
    given_out = [a for agents in allocation.agents.values() for a in agents]
    assert len(given_out) == len(set(given_out))
    assert set(given_out) == {a for a in ready if any(a in t for t in teams)}
    for campaign in campaigns:
        assert set(allocation.agents[campaign.campaign_id]) <= campaign.agent_ids
