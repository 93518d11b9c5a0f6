"""The Insights dashboard pages: run an analysis from the form, read it in both languages, download its
reports, another tenant gets 404; and in Debian's Chromium the movers chart is drawn with no script error."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from browser import VIEWPORTS, fits_the_phone, new_page, open_page, shot, sign_in
from support import load_demo, make_tenant
from web.web_helpers import browser as http_browser
from web.web_helpers import sign_in as http_sign_in


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
    for lang, said in (("en", "month 99 does not exist"), ("es", "el mes 99 no existe")):
        bad = web.post("/app/insights", data={"csrf": _csrf(listing.text), "period": "2026-99"},
                       headers={"accept-language": lang}, follow_redirects=True)  # fmt: skip
        assert bad.status_code == 200 and said in bad.text and "Traceback" not in bad.text
    intruder = http_browser(client)
    http_sign_in(intruder, make_tenant("intrusa"))
    assert intruder.get(f"/app/insights/{insight_id}").status_code == 404
    assert intruder.get(f"/app/insights/{insight_id}/report.html").status_code == 404
    assert insight_id not in intruder.get("/app/insights").text


@pytest.mark.browser
@VIEWPORTS
def test_an_analysis_is_run_and_drawn_in_a_real_browser(chromium, server, shop, viewport):
    from playwright.sync_api import expect

    tenant, month = shop
    page = new_page(chromium, viewport, "en")
    sign_in(page, server, tenant)
    open_page(page, server, "/app/insights")
    page.locator("#insights-run input[name=period]").fill(month)
    page.locator("#insights-run button").click()
    page.wait_for_selector("#movers-chart svg.main-svg")
    assert page.locator("#movers-chart .barlayer .trace").count() >= 1
    expect(page.locator("#insight-list li[data-type=revenue_change]")).to_contain_text("Sales in")
    expect(page.locator("[data-kpi=revenue]")).to_contain_text("EUR")
    shot(page, "insights")
    assert fits_the_phone(page)
    assert not page.errors, page.errors
    page.context.close()
