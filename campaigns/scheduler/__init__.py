"""The scheduler: who each active campaign may contact now, as attempts enqueued for dispatch."""

from campaigns.scheduler.eligibility.progress import (
    IN_FLIGHT,
    PROGRESS_RULES,
    RETRY_WAIT,
    STEP_NOT_DUE,
    STEPS_DONE,
)
from campaigns.scheduler.eligibility.selection import Selection, build_selection
from campaigns.scheduler.escalation import escalate_overdue
from campaigns.scheduler.picks import Pick, pick_eligible
from campaigns.scheduler.preview import preview_campaign
from campaigns.scheduler.tick import (
    TickSummary,
    call_capacity,
    record_refusals,
    run_tick,
    schedule_campaign,
)

__all__ = [
    "IN_FLIGHT",
    "PROGRESS_RULES",
    "Pick",
    "RETRY_WAIT",
    "STEPS_DONE",
    "STEP_NOT_DUE",
    "Selection",
    "TickSummary",
    "build_selection",
    "call_capacity",
    "escalate_overdue",
    "pick_eligible",
    "preview_campaign",
    "record_refusals",
    "run_tick",
    "schedule_campaign",
]
