"""Matching a file's header row to the fields an import reads."""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from campaigns.errors import Invalid
from campaigns.i18n import _


class MissingColumn(Invalid):
    """A required column is not in the header row."""


def normalise_header(text: str) -> str:
    """A header reduced for matching: no accents, lower case, words joined by underscores."""
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )
    return re.sub(r"[^a-z0-9]+", "_", stripped.lower()).strip("_")


@dataclass(frozen=True)
class Column:
    """A field the reader looks for, under any of its accepted header names."""

    field: str
    aliases: tuple[str, ...]
    required: bool = False
    repeatable: bool = False
    pattern: str | None = None

    def matches(self, normalised: str) -> bool:
        """Whether a normalised header names this field."""
        if normalised in self.aliases:
            return True
        return self.pattern is not None and re.fullmatch(self.pattern, normalised) is not None


@dataclass
class ColumnMap:
    """Which file columns (by position) hold which field, and which columns nobody reads."""

    positions: dict[str, list[int]] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)

    def first(self, name: str) -> int | None:
        """The position of the (first) column of a field, if the file has one."""
        found = self.positions.get(name)
        return found[0] if found else None


def map_columns(headers: Sequence[str], columns: Sequence[Column]) -> ColumnMap:
    """Match headers to fields: case, accents, spaces and punctuation do not matter."""
    mapping = ColumnMap(headers=list(headers))
    for position, header in enumerate(headers):
        normalised = normalise_header(header)
        column = next((c for c in columns if c.matches(normalised)), None) if normalised else None
        if column is None:
            if header:
                mapping.unused.append(header)
            continue
        taken = mapping.positions.setdefault(column.field, [])
        if taken and not column.repeatable:
            mapping.unused.append(header)
            continue
        taken.append(position)
    return mapping


def require_columns(
    mapping: ColumnMap, columns: Sequence[Column], labels: Mapping[str, str] | None = None
) -> None:
    """Raise MissingColumn for the first required field the file does not have."""
    for column in columns:
        if column.required and column.field not in mapping.positions:
            raise MissingColumn(
                _("The file has no {column} column; name it one of: {aliases}."),
                column=(labels or {}).get(column.field, column.field),
                aliases=", ".join(column.aliases),
            )
