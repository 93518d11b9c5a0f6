"""The dashboard's pages and form actions. Each calls the same store and service functions as its API route,
always with the signed-in principal's tenant."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from importlib import util
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response

from tendero.catalogue.jobs import render_job_text
from tendero.errors import Conflict, Invalid, LastAdminKey, TooLarge
from tendero.kinds import CustomersModel
from tendero.services import data, jobs, models, summaries, training
from tendero.services import tenants as tenant_service
from tendero.services.data import EntityName, FileRejected, ReadStopped
from tendero.services.data import render as render_text
from tendero.services.demo import DEMO_TENANT
from tendero.services.jobs import FINISHED
from tendero.services.models import ModelName
from tendero.services.schemas import MAX_INT64
from tendero.services.tenants import Principal, key_cache
from tendero.services.uploads import saved_upload
from tendero.web import capabilities, charts
from tendero.web.access import (
    ADMIN,
    INGEST,
    READ,
    TRAIN,
    Admin,
    AnyRole,
    BadCsrf,
    PostAdmin,
    PostAnyRole,
    PostIngest,
    PostTrainer,
    Reader,
    can,
    resolved,
)
from tendero.web.i18n import CATALOGUE, LANGUAGES, format_number, translator
from tendero.web.rendering import PREFIX, WebRoute, language, redirect, render, safe_next
from tendero.web.session import WebSession, clear_session, read_session, secret_usable, write_session
from tendero.web.shop_settings import shop_context

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=WebRoute)
ENTITIES: tuple[str, ...] = get_args(EntityName)
MODEL_NAME = TypeAdapter(ModelName)
EventId = Annotated[int, Query(ge=0, le=MAX_INT64, description="only events after this event id")]
PERIODS = (7, 28, 90)
TERMINAL = set(FINISHED)


def _t(request: Request) -> Callable[..., str]:
    return translator(language(request))


# --- access -----------------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: str = PREFIX) -> Response:
    if not secret_usable(request):
        return _insecure_secret(request, next)
    session = resolved(request)
    if session.principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "failed": False})


def _insecure_secret(request: Request, next: str) -> Response:
    """The sign-in page, refusing: the server signs sessions with a key anyone knows (see ``secret_usable``)."""
    problem = _t(request)("login.insecure_secret")
    return render(request, "login.html", {"next": safe_next(next), "problem": problem}, status=503)


def _login_account(tenant: str, key: str, username: str) -> str:
    """What a sign-in attempt names, for its rate limit: the tenant with the user, or with the key's prefix as
    typed (never the whole key)."""
    if key:
        return f"{tenant}\x1fkey:{'_'.join(key.split('_')[:2])[:40]}"
    return f"{tenant}\x1fuser:{username}"


@router.post("/login")
def login(
    request: Request,
    csrf: Annotated[str, Form()] = "",
    tenant: Annotated[str, Form(max_length=200)] = "",
    key: Annotated[str, Form(max_length=500)] = "",
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str, Form()] = PREFIX,
) -> Response:
    """Sign in with tenant + API key, or tenant + user + password; the same answer for every kind of miss.

    Attempts are limited per client address and per account (429 with a page saying when to retry); an attempt
    that succeeds is given back, so only failures spend the budget."""
    if not secret_usable(request):
        return _insecure_secret(request, next)
    session = read_session(request)
    if not session.csrf_matches(csrf):
        raise BadCsrf()
    t = _t(request)
    context: dict[str, Any] = {"next": safe_next(next), "failed": True, "tenant": tenant}
    tenant, key, username = tenant.strip(), key.strip(), username.strip()
    limits = request.app.state.rate_limits
    client = request.client.host if request.client else None
    account = _login_account(tenant, key, username)
    wait = limits.hit_login(client, account)
    if wait is not None:
        seconds = max(1, int(wait + 0.999))
        context.update(failed=False, problem=t("login.too_many", seconds=seconds))
        response = render(request, "login.html", context, status=429)
        response.headers["retry-after"] = str(seconds)
        return response
    principal = None
    if key:
        found = key_cache.resolve(key)
        if found is not None and found.tenant_name == tenant:
            principal = found
    elif username and password:
        principal = tenant_service.authenticate_user(tenant, username, password)
    if principal is None:
        return render(request, "login.html", context, status=401)
    limits.refund_login(client, account)
    target = safe_next(next)
    if principal.role not in READ and target == PREFIX:
        target = f"{PREFIX}/data"
    response = RedirectResponse(target, status_code=303)
    write_session(request, response, session.signed_in(principal))
    if principal.role in READ:
        summaries.warm(principal.tenant_id, 28)
    return response


@router.post("/logout")
def logout(request: Request, session: PostAnyRole) -> Response:
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    clear_session(request, response)
    fresh = WebSession(lang=session.lang, flash=("info", translator(language(request))("login.signed_out")))
    write_session(request, response, fresh)
    return response


@router.post("/language")
def set_language(
    request: Request, csrf: Annotated[str, Form()] = "", lang: Annotated[str, Form()] = "en",
    next: Annotated[str, Form()] = PREFIX,
) -> Response:  # fmt: skip
    """Switch language; allowed before sign-in too (the login page has the switch)."""
    session = read_session(request)
    if not session.csrf_matches(csrf):
        raise BadCsrf()
    target = next if next.startswith(f"{PREFIX}/login") else safe_next(next)
    response = RedirectResponse(target, status_code=303)
    write_session(request, response, replace(session, lang=lang if lang in LANGUAGES else None))
    return response


# --- overview ---------------------------------------------------------------------------------------


# The few numbers an owner can read at a glance, per kind, in this order (every metric stays on the
# Models page); "%" marks shares shown as percentages.
HEADLINE_METRICS: dict[str, tuple[tuple[str, str], ...]] = {
    "forecast": (("backtest_wape", "%"), ("backtest_mase", ""), ("backtest_coverage_80", "%")),
    "customers": (("customers", ""), ("churn_auc", "")),
    "recommender": (("ndcg@10", ""), ("popularity_ndcg@10", ""), ("coverage", "%")),
    "tabular": (("accuracy", "%"), ("f1", ""), ("roc_auc", ""), ("r2", ""), ("rmse", ""), ("silhouette", "")),
}
HEADLINE_COUNT = 3


def headline_metrics(kind: str, metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics to show beside a model (name, label key if it has one, value, unit): its kind's
    chosen ones, else its first numbers under their own names."""
    numbers = {name: value for name, value in metrics.items() if isinstance(value, int | float)}
    picked = [(name, unit) for name, unit in HEADLINE_METRICS.get(kind, ()) if name in numbers]
    if not picked and kind not in HEADLINE_METRICS:
        picked = [(name, "") for name in numbers]
    return [
        {"name": name, "label": f"health.{name}" if f"health.{name}" in CATALOGUE else None,
         "value": float(numbers[name]), "unit": unit}
        for name, unit in picked[:HEADLINE_COUNT]
    ]  # fmt: skip


def _model_health(tenant_id: str) -> list[dict[str, Any]]:
    health = []
    for view in models.models_with_versions(tenant_id, limit=50, versions=1):
        model, deployed = view.model, view.deployed
        health.append({
            "name": model.name, "kind": model.kind, "flags": dict(model.flags or {}), "versions": model.versions,
            "deployed": deployed.version if deployed else None,
            "headline": headline_metrics(model.kind, dict(deployed.metrics)) if deployed else [],
            "deployed_at": deployed.deployed_at if deployed else None,
            "latest": model.latest_version,
        })  # fmt: skip
    return health


@router.get("")
def overview(request: Request, session: AnyRole, days: Annotated[int, Query()] = 28) -> Response:
    principal = session.principal
    assert principal is not None
    if not can(principal, READ):
        return RedirectResponse(f"{PREFIX}/data", status_code=303)
    days = days if days in PERIODS else 28
    t = _t(request)
    sales = summaries.sales_summary(principal.tenant_id, days)
    context: dict[str, Any] = {
        "sales": sales,
        "periods": PERIODS,
        "models": _model_health(principal.tenant_id),
        "can_train": can(principal, TRAIN),
        "busy": training.models_in_training(principal.tenant_id),  # no "train" offered for a model in training
        "next_forecast": capabilities.next_period(principal.tenant_id),
        "at_risk": None,
    }
    customers_model = capabilities.deployed(principal.tenant_id, capabilities.CUSTOMER_MODEL, CustomersModel)
    if customers_model is not None:
        context["at_risk"] = customers_model.fitted.at_risk(0.0, 5, language(request))
        context["names"] = capabilities.customer_names(principal.tenant_id)
    if not sales.empty:
        context["sales_figure"] = charts.with_axes(
            charts.sales_figure(sales, t("overview.sales_chart"), t("overview.weekly")),
            t("chart.day"),
            t("kpi.revenue"),
        )
        context["categories_figure"] = (
            charts.with_axes(charts.categories_figure(sales), t("kpi.revenue"), t("chart.category"))
            if sales.categories
            else None
        )
    return render(request, "overview.html", context)


# --- data -------------------------------------------------------------------------------------------


def _loaded_directly(principal: Principal, profile: dict[str, Any], lang: str) -> str | None:
    """What a shop holds that came in without an import (the demo's generated store): said, not left as "no imports"."""
    counts = {entity: n for entity, n in profile.get("counts", {}).items() if n}
    if not counts:
        return None
    t = translator(lang)
    listed = ", ".join(f"{format_number(n, lang)} {t('entity.' + entity)}" for entity, n in counts.items())
    orders = profile.get("orders")
    if principal.tenant_name == DEMO_TENANT and orders:
        return t("data.demo_loaded", counts=listed, first=orders["first"][:10], last=orders["last"][:10])
    return t("data.loaded_directly", counts=listed)


@router.get("/data")
def data_page(request: Request, session: AnyRole) -> Response:
    principal = session.principal
    assert principal is not None
    context: dict[str, Any] = {"entities": ENTITIES, "can_ingest": can(principal, INGEST), "can_read": False}
    if can(principal, READ):
        rows, total = data.list_imports(principal.tenant_id, 50, 0)
        profile = summaries.profile_summary(principal.tenant_id)
        direct = None if total else _loaded_directly(principal, profile, language(request))
        context.update(can_read=True, imports=rows, imports_total=total, profile=profile,
                       loaded_directly=direct)  # fmt: skip
    return render(request, "data.html", context)


@router.get("/data/imports/{import_id}")
def import_page(request: Request, import_id: str, session: Reader) -> Response:
    principal = session.principal
    assert principal is not None
    lang: Literal["es", "en"] = "en" if language(request) == "en" else "es"
    report = data.import_out(principal.tenant_id, import_id, limit=200, language=lang)
    reasons = data.rejection_reasons(principal.tenant_id, import_id, lang)
    return render(request, "import.html", {"report": report, "reasons": reasons})


@router.post("/data/imports")
async def upload(
    request: Request,
    session: PostIngest,
    entity: Annotated[Literal["customers", "products", "orders", "order_items", "interactions", "order_lines"], Form()],
    file: Annotated[UploadFile | None, File()] = None,
    mapping: Annotated[str, Form(max_length=5000)] = "",
    dry_run: Annotated[bool, Form()] = False,
    returns: Annotated[Literal["reject", "keep"], Form()] = "reject",
) -> Response:
    """The API's own import (same size limit, reader, validation and service), its report shown as a page."""
    principal = session.principal
    assert principal is not None
    t = _t(request)
    if file is None or not file.filename:
        return redirect(request, f"{PREFIX}/data", ("error", t("data.pick_file")))
    try:
        columns = data.parse_mapping(mapping)
        async with saved_upload(file) as path:
            filename = Path(file.filename or "upload").name
            report = await run_in_threadpool(data.import_file, principal.tenant_id, entity, path, filename, columns,
                                             dry_run, returns)  # fmt: skip
    except (Invalid, TooLarge) as error:
        return redirect(request, f"{PREFIX}/data", ("error", str(error)))
    except FileRejected as error:
        return redirect(request, f"{PREFIX}/data", ("error", error.rendered("en")))
    except ReadStopped:
        return redirect(request, f"{PREFIX}/data", ("error", render_text("read.stopped", "en")))
    message = t("data.imported", rows=report.rows_read, inserted=report.inserted, updated=report.updated,
                rejected=report.rejected)  # fmt: skip
    kind = "error" if report.status == "failed" else ("warning" if report.rejected else "success")
    if report.error:
        message = f"{message} {report.error}"
    target = f"{PREFIX}/data/imports/{report.id}" if can(principal, READ) else f"{PREFIX}/data"
    return redirect(request, target, (kind, message))


# --- models -----------------------------------------------------------------------------------------


@router.get("/models")
def models_page(request: Request, session: Reader) -> Response:
    principal = session.principal
    assert principal is not None
    shown = []
    for view in models.models_with_versions(principal.tenant_id, limit=100, versions=20):
        model, versions = view.model, view.versions
        shown.append({
            "name": model.name, "kind": model.kind, "flags": dict(model.flags or {}), "total": model.versions,
            "deployed": next((v.version for v in versions if v.status == "deployed"), None),
            "versions": [{
                "version": v.version, "status": v.status, "algorithm": v.algorithm, "metrics": dict(v.metrics),
                "created_at": v.created_at, "deployed_at": v.deployed_at, "aliases": v.aliases,
            } for v in versions],
        })  # fmt: skip
    busy = training.models_in_training(principal.tenant_id)
    listed = {m["name"] for m in shown}
    first = [job for name, job in sorted(busy.items()) if name not in listed]  # no version yet, but it is coming
    return render(request, "models.html", {
        "models": shown, "busy": busy, "first_trainings": first,
        "can_admin": can(principal, ADMIN), "can_train": can(principal, TRAIN),
    })  # fmt: skip


def _registry_action(request: Request, action: str, name: str, version: str | None, session: WebSession) -> Response:
    principal = session.principal
    assert principal is not None
    t = _t(request)
    try:
        if action == "deploy":
            row = training.deploy_version(principal.tenant_id, name, version or "")
            message = t("models.deployed_ok", model=name, version=row.version)
        elif action == "rollback":
            row = models.rollback(principal.tenant_id, name)
            message = t("models.rolled_back", model=name, version=row.version)
        else:
            row = models.archive(principal.tenant_id, name, version or "")
            message = t("models.archived", model=name, version=row.version)
    except Conflict as error:
        return redirect(request, f"{PREFIX}/models", ("error", str(error)))
    return redirect(request, f"{PREFIX}/models#model-{name}", ("success", message))


@router.post("/models/{name}/versions/{version}/deploy")
def deploy(request: Request, name: str, version: str, session: PostAdmin) -> Response:
    return _registry_action(request, "deploy", name, version, session)


@router.post("/models/{name}/rollback")
def rollback(request: Request, name: str, session: PostAdmin) -> Response:
    return _registry_action(request, "rollback", name, None, session)


@router.post("/models/{name}/versions/{version}/archive")
def archive(request: Request, name: str, version: str, session: PostAdmin) -> Response:
    return _registry_action(request, "archive", name, version, session)


# --- jobs -------------------------------------------------------------------------------------------


def duration_text(seconds: float | None) -> str:
    """45 s, 3 min 20 s, 1 h 05 min: the same in Spanish and English."""
    if seconds is None or seconds != seconds:
        return ""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def _job_view(job: Any, lang: str) -> dict[str, Any]:
    params = job.params or {}
    duration = None
    if job.started_at and job.finished_at:
        duration = (job.finished_at - job.started_at).total_seconds()
    return {
        "id": job.id, "kind": job.kind, "status": job.status, "progress": round(float(job.progress or 0.0), 1),
        "model": params.get("model"), "model_kind": params.get("kind"), "error": render_job_text(job.error, lang),
        "created_at": job.created_at, "finished_at": job.finished_at, "cancel_requested": job.cancel_requested,
        "finished": job.status in TERMINAL, "duration": duration, "duration_text": duration_text(duration),
        "estimate_text": duration_text(job.estimated_seconds) if job.estimated_seconds else "",
    }  # fmt: skip


@router.get("/jobs")
def jobs_page(request: Request, session: Reader) -> Response:
    principal = session.principal
    assert principal is not None
    rows, total = jobs.list_jobs(principal.tenant_id, limit=30)
    shown = [_job_view(job, language(request)) for job in rows]
    return render(request, "jobs.html", {"jobs": shown, "total": total, "can_train": can(principal, TRAIN)})


@router.get("/jobs/progress.json")
def jobs_progress(
    request: Request, session: Reader,
    ids: Annotated[str, Query(max_length=2000)] = "",
    after: EventId = 0,
) -> Response:  # fmt: skip
    """Status, progress and new events (id > ``after``) of up to 20 of the tenant's jobs, for the page's poll."""
    principal = session.principal
    assert principal is not None
    answer: dict[str, Any] = {"jobs": {}}
    lang = language(request)
    # another tenant's job is simply not there
    for job_id, state in jobs.jobs_progress(principal.tenant_id, [i for i in ids.split(",") if i][:20], after).items():
        answer["jobs"][job_id] = {
            "status": state.status, "progress": round(float(state.progress or 0.0), 1),
            "error": render_job_text(state.error, lang),
            "finished": state.status in TERMINAL, "elapsed_seconds": state.elapsed_seconds,
            "events": [{"id": e.id, "step": e.step, "total": e.total, "metrics": e.metrics,
                        "message": render_job_text(e.message, lang), "eta_seconds": e.eta_seconds}
                       for e in state.events],
        }  # fmt: skip
    return JSONResponse(answer, headers={"cache-control": "no-store"})


@router.post("/jobs/{job_id}/cancel")
def cancel(request: Request, job_id: str, session: PostTrainer) -> Response:
    principal = session.principal
    assert principal is not None
    jobs.cancel_job(principal.tenant_id, job_id)
    return redirect(request, f"{PREFIX}/jobs", ("info", _t(request)("jobs.cancel_sent")))


# --- settings ---------------------------------------------------------------------------------------


def _keys(tenant_id: str) -> list[dict[str, Any]]:
    return [key.model_dump() for key in tenant_service.list_keys(tenant_id)]


@router.get("/settings")
def settings_page(request: Request, session: Admin) -> Response:
    assert session.principal is not None
    tenant_id = session.principal.tenant_id
    return render(
        request, "settings.html", {"keys": _keys(tenant_id), "created": None, **shop_context(request, tenant_id)}
    )


@router.post("/settings/keys")
def create_key(
    request: Request,
    session: PostAdmin,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    role: Annotated[Literal["admin", "analyst", "service"], Form()],
) -> Response:
    """The new key is rendered in this response only: it is never stored in the cookie or shown again."""
    assert session.principal is not None
    issued = tenant_service.create_key(session.principal.tenant_id, name.strip() or "key", role)
    tenant_id = session.principal.tenant_id
    return render(
        request, "settings.html", {"keys": _keys(tenant_id), "created": issued, **shop_context(request, tenant_id)}
    )


@router.post("/settings/keys/{key_id}/revoke")
def revoke_key(request: Request, key_id: str, session: PostAdmin) -> Response:
    """Revoke a key of the tenant; never its last active admin key (the page says why)."""
    assert session.principal is not None
    try:
        prefix = tenant_service.revoke_key(session.principal.tenant_id, key_id)
    except LastAdminKey as error:
        message = _t(request)("settings.last_admin", prefix=error.prefix)
        return redirect(request, f"{PREFIX}/settings", ("error", message))
    return redirect(request, f"{PREFIX}/settings", ("success", _t(request)("settings.revoked_ok", prefix=prefix)))


# --- assets -----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _plotly_js() -> tuple[bytes, bytes]:
    spec = util.find_spec("plotly")
    assert spec is not None and spec.submodule_search_locations
    raw = (Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js").read_bytes()
    return raw, gzip.compress(raw, compresslevel=6)


@router.get("/assets/plotly-{version}.min.js")
def plotly_js(request: Request, version: str) -> Response:
    """plotly.js from the installed ``plotly`` package (no CDN), gzipped once and cached by the browser."""
    raw, packed = _plotly_js()
    headers = {"cache-control": "public, max-age=31536000, immutable", "vary": "accept-encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(packed, media_type="text/javascript", headers={**headers, "content-encoding": "gzip"})
    return Response(raw, media_type="text/javascript", headers=headers)
