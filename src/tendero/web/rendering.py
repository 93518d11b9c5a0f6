"""Templates, the navigation, and the one route class that turns every failure into a page, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tendero import __version__
from tendero.catalogue.engines import engine_name
from tendero.catalogue.metrics import metric_label
from tendero.errors import Conflict, NotFound, unstorable_text
from tendero.services import audit
from tendero.services.models import TrainingRunning
from tendero.services.roles import ADMIN, INGEST, READ
from tendero.services.tenant_settings import DEFAULT_CURRENCY, currency_of
from tendero.services.tenants import Principal
from tendero.web.access import BadCsrf, Forbidden, NotSignedIn, resolved
from tendero.web.i18n import format_metric, format_number, format_when, pick_language, translator
from tendero.web.money import format_money
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
    NavItem(f"{PREFIX}/datasets", "nav.datasets", READ),
    NavItem(f"{PREFIX}/models", "nav.models", READ),
    NavItem(f"{PREFIX}/jobs", "nav.jobs", READ),
    NavItem(f"{PREFIX}/schedules", "nav.schedules", READ),
    NavItem(f"{PREFIX}/settings", "nav.settings", ADMIN),
]


def language(request: Request, session: WebSession | None = None) -> str:
    session = session or read_session(request)
    return session.lang or pick_language(request.headers.get("accept-language"))


class _Money:
    """``money(value, currency=None)`` for templates, in the tenant's currency (``money.code``), read from its
    settings once per page and only when a page shows money."""

    def __init__(self, tenant_id: str | None, lang: str) -> None:
        self._tenant_id, self._lang, self._code = tenant_id, lang, ""

    @property
    def code(self) -> str:
        if not self._code:
            self._code = currency_of(self._tenant_id) if self._tenant_id else DEFAULT_CURRENCY
        return self._code

    def __call__(self, value: float | int | None, currency: str | None = None) -> str:
        return format_money(value, currency or self.code, self._lang)


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
        money=_Money(principal.tenant_id if principal else None, lang),
        engine=lambda code: engine_name(str(code), lang),
        kind_label=lambda code, prefix="kind": _label(lang, f"{prefix}.{code}", str(code)),
        metric_label=lambda key: metric_label(str(key), lang),
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
    response = templates.TemplateResponse(
        request, name, context, status_code=status, headers={**SECURITY_HEADERS, "content-language": lang}
    )
    if session.flash or request.cookies.get("tendero_session") is None:
        write_session(request, response, replace(session, flash=None))
    return response


def _label(lang: str, key: str, fallback: str) -> str:
    """A catalogue label, or the code itself where the catalogue has none (an operator's own kind)."""
    text = translator(lang)(key)
    return fallback if text == key else text


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


def error_page(request: Request, status: int, message: str, heading: str | None = None) -> Response:
    """A page that says what went wrong, with a way back: the dashboard page the reader came from, or the home."""
    referer = urlsplit(request.headers.get("referer", ""))
    came_from = referer.path + (f"?{referer.query}" if referer.query else "")
    back = came_from if referer.netloc == request.url.netloc and came_from != request.url.path else None
    context = {"status": status, "message": message, "heading": heading,
               "back": safe_next(back) if back and safe_next(back) != PREFIX else None}  # fmt: skip
    return render(request, "error.html", context, status=status)


def safe_next(target: str | None) -> str:
    """Only a path of this dashboard: never an open redirect."""
    if target and target.startswith(PREFIX) and not target.startswith("//") and "\\" not in target:
        return target
    return PREFIX


class NoSuchPage(Exception):
    """A dashboard address that names no page (answered with a 404 page, not the API's JSON)."""


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
            except NoSuchPage:
                return error_page(request, 404, t("error.no_page", path=request.url.path), t("error.page_missing"))
            except NotFound as error:
                return error_page(request, 404, t("error.not_found", detail=str(error)))
            except TrainingRunning as error:  # a second "train" of a model whose training job is queued or running
                return error_page(request, 409, t("train.busy", model=error.model, job=error.job_id))
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
