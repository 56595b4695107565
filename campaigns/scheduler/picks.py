"""The accounts a tick contacts: the selection's eligible rows, walked in pick order page by page.

The walk reads the campaign's matched accounts through an index in pick order (priority boost,
oldest due date, highest balance, id), evaluates the selection's rules on one page at a time and
stops as soon as the tick has its picks, so its cost follows the picks, not the portfolio. It
returns exactly what ranking every eligible account would: per debtor the best eligible account,
then the best `calls` calls and `messages` messages.

After the first page the tick sizes the next one from what the pages so far yielded per channel
(the rows each pick took, times the picks still missing, with a margin), so a tick short of a few
picks reads a few more rows rather than twice as many: the rules cost the same for every row
read, and a page of rows the tick does not need was two thirds of a 1M-account tick.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from campaigns.debtor_zones import decode_zones
from campaigns.models import Channel
from campaigns.scheduler.eligibility.selection import Selection

FIRST_PAGE_MIN = 100
PAGE_MAX = 8000
PAGE_MARGIN = 1.5  # a next page reads half as many rows again as the yield so far says it needs


@dataclass(frozen=True)
class Pick:
    """One eligible account the tick contacts."""

    account_id: int
    debtor_id: int
    tz: str
    zones: tuple[str, ...]
    step: int
    try_number: int
    channel: str
    contact_point_id: int
    recycle: str | None = None
    recycle_round: int | None = None


def walk(
    session: Session,
    selection: Selection,
    *,
    first_page: int,
    next_page: Callable[[int], int] | None = None,
) -> Iterator[Any]:
    """The selection's rows (every matched account with its rule) in pick order, read a page at
    a time: the first page has `first_page` accounts; each next one `next_page(rows so far)`
    (asked once the rows before it were consumed), by default twice the last page, up to
    PAGE_MAX. Stop iterating and no further page is read."""
    session.flush()
    connection = session.connection()
    plan = _PagePlan(connection) if selection.postgres else None
    offset, size = 0, first_page
    while True:
        if plan:
            plan.enter()
        ids = list(connection.execute(selection.page_ids(offset, size)).scalars())
        rows = connection.execute(selection.page, {"page_ids": ids}).all() if ids else []
        if plan:
            plan.leave()
        yield from rows
        if len(ids) < size:
            return
        offset += size
        size = next_page(offset) if next_page else max(size, min(PAGE_MAX, size * 2))


class _PagePlan:
    """PostgreSQL planner settings for a page's two statements, and back to the caller's after.

    A page's rows are read by key from cached indexes. Priced as random disk reads (the default)
    and with parallel workers, the planner would rather hash a page against a scan of every
    debtor. The settings are local to the transaction, so they are put back before the rows are
    handed out: whatever the caller runs between pages (or after the walk) is planned as usual.
    """

    SETTINGS = {"random_page_cost": "1.1", "max_parallel_workers_per_gather": "0"}

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        current = ", ".join(f"current_setting('{name}')" for name in self.SETTINGS)
        values = connection.execute(text(f"SELECT {current}")).one()
        self.callers = dict(zip(self.SETTINGS, values, strict=True))

    def enter(self) -> None:
        self._set(self.SETTINGS)

    def leave(self) -> None:
        self._set(self.callers)

    def _set(self, values: dict[str, str]) -> None:
        calls = ", ".join(f"set_config('{name}', :{name}, true)" for name in values)
        self.connection.execute(text(f"SELECT {calls}"), values)


def pick_eligible(
    session: Session,
    selection: Selection,
    *,
    messages: int,
    calls: int,
    page_size: int | None = None,
    walked: list[Any] | None = None,
) -> list[Pick]:
    """The eligible accounts to contact now, best first: one per debtor, within the limits.

    The first page has `page_size` accounts (default: twice the picks wanted). `walked`, when
    given, receives every selection row the walk went through before it had its picks.
    """
    limits = {True: calls, False: messages}
    taken = {True: 0, False: 0}
    seen_debtors: set[int] = set()
    picks: list[Pick] = []
    if calls <= 0 and messages <= 0:
        return picks
    first_page = page_size or max(FIRST_PAGE_MIN, 2 * (calls + messages))
    smallest = min(first_page, FIRST_PAGE_MIN)

    def next_page(walked_rows: int) -> int:
        """Enough rows for the picks still missing at the yield so far; a channel with no pick
        yet (none eligible so far) searches twice as far again."""
        wanted = 0.0
        for is_call in (True, False):
            missing = limits[is_call] - taken[is_call]
            if missing > 0:
                found = taken[is_call]
                wanted = max(
                    wanted, walked_rows * missing / found * PAGE_MARGIN if found else walked_rows
                )
        return max(smallest, min(PAGE_MAX, round(wanted)))

    for row in walk(session, selection, first_page=first_page, next_page=next_page):
        if walked is not None:
            walked.append(row)
        if row.rule is not None or row.debtor_id in seen_debtors:
            continue
        seen_debtors.add(row.debtor_id)
        is_call = row.channel == Channel.VOICE.value
        if taken[is_call] < limits[is_call]:
            taken[is_call] += 1
            picks.append(_pick(row))
            if taken[True] >= calls and taken[False] >= messages:
                break
    return picks


def _pick(r: Any) -> Pick:
    return Pick(
        int(r.account_id),
        int(r.debtor_id),
        str(r.tz),
        decode_zones(str(r.zones)),
        int(r.step),
        int(r.try_number),
        str(r.channel),
        int(r.contact_point_id),
        str(r.recycle) if r.recycle else None,
        int(r.recycle_round) if r.recycle_round is not None else None,
    )
