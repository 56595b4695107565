"""One scheduler tick: escalate, then for every active campaign create and enqueue its attempts.

Two schedulers started by mistake enqueue each attempt once: every attempt carries a deterministic
`dedup_key` (campaign:account:step:try:debtor's local date) under a UNIQUE constraint, and is
inserted with ON CONFLICT DO NOTHING, so the second insert of the same attempt is a no-op and only
the rows this tick really inserted are enqueued (after commit).

Refusals: an account excluded by a compliance rule gets a ContactRefusal row at most once per
campaign and rule in any 24 hours (the campaign's own progress - in flight, waiting for a retry,
step not due, steps done - is not a refusal and is not stored).

Rates: the tick enqueues no more calls and messages than the configured rates can send before
each debtor's window closes (send_rate.py).

Calls: in preview mode the tick creates no call attempts (agents pull eligible accounts). In
progressive and predictive modes it creates at most `max_lines` minus the campaign's calls in
flight per tick, until the dialer's pacer replaces that number with its own answer.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Insert,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from campaigns.compliance import effective_profile, render_template
from campaigns.db import conflict_insert
from campaigns.dispatch_queue import enqueue_attempts_after_commit
from campaigns.models import (
    Account,
    Attempt,
    AttemptStatus,
    Campaign,
    CampaignStatus,
    Channel,
    Client,
    ContactRefusal,
    Debtor,
    DialingMode,
    NewAttempt,
    record_new_attempts,
)
from campaigns.scheduler.eligibility.progress import IN_FLIGHT_STATUSES, PROGRESS_RULES
from campaigns.scheduler.eligibility.selection import Selection, build_selection
from campaigns.scheduler.eligibility.zones import ZoneCache
from campaigns.scheduler.escalation import escalate_overdue
from campaigns.scheduler.messages import account_fields
from campaigns.scheduler.picks import Pick, pick_eligible
from campaigns.scheduler.send_rate import fit_to_windows
from campaigns.settings import get_settings

log = logging.getLogger(__name__)

REFUSAL_EVERY = timedelta(hours=24)
INSERT_CHUNK = 500


@dataclass
class TickSummary:
    """What one tick did."""

    escalated: int = 0
    attempts: dict[int, int] = field(default_factory=dict)
    refusals: dict[int, int] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)

    @property
    def created(self) -> int:
        """Attempts created across campaigns."""
        return sum(self.attempts.values())


def run_tick(session: Session, *, now: datetime, paced_calls: bool = False) -> TickSummary:
    """Escalate accounts past 90 days, then schedule every active campaign (highest priority first).

    With `paced_calls` the dialing loop launches the calls of progressive and predictive
    campaigns (as many as the pacer says), so the tick creates only messages.
    The caller commits; attempts are enqueued for dispatch once it does.
    """
    summary = TickSummary(escalated=escalate_overdue(session, now=now))
    zones = ZoneCache()
    campaigns = session.scalars(
        select(Campaign)
        .where(Campaign.status == CampaignStatus.ACTIVE)
        .order_by(Campaign.priority.desc(), Campaign.id)
    ).all()
    for campaign in campaigns:
        try:
            with session.begin_nested():
                ids, refused = schedule_campaign(
                    session,
                    campaign=campaign,
                    now=now,
                    calls=0 if paced_calls else None,
                    zones=zones,
                )
        except Exception as error:  # one broken campaign must not stop the others
            log.exception("campaign %s could not be scheduled", campaign.id)
            summary.failed[campaign.id] = str(error)[:300]
            continue
        enqueue_attempts_after_commit(session, ids)
        summary.attempts[campaign.id] = len(ids)
        summary.refusals[campaign.id] = refused
    return summary


def schedule_campaign(
    session: Session,
    *,
    campaign: Campaign,
    now: datetime,
    calls: int | None = None,
    messages: int | None = None,
    refusals: bool = True,
    zones: ZoneCache | None = None,
) -> tuple[list[int], int]:
    """Create attempts of one campaign; their ids and the refusals recorded.

    `calls` and `messages` default to the free lines and the batch size; the dialing loop passes
    the pacer's number of calls, no messages, and leaves refusals to the tick. `zones` is the
    tick's cache of each creditor's zone lists.
    """
    client = session.get_one(Client, campaign.client_id)
    selection = build_selection(session, campaign=campaign, client=client, now=now, zones=zones)
    walked: list[Any] = []
    picks = pick_eligible(
        session,
        selection,
        messages=get_settings().scheduler_batch_size if messages is None else messages,
        calls=call_capacity(session, campaign=campaign) if calls is None else calls,
        walked=walked,
    )
    picks = fit_to_windows(
        session, client=client, profile=effective_profile(client), picks=picks, now=now
    )
    ids = _create_attempts(session, campaign, client, selection, picks)
    refused = record_refusals(session, selection, walked) if refusals else 0
    return ids, refused


def call_capacity(session: Session, *, campaign: Campaign) -> int:
    """Call attempts this tick may create: none in preview mode, else free lines."""
    if campaign.dialing_mode == DialingMode.PREVIEW:
        return 0
    in_flight = session.scalar(
        select(func.count(Attempt.id)).where(
            Attempt.campaign_id == campaign.id,
            Attempt.channel == Channel.VOICE,
            Attempt.status.in_(IN_FLIGHT_STATUSES),
        )
    )
    return max(0, campaign.max_lines - int(in_flight or 0))


def _create_attempts(
    session: Session,
    campaign: Campaign,
    client: Client,
    selection: Selection,
    picks: Sequence[Pick],
) -> list[int]:
    if not picks:
        return []
    bodies = _bodies(session, campaign, client, selection, picks)
    rows = []
    for pick in picks:
        step = selection.steps[pick.step]
        local_day = selection.today_by_zone[pick.tz].isoformat()
        rows.append(
            {
                "client_id": campaign.client_id,
                "account_id": pick.account_id,
                "campaign_id": campaign.id,
                "contact_point_id": pick.contact_point_id,
                "channel": pick.channel,
                "status": AttemptStatus.PENDING,
                "dedup_key": f"{campaign.id}:{pick.account_id}:{pick.step}:{pick.try_number}:"
                f"{local_day}" + (f":r{pick.recycle_round}" if pick.recycle else ""),
                "step_index": pick.step,
                "try_number": pick.try_number,
                "recycle_reason": pick.recycle,
                "template_key": step.get("template") if pick.channel == Channel.WHATSAPP else None,
                "body": bodies.get(pick.account_id),
                "created_at": selection.now,
            }
        )
    insert_fn = conflict_insert(session)
    ids: list[int] = []
    for start in range(0, len(rows), INSERT_CHUNK):
        statement: Insert = (
            insert_fn(Attempt)
            .values(rows[start : start + INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(Attempt.id, Attempt.account_id)
        )
        inserted = session.execute(statement).all()
        record_new_attempts(
            session,
            (
                NewAttempt(int(i), campaign.client_id, campaign.id, int(a), selection.now)
                for i, a in inserted
            ),
        )
        ids.extend(int(i) for i, _a in inserted)
    return sorted(ids)


def _bodies(
    session: Session,
    campaign: Campaign,
    client: Client,
    selection: Selection,
    picks: Sequence[Pick],
) -> dict[int, str]:
    sms = {p.account_id: p for p in picks if p.channel == Channel.SMS}
    if not sms:
        return {}
    bodies: dict[int, str] = {}
    ids = sorted(sms)
    for start in range(0, len(ids), INSERT_CHUNK):
        rows = session.execute(
            select(Account, Debtor)
            .join(Debtor, Debtor.id == Account.debtor_id)
            .where(Account.id.in_(ids[start : start + INSERT_CHUNK]))
        ).all()
        for account, debtor in rows:
            pick = sms[account.id]
            source = campaign.templates[selection.steps[pick.step]["template"]]
            today = selection.today_by_zone[pick.tz]
            fields = account_fields(account, debtor, client, today, now=selection.now)
            bodies[account.id] = render_template(source, fields)
    return bodies


def record_refusals(session: Session, selection: Selection, rows: Sequence[Any]) -> int:
    """Store a refusal for the accounts among `rows` (the selection's rows the tick walked) that
    a compliance rule excludes, once per rule in 24 hours.

    Only the walked rows: an account the walk did not reach this tick gets its refusal when a
    tick reaches it, so the cost follows the picks, not the portfolio.
    """
    excluded = {
        int(row.account_id): row
        for row in rows
        if row.rule is not None and row.rule not in PROGRESS_RULES
    }
    ids = sorted(excluded)
    recent: set[tuple[int, str]] = set()
    for start in range(0, len(ids), INSERT_CHUNK):
        recent.update(
            (int(account_id), str(rule))
            for account_id, rule in session.execute(
                select(ContactRefusal.account_id, ContactRefusal.rule).where(
                    ContactRefusal.account_id.in_(ids[start : start + INSERT_CHUNK]),
                    ContactRefusal.campaign_id == selection.campaign_id,
                    ContactRefusal.checked_at > selection.now - REFUSAL_EVERY,
                )
            ).all()
        )
    new = [
        {
            "client_id": selection.client_id,
            "account_id": account_id,
            "campaign_id": selection.campaign_id,
            "channel": row.channel,
            "rule": row.rule,
            "detail": None,
            "context": "scheduler",
            "checked_at": selection.now,
        }
        for account_id, row in excluded.items()
        if (account_id, str(row.rule)) not in recent
    ]
    for start in range(0, len(new), INSERT_CHUNK):
        session.execute(insert(ContactRefusal), new[start : start + INSERT_CHUNK])
    return len(new)
