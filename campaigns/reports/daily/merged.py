"""What the day's computations share: rows of one summary table keyed by their dimensions, with
the measures of several queries added into one row."""

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select

from campaigns.models import AttemptStatus

Row = dict[str, Any]
HUMAN = "human"
# Attempts that never left Acuerdo: not placed, so not counted as contacts made.
NOT_PLACED = (
    AttemptStatus.PENDING,
    AttemptStatus.DISPATCHING,
    AttemptStatus.CANCELED,
    AttemptStatus.REFUSED,
)


def zero(measure: str) -> Any:
    """The empty value of a measure: Decimal for amounts, float for seconds, else int."""
    if measure.startswith("amount") or measure in ("balance", "assigned", "collected"):
        return Decimal("0")
    if measure.endswith("seconds"):
        return 0.0
    return 0


class Merged:
    """Rows keyed by their dimensions; measures from several queries added into one row."""

    def __init__(self, dims: tuple[str, ...], measures: tuple[str, ...]) -> None:
        self.dims, self.measures = dims, measures
        self.rows: dict[tuple[Any, ...], Row] = {}

    def add(self, key: dict[str, Any], **values: Any) -> None:
        dims = tuple(key[d] for d in self.dims)
        row = self.rows.get(dims)
        if row is None:
            row = dict(zip(self.dims, dims, strict=True)) | {m: zero(m) for m in self.measures}
            self.rows[dims] = row
        for name, value in values.items():
            row[name] += value or zero(name)

    def result(self, day: date) -> list[Row]:
        return [{"day": day, **row} for row in self.rows.values()]


def of_clients(column: Any, client_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    """The condition narrowing rows to some creditors (none: every creditor, as the rollup
    computes)."""
    return [] if client_ids is None else [column.in_(sorted(client_ids))]


def within_ids(key: Any, ids: Any, *where: Any) -> list[ColumnElement[bool]]:
    """`key` between the least and the greatest of the `ids` column over the rows `where`
    selects: a condition every row those ids point to meets, so it changes no result. It lets
    the database read that slice of `key`'s index (the rows of recent days: ids grow with time)
    and hash-join it, instead of looking each row up or scanning the whole table."""
    # `ids + 0`: the least and greatest of the rows `where` selects (through their own index),
    # not a walk of `ids`' index in order until a row matches.
    low = select(func.min(ids + 0)).where(*where).correlate(None).scalar_subquery()
    high = select(func.max(ids + 0)).where(*where).correlate(None).scalar_subquery()
    return [key >= low, key <= high]
