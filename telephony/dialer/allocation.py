"""Agents shared by campaigns: each ready agent works for one campaign at a time. Pure, no I/O.

An agent may be assigned to several paced campaigns. If each campaign's pacer counted every ready
agent it shares, two campaigns would each dial for the same agent in the same second, and the
second debtor to answer would find nobody (an abandon). So every second the dialing loop splits
the ready agents before it asks the pacers:

1. Calls already in flight come first: a call ringing, or answered and waiting, will need an
   agent, so each campaign keeps as many of its ready agents as it has such calls (campaigns in
   priority order; agents who belong to fewer campaigns are taken first, so shared agents stay
   free for the campaigns that need them).
2. The rest go one by one, agents of fewer campaigns first, to the highest-priority campaign they
   belong to; among campaigns of equal priority, to the one with the smallest share of its team
   allocated so far (fair share).

A campaign that cannot use what it was given (no account eligible right now) hands the unused
agents on to the campaigns after it in the same second (`Allocation.hand_back`).

A busy agent (talking or in wrap-up) is counted, for the pacer's bet on agents about to free, by
the campaign that will get it when it frees (`freeing_campaign`): the highest-priority campaign it
belongs to, preferring the campaign of its current call among equals. An agent on a call of a
preview or progressive campaign thus feeds the bet of a predictive campaign it also works for,
and a predictive campaign does not bet on an agent a higher-priority campaign will take back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CampaignDemand:
    """One paced campaign as the allocation sees it."""

    campaign_id: int
    priority: int
    agent_ids: frozenset[int]
    in_flight: int
    """Calls ringing or answered and waiting for an agent."""


@dataclass
class Allocation:
    """Which ready agents each campaign may count this second."""

    agents: dict[int, list[int]]
    spare: list[int] = field(default_factory=list)
    """Agents a campaign handed back, for the campaigns after it."""

    def take(self, campaign: CampaignDemand) -> list[int]:
        """The campaign's agents, with any spare ones of its team handed back before it."""
        mine = self.agents.setdefault(campaign.campaign_id, [])
        handed = [a for a in self.spare if a in campaign.agent_ids]
        self.spare = [a for a in self.spare if a not in campaign.agent_ids]
        mine.extend(handed)
        return mine

    def hand_back(self, campaign: CampaignDemand, used: int) -> None:
        """Keep `used` of the campaign's agents and offer the rest to the campaigns after it."""
        mine = self.agents.get(campaign.campaign_id, [])
        used = max(0, min(used, len(mine)))
        self.agents[campaign.campaign_id], unused = mine[:used], mine[used:]
        self.spare.extend(unused)

    def owner_of(self) -> dict[int, int]:
        """Agent id -> the campaign it works for this second."""
        return {a: c for c, agents in self.agents.items() for a in agents}


def processing_order(campaigns: Iterable[CampaignDemand]) -> list[CampaignDemand]:
    """Campaigns in the order they are served: higher priority first, then by id."""
    return sorted(campaigns, key=lambda c: (-c.priority, c.campaign_id))


def allocate(campaigns: Sequence[CampaignDemand], ready: Iterable[int]) -> Allocation:
    """Split the ready agents among the campaigns (see the module docstring)."""
    order = processing_order(campaigns)
    pool = set(ready)
    memberships = {a: sum(1 for c in order if a in c.agent_ids) for a in pool}
    agents: dict[int, list[int]] = {c.campaign_id: [] for c in order}

    def fewest_campaigns_first(candidates: Iterable[int]) -> list[int]:
        return sorted(candidates, key=lambda a: (memberships[a], a))

    for campaign in order:
        covering = fewest_campaigns_first(pool & campaign.agent_ids)[: campaign.in_flight]
        agents[campaign.campaign_id].extend(covering)
        pool.difference_update(covering)

    for agent in fewest_campaigns_first(pool):
        candidates = [c for c in order if agent in c.agent_ids]
        if not candidates:
            continue
        top = max(c.priority for c in candidates)
        chosen = min(
            (c for c in candidates if c.priority == top),
            key=lambda c: (len(agents[c.campaign_id]) / len(c.agent_ids), c.campaign_id),
        )
        agents[chosen.campaign_id].append(agent)
    return Allocation(agents)


def freeing_campaign(
    agent_id: int, call_campaign_id: int | None, campaigns: Sequence[CampaignDemand]
) -> int | None:
    """The paced campaign a busy agent will work for when it frees (see the module docstring);
    the campaign of its call when the agent belongs to no paced campaign."""
    mine = [c for c in campaigns if agent_id in c.agent_ids]
    if not mine:
        return call_campaign_id
    top = max(c.priority for c in mine)
    best = [c for c in mine if c.priority == top]
    if any(c.campaign_id == call_campaign_id for c in best):
        return call_campaign_id
    return min(c.campaign_id for c in best)
