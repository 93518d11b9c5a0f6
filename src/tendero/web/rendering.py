"""Templates, the navigation, and the one route class that turns every failure into a page, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tendero import __version__
from tendero.errors import Conflict, NotFound, unstorable_text
from tendero.services import audit
from tendero.services.roles import ADMIN, INGEST, READ
from tendero.services.tenants import Principal
from tendero.web.access import BadCsrf, Forbidden, NotSignedIn, resolved
from tendero.web.i18n import format_metric, format_number, format_when, pick_language, translator
from tendero.web.session import WebSession, read_session, write_session

log = logging.getLogger("tendero.web")
HERE = Path(__file__).parent
PREFIX = "/app"
templates = Jinja2Templates(directory=str(HERE / "templates"))
PLOTLY_VERSION = metadata.version("plotly")
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


@dataclass(frozen=True)
class NavItem:
    """A page in the top navigation, shown only to the roles that may open it.

    Capability pages (Forecast, Customers, Recommendations, ...) add themselves here as they land.
    """

    path: str
    label: str
    roles: tuple[str, ...]


NAV: list[NavItem] = [
    NavItem(PREFIX, "nav.overview", READ),
    NavItem(f"{PREFIX}/forecast", "nav.forecast", READ),
    NavItem(f"{PREFIX}/customers", "nav.customers", READ),
    NavItem(f"{PREFIX}/recommendations", "nav.recommendations", READ),
    NavItem(f"{PREFIX}/experiments", "nav.experiments", READ),
    NavItem(f"{PREFIX}/insights", "nav.insights", READ),
    NavItem(f"{PREFIX}/assistant", "nav.assistant", READ),
    NavItem(f"{PREFIX}/data", "nav.data", tuple(dict.fromkeys((*READ, *INGEST)))),
    NavItem(f"{PREFIX}/models", "nav.models", READ),
    NavItem(f"{PREFIX}/jobs", "nav.jobs", READ),
    NavItem(f"{PREFIX}/schedules", "nav.schedules", READ),
    NavItem(f"{PREFIX}/settings", "nav.settings", ADMIN),
]


def language(request: Request, session: WebSession | None = None) -> str:
    session = session or read_session(request)
    return session.lang or pick_language(request.headers.get("accept-language"))


def render(request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200) -> Response:
    """A page with the frame's context; a pending flash message is shown once and then cleared."""
    session = resolved(request)  # the signed-in principal as the store has it now (None when anonymous)
    lang = language(request, session)
    principal = session.principal
    context = dict(context or {})
    context.update(
        request=request,
        lang=lang,
        t=translator(lang),
        num=lambda value, decimals=0: format_number(value, lang, decimals),
        when=lambda value: format_when(value, lang),
        metric=lambda value: format_metric(value, lang),
        principal=principal,
        csrf=session.csrf,
        flash=session.flash,
        nav=[item for item in NAV if principal and principal.role in item.roles],
        here=request.url.path,
        here_full=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        version=__version__,
        prefix=PREFIX,
        plotly_version=PLOTLY_VERSION,
    )
    response = templates.TemplateResponse(request, name, context, status_code=status, headers=SECURITY_HEADERS)
    if session.flash or request.cookies.get("tendero_session") is None:
        write_session(request, response, replace(session, flash=None))
    return response


def redirect(request: Request, url: str, flash: tuple[str, str] | None = None) -> Response:
    response = RedirectResponse(url, status_code=303)
    if flash is not None:
        write_session(request, response, read_session(request).with_flash(*flash))
    return response


def record_call(request: Request, principal: Principal, action: str, started: float, status_code: int, *,
                model: str | None = None) -> None:  # fmt: skip
    """An audit row for a page that trained or read model output, as the API writes for its routes."""
    route = request.scope.get("route")
    audit.record_call(principal, request.method, getattr(route, "path", request.url.path), action, started,
                      status_code, model=model)  # fmt: skip


def error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def safe_next(target: str | None) -> str:
    """Only a path of this dashboard: never an open redirect."""
    if target and target.startswith(PREFIX) and not target.startswith("//") and "\\" not in target:
        return target
    return PREFIX


class WebRoute(APIRoute):
    """Every dashboard route: failures become a page with a message (and a log line), never a traceback."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            t = translator(language(request))
            try:
                return await original(request)
            except NotSignedIn:
                target = request.url.path if request.method == "GET" else PREFIX
                response = RedirectResponse(f"{PREFIX}/login?next={quote(target)}", status_code=303)
                return response
            except Forbidden as error:
                return error_page(request, 403, t("error.forbidden", role=t(f"role.{error.role}")))
            except BadCsrf:
                return error_page(request, 403, t("error.csrf"))
            except NotFound as error:
                return error_page(request, 404, t("error.not_found", detail=str(error)))
            except Conflict as error:
                return error_page(request, 409, str(error))
            except (RequestValidationError, ValidationError) as error:
                fields = ", ".join(".".join(str(p) for p in e.get("loc", ())) + ": " + e.get("msg", "")
                                   for e in error.errors()[:5])  # fmt: skip
                return error_page(request, 422, t("error.invalid", detail=fields))
            except Exception as error:
                if unstorable_text(error) is not None:  # a NUL, a broken character, a huge number: the input's fault
                    return error_page(request, 422, t("error.unstorable"))
                log.exception("dashboard error on %s", request.url.path)
                return error_page(request, 500, t("error.unexpected"))

        return handler
