"""Who may see and do what on the dashboard: the signed-in principal, its role, and the CSRF check.

The role tuples are the API's own (``tendero.api.deps``), so a page and its endpoint can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form, Request

from tendero.api.deps import ADMIN, INGEST, READ, TRAIN
from tendero.store import tenants, users
from tendero.store.db import session_scope
from tendero.store.tenants import Principal
from tendero.web.session import WebSession, read_session

__all__ = ["ADMIN", "INGEST", "READ", "TRAIN", "BadCsrf", "Forbidden", "NotSignedIn", "can", "page", "posted"]


class NotSignedIn(Exception):
    """No (or no longer valid) session: the page sends the browser to sign in."""


class Forbidden(Exception):
    def __init__(self, role: str) -> None:
        super().__init__(role)
        self.role = role


class BadCsrf(Exception):
    """A form without the session's CSRF token: refused before anything else is read."""


def _still_valid(principal: Principal) -> bool:
    """A session ends when its API key is revoked, or when its user is disabled or removed."""
    if principal.key_prefix.startswith("user:"):
        with session_scope() as session:
            return users.active_user(session, principal.tenant_id, principal.key_prefix[5:]) is not None
    with session_scope() as session:
        return any(
            key.prefix == principal.key_prefix and key.revoked_at is None
            for key in tenants.list_keys(session, principal.tenant_id)
        )


def signed_in(request: Request) -> WebSession:
    session = read_session(request)
    if session.principal is None:
        raise NotSignedIn()
    if not request.scope.get("tendero.web_checked"):
        if not _still_valid(session.principal):
            raise NotSignedIn()
        request.scope["tendero.web_checked"] = True
    return session


def can(principal: Principal, roles: tuple[str, ...]) -> bool:
    return principal.role in roles


def page(*roles: str) -> Callable[[Request], WebSession]:
    """A dependency for a page: signed in, with one of ``roles``."""

    def check(request: Request) -> WebSession:
        session = signed_in(request)
        assert session.principal is not None
        if session.principal.role not in roles:
            raise Forbidden(session.principal.role)
        return session

    return check


def posted(*roles: str) -> Callable[..., WebSession]:
    """A dependency for a form post: signed in, a matching CSRF token, then one of ``roles``."""

    def check(request: Request, csrf: Annotated[str, Form()] = "") -> WebSession:
        session = signed_in(request)
        if not session.csrf_matches(csrf):
            raise BadCsrf()
        assert session.principal is not None
        if session.principal.role not in roles:
            raise Forbidden(session.principal.role)
        return session

    return check


Reader = Annotated[WebSession, Depends(page(*READ))]
AnyRole = Annotated[WebSession, Depends(page(*READ, *INGEST))]
Admin = Annotated[WebSession, Depends(page(*ADMIN))]
PostAdmin = Annotated[WebSession, Depends(posted(*ADMIN))]
PostTrainer = Annotated[WebSession, Depends(posted(*TRAIN))]
PostIngest = Annotated[WebSession, Depends(posted(*INGEST))]
PostAnyRole = Annotated[WebSession, Depends(posted(*READ, *INGEST))]
