"""Database engine and sessions: SQLite by default, PostgreSQL when configured."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from tendero.config import get_settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine tuned per backend: WAL and a busy timeout on SQLite, a pool on PostgreSQL."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@lru_cache
def _session_factory() -> sessionmaker[Session]:
    return sessionmaker(get_engine(), expire_on_commit=False)


def reset_engine() -> None:
    """Drop the cached engine (after settings changed, or in a forked child process)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    _session_factory.cache_clear()


@contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work: committed if the block finishes, rolled back if it raises."""
    session = _session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def using_session(session: Session | None) -> Iterator[Session]:
    """The caller's session when it has one (its unit of work), else a new ``session_scope``: services take
    either, so an API route shares its request's session and the CLI needs none of its own."""
    if session is not None:
        yield session
        return
    with session_scope() as own:
        yield own


def display_url(url: str) -> str:
    """The database URL with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def table_exists(name: str) -> bool:
    """Whether a table exists (PostgreSQL), e.g. Procrastinate's, which Alembic does not manage."""
    with get_engine().connect() as connection:
        return bool(connection.execute(text("select to_regclass(:name)"), {"name": name}).scalar())


def ping() -> None:
    """Raise if the database does not answer."""
    with get_engine().connect() as connection:
        connection.execute(text("select 1"))
