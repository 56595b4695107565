"""One table of the evidence pack, made from a description of its columns, and the two ways a
moment is written in it (UTC and the debtor's local times)."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from campaigns.debtor_zones import local_times
from campaigns.i18n import translate

Item = TypeVar("Item")


@dataclass(frozen=True)
class Section:
    """One table of the pack: its file name, title, column headings and rows."""

    name: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Column(Generic[Item]):
    """A column of a section: its heading (a msgid) and its cell for one item."""

    heading: str
    cell: Callable[[Item], str]


def make_section(
    locale: str, name: str, title: str, columns: Sequence[Column[Item]], items: Iterable[Item]
) -> Section:
    """The section whose rows are the items, one cell per column, in the reader's language."""
    return Section(
        name,
        translate(locale, title),
        tuple(translate(locale, c.heading) for c in columns),
        tuple(tuple(c.cell(item) for c in columns) for item in items),
    )


def utc(moment: datetime | None) -> str:
    """The moment in UTC to the second, or blank."""
    return moment.isoformat(timespec="seconds") if moment else ""


def local(zones: Sequence[str], moment: datetime | None) -> str:
    """The moment in each of the debtor's zones, or blank."""
    if moment is None:
        return ""
    return "; ".join(f"{t.local:%Y-%m-%d %H:%M} {t.zone}" for t in local_times(zones, moment))
