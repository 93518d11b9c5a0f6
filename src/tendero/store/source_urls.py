"""Checking a SQL source's name and URL: SQLite or PostgreSQL, never tendero's own database.

Apart from the sources themselves (``store.sources``) so that the settings can refuse a bad
``TENDERO_SQL_SOURCES`` when they are read, without importing the store's engine or sessions.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import socket
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from tendero.data.issues import TableRejected
from tendero.data.messages import say

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
DIALECTS = ("sqlite", "postgresql")


class SourceRefused(TableRejected):
    """A source that cannot be used, or a query that cannot run on it; says why."""


def parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except (ArgumentError, ValueError):  # the library's message repeats the URL, password included
        raise SourceRefused(say("source.bad_url", reason="write it like postgresql://user@host:5432/database "
                                                         "or sqlite:////path/to/file.db")) from None  # fmt: skip


def dialect_of(url: URL) -> str:
    return url.get_backend_name()


def check_name(name: str) -> None:
    if not NAME.fullmatch(name or ""):
        raise SourceRefused(say("source.bad_name"))


def check_url(url: str, server_url: str, *, resolve: bool) -> URL:
    """A URL tendero may read from: SQLite or PostgreSQL, and not tendero's own database."""
    parsed = parse_url(url)
    dialect = dialect_of(parsed)
    if dialect not in DIALECTS:
        raise SourceRefused(say("source.dialect", dialect=dialect))
    if dialect == "sqlite" and (not parsed.database or parsed.database == ":memory:"):
        raise SourceRefused(say("source.bad_url", reason="a SQLite source names a database file"))
    if same_database(parsed, parse_url(server_url), resolve=resolve):
        raise SourceRefused(say("source.server_database"))
    return parsed


def check_configured_sources(configured: dict[str, Any], server_url: str) -> None:
    """``TENDERO_SQL_SOURCES`` as the settings read it: refused now, not at first use (no name lookups here)."""
    for name, value in configured.items():
        check_name(name)
        url = value.get("url") if isinstance(value, dict) else value
        if not isinstance(url, str):
            raise SourceRefused(say("source.bad_url", reason=f"source {name!r} has no url"))
        check_url(url, server_url, resolve=False)


def same_database(a: URL, b: URL, *, resolve: bool) -> bool:
    """Whether two URLs reach the same database: the same SQLite file (links followed), or the same
    PostgreSQL server (host names resolved when ``resolve``; this machine's addresses are one server),
    port and database."""
    if dialect_of(a) != dialect_of(b):
        return False
    if dialect_of(a) == "sqlite":
        first, second = Path(a.database or "").expanduser(), Path(b.database or "").expanduser()
        if first.exists() and second.exists():
            return os.path.samefile(first, second)
        return os.path.realpath(first) == os.path.realpath(second)
    port_a, port_b = a.port or 5432, b.port or 5432
    name_a, name_b = a.database or a.username or "postgres", b.database or b.username or "postgres"
    if port_a != port_b or name_a != name_b:
        return False
    hosts_a, hosts_b = _server(a, resolve), _server(b, resolve)
    return bool(hosts_a & hosts_b)


def host_of(url: URL) -> str | None:
    host = url.host or url.query.get("host")
    return host if isinstance(host, str) else None


def _server(url: URL, resolve: bool) -> set[str]:
    """Names for the server a URL reaches: "this machine" for sockets, loopback and local addresses."""
    host = host_of(url)
    if not host or host.startswith("/") or host.lower() in ("localhost", "localhost.localdomain"):
        return {"this machine"}
    try:
        address = ipaddress.ip_address(host.strip("[]"))
        addresses = {str(address)}
    except ValueError:
        if not resolve:
            return {host.lower()}
        try:
            addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
        except OSError:
            return {host.lower()}
    if any(_is_this_machine(candidate) for candidate in addresses):
        return {"this machine"}
    return addresses | {host.lower()}


def _is_this_machine(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.is_loopback or ip.is_unspecified:
        return True
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.bind((address, 0))  # only an address of this machine can be bound
        return True
    return False
