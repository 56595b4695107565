"""Preview dialing: an agent sees the next eligible account first, then calls or skips it.

The candidates come from the same selection as the scheduler's; the call itself passes the same
compliance check at the moment the agent presses "call".
"""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.audit import record
from campaigns.i18n import _
from campaigns.models import (
    Account,
    Campaign,
    CampaignAgent,
    CampaignStatus,
    Channel,
    Client,
    DialingMode,
)
from campaigns.scheduler.agent_calls import start_agent_call
from campaigns.scheduler.eligibility.selection import build_selection
from campaigns.scheduler.picks import pick_eligible

CANDIDATES = 20


@dataclass(frozen=True)
class PreviewCandidate:
    """An account an agent may call now in a preview campaign."""

    campaign_id: int
    account_id: int
    contact_point_id: int
    step: int
    try_number: int
    timezone: str
    recycle: str | None = None
    recycle_round: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def preview_campaign_ids(session: Session, *, agent_id: int) -> list[int]:
    """The agent's active preview campaigns, highest priority first."""
    return list(
        session.scalars(
            select(Campaign.id)
            .join(CampaignAgent, CampaignAgent.campaign_id == Campaign.id)
            .where(
                CampaignAgent.user_id == agent_id,
                Campaign.status == CampaignStatus.ACTIVE,
                Campaign.dialing_mode == DialingMode.PREVIEW,
            )
            .order_by(Campaign.priority.desc(), Campaign.id)
        )
    )


def preview_candidates(
    session: Session, *, campaign_id: int, now: datetime, limit: int = CANDIDATES
) -> list[PreviewCandidate]:
    """The best eligible accounts of a preview campaign to show agents, best first."""
    campaign = session.get_one(Campaign, campaign_id)
    client = session.get_one(Client, campaign.client_id)
    selection = build_selection(session, campaign=campaign, client=client, now=now)
    picks = pick_eligible(session, selection, messages=0, calls=limit)
    return [
        PreviewCandidate(
            campaign.id,
            p.account_id,
            p.contact_point_id,
            p.step,
            p.try_number,
            p.tz,
            p.recycle,
            p.recycle_round,
        )
        for p in picks
        if p.channel == Channel.VOICE
    ]


def start_preview_call(
    session: Session, *, candidate: PreviewCandidate, agent_id: int, now: datetime
) -> int:
    """Check the contact again now and create the agent's call attempt (enqueued after commit)."""
    local_day = now.astimezone(ZoneInfo(candidate.timezone)).date().isoformat()
    dedup = (
        f"{candidate.campaign_id}:{candidate.account_id}:{candidate.step}:"
        f"{candidate.try_number}:{local_day}"
        + (f":r{candidate.recycle_round}" if candidate.recycle else "")
    )
    return start_agent_call(
        session,
        account_id=candidate.account_id,
        contact_point_id=candidate.contact_point_id,
        campaign_id=candidate.campaign_id,
        agent_id=agent_id,
        dedup_key=dedup,
        step_index=candidate.step,
        try_number=candidate.try_number,
        recycle_reason=candidate.recycle,
        context="preview",
        already_placed=_("it was already called today"),
        action="preview.called",
        audit_data={},
        now=now,
    )


def skip_preview(
    session: Session, *, candidate: PreviewCandidate, agent_id: int, reason: str, now: datetime
) -> None:
    """Record that the agent chose not to call this account now."""
    account = session.get_one(Account, candidate.account_id)
    record(
        session,
        action="preview.skipped",
        entity=account,
        actor_label=f"agent:{agent_id}",
        at=now,
        actor_id=agent_id,
        data={"reason": reason[:200]},
    )
