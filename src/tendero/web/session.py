"""The dashboard's session: a signed cookie (itsdangerous) holding who signed in, a CSRF token and the language.

The cookie names an identity (tenant + API key prefix, or tenant + user), never a role: every request reads the
role, and whether the key or user is still active, from the store (``tendero.web.access``), so a cookie signed
with a leaked or guessed key still cannot raise anyone's rights. The key that signs it is never predictable
(``tendero.config.session_secret``); on an address beyond loopback a known one makes every cookie worthless.
The CSRF token is bound to the session and rotated at sign-in, so a token seen before sign-in is useless after.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from tendero.config import is_loopback, predictable_secret, session_secret
from tendero.services.tenants import Principal

COOKIE = "tendero_session"
MAX_AGE_SECONDS = 12 * 3600
SALT = "tendero.web.session"
FORMAT = 2  # cookies of another format (the old one carried a role) are ignored


@dataclass(frozen=True)
class Identity:
    """Who signed in: a tenant and an API key prefix, or ``user:<name>`` for a dashboard user."""

    tenant_id: str
    ref: str


@dataclass(frozen=True)
class WebSession:
    """What the cookie carries, plus ``principal``: the identity's current rights, read from the store on each
    request (never from the cookie). Both are None before sign-in (the login form still needs a CSRF token)."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    identity: Identity | None = None
    lang: str | None = None
    flash: tuple[str, str] | None = None  # (kind, message) shown once on the next page
    principal: Principal | None = None

    def signed_in(self, principal: Principal) -> WebSession:
        identity = Identity(principal.tenant_id, principal.key_prefix)
        return replace(self, identity=identity, principal=principal, csrf=secrets.token_urlsafe(24), flash=None)

    def with_flash(self, kind: str, message: str) -> WebSession:
        return replace(self, flash=(kind, message))

    def csrf_matches(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf.encode(), str(token).encode())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(session_secret(), salt=SALT)


def secret_usable(request: Request) -> bool:
    """False when the signing key is predictable and the request reached an address beyond loopback: such a
    cookie could come from anyone, so none is trusted and nobody can sign in (``tendero serve`` refuses to start
    that way; this covers an app started by other means)."""
    if not predictable_secret(session_secret()):
        return True
    server = request.scope.get("server") or ("", 0)
    return is_loopback(str(server[0]))


def _decode(raw: str) -> WebSession:
    data: dict[str, Any] = _serializer().loads(raw, max_age=MAX_AGE_SECONDS)
    if data.get("v") != FORMAT:
        raise ValueError("another cookie format")
    identity = Identity(str(data["tenant_id"]), str(data["ref"])) if data.get("tenant_id") else None
    flash = (str(data["flash"][0]), str(data["flash"][1])) if data.get("flash") else None
    lang = data.get("lang")
    return WebSession(csrf=str(data["csrf"]), identity=identity, lang=lang if isinstance(lang, str) else None,
                      flash=flash)  # fmt: skip


def read_session(request: Request) -> WebSession:
    """The request's session, or a fresh anonymous one when the cookie is missing, forged or expired."""
    cached = request.scope.get("tendero.web_session")
    if cached is not None:
        return cached
    raw = request.cookies.get(COOKIE)
    session = WebSession()
    if raw and secret_usable(request):
        try:
            session = _decode(raw)
        except (BadSignature, KeyError, TypeError, ValueError, IndexError):
            session = WebSession()
    request.scope["tendero.web_session"] = session
    return session


def remember(request: Request, session: WebSession) -> None:
    """Make ``session`` (e.g. with its principal resolved) what the rest of this request reads."""
    request.scope["tendero.web_session"] = session


def write_session(request: Request, response: Response, session: WebSession) -> None:
    """Set the cookie: HttpOnly, SameSite=Lax, Secure whenever the request came over https."""
    data: dict[str, Any] = {"v": FORMAT, "csrf": session.csrf, "lang": session.lang, "flash": session.flash}
    if session.identity is not None:
        data.update(tenant_id=session.identity.tenant_id, ref=session.identity.ref)
    remember(request, session)
    response.set_cookie(
        COOKIE,
        _serializer().dumps(data),
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session(request: Request, response: Response) -> None:
    request.scope.pop("tendero.web_session", None)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")
