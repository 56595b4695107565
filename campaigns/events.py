"""Side effects that must wait for a commit: Redis publications and rq enqueues.

Code that changes rows registers what should follow on the session; it happens only once the
outermost transaction commits, and is dropped if it rolls back. Effects are kept per transaction:
one registered inside a savepoint (`session.begin_nested()`) joins the enclosing transaction when
the savepoint is released and is dropped when the savepoint rolls back, while the effects the
enclosing transaction registered before or after it are kept. A lower package names rq jobs by
their dotted path, so it never imports the package that defines them.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from campaigns.redis_conn import get_redis

log = logging.getLogger(__name__)

PENDING_KEY = "acuerdo_after_commit"
DISPATCH_QUEUE = "dispatch"
DEFAULT_QUEUE = "default"

Effect = Callable[[], object]


@dataclass
class _Pending:
    effects: list[Effect] = field(default_factory=list)
    committed: bool = False


def _boundary(transaction: SessionTransaction) -> SessionTransaction:
    """The savepoint or root transaction a (sub)transaction's effects belong to."""
    while not transaction.nested and transaction.parent is not None:
        transaction = transaction.parent
    return transaction


def _buckets(session: Session) -> dict[SessionTransaction, _Pending]:
    buckets: dict[SessionTransaction, _Pending] = session.info.setdefault(PENDING_KEY, {})
    return buckets


def _current(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


def after_commit(session: Session, effect: Effect) -> None:
    """Run `effect` once the session's outermost transaction commits (never if it rolls back)."""
    transaction = _current(session) or session.begin()
    _buckets(session).setdefault(transaction, _Pending()).effects.append(effect)


def pending_effects(session: Session) -> int:
    """How many effects wait for the current transaction (and its savepoints) to commit."""
    return sum(len(p.effects) for p in _buckets(session).values())


def publish_after_commit(session: Session, channel: str, message: dict[str, Any]) -> None:
    """Publish a JSON message on a Redis channel once this transaction commits."""
    payload = json.dumps(message, default=str)
    after_commit(session, lambda: _publish(channel, payload))


def get_queue(name: str = DISPATCH_QUEUE) -> Queue:
    """An rq queue on the shared Redis."""
    return Queue(name, connection=get_redis())


def _run(effects: list[Effect]) -> None:
    """Run every effect even if one fails (Redis away); then raise the first failure."""
    failures: list[Exception] = []
    for effect in effects:
        try:
            effect()
        except Exception as error:
            log.exception("an after-commit effect failed")
            failures.append(error)
    if failures:
        raise failures[0]


def _publish(channel: str, payload: str) -> None:
    get_redis().publish(channel, payload)


@event.listens_for(Session, "after_commit")
def _mark_committed(session: Session) -> None:
    """Fired for the root commit and for each savepoint release, before the transaction closes."""
    buckets = session.info.get(PENDING_KEY)
    if not buckets:
        return
    current = _current(session)
    pending = buckets.get(current) if current is not None else None
    if pending is not None:
        pending.committed = True


@event.listens_for(Session, "after_transaction_end")
def _settle(session: Session, transaction: SessionTransaction) -> None:
    """Run, hand up to the enclosing transaction, or drop the effects of a closed transaction."""
    buckets = session.info.get(PENDING_KEY)
    if not buckets:
        return
    pending = buckets.pop(transaction, None)
    if pending is None or not pending.committed:
        return
    if transaction.parent is None:
        _run(pending.effects)
        return
    parent = _boundary(transaction.parent)
    buckets.setdefault(parent, _Pending()).effects.extend(pending.effects)
