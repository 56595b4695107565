"""`acuerdo doctor` and the supervisors' health panel: anything stuck, late or failing, counted.

Checks (a problem makes the command exit non-zero):
- attempts pending or dispatching past their bound (their dispatch job was lost);
- calls and messages with no news from the provider past the reconcile bound that the recovery
  sweep has not confirmed;
- failed rq jobs not superseded (a dispatch job whose attempt reached a final state is not);
- agents `on_call` or `reserved` for a call that is over;
- Twilio webhooks answering 5xx since the last one that succeeded;
- each queue's depth and the age of its oldest job (late past `queue_late_seconds`).
A creditor-scoped report (a supervisor's panel) leaves out the BPO-wide items: queues, webhooks and
failed jobs of no attempt.
"""

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis
from rq import Queue, Worker
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.events import DEFAULT_QUEUE, DISPATCH_QUEUE
from campaigns.i18n import _, translate
from campaigns.models import Attempt, AttemptStatus
from campaigns.settings import get_settings
from telephony.provider_status import recently_checked
from telephony.recovery import finished_attempts, unconfirmed_condition, undispatched_condition
from telephony.statuses import TERMINAL

QUEUES = (DISPATCH_QUEUE, DEFAULT_QUEUE)
WEBHOOK_FAILURES = "acuerdo:webhooks:failures"
WEBHOOK_LAST_SUCCESS = "acuerdo:webhooks:last-success"
WEBHOOK_MEMORY_SECONDS = 3600
DISPATCH_JOB_PREFIX = "dispatch-attempt-"
BUSY_AGENT_STATES = (b"on_call", b"reserved")


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    code: str
    label: str
    count: int
    problem: bool
    params: dict[str, Any] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)

    def text(self, locale: str | None) -> str:
        """The line's label in the reader's language."""
        return translate(locale, self.label, **self.params)


@dataclass(frozen=True)
class Report:
    """Every check, and whether anything is wrong."""

    checked_at: datetime
    checks: list[Check]

    @property
    def healthy(self) -> bool:
        """Nothing stuck, late or failing."""
        return not any(check.problem for check in self.checks)

    def as_json(self, locale: str | None) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "checked_at": self.checked_at.isoformat(),
            "healthy": self.healthy,
            "checks": [
                {
                    "code": c.code,
                    "label": c.text(locale),
                    "count": c.count,
                    "problem": c.problem,
                    "detail": c.detail,
                }
                for c in self.checks
            ],
        }


def _visible(query: Any, client_ids: frozenset[int] | None) -> Any:
    return query if client_ids is None else query.where(Attempt.client_id.in_(client_ids))


def _attempt_checks(
    session: Session, now: datetime, client_ids: frozenset[int] | None
) -> list[Check]:
    settings = get_settings()
    undispatched = Counter(
        dict(
            session.execute(
                _visible(
                    select(Attempt.status, func.count()).where(undispatched_condition(now)),
                    client_ids,
                ).group_by(Attempt.status)
            ).all()
        )
    )
    late_ids = list(
        session.execute(
            _visible(
                select(Attempt.id, Attempt.status).where(unconfirmed_condition(now)), client_ids
            )
        ).all()
    )
    confirmed = recently_checked([attempt_id for attempt_id, _status in late_ids])
    unconfirmed = Counter(
        str(status) for attempt_id, status in late_ids if attempt_id not in confirmed
    )
    pending = undispatched[AttemptStatus.PENDING]
    dispatching = undispatched[AttemptStatus.DISPATCHING]
    return [
        Check(
            "attempts_pending_late",
            _("Attempts pending for more than {seconds} s"),
            pending,
            pending > 0,
            {"seconds": settings.stuck_pending_seconds},
        ),
        Check(
            "attempts_dispatching_late",
            _("Attempts dispatching for more than {seconds} s"),
            dispatching,
            dispatching > 0,
            {"seconds": settings.dispatch_lock_seconds},
        ),
        Check(
            "attempts_unconfirmed",
            _("Calls and messages with no news from the provider for more than {seconds} s"),
            sum(unconfirmed.values()),
            bool(unconfirmed),
            {"seconds": settings.reconcile_after_seconds},
            {"by_status": dict(unconfirmed)},
        ),
    ]


def _final_or_gone(session: Session, attempt_ids: list[int]) -> dict[int, int | None]:
    """Client of each attempt still not final (None for attempts that are final or gone)."""
    rows = session.execute(
        select(Attempt.id, Attempt.client_id, Attempt.status).where(Attempt.id.in_(attempt_ids))
    ).all()
    open_ = {a: c for a, c, status in rows if AttemptStatus(status) not in TERMINAL}
    return {attempt_id: open_.get(attempt_id) for attempt_id in attempt_ids}


def _failed_jobs(session: Session, client: redis.Redis, client_ids: frozenset[int] | None) -> Check:
    unresolved: Counter[str] = Counter()
    for name in QUEUES:
        ids = FailedJobRegistry(name, connection=client).get_job_ids()
        attempts = {
            int(job_id.removeprefix(DISPATCH_JOB_PREFIX)): job_id
            for job_id in ids
            if job_id.startswith(DISPATCH_JOB_PREFIX)
            and job_id.removeprefix(DISPATCH_JOB_PREFIX).isdigit()
        }
        owners = _final_or_gone(session, list(attempts)) if attempts else {}
        for owner in owners.values():
            if owner is not None and (client_ids is None or owner in client_ids):
                unresolved[name] += 1
        if client_ids is None:
            unresolved[name] += len(ids) - len(attempts)
    total = sum(unresolved.values())
    return Check(
        "failed_jobs",
        _("Failed jobs not yet retried or superseded"),
        total,
        total > 0,
        detail={"by_queue": {name: count for name, count in unresolved.items() if count}},
    )


def held_agents(
    session: Session, client: redis.Redis, client_ids: frozenset[int] | None, now: datetime
) -> list[tuple[int, int]]:
    """(agent, attempt) for agents on a call or reserved for one that is over (or gone)."""
    agents = sorted(int(a) for a in client.smembers("acuerdo:agents"))
    pipe = client.pipeline(transaction=False)
    for agent_id in agents:
        pipe.hmget(f"acuerdo:agent:{agent_id}", "state", "attempt_id")
    busy = {}
    for agent_id, (state, attempt) in zip(agents, pipe.execute(), strict=True):
        if state in BUSY_AGENT_STATES and attempt and attempt.isdigit():
            busy[agent_id] = int(attempt)
    over = finished_attempts(session, attempt_ids=sorted(set(busy.values())), now=now)
    if not over:
        return []
    owners = dict(
        session.execute(
            select(Attempt.id, Attempt.client_id).where(Attempt.id.in_(list(over)))
        ).all()
    )
    return [
        (agent_id, attempt_id)
        for agent_id, attempt_id in busy.items()
        if attempt_id in over and (client_ids is None or owners.get(attempt_id) in client_ids)
    ]


def _agents_check(
    session: Session, client: redis.Redis, client_ids: frozenset[int] | None, now: datetime
) -> Check:
    held = held_agents(session, client, client_ids, now)
    return Check(
        "agents_held",
        _("Agents on a call or reserved for a call that is over"),
        len(held),
        bool(held),
        detail={"agents": [agent for agent, _attempt in held]},
    )


def _webhooks_check(client: redis.Redis) -> Check:
    last_success = float(client.get(WEBHOOK_LAST_SUCCESS) or 0)
    failing = int(client.zcount(WEBHOOK_FAILURES, f"({last_success}", "+inf"))
    recent = int(client.zcount(WEBHOOK_FAILURES, time.time() - WEBHOOK_MEMORY_SECONDS, "+inf"))
    return Check(
        "webhooks_failing",
        _("Twilio webhooks failing since the last one that succeeded"),
        failing,
        failing > 0,
        detail={"failures_last_hour": recent},
    )


def _age_seconds(job: Job | None, now: datetime) -> float | None:
    if job is None or job.enqueued_at is None:
        return None
    enqueued = job.enqueued_at
    if enqueued.tzinfo is None:
        enqueued = enqueued.replace(tzinfo=UTC)
    return max(0.0, (now - enqueued).total_seconds())


def _queue_checks(client: redis.Redis, now: datetime) -> list[Check]:
    late_after = get_settings().queue_late_seconds
    checks = []
    for name in QUEUES:
        queue = Queue(name, connection=client)
        first = queue.get_job_ids(0, 1)
        oldest = _age_seconds(queue.fetch_job(first[0]) if first else None, now)
        checks.append(
            Check(
                f"queue_{name}",
                _("Jobs waiting in the {queue} queue (late after {seconds} s)"),
                queue.count,
                oldest is not None and oldest > late_after,
                {"queue": name, "seconds": late_after},
                {"oldest_job_seconds": None if oldest is None else round(oldest, 1)},
            )
        )
    workers = Worker.count(connection=client)
    checks.append(Check("workers", _("rq workers running"), workers, False))
    return checks


def diagnose(
    session: Session,
    *,
    client: redis.Redis,
    now: datetime,
    client_ids: frozenset[int] | None = None,
) -> Report:
    """Everything stuck, late or failing; `client_ids` limits it to those creditors' items."""
    checks = _attempt_checks(session, now, client_ids)
    checks.append(_failed_jobs(session, client, client_ids))
    checks.append(_agents_check(session, client, client_ids, now))
    if client_ids is None:
        checks.append(_webhooks_check(client))
        checks.extend(_queue_checks(client, now))
    return Report(checked_at=now, checks=checks)


async def record_webhook(client: Any, *, ok: bool, now: float, note_success: bool) -> None:
    """Note a webhook's result for the doctor (a success only when `note_success`)."""
    if not ok:
        pipe = client.pipeline(transaction=False)
        pipe.zadd(WEBHOOK_FAILURES, {f"{now}:{id(pipe)}": now})
        pipe.zremrangebyscore(WEBHOOK_FAILURES, 0, now - WEBHOOK_MEMORY_SECONDS)
        await pipe.execute()
    elif note_success:
        await client.set(WEBHOOK_LAST_SUCCESS, now, ex=WEBHOOK_MEMORY_SECONDS * 24)
