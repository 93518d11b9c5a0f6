"""The screenshot tour (``tendero bench dashboard --screenshots DIR``) covers every page the dashboard serves: its
list is read against the routers themselves, so a page added later cannot be left out of it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute

from tendero.bench.dashboard import TOUR, TOUR_LANGUAGES
from tendero.web import install_web

# GET addresses of the dashboard that answer something other than a page, and what they answer instead.
NOT_PAGES = {
    "/app/jobs/progress.json": "the job cards' poll (JSON)",
    "/app/assets/plotly-{version}.min.js": "the chart library (a script)",
    "/app/jobs/{job_id}/download": "a batch prediction's file",
    "/app/insights/{insight_id}/report.{fmt}": "an analysis as a Markdown or HTML file to keep",
}


def _dashboard_get_routes() -> set[str]:
    """Every GET route under /app of an app with the dashboard installed, routers included the way FastAPI keeps
    them (an included router's own routes)."""
    app = FastAPI()
    install_web(app)
    found: set[str] = set()

    def walk(routes: list) -> None:  # type: ignore[type-arg]
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes)
            elif isinstance(route, APIRoute) and "GET" in route.methods and route.path.startswith("/app"):
                found.add(route.path)

    walk(app.routes)
    return found


def test_the_screenshot_tour_covers_every_page_route_and_nothing_else():
    routes = _dashboard_get_routes()
    assert set(NOT_PAGES) <= routes, set(NOT_PAGES) - routes  # a route said to be no page still exists
    pages = routes - set(NOT_PAGES)
    assert not pages - set(TOUR), f"pages missing from the screenshot tour: {sorted(pages - set(TOUR))}"
    assert not set(TOUR) - pages, f"the tour names routes the dashboard no longer has: {sorted(set(TOUR) - pages)}"
    names = [name for name, _ready in TOUR.values()]
    assert len(set(names)) == len(names)  # one screenshot file per page and language
    assert set(TOUR_LANGUAGES) == {"es", "en"}
    for page in ("/app/experiments/{experiment_id}", "/app/insights/{insight_id}", "/app/schedules/{schedule_id}",
                 "/app/schedule-runs/{run_id}", "/app/data/imports/{import_id}"):  # fmt: skip
        assert page in TOUR  # the pages #17 found missing
