"""``tendero bench dashboard``: how fast each dashboard page loads in a real browser on the demo store.

A fresh home gets the whole demo (``prepare_demo``: the demo store and every demo model trained and
deployed) behind a real ``tendero serve``; Debian's Chromium, driven by Playwright, signs in and opens
every page several times. A page's time is the browser's DOMContentLoaded (server render, transfer
and parsing of the page and its scripts), warm: the first visit of each page is not counted.

With ``--screenshots DIR`` it also takes the screenshot tour: every page, in Spanish and in English, as a full-page
PNG (``DIR/es-forecast.png``, ...), once its content has drawn; the JSON says how many it wrote.
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


def command(
    visits: Annotated[int, typer.Option(min=2, help="visits per page; the first one warms up and is not counted")] = 6,
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    screenshots: Annotated[
        Path | None,
        typer.Option(help="also save a full-page screenshot of every page in es and en into this folder"),
    ] = None,
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
                _wait_for_jobs(base, key)
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


def _wait_for_jobs(base: str, key: str) -> None:
    import time

    import httpx

    headers = {"Authorization": f"Bearer {key}"}
    deadline = time.monotonic() + 1200
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
    raise RuntimeError("the demo models did not finish training in 20 minutes")


def _signed_in(browser, base: str, key: str, locale: str = "es-ES"):
    """A browser page signed in to the demo shop, its language from ``locale`` (the browser's Accept-Language)."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale).new_page()
    page.goto(f"{base}/app/login")
    form = page.locator("#login-key")
    form.locator("input[name=tenant]").fill("demo")
    form.locator("input[name=key]").fill(key)
    form.locator("button").click()
    page.wait_for_load_state("load")
    if "/app/login" in page.url:
        raise RuntimeError("could not sign in to the dashboard with the demo key")
    return page


def _tour_pages(base: str, key: str) -> dict[str, tuple[str, str]]:
    """Every page of the tour: the timed ones and one customer's page (the first at risk by value)."""
    import httpx

    pages = dict(PAGES)
    answer = httpx.get(f"{base}/v1/customers/at-risk", params={"limit": 1},
                       headers={"Authorization": f"Bearer {key}"}, timeout=30)  # fmt: skip
    if answer.status_code == 200 and answer.json().get("items"):
        customer = answer.json()["items"][0]["customer_id"]
        pages["customer"] = (f"/app/customers/{customer}", "#customer-insights")
    return pages


def _tour(browser, base: str, key: str, folder: Path) -> dict[str, float]:
    """A full-page screenshot of every page in every language: ``folder/{lang}-{page}.png``."""
    import time

    folder.mkdir(parents=True, exist_ok=True)
    pages = _tour_pages(base, key)
    taken, started = 0, time.perf_counter()
    for lang, locale in TOUR_LANGUAGES.items():
        page = _signed_in(browser, base, key, locale)
        for name, (path, ready) in pages.items():
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
