"""Typed dependencies: the database session, and the caller (tenant + role) from the API key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from tendero.api.errors import ProblemError
from tendero.api.errors import language_of as _language_of
from tendero.services.database import session_scope
from tendero.services.roles import ADMIN, INGEST, PREDICT, READ, TRAIN
from tendero.services.schemas import MAX_INT64
from tendero.services.tenants import Principal, key_cache


def get_session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


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
        principal: Principal | None = getattr(request.state, "principal", None)
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


AdminDep = Annotated[Principal, Depends(require(*ADMIN))]
ReaderDep = Annotated[Principal, Depends(require(*READ))]
TrainerDep = Annotated[Principal, Depends(require(*TRAIN))]
PredictorDep = Annotated[Principal, Depends(require(*PREDICT))]
IngestDep = Annotated[Principal, Depends(require(*INGEST))]


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
