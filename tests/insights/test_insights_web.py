"""The Insights dashboard pages: run an analysis from the form, read it in both languages, download its
reports, another tenant gets 404; and in Debian's Chromium the movers chart is drawn with no script error."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from support import load_demo, make_tenant
from web.web_helpers import browser as http_browser
from web.web_helpers import sign_in as http_sign_in

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def shop(client, demo_store):
    tenant = make_tenant("panel")
    load_demo(tenant.id, demo_store)
    month = str(pd.Timestamp(demo_store.orders["ordered_at"].max()).to_period("M") - 1)
    return tenant, month


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_run_an_analysis_from_the_form_and_read_it_in_both_languages(client, shop):
    tenant, month = shop
    web = http_browser(client)
    http_sign_in(web, tenant, "analyst")
    listing = web.get("/app/insights", headers={"accept-language": "es"})
    assert listing.status_code == 200 and ">Análisis<" in listing.text
    made = web.post("/app/insights", data={"csrf": _csrf(listing.text), "period": month, "currency": "EUR"},
                    follow_redirects=False)  # fmt: skip
    assert made.status_code == 303 and "/app/insights/" in made.headers["location"], made.text
    page = web.get(made.headers["location"], headers={"accept-language": "es"})
    assert page.status_code == 200 and 'id="movers-chart"' in page.text and "Lo que hemos encontrado" in page.text
    insight_id = made.headers["location"].rsplit("/", 1)[1]
    analysis = client.get(f"/v1/insights/{insight_id}", headers=tenant.headers()).json()
    import html

    assert html.escape(analysis["insights"][0]["text"]["es"]) in page.text
    markdown = web.get(f"/app/insights/{insight_id}/report.md")
    assert markdown.status_code == 200 and markdown.text.startswith("# ")
    bad = web.post("/app/insights", data={"csrf": _csrf(listing.text), "period": "2026-99"}, follow_redirects=True)
    assert bad.status_code == 200 and "month 99 does not exist" in bad.text and "Traceback" not in bad.text
    intruder = http_browser(client)
    http_sign_in(intruder, make_tenant("intrusa"))
    assert intruder.get(f"/app/insights/{insight_id}").status_code == 404
    assert intruder.get(f"/app/insights/{insight_id}/report.html").status_code == 404
    assert insight_id not in intruder.get("/app/insights").text


@pytest.fixture(scope="module")
def chromium():  # type: ignore[no-untyped-def]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        pytest.skip("playwright is not installed (pip install playwright; no browser download is needed)")
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(client) -> Iterator[str]:
    import uvicorn

    from tendero.app import create_app
    from tendero.bench.server import free_port

    port = free_port()
    config = uvicorn.Config(create_app(run_jobs=False, migrate=False), host="127.0.0.1", port=port, log_config=None)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])  # fmt: skip
def test_an_analysis_is_run_and_drawn_in_a_real_browser(chromium, server, shop, viewport):
    from playwright.sync_api import expect

    tenant, month = shop
    context = chromium.new_context(viewport=viewport, locale="en-GB", extra_http_headers={"accept-language": "en"})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/app/login")
    form = page.locator("#login-key")
    form.locator("input[name=tenant]").fill(tenant.name)
    form.locator("input[name=key]").fill(tenant.admin)
    form.locator("button").click()
    page.wait_for_load_state("load")
    page.goto(f"{server}/app/insights")
    page.locator("#insights-run input[name=period]").fill(month)
    page.locator("#insights-run button").click()
    page.wait_for_selector("#movers-chart svg.main-svg")
    assert page.locator("#movers-chart .barlayer .trace").count() >= 1
    expect(page.locator("#insight-list li[data-type=revenue_change]")).to_contain_text("Sales in")
    expect(page.locator("[data-kpi=revenue]")).to_contain_text("EUR")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"insights-{'phone' if viewport['width'] < 600 else 'desktop'}.png"),
                    full_page=True)  # fmt: skip
    if viewport["width"] < 600:
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    assert not errors, errors
    context.close()
