"""Recycling: which step an account repeats once the campaign's steps are done, and when.

Read by the eligibility selection (the scheduler's tick and the preview share it); stored on the
campaign resolved (the step index and every rule, defaults filled in).
"""

from dataclasses import dataclass
from typing import Any

from campaigns.campaign_defs.schemas import RecycleRule, Recycling, default_recycle_rules


@dataclass(frozen=True)
class RecyclePlan:
    """A campaign's recycling: the step repeated and the rules that apply (max_recycles > 0)."""

    step: int
    rules: dict[str, RecycleRule]


def default_step(steps: list[dict[str, Any]]) -> int:
    """The last voice step (a call suits a debtor brought back), else the last step."""
    voice = [index for index, step in enumerate(steps) if str(step.get("channel")) == "voice"]
    return voice[-1] if voice else len(steps) - 1


def resolve(recycling: Recycling, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """The recycling to store: the step index and every rule, defaults filled in."""
    rules = default_recycle_rules() | recycling.rules
    return {
        "step": default_step(steps) if recycling.step is None else recycling.step,
        "rules": {key: rule.model_dump(mode="json") for key, rule in rules.items()},
    }


def recycle_plan(stored: dict[str, Any] | None, steps: list[dict[str, Any]]) -> RecyclePlan | None:
    """The campaign's recycling as stored (a campaign saved before recycling gets the defaults);
    None when no rule brings an account back."""
    resolved = stored or resolve(Recycling(), steps)
    rules = {
        key: RecycleRule.model_validate(value)
        for key, value in (default_recycle_rules() | resolved.get("rules", {})).items()
    }
    active = {key: rule for key, rule in rules.items() if rule.max_recycles > 0}
    step = int(resolved.get("step", default_step(steps)))
    if not active or not steps or not 0 <= step < len(steps):
        return None
    return RecyclePlan(step=step, rules=active)
