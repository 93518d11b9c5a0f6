"""The dashboard's session: a signed cookie (itsdangerous) holding the principal, a CSRF token and the language.

Signed, not encrypted: it holds nothing secret (tenant, role, key prefix, a CSRF token the page shows anyway).
The CSRF token is bound to the session and rotated at sign-in, so a token seen before sign-in is useless after.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from tendero.config import get_settings
from tendero.store.tenants import Principal

COOKIE = "tendero_session"
MAX_AGE_SECONDS = 12 * 3600
SALT = "tendero.web.session"


@dataclass(frozen=True)
class WebSession:
    """What the cookie carries. ``principal`` is None before sign-in (the login form still needs a CSRF token)."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    principal: Principal | None = None
    lang: str | None = None
    flash: tuple[str, str] | None = None  # (kind, message) shown once on the next page

    def signed_in(self, principal: Principal) -> WebSession:
        return replace(self, principal=principal, csrf=secrets.token_urlsafe(24), flash=None)

    def with_flash(self, kind: str, message: str) -> WebSession:
        return replace(self, flash=(kind, message))

    def csrf_matches(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf.encode(), str(token).encode())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=SALT)


def read_session(request: Request) -> WebSession:
    """The request's session, or a fresh anonymous one when the cookie is missing, forged or expired."""
    cached = request.scope.get("tendero.web_session")
    if cached is not None:
        return cached
    raw = request.cookies.get(COOKIE)
    session = WebSession()
    if raw:
        try:
            data: dict[str, Any] = _serializer().loads(raw, max_age=MAX_AGE_SECONDS)
            principal = Principal(**data["principal"]) if data.get("principal") else None
            flash = tuple(data["flash"]) if data.get("flash") else None
            session = WebSession(csrf=data["csrf"], principal=principal, lang=data.get("lang"), flash=flash)  # type: ignore[arg-type]
        except (BadSignature, KeyError, TypeError, ValueError):
            session = WebSession()
    request.scope["tendero.web_session"] = session
    return session


def write_session(request: Request, response: Response, session: WebSession) -> None:
    """Set the cookie: HttpOnly, SameSite=Lax, Secure whenever the request came over https."""
    data = asdict(session)
    request.scope["tendero.web_session"] = session
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
