"""The database for every face: its schema brought up to date (with the job queue's tables where Procrastinate runs
the jobs) and a unit of work for one request."""

from __future__ import annotations

from tendero.config import get_settings
from tendero.store.db import display_url
from tendero.store.db import session_scope as session_scope  # an API request's unit of work (``SessionDep``)
from tendero.store.migrate import upgrade_database as upgrade_database


def install_job_schema() -> None:
    """Procrastinate's own tables (idempotent; safe when several workers start together)."""
    from tendero.jobs.distributed import install_schema  # loads procrastinate only where it runs the jobs

    install_schema()


def upgrade_all() -> str:
    """Migrate to the newest schema, and install the job queue's tables when Procrastinate runs the jobs; returns
    the database URL with its password hidden (what ``tendero db upgrade`` reports)."""
    upgrade_database()
    settings = get_settings()
    if settings.job_runner == "procrastinate":
        install_job_schema()
    return display_url(settings.database_url)
