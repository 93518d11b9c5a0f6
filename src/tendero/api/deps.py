"""Typed dependencies: the database session, and the caller (tenant + role) from the API key."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from tendero.api.errors import ProblemError
from tendero.api.errors import language_of as _language_of
from tendero.store import tenants
from tendero.store.db import session_scope
from tendero.store.tenants import Principal

KEY_CACHE_SECONDS = 5.0


def get_session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


class KeyCache:
    """Resolved keys kept for a few seconds, so a hot prediction path does not query per request.

    A revoke made in this process is immediate; one made elsewhere takes at most ``KEY_CACHE_SECONDS``.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def fresh(self, secret: str) -> tuple[bool, Principal | None]:
        """(found, principal) from memory only: found is False when the database must be asked."""
        entry = self._entries.get(secret)
        if entry is not None and time.monotonic() - entry[0] < KEY_CACHE_SECONDS:
            return True, entry[1]
        return False, None

    def resolve(self, secret: str) -> Principal | None:
        now = time.monotonic()
        entry = self._entries.get(secret)
        if entry is not None and now - entry[0] < KEY_CACHE_SECONDS:
            return entry[1]
        with session_scope() as session:
            principal = tenants.authenticate(session, secret)
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[secret] = (now, principal)
        return principal

    def forget_prefix(self, prefix: str) -> None:
        with self._lock:
            for secret in [s for s in self._entries if s.startswith(prefix + "_")]:
                del self._entries[secret]


key_cache = KeyCache()


def bearer_secret(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def current_principal(request: Request) -> Principal:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    secret = bearer_secret(request)
    if secret is None:
        raise ProblemError(
            401, "missing API key: send 'Authorization: Bearer <key>'", headers={"WWW-Authenticate": "Bearer"}
        )
    principal = key_cache.resolve(secret)
    if principal is None:
        raise ProblemError(401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"})
    request.state.principal = principal
    return principal


def require(*roles: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that lets through only keys with one of ``roles`` (403 otherwise).

    Async, so that a key resolved in the last few seconds costs no trip to a worker thread (on a busy
    prediction path that hand-over costs more than the check); a key to look up goes to the pool."""

    async def check(request: Request) -> Principal:
        principal = getattr(request.state, "principal", None)
        if principal is None:
            secret = bearer_secret(request)
            found, cached = key_cache.fresh(secret) if secret is not None else (False, None)
            if found and cached is not None:
                request.state.principal = principal = cached
            else:
                principal = await run_in_threadpool(current_principal, request)
        if principal.role not in roles:
            raise ProblemError(
                403,
                f"this action needs the role {' or '.join(roles)}; your key has the role {principal.role}",
            )
        return principal

    check.__name__ = f"require_{'_'.join(roles)}"
    return check


ADMIN = ("admin",)
READ = ("admin", "analyst")
TRAIN = ("admin", "analyst")
PREDICT = ("admin", "analyst", "service")
INGEST = ("admin", "service")

AdminDep = Annotated[Principal, Depends(require(*ADMIN))]
ReaderDep = Annotated[Principal, Depends(require(*READ))]
TrainerDep = Annotated[Principal, Depends(require(*TRAIN))]
PredictorDep = Annotated[Principal, Depends(require(*PREDICT))]
IngestDep = Annotated[Principal, Depends(require(*INGEST))]


# The largest whole number a database column or LIMIT/OFFSET holds (SQLite INTEGER, PostgreSQL bigint): every
# integer a client sends in a query or path is bounded by it (or by a smaller domain maximum), so nothing
# past it reaches the database as an OverflowError.
MAX_INT64 = 2**63 - 1
Offset = Annotated[int, Query(ge=0, le=MAX_INT64, description="items to skip")]
EventId = Annotated[int, Query(ge=0, le=MAX_INT64, description="only events after this event id")]


class Page:
    """``limit``/``offset`` query parameters shared by every list endpoint."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=500, description="items per page")] = 50,
        offset: Offset = 0,
    ) -> None:
        self.limit, self.offset = limit, offset


PageDep = Annotated[Page, Depends()]


def language_of(request: Request) -> Literal["es", "en"]:
    """Human text follows Accept-Language: English when it is preferred over Spanish, Spanish otherwise."""
    return _language_of(request.headers.get("accept-language", ""))
