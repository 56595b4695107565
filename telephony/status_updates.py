"""Provider status callbacks applied to attempts: stored once, applied only forward."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns import contact_points
from campaigns.db import conflict_insert
from campaigns.models import Attempt, AttemptEvent, AttemptStatus, Channel, ContactPoint
from telephony.dispatch import INVALID_NUMBER, NOT_MOBILE, OPTED_OUT
from telephony.statuses import TERMINAL, attempt_status, moves_forward

MACHINE_PREFIXES = ("machine", "fax")


@dataclass(frozen=True)
class StatusChange:
    """An attempt that moved to a new status because of a provider event."""

    attempt_id: int
    status: AttemptStatus
    agent_id: int | None

    @property
    def final(self) -> bool:
        return self.status in TERMINAL


def apply_status(
    session: Session,
    *,
    attempt_id: int | None,
    sid: str,
    provider_status: str,
    params: dict[str, str],
    now: datetime,
) -> StatusChange | None:
    """Store a provider event once per (SID, status) and move the attempt forward if it may."""
    attempt = _find_attempt(session, attempt_id=attempt_id, sid=sid)
    if attempt is None:
        return None
    if not _store_once(session, attempt, sid, provider_status, params, now):
        return None
    if attempt.provider_sid is None:
        attempt.provider_sid = sid
    new = attempt_status(provider_status)
    if new is None or not moves_forward(AttemptStatus(attempt.status), new):
        return None
    attempt.status = new
    if params.get("AnsweredBy"):
        attempt.answered_by = params["AnsweredBy"]
    if new == AttemptStatus.IN_PROGRESS:
        attempt.answered_at = attempt.answered_at or now
    if new in TERMINAL:
        attempt.ended_at = now
        duration = params.get("CallDuration") or params.get("Duration")
        if duration and duration.isdigit():
            attempt.duration_seconds = int(duration)
        _apply_error(session, attempt, params, now)
    return StatusChange(attempt_id=attempt.id, status=new, agent_id=attempt.agent_id)


def _find_attempt(session: Session, *, attempt_id: int | None, sid: str) -> Attempt | None:
    attempt = session.scalar(select(Attempt).where(Attempt.provider_sid == sid).with_for_update())
    if attempt is None and attempt_id is not None:
        attempt = session.get(Attempt, attempt_id, with_for_update=True)
        if attempt is not None and attempt.provider_sid not in (None, sid):
            return None
    return attempt


def _store_once(
    session: Session,
    attempt: Attempt,
    sid: str,
    provider_status: str,
    params: dict[str, str],
    now: datetime,
) -> bool:
    """Store the event unless this (SID, status) is stored already: one INSERT that does
    nothing on the unique (SID, status), however many deliveries of it race."""
    statement = (
        conflict_insert(session)(AttemptEvent)
        .values(
            client_id=attempt.client_id,
            attempt_id=attempt.id,
            status=provider_status,
            source="provider",
            provider_sid=sid,
            data={k: v for k, v in params.items() if k in _KEPT_PARAMS},
            occurred_at=now,
        )
        .on_conflict_do_nothing(index_elements=["provider_sid", "status"])
        .returning(AttemptEvent.id)
    )
    return session.execute(statement).scalar() is not None


_KEPT_PARAMS = {
    "CallStatus",
    "MessageStatus",
    "AnsweredBy",
    "CallDuration",
    "ErrorCode",
    "SequenceNumber",
    "Timestamp",
    "SipResponseCode",
}


def _apply_error(session: Session, attempt: Attempt, params: dict[str, str], now: datetime) -> None:
    code = params.get("ErrorCode")
    if not code or not code.isdigit():
        return
    attempt.error_code = int(code)
    point = (
        session.get(ContactPoint, attempt.contact_point_id) if attempt.contact_point_id else None
    )
    if point is None:
        return
    if attempt.error_code == OPTED_OUT:
        contact_points.opt_out(
            session,
            contact_point=point,
            channel=Channel(attempt.channel),
            source="twilio:21610",
            at=now,
        )
    elif attempt.error_code in (INVALID_NUMBER, NOT_MOBILE):
        contact_points.mark_invalid(
            session, contact_point=point, reason=f"twilio:{code}", source="twilio", at=now
        )


def is_machine(answered_by: str | None) -> bool:
    """Whether Twilio's answering-machine detection says a machine (or fax) answered."""
    return bool(answered_by) and str(answered_by).startswith(MACHINE_PREFIXES)
