"""Side effects that must wait for a commit: Redis publications and rq enqueues.

Code that changes rows registers what should follow on the session; it happens only once the
transaction commits, and is dropped if it rolls back. A lower package names rq jobs by their
dotted path, so it never imports the package that defines them.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session

from campaigns.redis_conn import get_redis

PENDING_KEY = "acuerdo_after_commit"
DISPATCH_QUEUE = "dispatch"
DEFAULT_QUEUE = "default"


@dataclass
class _Pending:
    publications: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    jobs: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)


def _pending(session: Session) -> _Pending:
    pending: _Pending = session.info.setdefault(PENDING_KEY, _Pending())
    return pending


def publish_after_commit(session: Session, channel: str, message: dict[str, Any]) -> None:
    """Publish a JSON message on a Redis channel once this transaction commits."""
    _pending(session).publications.append((channel, message))


def enqueue_after_commit(
    session: Session,
    func_path: str,
    *args: Any,
    job_id: str | None = None,
    queue: str = DISPATCH_QUEUE,
    **options: Any,
) -> None:
    """Enqueue an rq job (by dotted path) once this transaction commits."""
    _pending(session).jobs.append((queue, func_path, args, {"job_id": job_id, **options}))


def get_queue(name: str = DISPATCH_QUEUE) -> Queue:
    """An rq queue on the shared Redis."""
    return Queue(name, connection=get_redis())


@event.listens_for(Session, "after_commit")
def _flush_pending(session: Session) -> None:
    pending: _Pending | None = session.info.pop(PENDING_KEY, None)
    if pending is None:
        return
    redis = get_redis()
    for channel, message in pending.publications:
        redis.publish(channel, json.dumps(message, default=str))
    for queue, func_path, args, options in pending.jobs:
        get_queue(queue).enqueue(func_path, *args, **options)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
