"""The zone facts a selection is built from: each creditor's distinct candidate-zone lists.

A debtor's stored `timezones` (every candidate zone, primary first) is the key the selection's
CASE expressions switch on: Python works out, once per distinct key, what depends on the local
time (open or closed, the local dates, the cap windows) and SQL picks the value by key.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from campaigns.compliance.windows import local_dates, local_time
from campaigns.debtor_zones import decode_zones, encode_zones
from campaigns.models import Client

# A loose index scan of the (client_id, timezones, country) index: one probe per distinct pair,
# so reading a creditor's pairs costs what its number of pairs costs, not its number of debtors.
_NEXT = (
    "SELECT {column} FROM debtors WHERE client_id = :client_id"
    " AND (timezones, country) > (p.timezones, p.country)"
    " ORDER BY timezones, country LIMIT 1"
)
ZONE_PAIRS_SQL = text(
    "WITH RECURSIVE p(timezones, country) AS ("
    " SELECT * FROM (SELECT timezones, country FROM debtors WHERE client_id = :client_id"
    " ORDER BY timezones, country LIMIT 1) AS first_pair"
    " UNION ALL"
    f" SELECT ({_NEXT.format(column='timezones')}), ({_NEXT.format(column='country')})"
    " FROM p WHERE p.timezones IS NOT NULL"
    ") SELECT timezones, country FROM p WHERE timezones IS NOT NULL"
)


def zone_pairs(session: Session, client_id: int) -> list[tuple[str, str]]:
    """The distinct (stored candidate zones, country) pairs of a client's debtors."""
    rows = session.execute(ZONE_PAIRS_SQL, {"client_id": client_id}).all()
    return sorted((str(key), str(country)) for key, country in rows)


class ZoneCache:
    """Each creditor's zone pairs, read once and reused by every campaign of one tick.

    Make a new one per tick: a debtor imported after it was filled is in none of its pairs, and
    the selection treats such a debtor as outside the window until the next tick (never as open).
    """

    def __init__(self) -> None:
        self._pairs: dict[int, list[tuple[str, str]]] = {}

    def pairs(self, session: Session, client: Client) -> list[tuple[str, str]]:
        """The creditor's pairs (its own zone when it has no debtors yet)."""
        if client.id not in self._pairs:
            found = zone_pairs(session, client.id)
            self._pairs[client.id] = found or [(encode_zones([client.timezone]), client.country)]
        return self._pairs[client.id]


@dataclass(frozen=True)
class ZoneFacts:
    """What the selection needs per zone key at one moment."""

    pairs: tuple[tuple[str, str], ...]
    zones_of: Mapping[str, tuple[str, ...]]
    today: Mapping[str, date]  # every zone that appears in any key -> its local date
    earliest: Mapping[str, date]  # key -> the earliest local date among its zones
    latest: Mapping[str, date]  # key -> the latest local date among its zones

    @property
    def keys(self) -> list[str]:
        """The distinct stored zone lists."""
        return sorted(self.zones_of)


def zone_facts(pairs: list[tuple[str, str]], now: datetime) -> ZoneFacts:
    """The zone facts of these pairs at this moment."""
    zones_of = {key: decode_zones(key) for key, _country in pairs}
    every = sorted({zone for zones in zones_of.values() for zone in zones})
    bounds = {key: local_dates(now, zones) for key, zones in zones_of.items()}
    return ZoneFacts(
        pairs=tuple(sorted(set(pairs))),
        zones_of=zones_of,
        today={zone: local_time(now, zone).date() for zone in every},
        earliest={key: low for key, (low, _high) in bounds.items()},
        latest={key: high for key, (_low, high) in bounds.items()},
    )
