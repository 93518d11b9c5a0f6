"""The dashboard in a real browser: Playwright driving Debian's Chromium against a real uvicorn server.

Screenshots of every page at desktop (1280x800) and phone (390x844) width go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import json
import re

import pytest
from web_helpers import browser as http_browser
from web_helpers import sign_in as http_sign_in
from web_helpers import trained_shop

from browser import DESKTOP, PHONE, SHOTS, open_page
from browser import new_page as _page  # the shared page-walk steps (tests/browser.py), by this module's names
from browser import shot as _shot
from browser import sign_in as _sign_in
from support import TenantKeys, load_demo, make_tenant, wait_for_job

pytestmark = pytest.mark.browser

with contextlib.suppress(ImportError):  # without Playwright the chromium fixture skips, saying so
    from playwright.sync_api import Page, expect


@pytest.fixture(scope="module")
def shop(client, demo_store) -> TenantKeys:
    """The demo store with a deployed baseline and a second version, so every page has something to show."""
    tenant = make_tenant("navegador")
    load_demo(tenant.id, demo_store)
    for weeks, deploy in ((8, "always"), (4, "never")):
        job = client.post("/v1/models/ventas/train", json={"kind": "baseline", "deploy": deploy,
                          "params": {"weeks": weeks}}, headers=tenant.headers()).json()  # fmt: skip
        assert wait_for_job(client, tenant, job["id"])["status"] == "completed"
    web = http_browser(client)
    token = http_sign_in(web, tenant)
    lines = b"product_id,name,price\nN1,Pan de pueblo,2.10\nN2,,abc\n"
    web.post("/app/data/imports", data={"csrf": token, "entity": "products"},
             files={"file": ("productos.csv", lines, "text/csv")})  # fmt: skip
    return tenant


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_opens_with_its_charts_drawn(chromium, server, shop, viewport):
    page = _page(chromium, viewport)
    page.goto(f"{server}/app/login")
    _shot(page, "login")
    _sign_in(page, server, shop)
    timings = {}
    page.goto(f"{server}/app")
    page.wait_for_selector("#sales-chart svg.main-svg")
    page.wait_for_selector("#categories-chart svg.main-svg")
    assert page.locator("#sales-chart .barlayer .point").count() >= 56  # one bar per day, drawn as SVG paths
    assert page.locator("[data-kpi]").count() == 4
    expect(page.locator("#model-health")).to_contain_text("ventas")
    _shot(page, "overview")
    for name, path, ready in [
        ("overview", "/app", "#sales-chart svg.main-svg"),
        ("data", "/app/data", "#profile"),
        ("models", "/app/models", "#model-ventas"),
        ("jobs", "/app/jobs", "[data-job] .bar"),
        ("settings", "/app/settings", "#keys"),
    ]:
        open_page(page, server, path, ready)  # a 200, no traceback, the page's mark drawn
        timings[name] = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
        if name != "overview":
            _shot(page, name)
        if viewport is PHONE:  # nothing wider than the phone: no sideways scrolling of the page itself
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1, name
    page.goto(f"{server}/app/data")
    page.locator("#imports a", has_text="Report").first.click()
    expect(page.locator("#rejections")).to_contain_text("price")
    _shot(page, "import-report")
    assert not page.errors, page.errors  # no script errors, no CSP violations
    (SHOTS / f"timings-{'phone' if viewport is PHONE else 'desktop'}.json").write_text(json.dumps(timings))
    # load times are a bench figure (`tendero bench dashboard`), not a test: kept here for whoever looks
    page.context.close()


def test_training_progress_reaches_100_percent_without_reloading(chromium, server, shop):
    page = _page(chromium)
    _sign_in(page, server, shop, "analyst")
    page.goto(f"{server}/app/models")
    page.locator("#train-link").click()
    page.locator("#train-choices select[name=kind]").select_option("slow")  # applies on change
    page.wait_for_url("**kind=slow**")
    form = page.locator("#train-form")
    form.locator("input[name=model]").fill("lento")
    form.locator("input[name=steps]").fill("8")
    form.locator("input[name=seconds_per_step]").fill("0.3")
    assert form.locator("select[name=deploy]").count() == 0  # an analyst's versions are never deployed
    form.locator("#train-submit").click()
    page.wait_for_url("**/app/jobs/*")
    page.evaluate("window.__sameDocument = true")
    card = page.locator("[data-job]").first
    expect(card).to_contain_text("lento")
    expect(card.locator("[data-role=eta]")).to_contain_text("left", timeout=30_000)  # the ETA while it runs
    expect(card.locator(".bar")).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    expect(card.locator("[data-role=percent]")).to_have_text("100%")
    expect(card.locator("[data-role=status]")).to_have_text("completed")
    expect(card.locator("[data-role=eta]")).to_contain_text("took")
    curve = card.locator("[data-role=curves] [data-unit=loss]")  # the loss, on the loss chart
    expect(curve.locator(".scatterlayer .trace")).to_have_count(1)
    points = page.evaluate("document.querySelector('[data-unit=loss]').data[0].x.length")
    assert points == 8  # every step, drawn as it came in
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    _shot(page, "jobs-finished")
    assert not page.errors, page.errors
    page.context.close()


def test_cancel_a_running_job(chromium, server, shop):
    page = _page(chromium)
    _sign_in(page, server, shop, "admin")
    page.goto(f"{server}/app/train?kind=slow")
    form = page.locator("#train-form")
    form.locator("input[name=model]").fill("muy-lento")
    form.locator("input[name=steps]").fill("200")
    form.locator("input[name=seconds_per_step]").fill("0.2")
    form.locator("#train-submit").click()
    page.wait_for_url("**/app/jobs/*")
    card = page.locator("[data-job]").first
    expect(card.locator("[data-role=status]")).to_have_text("running", timeout=30_000)
    card.locator("[data-action=cancel]").click()
    page.wait_for_url("**/app/jobs")
    expect(page.locator("[data-job]").first.locator("[data-role=status]")).to_have_text("cancelled", timeout=30_000)
    page.context.close()


def test_deploy_roll_back_and_archive_versions(chromium, server, shop):
    page = _page(chromium)
    _sign_in(page, server, shop)
    page.goto(f"{server}/app/models")
    model = page.locator("#model-ventas")
    expect(model.locator("tr[data-version='1.0.0']")).to_have_attribute("data-status", "deployed")
    model.locator("tr[data-version='1.1.0'] [data-action=deploy]").click()
    expect(page.locator(".flash")).to_contain_text("Version 1.1.0 of ventas is deployed")
    model = page.locator("#model-ventas")
    expect(model.locator("tr[data-version='1.1.0']")).to_have_attribute("data-status", "deployed")
    expect(model.locator("tr[data-version='1.0.0']")).to_have_attribute("data-status", "ready")
    _shot(page, "models-deployed")
    model.locator("[data-action=rollback]").click()
    expect(page.locator(".flash")).to_contain_text("rolled back to version 1.0.0")
    model = page.locator("#model-ventas")
    expect(model.locator("tr[data-version='1.0.0']")).to_have_attribute("data-status", "deployed")
    model.locator("tr[data-version='1.1.0'] [data-action=archive]").click()  # confirm() accepted
    expect(page.locator("#model-ventas tr[data-version='1.1.0']")).to_have_attribute("data-status", "archived")
    assert not page.errors, page.errors
    page.context.close()


def test_switch_language_and_sign_out(chromium, server, shop):
    page = _page(chromium, lang="es-ES")
    page.goto(f"{server}/app/login")
    expect(page.locator("h1")).to_have_text("Iniciar sesión")
    _sign_in(page, server, shop)
    expect(page.locator("main h1")).to_have_text("Resumen")
    _shot(page, "overview-es")
    page.locator("button[data-lang=en]").click()
    expect(page.locator("main h1")).to_have_text("Overview")
    page.goto(f"{server}/app/models")
    expect(page.locator("main h1")).to_have_text("Models")
    page.locator("button[data-lang=es]").click()
    expect(page.locator("main h1")).to_have_text("Modelos")
    assert page.url.endswith("/app/models")
    page.locator("#signout").click()
    page.wait_for_url("**/app/login")
    expect(page.locator(".flash")).to_contain_text("cerrado la sesión")
    page.goto(f"{server}/app/models")
    assert "/app/login" in page.url
    page.context.close()


def _post_from_page(page: Page, path: str, fields: dict[str, str] | None = None) -> int:
    """POST a form from inside the signed-in page, with the page's own CSRF token: what a crafted button would do."""
    return page.evaluate(
        """async ([path, fields]) => {
            const body = new FormData();
            body.append("csrf", document.querySelector("input[name=csrf]").value);
            for (const [k, v] of Object.entries(fields)) body.append(k, v);
            const answer = await fetch(path, {method: "POST", body, redirect: "manual"});
            return answer.status;
        }""",
        [path, fields or {}],
    )


def test_admin_sees_every_button_and_creates_a_key_shown_once(chromium, server, shop):
    page = _page(chromium)
    _sign_in(page, server, shop, "admin")
    page.goto(f"{server}/app/models")
    assert page.locator("[data-action=deploy]").count() >= 1 and page.locator("[data-action=rollback]").count() == 1
    page.goto(f"{server}/app/settings")
    page.locator("#create-key input[name=name]").fill("tpv")
    page.locator("#create-key button").click()
    secret = page.locator("#new-key-secret").inner_text()
    assert secret.startswith("tdr_")
    _shot(page, "settings-new-key")
    page.goto(f"{server}/app/settings")
    assert secret not in page.content()
    page.context.close()


def test_analyst_has_no_admin_buttons_and_their_endpoints_refuse(chromium, server, shop):
    page = _page(chromium)
    _sign_in(page, server, shop, "analyst")
    expect(page.locator("nav.nav a")).to_have_text(
        ["Overview", "Forecast", "Customers", "Recommendations", "Experiments", "Insights", "Assistant", "Data",
         "Datasets", "Models", "Jobs", "Automation"]
    )  # fmt: skip
    page.goto(f"{server}/app/models")
    for action in ("deploy", "rollback", "archive"):
        assert page.locator(f"[data-action={action}]").count() == 0
    assert page.locator("#train-link").count() == 1
    assert _post_from_page(page, "/app/models/ventas/versions/1.0.0/archive") == 403
    assert _post_from_page(page, "/app/models/ventas/rollback") == 403
    assert _post_from_page(page, "/app/settings/keys", {"name": "x", "role": "admin"}) == 403
    page.goto(f"{server}/app/settings")
    expect(page.locator("#error-message")).to_contain_text("cannot do this")
    _shot(page, "forbidden")
    page.context.close()


def test_service_sees_only_the_upload_and_other_endpoints_refuse(chromium, server, shop):
    page = _page(chromium)
    _sign_in(page, server, shop, "service")
    assert page.url.endswith("/app/data")
    expect(page.locator("nav.nav a")).to_have_text(["Data"])
    assert page.locator("#upload-form").count() == 1 and page.locator("#imports").count() == 0
    assert page.locator("[data-action]").count() == 0
    assert _post_from_page(page, "/app/models/train", {"model": "x", "kind": "baseline"}) == 403
    assert _post_from_page(page, "/app/models/ventas/versions/1.0.0/deploy") == 403
    page.locator("#upload-form select[name=entity]").select_option("products")
    page.locator("#upload-form input[type=file]").set_input_files(
        files=[{"name": "nuevos.csv", "mimeType": "text/csv", "buffer": b"product_id,name\nS1,Sal\nS2,Azucar\n"}]
    )
    page.locator("#upload-form button").click()
    expect(page.locator(".flash")).to_contain_text("Imported 2 rows")
    _shot(page, "service-upload")
    page.context.close()


@pytest.fixture(scope="module")
def trained(client) -> TenantKeys:
    return trained_shop(client)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_capability_pages_draw_their_charts(chromium, server, trained, viewport):
    """Forecast, Customers, one customer, Recommendations and the Overview's new cards, on trained models."""
    page = _page(chromium, viewport, lang="es-ES")
    _sign_in(page, server, trained)
    timings = {}
    for name, path, chart in [
        ("forecast", "/app/forecast", "#forecast-chart"),
        ("customers", "/app/customers", "#segments-chart"),
        ("recommendations", "/app/recommendations", "#recs-chart"),
    ]:
        open_page(page, server, path, f"{chart} svg.main-svg")
        timings[name] = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
        _shot(page, name)
        if viewport is PHONE:
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1, name
    page.goto(f"{server}/app/forecast")
    # history, forecast and the two bands: four visible traces drawn as SVG paths
    assert page.locator("#forecast-chart .scatterlayer .trace").count() >= 4
    expect(page.locator("#forecast-accuracy")).to_contain_text("el error medio fue del")
    page.locator("#forecast-selectors select[name=level]").select_option("total")
    page.locator("#forecast-selectors select[name=freq]").select_option("D")  # applies on change, no button
    page.wait_for_url("**freq=D**")
    page.wait_for_selector("#forecast-chart svg.main-svg")
    _shot(page, "forecast-daily")
    page.goto(f"{server}/app/customers")
    assert page.locator("#segments-chart .barlayer .point").count() >= 3
    page.locator("#at-risk li a").first.click()
    page.wait_for_selector("#spend-chart svg.main-svg")
    expect(page.locator("#customer-insights [data-insight=churn]")).to_contain_text("%")
    timings["customer"] = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    _shot(page, "customer")
    page.locator("#customer-reasons a.button").click()
    page.wait_for_selector("#recs-chart svg.main-svg")
    assert page.locator("#recommended tr[data-item]").count() == 10
    assert page.locator("#similar li[data-item]").count() >= 1
    page.goto(f"{server}/app")
    page.wait_for_selector("#sales-chart svg.main-svg")
    expect(page.locator("#overview-at-risk li")).to_have_count(5)
    expect(page.locator("#next-forecast")).to_contain_text("rango del 80 %")
    _shot(page, "overview-trained")
    assert not page.errors, page.errors
    (SHOTS / f"timings-capabilities-{'phone' if viewport is PHONE else 'desktop'}.json").write_text(json.dumps(timings))
    page.context.close()


def _churn_table(rows: int = 150) -> bytes:
    lines = ["visitas,plan,gasto,baja"]
    for i in range(rows):
        visits = (i * 7) % 30
        lines.append(f"{visits},{['basico', 'plus', ''][i % 3]},{10 + (i * 13) % 80},{'sí' if visits < 8 else 'no'}")
    return ("\n".join(lines) + "\n").encode()


TRAINING_WORDS = {
    "en-GB": {"datasets": "Datasets", "train": "Train a model", "refused": "Not accepted here",
              "versions": "Versions of", "prediction": "Prediction"},
    "es-ES": {"datasets": "Conjuntos de datos", "train": "Entrenar un modelo", "refused": "No se admite aquí",
              "versions": "Versiones de", "prediction": "Predicción"},
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en-GB", "es-ES"])
def test_own_model_from_upload_to_prediction(chromium, server, lang):
    """The S3 flow in the browser: upload a table, read its schema and report, train with a mistake fixed beside its
    field, follow the job to the end, compare versions, and predict one row from the form."""
    words = TRAINING_WORDS[lang]
    shop = make_tenant(f"propio-{lang[:2]}")
    page = _page(chromium, lang=lang)
    _sign_in(page, server, shop)
    page.goto(f"{server}/app/datasets")
    expect(page.locator("main h1")).to_have_text(words["datasets"])
    form = page.locator("#dataset-form")
    form.locator("input[name=name]").fill("bajas")
    form.locator("input[name=target]").fill("baja")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "bajas.csv", "mimeType": "text/csv", "buffer": _churn_table()}]
    )
    form.locator("button").click()
    page.wait_for_url("**/app/datasets/*")
    expect(page.locator("#schema tr[data-column]")).to_have_count(4)
    expect(page.locator("#schema tr[data-column=plan] [data-role=missing]")).to_contain_text("33")
    _shot(page, f"dataset-{lang[:2]}")
    page.locator("#train-on").click()
    page.wait_for_url("**/app/train?dataset=*")
    expect(page.locator("main h1")).to_have_text(words["train"])
    page.locator("#train-choices select[name=algorithm]").select_option("random_forest")
    page.wait_for_url("**algorithm=random_forest**")
    form = page.locator("#train-form")
    form.locator("input[name=model]").fill("bajas")
    form.locator("input[name=n_estimators]").fill("0")
    form.locator("input[name=min_samples_leaf]").fill("2")
    form.locator("#train-submit").click()
    expect(page.locator("[data-error-for=n_estimators]")).to_contain_text(words["refused"])
    assert form.locator("input[name=n_estimators]").input_value() == "0"  # what was typed is kept
    assert form.locator("input[name=min_samples_leaf]").input_value() == "2"
    assert form.locator("input[name=model]").input_value() == "bajas"
    _shot(page, f"train-error-{lang[:2]}")
    assert [e for e in page.errors if "422" not in e] == []  # the refused form answers 422, as it should
    page.errors.clear()  # type: ignore[attr-defined]
    form.locator("input[name=n_estimators]").fill("30")
    form.locator("#train-submit").click()
    page.wait_for_url("**/app/jobs/*")
    card = page.locator("[data-job]").first
    expect(card.locator("[data-role=status]")).to_have_attribute("class", "badge status completed", timeout=90_000)
    _shot(page, f"job-{lang[:2]}")
    units = card.locator("[data-role=curves] [data-unit]")
    expect(units.first).to_be_visible()
    shown = [units.nth(i).get_attribute("data-unit") for i in range(units.count())]
    assert len(shown) == len(set(shown)) and "loss" in shown  # one chart per unit: the validation loss's
    expect(card.locator("[data-role=figures] tr[data-metric=accuracy]")).to_have_count(1)  # reported once: a row
    card.locator("[data-role=compare]").click()
    expect(page.locator("main h1")).to_contain_text(words["versions"])
    expect(page.locator("#compare tr[data-metric=accuracy] td")).to_have_count(1)
    _shot(page, f"compare-{lang[:2]}")
    page.goto(f"{server}/app/models/bajas/predict")
    page.locator("#predict-form input[name='col:visitas']").fill("3")
    page.locator("#predict-form select[name='col:plan']").select_option("plus")
    page.locator("#predict-form input[name='col:gasto']").fill("25")
    page.locator("#predict-form button").click()
    expect(page.locator("#prediction h3").first).to_have_text(words["prediction"])
    expect(page.locator("#prediction [data-role=prediction]")).not_to_be_empty()
    _shot(page, f"predict-{lang[:2]}")
    assert not page.errors, page.errors
    page.context.close()


@pytest.mark.parametrize(("lang", "month", "axis", "foreign"), [
    ("es-ES", r"^(ene|feb|mar|abr|may|jun|jul|ago|sept?|oct|nov|dic)", "Mes", r"^(jan|apr|aug|dec)"),
    ("en-GB", r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", "Month", r"^(ene|abr|ago|dic)"),
], ids=["es", "en"])  # fmt: skip
def test_charts_speak_the_page_language_and_the_page_fixes_show(chromium, server, trained, lang, month, axis, foreign):
    """Plotly's own locale (served by the dashboard) writes the date ticks, the axis titles come from the catalogue;
    the forecast note says 16 in 20, a missing page is a page with a way back."""
    page = _page(chromium, lang=lang)
    _sign_in(page, server, trained)
    page.goto(f"{server}/app/forecast?level=category&freq=M")
    page.wait_for_selector("#forecast-chart svg.main-svg")
    assert page.locator("#forecast-chart .xtitle").text_content() == axis
    ticks = [t.strip().lower() for t in page.locator("#forecast-chart .xtick text").all_text_contents()]
    assert ticks and any(re.match(month, t) for t in ticks), ticks
    assert not any(re.match(foreign, t) for t in ticks), ticks
    expect(page.locator("#bands-note")).to_contain_text("16")
    script = page.locator("script[src$='plotly-locale-es.js']")
    assert script.count() == (1 if lang.startswith("es") else 0)
    assert not page.errors  # type: ignore[attr-defined]
    page.goto(f"{server}/app/no-such-page")  # the browser logs the 404 itself; the page is what matters
    expect(page.locator("#error-message")).to_contain_text("/app/no-such-page")
    page.locator("#error-home").click()
    page.wait_for_load_state("load")
    assert page.url.rstrip("/").endswith("/app")


@pytest.fixture(scope="module")
def untrained(client, demo_store) -> TenantKeys:
    """A shop with sales and customers but no model yet: every capability page offers its "train" button."""
    tenant = make_tenant("sin-modelos")
    load_demo(tenant.id, demo_store)
    return tenant


# Every page that offers to train a named model, the button it offers, and the model it trains.
TRAIN_BUTTONS = [
    ("/app", "#train-forecast", "forecast-category-M"),
    ("/app", "#train-customers", "customers"),
    ("/app", "#train-baseline", "baseline"),
    ("/app/forecast", "#train-forecast", "forecast-category-M"),
    ("/app/customers", "#train-customers", "customers"),
    ("/app/recommendations", "#train-recommender", "recommender"),
]
BUSY_WORDS = {"es": ("ya se está entrenando", "Seguirlo"), "en": ("is already being trained", "Follow it")}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_no_train_offered_while_that_model_trains_and_first_trainings_are_listed(
    chromium, server, client, untrained, lang
):
    page = _page(chromium, lang=lang)
    _sign_in(page, server, untrained)
    for path, button, _model in TRAIN_BUTTONS:
        page.goto(f"{server}{path}")
        assert page.locator(button).count() == 1, (path, button)  # offered while nothing trains
    stale = page.context.new_page()  # a tab opened before the trainings started still shows its button
    stale.goto(f"{server}/app/forecast")
    jobs: dict[str, str] = {}
    try:
        for model in dict.fromkeys(model for _, _, model in TRAIN_BUTTONS):
            answer = client.post(f"/v1/models/{model}/train", json={"kind": "slow", "params": {"steps": 600,
                                 "seconds_per_step": 0.2}}, headers=untrained.headers())  # fmt: skip
            assert answer.status_code == 202, answer.text
            jobs[model] = answer.json()["id"]
        says, follow = BUSY_WORDS[lang]
        for path, button, model in TRAIN_BUTTONS:
            page.goto(f"{server}{path}")
            assert page.locator(button).count() == 0, (path, button)
            running = page.locator(f'[data-role="training-now"][data-model="{model}"]')
            expect(running).to_contain_text(says)
            expect(running.locator("a", has_text=follow)).to_have_attribute("href", f"/app/jobs/{jobs[model]}")
        # the models page lists each first training (no version yet): name, state, progress, a link to its job
        page.goto(f"{server}/app/models")
        assert page.locator("[data-role=first-training]").count() == len(jobs)
        for model, job_id in jobs.items():
            card = page.locator(f'[data-role="first-training"][data-model="{model}"]')
            expect(card).to_contain_text(model)
            expect(card.locator("[data-role=status]")).to_have_text(re.compile("en cola|en curso|pending|running"))
            expect(card.locator("[data-role=percent]")).to_have_text(re.compile(r"^\d+%$"))
            expect(card.locator('[data-role="training-now"]')).to_have_attribute("href", f"/app/jobs/{job_id}")
        expect(page.locator("body")).not_to_contain_text("No models yet" if lang == "en" else "Aún no hay modelos")
        # and so does the model's own page, with no "train again"
        answer = page.goto(f"{server}/app/models/customers/versions")
        assert answer is not None and answer.status == 200
        expect(page.locator("#train-busy")).to_contain_text(says)
        assert page.locator("#retrain").count() == 0
        # the stale button is refused with a page in the reader's language, naming the job
        stale.locator("#train-forecast").click()
        stale.wait_for_load_state("load")
        expect(stale.locator("main, body").first).to_contain_text(says)
        expect(stale.locator("body")).to_contain_text(jobs["forecast-category-M"])
        assert "Traceback" not in stale.content()
    finally:
        for job_id in jobs.values():
            client.post(f"/v1/jobs/{job_id}/cancel", headers=untrained.headers())
        for job_id in jobs.values():
            assert wait_for_job(client, untrained, job_id)["status"] == "cancelled"
    assert not page.errors, page.errors
    page.context.close()
