"""Builds the FastAPI app: routers, error handlers, the service middleware, and the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from tendero import __version__
from tendero.api import assistant as assistant_api
from tendero.api import audit, customers, data, datasets, forecasts, health, jobs, keys, models, recommendations
from tendero.api import channels as channels_api
from tendero.api import deliveries as deliveries_api
from tendero.api import experiments as experiments_api
from tendero.api import insights as insights_api
from tendero.api import pricing as pricing_api
from tendero.api import schedules as schedules_api
from tendero.api import search as search_api
from tendero.api import settings as settings_api
from tendero.api.errors import install_error_handlers
from tendero.api.middleware import ServiceMiddleware
from tendero.api.openapi import install_openapi
from tendero.api.ratelimit import RateLimits, make_rate_limiter
from tendero.config import get_settings
from tendero.observability.logs import configure_logging
from tendero.services.workers import serving
from tendero.web import install_web


def create_app(*, run_jobs: bool = True, migrate: bool = True, limits: RateLimits | None = None) -> FastAPI:
    """The API. ``run_jobs`` starts the configured job runner with the app (the embedded default); ``limits``
    replaces the rate limits the settings give (memory, or Redis with ``TENDERO_REDIS_URL``)."""
    settings = get_settings()
    configure_logging()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        with serving(run_jobs=run_jobs, migrate=migrate):
            yield

    app = FastAPI(
        title="tendero",
        version=__version__,
        description="Self-hosted machine learning for commerce data.",
        lifespan=lifespan,
        docs_url="/docs",
    )
    app.state.runs_jobs = run_jobs  # what /ready holds this process responsible for
    install_error_handlers(app)
    for module in (health, keys, jobs, models, audit, data, datasets, forecasts, recommendations, customers):
        app.include_router(module.router)
    app.include_router(experiments_api.router)
    app.include_router(pricing_api.router)
    app.include_router(search_api.router)
    for automation in (schedules_api, channels_api, deliveries_api):
        app.include_router(automation.router)
    app.include_router(insights_api.router)
    app.include_router(assistant_api.router)
    app.include_router(settings_api.router)
    install_web(app)
    install_openapi(app)
    limits = limits or RateLimits(
        limiter=make_rate_limiter(settings.rate_limit_per_minute, settings.redis_url),
        per_key=settings.rate_limit_per_minute,
        per_ip=settings.rate_limit_per_ip_per_minute,
        login_per_account=settings.login_attempts_per_minute,
        login_per_ip=settings.login_attempts_per_ip_per_minute,
    )
    app.state.rate_limits = limits  # the dashboard's sign-in form counts its attempts on the same limiter
    app.add_middleware(
        ServiceMiddleware,
        limits=limits,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        routes=app.router.routes,
        metrics_token=settings.metrics_token,
    )
    return app
