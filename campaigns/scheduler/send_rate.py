"""Enqueue only what the provider's rate can send before each debtor's window closes.

Calls and messages leave at the configured rates, held across all workers (one call slot per
account, one message slot per sender). A batch larger than the rest of the window would leave
its tail after the window closes, so the tick keeps, in pick order, only the picks whose turn
comes before their debtor's window ends: the k-th message in line (after those already waiting
to be sent) leaves (k - 1) / rate seconds from now. At 1 message/s from 21:55 with a 22:00 end,
at most 300 of a batch of 500 are enqueued; the others wait for the next tick or the next day.
The send-time check in the dispatch job stays the last word: a job that still finds the window
closed waits for the next one.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from campaigns.compliance import Profile
from campaigns.compliance.windows import open_until
from campaigns.models import Attempt, AttemptStatus, Channel, Client, Debtor
from campaigns.settings import get_settings

CHUNK = 500


def per_second(channel: Channel | str) -> float | None:
    """The configured send rate of a channel (None: not rate-limited)."""
    settings = get_settings()
    rates = {
        Channel.VOICE: settings.calls_per_second,
        Channel.SMS: settings.messages_per_second,
        Channel.WHATSAPP: settings.whatsapp_per_second,
    }
    return rates.get(Channel(channel))


def _sender(client: Client, channel: Channel) -> str:
    settings = get_settings()
    if channel == Channel.WHATSAPP:
        return client.whatsapp_sender or ""
    return client.sms_sender or settings.default_sms_sender


def waiting_to_send(session: Session, *, client: Client, channel: Channel, now: datetime) -> int:
    """Attempts already in line for the same rate slot (same sender; every call for voice)."""
    query = (
        select(func.count(Attempt.id))
        .join(Client, Client.id == Attempt.client_id)
        .where(
            Attempt.channel == channel,
            or_(
                Attempt.status == AttemptStatus.DISPATCHING,
                and_(
                    Attempt.status == AttemptStatus.PENDING,
                    or_(Attempt.hold_until.is_(None), Attempt.hold_until <= now),
                ),
            ),
        )
    )
    if channel == Channel.SMS:
        default = get_settings().default_sms_sender
        query = query.where(func.coalesce(Client.sms_sender, default) == _sender(client, channel))
    elif channel == Channel.WHATSAPP:
        query = query.where(Client.whatsapp_sender == _sender(client, channel))
    return int(session.scalar(query) or 0)


class _Pick(Protocol):
    @property
    def debtor_id(self) -> int: ...
    @property
    def zones(self) -> tuple[str, ...]: ...
    @property
    def channel(self) -> str: ...


P = TypeVar("P", bound=_Pick)


def fit_to_windows(
    session: Session, *, client: Client, profile: Profile, picks: Sequence[P], now: datetime
) -> list[P]:
    """The picks, in order, whose turn at the send rate comes before their window closes."""
    countries = _countries(session, sorted({p.debtor_id for p in picks}))
    in_line: dict[str, int] = {}
    closing: dict[tuple[tuple[str, ...], str], datetime | None] = {}
    kept: list[P] = []
    for pick in picks:
        rate = per_second(pick.channel)
        if rate is None or rate <= 0:
            kept.append(pick)
            continue
        channel = Channel(pick.channel)
        if pick.channel not in in_line:
            in_line[pick.channel] = waiting_to_send(
                session, client=client, channel=channel, now=now
            )
        place = (pick.zones, countries.get(pick.debtor_id, client.country))
        if place not in closing:
            closing[place] = open_until(profile, place[0], place[1], now)
        end = closing[place]
        turn = now + timedelta(seconds=in_line[pick.channel] / rate)
        if end is None or turn >= end:
            continue
        in_line[pick.channel] += 1
        kept.append(pick)
    return kept


def _countries(session: Session, debtor_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(debtor_ids), CHUNK):
        rows = session.execute(
            select(Debtor.id, Debtor.country).where(
                Debtor.id.in_(debtor_ids[start : start + CHUNK])
            )
        ).all()
        found.update({int(i): str(c) for i, c in rows})
    return found
