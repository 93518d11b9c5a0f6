"""Who may see and do what on the dashboard: the signed-in principal, its role, and the CSRF check.

The role tuples are the API's own (``tendero.services.roles``), so a page and its endpoint can never disagree. The role
is read from the store on every request (the cookie names only who signed in), so revoking a key, disabling a
user or changing a role takes effect at the next click.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Form, Request

from tendero.services import tenants
from tendero.services.roles import ADMIN, INGEST, READ, TRAIN
from tendero.services.tenants import Principal
from tendero.web.session import Identity, WebSession, read_session, remember

__all__ = ["ADMIN", "INGEST", "READ", "TRAIN", "BadCsrf", "Forbidden", "NotSignedIn", "can", "page", "posted"]


class NotSignedIn(Exception):
    """No (or no longer valid) session: the page sends the browser to sign in."""


class Forbidden(Exception):
    def __init__(self, role: str) -> None:
        super().__init__(role)
        self.role = role


class BadCsrf(Exception):
    """A form without the session's CSRF token: refused before anything else is read."""


def principal_of(identity: Identity) -> Principal | None:
    """The identity's current tenant and role from the store; None once its key is revoked or its user disabled
    or removed."""
    return tenants.principal_of(identity.tenant_id, identity.ref)


def resolved(request: Request) -> WebSession:
    """The request's session with its principal read from the store (once per request); anonymous when the
    cookie names nobody who is still active."""
    session = read_session(request)
    if session.identity is not None and not request.scope.get("tendero.web_checked"):
        request.scope["tendero.web_checked"] = True
        session = replace(session, principal=principal_of(session.identity))
        remember(request, session)
    return session


def signed_in(request: Request) -> WebSession:
    session = resolved(request)
    if session.principal is None:
        raise NotSignedIn()
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
