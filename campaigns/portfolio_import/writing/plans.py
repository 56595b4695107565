"""What the import will do to each debtor and contact point, decided in memory before writing."""

from dataclasses import dataclass, field
from typing import Any

from campaigns.debtor_zones.candidates import candidate_zones, encode_zones
from campaigns.models import Client, ContactKind
from campaigns.portfolio_import.rows import ParsedRow


@dataclass
class PointPlan:
    """A contact point already stored or about to be, and its WhatsApp consent."""

    id: int | None
    whatsapp: str = "none"  # none | opted_in | opted_out | pending (a row without a consent time)
    whatsapp_permission_id: int | None = None


@dataclass
class DebtorPlan:
    """A debtor already stored (id set) or new, with the changes the file brings."""

    id: int | None
    name: str
    national_id: str | None
    region: str | None
    stated_timezone: str | None
    timezone: str = ""
    timezones: str = ""
    changed: bool = False
    refreshed: bool = False
    points: dict[tuple[str, str], PointPlan] = field(default_factory=dict)
    next_priority: int = 0
    phones: list[str] = field(default_factory=list)  # valid phones, priority order: zone evidence


def plan_debtors(
    rows: list[ParsedRow],
    accounts: dict[str, Any],
    by_nid: dict[str, DebtorPlan],
    by_id: dict[int, DebtorPlan],
) -> list[DebtorPlan]:
    """Each row's debtor: matched on national id, else through its account, else new.

    A debtor's name, region and stated zone are refreshed from its first row in the file.
    """
    plans: list[DebtorPlan] = []
    for row in rows:
        debtor = by_nid.get(row.national_id) if row.national_id else None
        account = accounts.get(row.account_ref)
        if debtor is None and account is not None:
            candidate = by_id[account.debtor_id]
            if row.national_id is None or candidate.national_id in (None, row.national_id):
                debtor = candidate
                if row.national_id and candidate.national_id is None:
                    candidate.national_id, candidate.changed = row.national_id, True
                    by_nid[row.national_id] = candidate
        if debtor is None:
            debtor = DebtorPlan(None, row.name, row.national_id, row.region, row.stated_timezone)
            debtor.refreshed = True
            if row.national_id:
                by_nid[row.national_id] = debtor
        elif not debtor.refreshed:
            debtor.refreshed = True
            fresh = (
                row.name,
                row.region or debtor.region,
                row.stated_timezone or debtor.stated_timezone,
            )
            if fresh != (debtor.name, debtor.region, debtor.stated_timezone):
                debtor.name, debtor.region, debtor.stated_timezone = fresh
                debtor.changed = True
        plans.append(debtor)
    return plans


def plan_zones(client: Client, rows: list[ParsedRow], debtors: list[DebtorPlan]) -> None:
    """Every debtor's candidate zones from its stated zone, region and phones (old and new)."""
    for row, debtor in zip(rows, debtors, strict=True):
        debtor.phones.extend(p.value for p in row.points if p.kind == ContactKind.PHONE)
    for debtor in distinct(debtors):
        zones = candidate_zones(
            stated=debtor.stated_timezone,
            region=debtor.region,
            country=client.country,
            phones=dict.fromkeys(debtor.phones),
            creditor_zone=client.timezone,
        )
        stored = encode_zones(zones)
        if stored != debtor.timezones:
            debtor.timezone, debtor.timezones = zones[0], stored
            debtor.changed = debtor.changed or debtor.id is not None


def distinct(debtors: list[DebtorPlan]) -> list[DebtorPlan]:
    """Each debtor once (several rows may share one), in first-seen order."""
    return list({id(d): d for d in debtors}.values())
