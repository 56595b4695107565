"""Set-based reads and writes for the import, one way per database.

PostgreSQL: a file's references are looked up in one statement each (`= ANY(array)`, one
parameter however many values, so the plan is never a generic scan); new rows are written with
`COPY`, their ids taken from the table's sequence first; changed rows are copied into a
temporary table and applied with one `UPDATE ... FROM`; `ANALYZE` refreshes the planner's
figures after a bulk load. SQLite has neither arrays nor `COPY`: lookups go in chunks of 500
values, inserts and updates as executemany statements, ids given explicitly (the transaction
holds the write lock from BEGIN IMMEDIATE, so nobody else can take them).
"""

import json
from collections.abc import Iterator, Sequence
from enum import Enum
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    Row,
    Select,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import QueryableAttribute, Session

QUERY_CHUNK = 500
T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def on_postgresql(session: Session) -> bool:
    """Whether the session writes to PostgreSQL (the fast path) rather than SQLite."""
    return session.get_bind().dialect.name == "postgresql"


def rows_matching(
    session: Session,
    query: Select[*tuple[Any, ...]],
    column: QueryableAttribute[Any],
    values: Sequence[Any],
) -> Iterator[Row[*tuple[Any, ...]]]:
    """The rows of `query` whose `column` is one of `values`, as plain rows: read through the
    session's connection, they skip the ORM's result handling, and fetched all at once (a
    row-by-row fetch cost a re-import of 100k rows 4 s).

    The values are given to the execution, not bound into the statement: a statement sits in
    reference cycles, which only the garbage collector frees, and the import pauses it
    (`campaigns/bulk_collector.py`), so a statement holding a batch's 20,000 values kept them
    until the next collection."""
    if not values:
        return
    connection = session.connection()
    if on_postgresql(session):
        array = bindparam("values", type_=ARRAY(column.type))
        yield from connection.execute(
            query.where(column == any_(array)), {"values": list(values)}
        ).all()
        return
    in_chunk = query.where(column.in_(bindparam("values", expanding=True)))
    for chunk in chunks(values, QUERY_CHUNK):
        yield from connection.execute(in_chunk, {"values": chunk}).all()


def insert_with_ids(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` (same keys each) and return their new ids, in order."""
    if not rows:
        return []
    if on_postgresql(session):
        # The sequence is looked up once (inline, PostgreSQL would look it up for every id) and
        # the ids come back as one array rather than a row each: 90 ms -> 10 ms for 33,000.
        ids: list[int] = session.scalar(
            sql_text(
                "WITH s AS MATERIALIZED "
                "(SELECT pg_get_serial_sequence(:table, 'id')::regclass AS seq) "
                "SELECT array(SELECT nextval(s.seq) FROM s, generate_series(1, :count))"
            ),
            {"table": table.name, "count": len(rows)},
        )
        copy_rows(session, table, rows, ids=ids)
        return ids
    start = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    ids = list(range(start, start + len(rows)))
    session.execute(
        insert(table), [{**row, "id": new_id} for row, new_id in zip(rows, ids, strict=True)]
    )
    return ids


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (same keys each) whose ids nobody needs back."""
    if not rows:
        return
    if on_postgresql(session):
        copy_rows(session, table, rows)
    else:
        session.execute(insert(table), list(rows))


def copy_rows(
    session: Session,
    table: Table | str,
    rows: Sequence[dict[str, Any]],
    *,
    ids: Sequence[int] | None = None,
) -> None:
    """`COPY` rows (same keys each, each key's values of one type or None) into a PostgreSQL
    table, in the session's transaction; with `ids`, each row's id.

    COPY knows only the database's defaults: a table's scalar Python-side defaults (such as
    `priority_boost = 0`) are added here for the columns the rows leave out.
    """
    name = table if isinstance(table, str) else table.name
    columns = list(rows[0])
    defaults = {} if isinstance(table, str) else _scalar_defaults(table, columns)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    given = [*columns, *defaults, *(["id"] if ids is not None else [])]
    statement = f"COPY {name} ({', '.join(given)}) FROM STDIN"
    tail = [_copy_value(value) for value in defaults.values()]
    converted = [i for i, column in enumerate(columns) if _needs_converting(rows, column)]
    pick = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    with cursor.copy(statement) as copy:
        for index, row in enumerate(rows):
            values = [*pick(row), *tail]
            for i in converted:
                values[i] = _copy_value(values[i])
            if ids is not None:
                values.append(ids[index])
            copy.write_row(values)


def _needs_converting(rows: Sequence[dict[str, Any]], column: str) -> bool:
    """Whether the column holds enums or JSON values, judged by its first value that is not
    None (a column's values are of one type)."""
    first = next((row[column] for row in rows if row[column] is not None), None)
    return isinstance(first, Enum | dict | list)


def _scalar_defaults(table: Table, given: list[str]) -> dict[str, Any]:
    return {
        column.name: column.default.arg  # type: ignore[attr-defined]
        for column in table.columns
        if column.name not in given and column.default is not None and column.default.is_scalar
    }


def _copy_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def update_by_id(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Set the given columns of each row, found by its `id` (rows may name different columns)."""
    if not rows:
        return
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    for columns, group in groups.items():
        if on_postgresql(session):
            _update_from_copy(session, table, columns, group)
        else:
            values: dict[str, Any] = {c: bindparam(c) for c in columns if c != "id"}
            statement = table.update().where(table.c.id == bindparam("row_id")).values(values)
            params = [
                {"row_id": row["id"], **{c: row[c] for c in columns if c != "id"}} for row in group
            ]
            session.execute(statement, params)


def _update_from_copy(
    session: Session, table: Table, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    staging = f"import_changes_{table.name}"
    session.execute(
        sql_text(
            f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS "
            f"SELECT {', '.join(columns)} FROM {table.name} WITH NO DATA"
        )
    )
    copy_rows(session, staging, rows)
    assignments = ", ".join(f"{c} = s.{c}" for c in columns if c != "id")
    session.execute(
        sql_text(f"UPDATE {table.name} t SET {assignments} FROM {staging} s WHERE t.id = s.id")
    )
    session.execute(sql_text(f"DROP TABLE {staging}"))


def analyze(session: Session, tables: Sequence[Table]) -> None:
    """Refresh PostgreSQL's statistics after a bulk load, so later lookups plan on real sizes."""
    if on_postgresql(session):
        session.execute(sql_text(f"ANALYZE {', '.join(t.name for t in tables)}"))
