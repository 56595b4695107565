"""Schema migrations (Alembic), run from code so no alembic.ini is needed."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from campaigns.settings import get_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at our migrations and the given (or configured) database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url or get_settings().resolved_database_url)
    return config


def upgrade(url: str | None = None) -> None:
    """Bring the database schema to the newest revision."""
    command.upgrade(alembic_config(url), "head")


def revision(message: str, url: str | None = None) -> None:
    """Autogenerate a new revision from the models (a developer tool)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
