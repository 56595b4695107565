"""Alembic environment: migrates the database the settings (or the caller) name."""

from alembic import context
from sqlalchemy import Connection

from campaigns.db import create_db_engine
from campaigns.models import Base
from campaigns.settings import get_settings

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = create_db_engine(url)
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
