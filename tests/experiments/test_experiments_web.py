"""The Experiments dashboard pages: over HTTP (tenant-scoped, both languages) and in Debian's Chromium
(the effect-over-time chart drawn, no script errors), with screenshots beside the other pages'."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from browser import PHONE, VIEWPORTS, fits_the_phone, new_page, open_page, shot, sign_in
from support import TenantKeys, make_tenant
from web.web_helpers import browser as http_browser
from web.web_helpers import sign_in as http_sign_in


@pytest.fixture(scope="module")
def lab(client) -> tuple[TenantKeys, str]:
    """A shop with one experiment over 6 days: B converts more; a covariate for CUPED."""
    tenant = make_tenant("laboratorio")
    start = (datetime.now(UTC) - timedelta(days=6)).replace(microsecond=0)
    made = client.post("/v1/experiments", headers=tenant.headers(), json={
        "name": "boton-compra", "start": start.isoformat(), "covariate": "gasto_previo",
        "variants": [{"key": "A", "weight": 1}, {"key": "B", "weight": 1}],
        "metrics": [{"name": "conversion", "kind": "proportion", "event": "compra", "label_es": "la conversión"},
                    {"name": "ingresos", "event": "ingresos", "role": "guardrail", "unit": "EUR"}],
    }).json()  # fmt: skip
    rng = np.random.default_rng(0)
    events = []
    for i in range(3000):
        at = (start + timedelta(days=int(i % 6), minutes=i % 600)).isoformat()
        variant = "AB"[i % 2]
        events.append({"event_id": f"e{i}", "unit": f"C{i}", "type": "exposure", "variant": variant, "at": at})
        events.append({"event_id": f"k{i}", "unit": f"C{i}", "type": "covariate", "event": "gasto_previo",
                       "value": float(rng.gamma(2, 10)), "at": at})  # fmt: skip
        if rng.random() < (0.30 if variant == "B" else 0.18):
            events.append({"event_id": f"c{i}", "unit": f"C{i}", "event": "compra", "at": at})
            events.append({"event_id": f"r{i}", "unit": f"C{i}", "event": "ingresos", "value": 20.0, "at": at})
    answer = client.post(f"/v1/experiments/{made['id']}/events", json={"events": events}, headers=tenant.headers())
    assert answer.status_code == 200 and not answer.json()["rejected"], answer.text
    return tenant, made["id"]


def test_pages_show_the_verdict_and_the_table_in_both_languages(client, lab):
    tenant, experiment_id = lab
    web = http_browser(client)
    http_sign_in(web, tenant, "analyst")
    listing = web.get("/app/experiments", headers={"accept-language": "es"})
    assert listing.status_code == 200 and 'data-experiment="boton-compra"' in listing.text
    assert ">Experimentos<" in listing.text
    page = web.get(f"/app/experiments/{experiment_id}", headers={"accept-language": "es"})
    assert page.status_code == 200
    assert "B sube la conversión un" in page.text and 'id="effect-chart"' in page.text and "CUPED" in page.text
    other = make_tenant("ajena")
    intruder = http_browser(client)
    http_sign_in(intruder, other)
    hidden = intruder.get(f"/app/experiments/{experiment_id}")
    assert hidden.status_code == 404 and "boton-compra" not in hidden.text
    assert "boton-compra" not in intruder.get("/app/experiments").text


@pytest.mark.browser
@VIEWPORTS
def test_the_effect_over_time_is_drawn_in_a_real_browser(chromium, server, lab, viewport):
    from playwright.sync_api import expect

    tenant, _ = lab
    page = new_page(chromium, viewport, "en")
    sign_in(page, server, tenant)
    open_page(page, server, "/app/experiments")
    page.locator("[data-experiment=boton-compra] a").click()
    page.wait_for_selector("#effect-chart svg.main-svg")
    assert page.locator("#effect-chart .scatterlayer .trace").count() >= 3  # two bands and the estimate
    expect(page.locator("#verdict")).to_have_attribute("data-status", "winner")
    expect(page.locator("#verdict")).to_contain_text("B raises conversion by")
    expect(page.locator("[data-metric=conversion] tr[data-variant=B]")).to_have_attribute("data-decision", "better")
    page.select_option("#timeline select[name=metric]", "ingresos")
    page.locator("#timeline button").click()
    page.wait_for_selector("#effect-chart svg.main-svg")
    expect(page.locator("#timeline h2")).to_contain_text("ingresos")
    shot(page, "experiment")
    if viewport is PHONE:  # nothing wider than the phone: no sideways scrolling of the page itself
        wide = page.evaluate("""[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right
                                > document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + '.'
                                + e.className + '#' + e.id)""")
        assert fits_the_phone(page), wide
    assert not page.errors, page.errors
    page.context.close()
