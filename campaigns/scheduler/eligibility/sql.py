"""Typed SQL literals and the per-zone CASE that the parts of the selection share."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Date, Integer, Select, String, Subquery, case, literal
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


def fenced(query: Select[Any], name: str) -> Subquery:
    """One stage of the selection as a subquery the database computes once per row.

    Without the fence both PostgreSQL and SQLite inline a subquery into the query that reads it,
    so every reference to a computed column repeats its expression and the correlated lookups
    inside it: the query grew to hundreds of subplans that took longer to plan and start than to
    run. OFFSET 0 keeps each stage whole (neither database inlines a subquery with an OFFSET).
    """
    return query.offset(0).subquery(name)
