"""Typed SQL literals and the per-zone CASE that the parts of the selection share."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Date, Integer, String, case, literal
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine

from campaigns.models.base import UTCDateTime

DATE = Date()
DATETIME = UTCDateTime()
TEXT = String()
INT = Integer()


def by_zone(
    tz: ColumnElement[str] | InstrumentedAttribute[str],
    values: Mapping[str, Any],
    type_: TypeEngine[Any],
) -> Any:
    """A value that depends on the debtor's zone: a literal when all zones agree, else a CASE."""
    distinct = set(values.values())
    if len(distinct) == 1:
        return literal(next(iter(distinct)), type_)
    return case(*((tz == zone, literal(value, type_)) for zone, value in values.items()))
