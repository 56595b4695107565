"""Migration 0003 keeps outcomes recorded twice for an attempt, linking only the first to it."""

import sqlite3
from pathlib import Path

import pytest
from alembic import command

from campaigns.migrate import alembic_config


def test_duplicate_outcomes_keep_their_rows_and_only_the_first_stays_on_the_attempt(
    tmp_path: Path,
) -> None:
    database = tmp_path / "before.db"
    config = alembic_config(f"sqlite:///{database}")
    command.upgrade(config, "0001")
    with sqlite3.connect(database) as connection:
        connection.executemany(
            "INSERT INTO outcomes (id, account_id, attempt_id, disposition, right_party, notes, "
            "submission_key, client_id, created_at) "
            "VALUES (?, 1, ?, 'refuses', 0, '', ?, 1, '2026-11-23 17:00:00')",
            [(1, 7, "a"), (2, 7, "b"), (3, None, "c"), (4, 8, "d"), (5, 7, "e")],
        )
    command.upgrade(config, "0006")
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT id, attempt_id FROM outcomes ORDER BY id").fetchall()
        assert rows == [(1, 7), (2, None), (3, None), (4, 8), (5, None)]
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute(
                "INSERT INTO outcomes (id, account_id, attempt_id, disposition, right_party, "
                "notes, client_id, created_at) VALUES (6, 1, 8, 'refuses', 0, '', 1, '2026-11-23')"
            )
