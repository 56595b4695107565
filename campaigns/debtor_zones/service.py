"""Keeping each debtor's candidate zones true: on import, on a corrected region or phone, and in
bulk for rows stored before the zones were computed."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from campaigns.audit import record
from campaigns.debtor_zones.candidates import candidate_zones, decode_zones, encode_zones
from campaigns.errors import Conflict, Invalid, NotFound
from campaigns.i18n import _
from campaigns.models import Client, ContactKind, ContactPoint, Debtor
from campaigns.portfolio_import.values import ValueProblem, parse_phone

BATCH = 1000


class DebtorNotFound(NotFound):
    """No debtor or contact point with that id."""


class PhoneNotValid(Invalid):
    """The corrected phone is not a phone number."""


class PhoneAlreadyListed(Conflict):
    """The debtor already has the corrected number."""


@dataclass(frozen=True)
class LocalTime:
    """The debtor's wall-clock time in one candidate zone."""

    zone: str
    local: datetime

    def as_dict(self) -> dict[str, str]:
        """As the agent's screen shows it: zone, ISO time and HH:MM."""
        shown = self.local.strftime("%H:%M")
        return {"zone": self.zone, "at": self.local.isoformat(), "time": shown}


class StoredZones(Protocol):
    """A debtor's stored zones, such as a Debtor row."""

    @property
    def timezone(self) -> str: ...

    @property
    def timezones(self) -> str | None: ...


def debtor_zones(debtor: StoredZones) -> tuple[str, ...]:
    """The debtor's candidate zones, primary first (the stored list, else the single zone)."""
    return decode_zones(debtor.timezones or "") or (debtor.timezone,)


def local_times(zones: Sequence[str], now: datetime) -> list[LocalTime]:
    """The debtor's local time now in each candidate zone."""
    return [LocalTime(zone, now.astimezone(ZoneInfo(zone))) for zone in zones]


def _phones(session: Session, debtor_id: int) -> list[str]:
    return list(
        session.scalars(
            select(ContactPoint.value)
            .where(
                ContactPoint.debtor_id == debtor_id,
                ContactPoint.kind == ContactKind.PHONE,
                ContactPoint.invalid.is_(False),
            )
            .order_by(ContactPoint.priority, ContactPoint.id)
        )
    )


def refresh_debtor_zones(session: Session, *, debtor: Debtor) -> tuple[str, ...]:
    """Recompute a debtor's candidate zones from its stated zone, region and valid phones."""
    client = session.get_one(Client, debtor.client_id)
    session.flush()
    zones = candidate_zones(
        stated=debtor.stated_timezone,
        region=debtor.region,
        country=debtor.country,
        phones=_phones(session, debtor.id),
        creditor_zone=client.timezone,
    )
    stored = encode_zones(zones)
    if stored != debtor.timezones or zones[0] != debtor.timezone:
        debtor.timezone, debtor.timezones = zones[0], stored
        session.flush()
    return zones


def correct_region(
    session: Session, *, debtor_id: int, region: str | None, actor_label: str, now: datetime
) -> tuple[str, ...]:
    """Correct a debtor's region; its candidate zones follow."""
    debtor = session.get(Debtor, debtor_id)
    if debtor is None:
        raise DebtorNotFound(_("No debtor with id {id}."), id=debtor_id)
    before = debtor.timezones
    debtor.region = (region or "").strip()[:80] or None
    zones = refresh_debtor_zones(session, debtor=debtor)
    record(
        session,
        action="debtor.region_corrected",
        entity=debtor,
        actor_label=actor_label,
        at=now,
        data={"region": debtor.region, "zones_before": before, "zones": debtor.timezones},
    )
    return zones


def correct_phone(
    session: Session, *, contact_point_id: int, value: str, actor_label: str, now: datetime
) -> tuple[str, ...]:
    """Correct a phone number (any writing, read as the import reads it); the zones follow."""
    point = session.get(ContactPoint, contact_point_id)
    if point is None or point.kind != ContactKind.PHONE:
        raise DebtorNotFound(_("No phone with id {id}."), id=contact_point_id)
    debtor = session.get_one(Debtor, point.debtor_id)
    try:
        phone = parse_phone(value, region=debtor.country)
    except ValueProblem as error:
        raise PhoneNotValid(error.message, **error.params) from error
    taken = select(ContactPoint.id).where(
        ContactPoint.debtor_id == debtor.id,
        ContactPoint.kind == ContactKind.PHONE,
        ContactPoint.value == phone.e164,
        ContactPoint.id != point.id,
    )
    if session.scalar(taken) is not None:
        raise PhoneAlreadyListed(_("The debtor already has the number {phone}."), phone=phone.e164)
    before = point.value
    point.value, point.line_type = phone.e164, phone.line_type
    zones = refresh_debtor_zones(session, debtor=debtor)
    record(
        session,
        action="contact_point.corrected",
        entity=point,
        actor_label=actor_label,
        at=now,
        data={"before": before[-4:], "zones": debtor.timezones},
    )
    return zones


def recompute_zones(session: Session, *, client_id: int | None = None) -> int:
    """Recompute every debtor's candidate zones (e.g. rows stored before they existed).

    Returns how many debtors' zones changed.
    """
    creditors = {c.id: c for c in session.scalars(select(Client))}
    after = 0
    changed = 0
    while True:
        query = select(
            Debtor.id,
            Debtor.client_id,
            Debtor.region,
            Debtor.country,
            Debtor.stated_timezone,
            Debtor.timezone,
            Debtor.timezones,
        ).where(Debtor.id > after)
        if client_id is not None:
            query = query.where(Debtor.client_id == client_id)
        rows = session.execute(query.order_by(Debtor.id).limit(BATCH)).all()
        if not rows:
            return changed
        after = rows[-1].id
        phones: dict[int, list[str]] = {}
        for debtor_id, value in session.execute(
            select(ContactPoint.debtor_id, ContactPoint.value)
            .where(
                ContactPoint.debtor_id.in_([r.id for r in rows]),
                ContactPoint.kind == ContactKind.PHONE,
                ContactPoint.invalid.is_(False),
            )
            .order_by(ContactPoint.debtor_id, ContactPoint.priority, ContactPoint.id)
        ):
            phones.setdefault(debtor_id, []).append(value)
        updates = []
        for row in rows:
            zones = candidate_zones(
                stated=row.stated_timezone,
                region=row.region,
                country=row.country,
                phones=phones.get(row.id, []),
                creditor_zone=creditors[row.client_id].timezone,
            )
            stored = encode_zones(zones)
            if (zones[0], stored) != (row.timezone, row.timezones):
                updates.append({"id": row.id, "timezone": zones[0], "timezones": stored})
        if updates:
            session.execute(update(Debtor), updates)
            changed += len(updates)
