"""``tendero bench dashboard``: how fast each dashboard page loads in a real browser on the demo store.

A fresh home gets the whole demo (``prepare_demo``: the demo store and every demo model trained and
deployed) behind a real ``tendero serve``; Debian's Chromium, driven by Playwright, signs in and opens
every page several times. A page's time is the browser's DOMContentLoaded (server render, transfer
and parsing of the page and its scripts), warm: the first visit of each page is not counted.

With ``--screenshots DIR`` it also takes the screenshot tour: every page the dashboard's router serves (``TOUR``, one
entry per page route; a test fails when a page route is missing from it), in Spanish and in English, as a full-page
PNG (``DIR/es-forecast.png``, ...), once its content has drawn; the JSON says how many it wrote. The pages about one
thing (an experiment, an analysis, a schedule and its run, an import, ...) show what the tour first makes through
the demo server's API, as a shop would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tendero.bench.report import bench_report, emit, log

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
PAGES = {  # page: (path, an element that exists once the page has drawn its content)
    "overview": ("/app", "#sales-chart svg.main-svg"),
    "forecast": ("/app/forecast", "#forecast-chart svg.main-svg"),
    "customers": ("/app/customers", "#segments-chart svg.main-svg"),
    "recommendations": ("/app/recommendations", "#recs-chart svg.main-svg"),
    "assistant": ("/app/assistant", "#assistant-ask"),
    "data": ("/app/data", "#profile"),
    "models": ("/app/models", "main"),
    "jobs": ("/app/jobs", "main"),
    "settings": ("/app/settings", "#keys"),
    "experiments": ("/app/experiments", "main"),
    "insights": ("/app/insights", "main"),
    "schedules": ("/app/schedules", "main"),
    "search": ("/app/search?q=cafe", "main"),
    "missing_page": ("/app/no-such-page", "#error-message"),
}
TOUR_LANGUAGES = {"es": "es-ES", "en": "en-GB"}
# Every page route of the dashboard: its screenshot's name and an element that exists once it has drawn. The
# {parameters} are filled from what ``_tour_objects`` made; the catch-all route is shot as a mistyped address.
TOUR: dict[str, tuple[str, str]] = {
    "/app/login": ("login", "#login-key"),
    **{path: (name, ready) for name, (path, ready) in PAGES.items() if name not in ("search", "missing_page")},
    "/app/search": ("search", "main"),
    "/app/{path:path}": ("missing_page", "#error-message"),
    "/app/customers/{customer_id}": ("customer", "#customer-insights"),
    "/app/data/imports/{import_id}": ("import_report", "#rejections"),
    "/app/datasets": ("datasets", "#datasets"),
    "/app/datasets/{dataset_id}": ("dataset", "#schema"),
    "/app/train": ("train", "#train-form"),
    "/app/jobs/{job_id}": ("job", "[data-job] .bar"),
    "/app/models/{name}/versions": ("compare", "#compare"),
    "/app/models/{name}/predict": ("predict", "#predict-form"),
    "/app/experiments/{experiment_id}": ("experiment", "#effect-chart svg.main-svg"),
    "/app/insights/{insight_id}": ("insight", "#insight-list"),
    "/app/schedules/{schedule_id}": ("schedule", "#history"),
    "/app/schedule-runs/{run_id}": ("schedule_run", "#report"),
}
TOUR_QUERIES = {"/app/search": "?q=cafe", "/app/train": "?dataset={dataset_id}"}  # what the page is asked
TOUR_FILLS = {"path": "no-such-page"}
TOUR_PRODUCTS = (  # an import with a refused row, so the report page shows its table of rejections
    "product_id,name,category,price\nTOUR-1,Taza de la visita,Hogar,4.50\nTOUR-2,Plato sin precio,Hogar,abc\n"
)


def command(
    visits: Annotated[int, typer.Option(min=2, help="visits per page; the first one warms up and is not counted")] = 6,
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    screenshots: Annotated[
        Path | None,
        typer.Option(help="also save a full-page screenshot of every page in es and en into this folder"),
    ] = None,
    setup_minutes: Annotated[
        int, typer.Option(min=1, help="how long the demo's models may take to train before the bench gives up")
    ] = 20,
) -> None:
    """Per page: median and slowest DOMContentLoaded (ms) over the warm visits, and the server's own time;
    the goal is every page under 1 s on the demo data."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise typer.BadParameter("needs playwright: pip install -e '.[test]' (no browser download)") from error
    if not CHROMIUM.exists():
        raise typer.BadParameter(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    import os
    import subprocess
    import sys
    import tempfile

    from tendero.bench.server import free_port

    with tempfile.TemporaryDirectory(prefix="tendero-bench-dashboard-") as home:
        env = {**os.environ, "TENDERO_HOME": home, "TENDERO_DATABASE_URL": "", "TENDERO_ARTIFACTS": "",
               "TENDERO_LOG_LEVEL": "WARNING", "TENDERO_JOB_RUNNER": "inprocess",
               "TENDERO_RATE_LIMIT_PER_MINUTE": str(10**9)}  # fmt: skip
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log("setting up the demo (store and every demo model) ...")
        with (Path(home) / "server.log").open("wb") as server_log:
            server = subprocess.Popen(
                [sys.executable, "-m", "tendero.cli", "demo", "--port", str(port)],
                env=env, stdout=subprocess.PIPE, stderr=server_log, text=True,
            )  # fmt: skip
            try:
                key = _demo_key(server)
                _wait_for_jobs(base, key, setup_minutes * 60)
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
                    results = _visit(browser, base, key, visits)
                    if screenshots is not None:
                        results["tendero"].update(_tour(browser, base, key, screenshots))
                    browser.close()
            finally:
                server.terminate()
                server.wait(20)
    params = {"visits": visits, "counted": visits - 1, "data": "demo store", "viewport": "1280x800",
              "screenshots": str(screenshots) if screenshots is not None else None}  # fmt: skip
    emit(bench_report("dashboard", "demo store", params, results), json_output)


def _demo_key(server: Any) -> str:
    """``tendero demo`` prints the demo's admin key; read it from its output (a ``Popen`` in text mode)."""
    import time

    assert server.stdout is not None
    deadline = time.monotonic() + 600
    for line in server.stdout:
        for word in line.split():
            if word.startswith("tdr_"):
                return word.strip(".,;")
        if time.monotonic() > deadline:
            break
    raise RuntimeError("tendero demo printed no API key")


def _wait_for_jobs(base: str, key: str, seconds: float) -> None:
    import time

    import httpx

    headers = {"Authorization": f"Bearer {key}"}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            jobs = httpx.get(f"{base}/v1/jobs", params={"limit": 100}, headers=headers, timeout=10).json()["items"]
        except httpx.HTTPError:
            time.sleep(1)
            continue
        if jobs and all(job["status"] in ("completed", "failed", "cancelled") for job in jobs):
            failed = [job["params"].get("model") for job in jobs if job["status"] != "completed"]
            if failed:
                log(f"demo models that did not train: {failed}")
            return
        time.sleep(2)
    raise typer.BadParameter(
        f"the demo's models did not finish training in {seconds / 60:.0f} minutes (a busy machine?): "
        "give them longer with --setup-minutes"
    )


def _signed_in(browser, base: str, key: str, locale: str = "es-ES", login_shot: Path | None = None):
    """A browser page signed in to the demo shop, its language from ``locale`` (the browser's Accept-Language);
    ``login_shot``: where to save the login page first."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale).new_page()
    page.goto(f"{base}/app/login")
    if login_shot is not None:
        page.wait_for_selector(TOUR["/app/login"][1])
        page.screenshot(path=str(login_shot), full_page=True)
    form = page.locator("#login-key")
    form.locator("input[name=tenant]").fill("demo")
    form.locator("input[name=key]").fill(key)
    form.locator("button").click()
    page.wait_for_load_state("load")
    if "/app/login" in page.url:
        raise RuntimeError("could not sign in to the dashboard with the demo key")
    return page


def _tour_objects(base: str, key: str) -> dict[str, str]:
    """Something for every page about one thing, made or found through the demo server's API: the first customer
    at risk, a products import with a refused row, the demo's dataset and its tabular model (and the job that
    trained it), an experiment with a week of events, a sales analysis of the last whole month, and a schedule with
    one run, finished."""
    import time
    from datetime import UTC, date, datetime, timedelta

    import httpx

    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=300) as api:

        def ok(answer: httpx.Response) -> Any:
            if answer.status_code >= 300:
                raise RuntimeError(f"{answer.request.method} {answer.request.url.path}: {answer.status_code} "
                                   f"{answer.text[:300]}")  # fmt: skip
            return answer.json()

        made: dict[str, str] = dict(TOUR_FILLS)
        made["customer_id"] = ok(api.get("/v1/customers/at-risk", params={"limit": 1}))["items"][0]["customer_id"]
        imported = api.post("/v1/data/products/imports", files={"file": ("productos-visita.csv", TOUR_PRODUCTS)})
        made["import_id"] = ok(imported)["id"]
        models = ok(api.get("/v1/models", params={"limit": 100}))["items"]
        tabular = next(m for m in models if m["kind"] == "tabular" and m.get("deployed_version"))
        made["name"] = tabular["name"]
        jobs = ok(api.get("/v1/jobs", params={"limit": 100, "kind": "train", "status": "completed"}))["items"]
        made["job_id"] = next(j["id"] for j in jobs if j["params"].get("model") == tabular["name"])
        made["dataset_id"] = str(next(j["params"]["dataset"] for j in jobs if j["id"] == made["job_id"]))

        start = (datetime.now(UTC) - timedelta(days=7)).replace(microsecond=0)
        experiment = ok(api.post("/v1/experiments", json={
            "name": "visita-boton-compra", "start": start.isoformat(),
            "variants": [{"key": "A", "weight": 1}, {"key": "B", "weight": 1}],
            "metrics": [{"name": "conversion", "kind": "proportion", "event": "compra", "label_es": "la conversión"}],
        }))  # fmt: skip
        events: list[dict[str, Any]] = []
        for unit in range(1200):  # B converts a little more: every 4th of its units against every 5th of A's
            at = (start + timedelta(days=unit % 7, minutes=unit % 600)).isoformat()
            variant = "AB"[unit % 2]
            events.append({"event_id": f"e{unit}", "unit": f"U{unit}", "type": "exposure", "variant": variant,
                           "at": at})  # fmt: skip
            if (unit // 2) % (4 if variant == "B" else 5) == 0:  # counted within the variant (B's units are odd)
                events.append({"event_id": f"c{unit}", "unit": f"U{unit}", "event": "compra", "at": at})
        ok(api.post(f"/v1/experiments/{experiment['id']}/events", json={"events": events}))
        made["experiment_id"] = experiment["id"]

        last = date.fromisoformat(ok(api.get("/v1/data/profile"))["orders"]["last"][:10])
        month = (last.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")  # the last whole month
        made["insight_id"] = ok(api.post("/v1/insights/sales", json={"period": month}))["id"]

        weekly = {"name": "visita-deriva", "cron": "0 8 * * 1", "timezone": "Europe/Madrid", "action": "drift_check"}
        schedule = ok(api.post("/v1/schedules", json=weekly))
        run = ok(api.post(f"/v1/schedules/{schedule['id']}/run"))
        made["schedule_id"], made["run_id"] = schedule["id"], run["id"]
        deadline = time.monotonic() + 600
        while ok(api.get(f"/v1/jobs/{run['job_id']}"))["status"] not in ("completed", "failed", "cancelled"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the schedule's run (job {run['job_id']}) did not finish in 10 minutes")
            time.sleep(1)
    return made


def _tour_pages(base: str, key: str) -> dict[str, tuple[str, str]]:
    """Every page of the tour, by name: its address (parameters filled in) and the element to wait for."""
    made = _tour_objects(base, key)
    pages = {}
    for route, (name, ready) in TOUR.items():
        address = route.replace("{path:path}", "{path}") + TOUR_QUERIES.get(route, "")
        pages[name] = (address.format(**made), ready)
    return pages


def _tour(browser, base: str, key: str, folder: Path) -> dict[str, float]:
    """A full-page screenshot of every page in every language: ``folder/{lang}-{page}.png`` (the login page before
    signing in)."""
    import time

    folder.mkdir(parents=True, exist_ok=True)
    pages = _tour_pages(base, key)
    taken, started = 0, time.perf_counter()
    for lang, locale in TOUR_LANGUAGES.items():
        page = _signed_in(browser, base, key, locale, folder / f"{lang}-login.png")
        taken += 1
        for name, (path, ready) in pages.items():
            if name == "login":
                continue
            page.goto(f"{base}{path}")
            page.wait_for_selector(ready)
            page.screenshot(path=str(folder / f"{lang}-{name}.png"), full_page=True)
            taken += 1
        page.context.close()
    log(f"screenshot tour: {taken} pages in {folder}")
    return {"screenshots": taken, "screenshot_pages": len(pages), "screenshot_seconds": time.perf_counter() - started}


def _visit(browser, base: str, key: str, visits: int) -> dict[str, dict[str, float]]:
    """Sign in, then open every page ``visits`` times; the first visit of each is a warm-up."""
    import statistics

    page = _signed_in(browser, base, key)
    figures: dict[str, float] = {}
    for name, (path, ready) in PAGES.items():
        loaded, served = [], []
        for visit in range(visits):
            page.goto(f"{base}{path}")
            page.wait_for_selector(ready)
            timing = page.evaluate(
                "(() => { const n = performance.getEntriesByType('navigation')[0];"
                " return [n.domContentLoadedEventEnd, n.responseStart - n.requestStart]; })()"
            )
            if visit:
                loaded.append(timing[0])
                served.append(timing[1])
        figures[f"{name}_p50_ms"] = statistics.median(loaded)
        figures[f"{name}_max_ms"] = max(loaded)
        figures[f"{name}_server_p50_ms"] = statistics.median(served)
    slowest = [figures[f"{name}_max_ms"] for name in PAGES]
    figures["max_ms"] = max(slowest)
    figures["pages_under_1s"] = sum(value < 1000 for value in slowest)
    figures["pages"] = len(PAGES)
    return {"tendero": figures}
