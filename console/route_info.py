"""What routing and call control need to know about an attempt, read from the database."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.db import read_scope
from campaigns.models import Attempt, Campaign, Client, Disposition, MessageDirection
from campaigns.settings import get_settings
from telephony.recording import RecordingPlan, recording_plan
from telephony.status_updates import is_machine


@dataclass(frozen=True)
class RouteInfo:
    attempt_id: int
    account_id: int
    campaign_id: int | None
    owner_agent_id: int | None
    caller_id: str
    client_id: int
    inbound: bool
    debtor_call_sid: str | None = None
    machine: bool = False
    wrap_up_seconds: int = 60
    wrap_up_max_seconds: int = 300
    wrap_up_default: str = "unrecorded"
    recording: RecordingPlan | None = None
    locale: str = "es_MX"


def route_info_of(session: Session, attempt: Attempt) -> RouteInfo:
    """The attempt's routing facts, read in the caller's session."""
    client = session.get_one(Client, attempt.client_id)
    campaign = session.get(Campaign, attempt.campaign_id) if attempt.campaign_id else None
    return RouteInfo(
        attempt_id=attempt.id,
        account_id=attempt.account_id,
        campaign_id=attempt.campaign_id,
        owner_agent_id=attempt.agent_id,
        caller_id=(campaign.caller_id if campaign else None)
        or client.caller_id
        or get_settings().default_caller_id,
        client_id=client.id,
        inbound=attempt.direction == MessageDirection.INBOUND,
        debtor_call_sid=attempt.provider_sid,
        machine=is_machine(attempt.answered_by),
        recording=recording_plan(session, attempt),
        locale=client.locale,
        **_wrap_up_rules(campaign),
    )


def route_info(attempt_id: int) -> RouteInfo | None:
    """What routing and call control need to know about an attempt (None when it is gone)."""
    with read_scope() as session:
        attempt = session.get(Attempt, attempt_id)
        return None if attempt is None else route_info_of(session, attempt)


def creditor_campaigns(client_id: int) -> list[int]:
    """The creditor's campaigns: their agents are the creditor's agents."""
    with read_scope() as session:
        return list(session.scalars(select(Campaign.id).where(Campaign.client_id == client_id)))


def _wrap_up_rules(campaign: Campaign | None) -> dict[str, Any]:
    """The campaign's wrap-up time, its most, and its default disposition (or the settings')."""
    settings = get_settings()
    seconds = (campaign.wrap_up_seconds if campaign else None) or settings.wrap_up_seconds
    most = (campaign.wrap_up_max_seconds if campaign else None) or settings.wrap_up_max_seconds
    return {
        "wrap_up_seconds": seconds,
        "wrap_up_max_seconds": max(seconds, most),
        "wrap_up_default": (campaign.wrap_up_default_disposition if campaign else None)
        or str(Disposition.UNRECORDED),
    }
