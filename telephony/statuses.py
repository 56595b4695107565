"""Provider statuses mapped onto attempts, and the order in which they may follow each other."""

from campaigns.models import AttemptStatus

TERMINAL = frozenset(
    {
        AttemptStatus.COMPLETED,
        AttemptStatus.DELIVERED,
        AttemptStatus.BUSY,
        AttemptStatus.NO_ANSWER,
        AttemptStatus.FAILED,
        AttemptStatus.UNDELIVERED,
        AttemptStatus.CANCELED,
        AttemptStatus.REFUSED,
    }
)

_PROVIDER_TO_ATTEMPT = {
    "accepted": AttemptStatus.QUEUED,
    "scheduled": AttemptStatus.QUEUED,
    "queued": AttemptStatus.QUEUED,
    "initiated": AttemptStatus.QUEUED,
    "sending": AttemptStatus.QUEUED,
    "ringing": AttemptStatus.RINGING,
    "in-progress": AttemptStatus.IN_PROGRESS,
    "answered": AttemptStatus.IN_PROGRESS,
    "sent": AttemptStatus.SENT,
    "completed": AttemptStatus.COMPLETED,
    "delivered": AttemptStatus.DELIVERED,
    "read": AttemptStatus.DELIVERED,
    "busy": AttemptStatus.BUSY,
    "no-answer": AttemptStatus.NO_ANSWER,
    "failed": AttemptStatus.FAILED,
    "undelivered": AttemptStatus.UNDELIVERED,
    "canceled": AttemptStatus.CANCELED,
}

_RANK = {
    AttemptStatus.PENDING: 0,
    AttemptStatus.DISPATCHING: 1,
    AttemptStatus.QUEUED: 2,
    AttemptStatus.RINGING: 3,
    AttemptStatus.SENT: 4,
    AttemptStatus.IN_PROGRESS: 4,
}


def attempt_status(provider_status: str) -> AttemptStatus | None:
    """Our status for a provider's status value, or None for one we do not track."""
    return _PROVIDER_TO_ATTEMPT.get(provider_status.lower())


def moves_forward(current: AttemptStatus, new: AttemptStatus) -> bool:
    """Whether new may replace current: statuses only advance, and a final one is final."""
    if current in TERMINAL:
        return False
    if new in TERMINAL:
        return True
    return _RANK[new] > _RANK[current]
