"""Apply Alembic migrations: by ``tendero db upgrade`` and on every start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from tendero.config import get_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    return config


def upgrade_database(url: str | None = None) -> None:
    """Bring the database to the newest schema; a no-op when it is already there."""
    command.upgrade(alembic_config(url), "head")
