"""The dashboard: server-rendered pages under ``/app`` for shop owners and analysts, on the same app as the API."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse

from tendero.web.rendering import HERE, PREFIX, NoSuchPage, WebRoute

missing_router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=WebRoute)


@missing_router.get("/{path:path}")
def no_such_page(path: str) -> None:
    """A mistyped or stale dashboard address: a 404 page in the reader's language, not JSON."""
    raise NoSuchPage(path)


def install_web(app: FastAPI) -> None:
    """Add the dashboard's pages, its static files, and ``/`` → the dashboard."""
    from tendero.web.assistant_page import router as assistant_router
    from tendero.web.automation_pages import router as automation_router
    from tendero.web.capability_pages import router as capability_router
    from tendero.web.experiment_pages import router as experiment_router
    from tendero.web.insight_pages import router as insight_router
    from tendero.web.pages import router
    from tendero.web.search_page import router as search_router
    from tendero.web.shop_settings import router as shop_router
    from tendero.web.training_pages import router as training_router

    app.include_router(router)
    app.include_router(training_router)
    app.include_router(capability_router)
    app.include_router(experiment_router)
    app.include_router(search_router)
    app.include_router(automation_router)
    app.include_router(insight_router)
    app.include_router(assistant_router)
    app.include_router(shop_router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=str(HERE / "static")), name="web-static")
    app.include_router(missing_router)  # last: every other /app address is a page or a static file

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse(PREFIX, status_code=307)
