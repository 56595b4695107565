"""The database engine and sessions, created lazily and safe across rq's forks."""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from campaigns.settings import get_settings

_engine: Engine | None = None
_read_engine: Engine | None = None
_session_factory: sessionmaker[Session] | None = None


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs that name no driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _configure_sqlite(engine: Engine, *, immediate: bool) -> None:
    """Foreign keys, WAL and IMMEDIATE transactions so several processes can share the file.

    IMMEDIATE takes the write lock at BEGIN, so a transaction never fails half-way when another
    process wrote first; the price is that sessions must stay short. A reader that needs long
    transactions (a test watching other processes) can ask for deferred ones.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_db_engine(url: str, *, immediate_transactions: bool = True) -> Engine:
    """An engine for the URL, with the SQLite tweaks where they apply."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            hide_parameters=True,  # parameters are debtors' names, phones and notes
        )
        _configure_sqlite(engine, immediate=immediate_transactions)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True
    )


def get_engine() -> Engine:
    """The process's engine, created on first use."""
    global _engine
    if _engine is None:
        _engine = create_db_engine(get_settings().resolved_database_url)
    return _engine


def get_read_engine() -> Engine:
    """The engine for read-only work: on SQLite its transactions never take the write lock."""
    global _read_engine
    if get_engine().dialect.name != "sqlite":
        return get_engine()
    if _read_engine is None:
        _read_engine = create_db_engine(
            get_settings().resolved_database_url, immediate_transactions=False
        )
    return _read_engine


def _after_fork_in_child() -> None:
    for engine in (_engine, _read_engine):
        if engine is not None:
            engine.dispose(close=False)


os.register_at_fork(after_in_child=_after_fork_in_child)


def session_factory() -> sessionmaker[Session]:
    """The process's session factory, bound to its engine."""
    global _session_factory
    if _session_factory is None:
        _session_factory = sessionmaker(get_engine(), expire_on_commit=False)
    return _session_factory


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on any error (jobs, CLI, scripts)."""
    session = session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_scope() -> Iterator[Session]:
    """A session for reading only (screen pops, snapshots, lookups); never commits."""
    session = Session(get_read_engine(), expire_on_commit=False)
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@contextmanager
def autocommit_connection() -> Iterator[Connection]:
    """One connection for a hot path made of single statements (the dispatch job).

    On PostgreSQL every statement commits on its own: no BEGIN or COMMIT round trips, so a
    one-statement write is one round trip. Wrap each step in `with conn.begin():` all the same:
    on SQLite that block is one IMMEDIATE transaction (its steps may take several statements).
    """
    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        yield conn


def request_session() -> Iterator[Session]:
    """A session for one web request (a FastAPI dependency): commit on success, else roll back."""
    with session_scope() as session:
        yield session


def conflict_insert(session: Session) -> Callable[..., Any]:
    """The session's database's own `insert`, the one with ON CONFLICT (PostgreSQL or SQLite)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"Acuerdo supports SQLite and PostgreSQL, not {dialect}")
