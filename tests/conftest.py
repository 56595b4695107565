"""The fixture layer: a clean real database and a real Redis for every test.

SQLite in a temporary folder by default, PostgreSQL when ACUERDO_DATABASE_URL is set; the embedded
Redis by default, ACUERDO_REDIS_URL when set. The schema is built once per run with the real
migrations; every test then starts from empty tables and an empty Redis database.
"""

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

_VAR = Path(tempfile.mkdtemp(prefix="acuerdo-test-"))
os.environ["ACUERDO_VAR_DIR"] = str(_VAR)
if not os.environ.get("ACUERDO_DATABASE_URL"):
    os.environ["ACUERDO_DATABASE_URL"] = f"sqlite:///{_VAR / 'test.db'}"

import redis as redis_lib  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from campaigns import db, migrate  # noqa: E402
from campaigns.models import Base  # noqa: E402
from campaigns.redis_conn import get_redis, redis_url, stop_embedded_redis  # noqa: E402
from campaigns.settings import get_settings  # noqa: E402


def _reset_schema() -> None:
    engine = db.get_engine()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade()


def _empty_tables() -> None:
    """Delete every row and (PostgreSQL) restart the id sequences, as SQLite does after a DELETE.

    DELETE, not TRUNCATE: a test leaves a few rows, and PostgreSQL's TRUNCATE of the 37 tables
    rewrites every one of their files (0.3-1 s a test, a quarter of the suite's time on
    PostgreSQL) where DELETE of a few rows takes 20-30 ms."""
    engine = db.get_engine()
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    # A process the test started may still be finishing a query while it shuts down; a DELETE
    # then loses a deadlock to it now and then (PostgreSQL aborts one side), so it tries again.
    for attempt in range(5):
        try:
            with engine.begin() as conn:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))
                if engine.dialect.name == "postgresql":
                    conn.execute(
                        text(
                            "SELECT setval(oid, 1, false) FROM pg_class"
                            " WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"
                        )
                    )
            return
        except OperationalError as error:
            if "deadlock detected" not in str(error) or attempt == 4:
                raise
            time.sleep(0.5)


@pytest.fixture(scope="session", autouse=True)
def _schema() -> Iterator[None]:
    _reset_schema()
    yield
    db.get_engine().dispose()
    if not get_settings().redis_url:
        stop_embedded_redis(get_settings().var_dir)
    shutil.rmtree(_VAR, ignore_errors=True)


@pytest.fixture(autouse=True)
def _clean_state() -> Iterator[None]:
    yield
    _empty_tables()
    get_redis().flushdb()


@pytest.fixture(scope="session")
def _observer_engine() -> Iterator[Engine]:
    engine = db.create_db_engine(get_settings().resolved_database_url, immediate_transactions=False)
    yield engine
    engine.dispose()


@pytest.fixture
def session(_observer_engine: Engine) -> Iterator[Session]:
    """A session on the test database (commit when another process must see the rows).

    On SQLite its transactions are deferred, so a test that keeps reading while other processes
    write does not hold the write lock.
    """
    with Session(_observer_engine) as s:
        yield s


@pytest.fixture
def redis() -> "redis_lib.Redis":
    """The real Redis the code under test uses."""
    return get_redis()


@pytest.fixture
def child_env() -> dict[str, str]:
    """Environment for processes a test starts: the same database, Redis and folders."""
    env = dict(os.environ)
    env["ACUERDO_REDIS_URL"] = redis_url()
    return env


@pytest.fixture
def var_dir() -> Path:
    """The test run's var directory."""
    return _VAR
