"""A shop's own database as a source: named connections an operator configured, queried read-only.

A request never carries a database URL: it names a source (``TENDERO_SQL_SOURCES`` or ``tendero
sources add``) that an operator opened to its tenant. tendero's own database can never be a source —
refused when a source is configured and again when it is used (same SQLite file; same PostgreSQL
server, port and database). Queries run read-only: SQLite opened with ``mode=ro`` behind an
authorizer that lets only reads through (no ATTACH, no PRAGMA, no writes), PostgreSQL in a READ ONLY
transaction through a server-side cursor (a single SELECT or VALUES). Each query has a time limit and
a row cap; a SQLite path that does not exist is refused, never created.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from sqlalchemy.engine import URL

from tendero.config import get_settings
from tendero.data.messages import say
from tendero.store import sql_sources as rows
from tendero.store.db import display_url, session_scope
from tendero.store.source_urls import SourceRefused, check_name, check_url, dialect_of, host_of, parse_url
from tendero.store.tables import Tenant

CONNECT_SECONDS = 10
_READ_KEYWORDS = ("select", "with", "values", "table", "(")
_SQLITE_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
_SQLITE_DENIED_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}


@dataclass(frozen=True)
class Source:
    """A configured source. ``tenants`` None: every tenant (a plain URL in the settings)."""

    name: str
    url: str
    origin: Literal["settings", "stored"]
    tenants: frozenset[str] | None = None

    def describe(self) -> dict[str, Any]:
        """What a tenant's user may see: the name, the kind of database and its name (no host, no password)."""
        parsed = parse_url(self.url)
        database = Path(parsed.database or "").name if dialect_of(parsed) == "sqlite" else parsed.database
        return {"name": self.name, "dialect": dialect_of(parsed), "database": database, "origin": self.origin}

    def shown_url(self) -> str:
        """For operators (the CLI): the URL with its password hidden."""
        return display_url(self.url)


# ---------------------------------------------------------------------------------------------
# the sources a tenant may use


def _settings_sources() -> dict[str, Source]:
    found = {}
    for name, value in get_settings().sql_sources.items():
        if isinstance(value, dict):
            tenants = frozenset(str(t) for t in value.get("tenants") or [])
            found[name] = Source(name, str(value["url"]), "settings", tenants)
        else:
            found[name] = Source(name, value, "settings", None)
    return found


def _tenant_names(tenant_id: str) -> set[str]:
    with session_scope() as session:
        tenant = session.get(Tenant, tenant_id)
        return {tenant_id, tenant.name} if tenant is not None else {tenant_id}


def sources_for(tenant_id: str) -> list[Source]:
    """The sources this tenant may query: the settings' (open to it) and its stored ones."""
    names = _tenant_names(tenant_id)
    found = [s for s in _settings_sources().values() if s.tenants is None or s.tenants & names]
    with session_scope() as session:
        found += [Source(r.name, r.url, "stored") for r in rows.stored_sources(session, tenant_id)]
    return sorted(found, key=lambda source: source.name)


def find_source(tenant_id: str, name: str) -> Source:
    """This tenant's source of that name; the same answer whether another tenant has one or not."""
    for source in sources_for(tenant_id):
        if source.name == name:
            return source
    raise SourceRefused(say("source.unknown", name=str(name)[:63]))


def add_source(tenant_id: str, name: str, url: str) -> Source:
    """Store a source for one tenant (the operator's ``tendero sources add``)."""
    check_name(name)
    check_url(url, get_settings().database_url, resolve=True)
    if name in _settings_sources():
        raise SourceRefused(say("source.exists", name=name))
    with session_scope() as session:
        if rows.stored_source(session, tenant_id, name) is not None:
            raise SourceRefused(say("source.exists", name=name))
        rows.store_source(session, tenant_id, name, url)
    return Source(name, url, "stored")


def remove_source(tenant_id: str, name: str) -> bool:
    with session_scope() as session:
        return rows.delete_source(session, tenant_id, name)


# ---------------------------------------------------------------------------------------------
# running a query


class QueryStream:
    """An open read-only query; ``frames()`` yields its rows ``chunk_rows`` at a time, at most ``max_rows``."""

    def __init__(self, name: str, cursor: Any, connection: Any, chunk_rows: int, max_rows: int,
                 errors: Any) -> None:  # fmt: skip
        self.name, self.display = name, name
        self._cursor, self._connection, self._errors = cursor, connection, errors
        self.chunk_rows, self.max_rows = chunk_rows, max_rows
        self.columns = [str(column[0]) for column in cursor.description or []]

    def frames(self) -> Iterator[pd.DataFrame]:
        returned = 0
        while True:
            with self._errors():
                batch = self._cursor.fetchmany(self.chunk_rows)
            if not batch:
                return
            returned += len(batch)
            if returned > self.max_rows:
                raise SourceRefused(say("source.too_many_rows", limit=self.max_rows))
            yield pd.DataFrame([tuple(row) for row in batch], columns=self.columns)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._cursor.close()
        with contextlib.suppress(Exception):
            self._connection.rollback()
        with contextlib.suppress(Exception):
            self._connection.close()


def open_source(tenant_id: str, name: str, query: str, chunk_rows: int = 100_000) -> QueryStream:
    """Run ``query`` on this tenant's source ``name``, read-only, within the configured time and row limits."""
    source = find_source(tenant_id, name)
    return _open(source.name, source.url, query, chunk_rows)


def open_url(url: str, query: str, chunk_rows: int = 100_000) -> QueryStream:
    """An operator's URL given at the shell (``tendero import sql --url``): the same checks and limits."""
    return _open(display_url(url), url, query, chunk_rows)


def _open(name: str, url: str, query: str, chunk_rows: int) -> QueryStream:
    settings = get_settings()
    parsed = check_url(url, settings.database_url, resolve=True)  # again at use: settings may have changed
    words = query.strip().lstrip("(").split(None, 1)
    if not words or not query.strip().lower().startswith(_READ_KEYWORDS):
        raise SourceRefused(say("source.read_only", reason=f"the query starts with {(words or [''])[0][:20]!r}"))
    if dialect_of(parsed) == "sqlite":
        return _open_sqlite(name, parsed, query, chunk_rows, settings.sql_timeout_seconds, settings.sql_max_rows)
    return _open_postgresql(name, parsed, query, chunk_rows, settings.sql_timeout_seconds, settings.sql_max_rows)


def _sqlite_authorizer(action: int, first: str | None, _second: str | None, _db: str | None,
                       _trigger: str | None) -> int:  # fmt: skip
    if action not in _SQLITE_ALLOWED:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (first or "").lower() in _SQLITE_DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _open_sqlite(name: str, url: URL, query: str, chunk_rows: int, seconds: float, max_rows: int) -> QueryStream:
    path = Path(url.database or "").expanduser()
    if not path.is_file():  # mode=ro would not create it either; say so plainly
        raise SourceRefused(say("source.sqlite_missing", name=name))
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=5)
    except sqlite3.Error:
        raise SourceRefused(say("source.connect", name=name, reason="the file is not a readable database")) from None
    connection.set_authorizer(_sqlite_authorizer)
    deadline = time.monotonic() + seconds
    connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)

    @contextlib.contextmanager
    def errors() -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            text = str(error)
            if "interrupted" in text:
                raise SourceRefused(say("source.timeout", seconds=_seconds(seconds))) from None
            if "not authorized" in text or "one statement" in text or "readonly" in text:
                raise SourceRefused(say("source.read_only", reason=text[:200])) from None
            raise SourceRefused(say("source.query_failed", name=name, reason=text[:200])) from None
        except sqlite3.Warning as error:  # "You can only execute one statement at a time."
            raise SourceRefused(say("source.read_only", reason=str(error)[:200])) from None

    cursor = connection.cursor()
    try:
        with errors():
            cursor.execute(query)
    except BaseException:
        connection.close()
        raise
    return QueryStream(name, cursor, connection, chunk_rows, max_rows, errors)


def _open_postgresql(name: str, url: URL, query: str, chunk_rows: int, seconds: float,
                     max_rows: int) -> QueryStream:  # fmt: skip
    import psycopg

    milliseconds = max(1, int(seconds * 1000))
    options = f"-c statement_timeout={milliseconds} -c default_transaction_read_only=on"
    extra: dict[str, Any] = {k: v for k, v in url.query.items() if isinstance(v, str) and k not in ("options", "host")}
    try:
        connection = psycopg.connect(
            host=host_of(url), port=url.port, dbname=url.database, user=url.username, password=url.password,
            connect_timeout=CONNECT_SECONDS, options=options, application_name="tendero-source", **extra,
        )  # fmt: skip
    except psycopg.Error as error:
        raise SourceRefused(say("source.connect", name=name, reason=_connect_reason(error))) from None
    connection.read_only = True  # BEGIN READ ONLY for the query's transaction
    deadline = time.monotonic() + seconds

    @contextlib.contextmanager
    def errors() -> Iterator[None]:
        if time.monotonic() > deadline:
            raise SourceRefused(say("source.timeout", seconds=_seconds(seconds)))
        try:
            yield
        except psycopg.errors.QueryCanceled:
            raise SourceRefused(say("source.timeout", seconds=_seconds(seconds))) from None
        except (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege) as error:
            raise SourceRefused(say("source.read_only", reason=_first_line(error))) from None
        except psycopg.errors.FeatureNotSupported as error:  # DECLARE: one SELECT or VALUES, no writes
            raise SourceRefused(say("source.read_only", reason=_first_line(error))) from None
        except psycopg.Error as error:
            raise SourceRefused(say("source.query_failed", name=name, reason=_first_line(error))) from None

    cursor = connection.cursor(name="tendero_source")  # server-side: DECLARE ... CURSOR FOR <one query>
    try:
        with errors():
            cursor.execute(query)  # the query text, run as it is, read-only
    except BaseException:
        connection.close()
        raise
    return QueryStream(name, cursor, connection, chunk_rows, max_rows, errors)


def _connect_reason(error: Exception) -> str:
    """Why a connection failed, in words that name no host, address or user (a tenant's user may read it)."""
    text = str(error).lower()
    if "password" in text or "authentication" in text or "role" in text:
        return "the database refused the source's user or password"
    if "does not exist" in text:
        return "the database named in the source does not exist"
    if "timeout" in text or "timed out" in text:
        return "the database server did not answer in time"
    return "the database server could not be reached"


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return (text.splitlines()[0] if text else type(error).__name__)[:200]


def _seconds(seconds: float) -> str:
    return f"{seconds:g}"
