"""The smaller page fixes of issue #17, over HTTP in both languages: a missing dashboard page is a page, the
forecast ranges' "in 20" follows their level, the customer page labels total spend as total and explains a segment
that disagrees with the churn risk, CLV and value at risk each have a line, the demo's Data page says its data is
there, engine names are names; and the API's language fallback (``fr`` -> ``en``, said in ``Content-Language``)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from markupsafe import escape
from web_helpers import browser, sign_in, trained_shop

from support import TenantKeys, load_demo, make_tenant
from tendero.catalogue.engines import ENGINES, engine_name
from tendero.catalogue.language import negotiate, unavailable
from tendero.registry.service import deployed_models
from tendero.services.demo import DEMO_TENANT
from tendero.web.capability_pages import segment_disagreement

LANGS = {"es": "es-ES,es;q=0.9", "en": "en-GB,en;q=0.9"}


@pytest.fixture(scope="module")
def shop(client):
    return trained_shop(client)


def _text(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert found, f"no element #{element_id}"
    return found.group(1).strip()


@pytest.mark.parametrize("lang", LANGS)
def test_a_missing_dashboard_page_is_a_page_with_a_way_back(client, tenant, lang):
    web = browser(client)
    sign_in(web, tenant)
    page = web.get(
        "/app/no-such-page", headers={"accept-language": LANGS[lang], "referer": "http://testserver/app/data"}
    )
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-language"] == lang
    expected = {"es": "No hay ninguna página en /app/no-such-page.", "en": "There is no page at /app/no-such-page."}
    assert _text(page.text, "error-message") == expected[lang]
    assert 'href="/app/data" id="error-back"' in page.text and 'id="error-home"' in page.text
    anonymous = browser(client).get("/app/missing/deeper", headers={"accept-language": LANGS[lang]})
    assert anonymous.status_code == 404 and "<html" in anonymous.text and "/app/missing/deeper" in anonymous.text
    assert browser(client).get("/app/static/app.css").status_code == 200  # static files are still served


@pytest.mark.parametrize("lang", LANGS)
def test_forecast_ranges_say_16_and_19_in_20(client, shop, lang):
    web = browser(client)
    sign_in(web, shop, "analyst")
    note = _text(web.get("/app/forecast", headers={"accept-language": LANGS[lang]}).text, "bands-note")
    if lang == "es":
        assert "16 de cada 20 veces (el rango del 80 %)" in note and "19 de cada 20 veces (el rango del 95 %)" in note
    else:
        assert "16 times in 20 (the 80 % range)" in note and "19 times in 20 (the 95 % range)" in note
    assert "8 and 19" not in note and "8 y 19" not in note


@pytest.mark.parametrize("lang", LANGS)
def test_customer_page_labels_total_spend_and_explains_clv_and_value_at_risk(client, shop, lang):
    web = browser(client)
    sign_in(web, shop, "analyst")
    fitted = deployed_models.get(shop.id, "customers").fitted
    customer = fitted.at_risk(0.0, 1, lang)[0]["customer_id"]
    page = web.get(f"/app/customers/{customer}", headers={"accept-language": LANGS[lang]}).text
    spend = re.search(r'data-insight="total-spend"><dt>([^<]*)</dt>', page)
    labels = {"es": "Gasto total (neto de devoluciones)", "en": "Total spend (net of returns)"}
    assert spend and spend.group(1) == labels[lang]
    assert "Average spend" not in page and "Gasto medio" not in page
    notes = _text(page, "value-notes")
    assert notes.startswith({"es": "Valor de vida:", "en": "Lifetime value:"}[lang])
    assert {"es": "Valor en riesgo:", "en": "Value at risk:"}[lang] in notes
    insight = fitted.insights(customer, lang)
    assert escape(engine_name(insight["btyd_model"], lang)) in page and insight["btyd_model"] + ";" not in page


def _insight(segment: str, churn: float) -> dict:
    return {"segment": segment, "churn_probability": churn, "recency_days": 120.0, "rfm": "545"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_good_segment_with_a_high_churn_risk_is_explained_and_advised_as_at_risk(lang):
    note = segment_disagreement(_insight("loyal", 0.99), lang)
    assert note is not None and "545" in note and "120" in note
    assert {"es": "Mensaje personal de recuperación", "en": "Personal win-back message"}[lang] in note
    assert segment_disagreement(_insight("lost", 0.05), lang) is not None  # a bad segment with a low risk too
    assert segment_disagreement(_insight("loyal", 0.1), lang) is None  # they agree: nothing to explain
    assert segment_disagreement(_insight("lost", 0.9), lang) is None


def test_the_customer_page_shows_the_explanation_when_segment_and_risk_disagree(client, shop):
    """Every customer of the trained shop whose segment and risk point different ways carries the note on the page,
    and one whose segment and risk agree carries none."""
    web = browser(client)
    sign_in(web, shop, "analyst")
    fitted = deployed_models.get(shop.id, "customers").fitted
    members, _ = fitted.segment_members(None, 400, 0)
    checked = {"note": 0, "none": 0}
    for member in members:
        insight = fitted.insights(member["customer_id"], "es")
        expected = segment_disagreement(insight, "es")
        kind = "note" if expected else "none"
        if checked[kind] >= 2:
            continue
        page = web.get(f"/app/customers/{member['customer_id']}", headers={"accept-language": "es"}).text
        assert ('id="segment-disagreement"' in page) == (expected is not None)
        checked[kind] += 1
    assert checked["none"] == 2  # the shop has agreeing customers; disagreeing ones are checked where they exist


@pytest.fixture(scope="module")
def demo(demo_store) -> TenantKeys:
    """The tenant ``tendero demo`` makes (named ``demo``), with the demo store loaded as the demo loads it."""
    from tendero.store import tenants
    from tendero.store.db import session_scope

    with session_scope() as session:
        tenant, admin = tenants.create_tenant(session, DEMO_TENANT)
        keys = TenantKeys(tenant.id, DEMO_TENANT, admin.secret, "", "")
    load_demo(keys.id, demo_store)
    return keys


@pytest.mark.parametrize("lang", LANGS)
def test_the_demo_data_page_says_the_demo_data_is_there(client, demo, lang):
    web = browser(client)
    sign_in(web, demo)
    page = web.get("/app/data", headers={"accept-language": LANGS[lang]}).text
    said = _text(page, "loaded-directly")
    assert said.startswith({"es": "Aquí están los datos de la demo", "en": "The demo data is here"}[lang])
    assert {"es": "clientes", "en": "customers"}[lang] in said and "tendero demo" in said
    assert {"es": "Aún no hay importaciones", "en": "No imports yet"}[lang] not in page


def test_another_shop_loaded_without_imports_says_so_without_calling_itself_the_demo(client, demo_store):
    shop = make_tenant("cargada")
    load_demo(shop.id, demo_store)
    web = browser(client)
    sign_in(web, shop)
    said = _text(web.get("/app/data", headers={"accept-language": "es"}).text, "loaded-directly")
    assert said.startswith("Esta tienda tiene") and "demo" not in said


def test_every_engine_has_a_name_in_both_languages_and_an_unknown_one_shows_its_code():
    assert all(set(texts) == {"es", "en"} for texts in ENGINES.values())
    assert engine_name("median_top3", "es") == "Mediana de los tres mejores métodos"
    assert engine_name("mbgnbd", "en") == "Modified BG/NBD purchase model"
    assert engine_name("brand_new_engine", "es") == "brand_new_engine"


def test_languages_negotiate_with_a_fallback_to_english():
    assert negotiate("fr", "es") == "en" and negotiate("fr-FR, de;q=0.8", "es") == "en"
    assert negotiate("fr, es;q=0.5", "en") == "es" and negotiate("", "es") == "es" and negotiate(None, "en") == "en"
    assert negotiate("en;q=0.2, es;q=0.9", "en") == "es" and negotiate("es;q=0, en", "es") == "en"
    assert unavailable("fr") == "language 'fr' is not available; choose one of: es, en"
    assert unavailable("fr", "es") == "el idioma 'fr' no está disponible; elige uno de: es, en"


def test_the_api_answers_fr_in_english_and_says_so(client, tenant):
    asked_fr = client.get("/v1/models/nothing-here", headers={**tenant.headers(), "accept-language": "fr-FR"})
    assert asked_fr.status_code == 404 and asked_fr.headers["content-language"] == "en"
    asked_es = client.get("/v1/models", headers={**tenant.headers(), "accept-language": "es"})
    assert asked_es.headers["content-language"] == "es"
    unsent = client.get("/v1/models", headers=tenant.headers())
    assert unsent.headers["content-language"] == "es"  # the API's default when no language is asked for
    broken = {**tenant.headers(), "accept-language": "fr", "content-type": "application/json"}
    refused = client.post("/v1/models/x/train", content=b"{" * 10, headers=broken)
    assert refused.status_code == 422 and refused.headers["content-language"] == "en"


def test_job_lines_render_in_spanish_particulars_kept_and_unknown_lines_as_written():
    from tendero.catalogue.jobs import job_text, render_job_text

    died = job_text("failure.process_died", attempt=2, exit_code=-9, then=job_text("failure.retried"))
    assert died == "attempt 2: the job's process died (exit code -9); it will be retried"
    assert render_job_text(died, "es") == (
        "intento 2: el proceso del trabajo murió (código de salida -9); se volverá a intentar"
    )
    assert render_job_text("trial 3: epoch 4: row 128/1000", "es") == "prueba 3: época 4: fila 128/1000"
    assert render_job_text("L-BFGS stopped without converging after 50 iterations", "es") == (
        "L-BFGS se detuvo sin converger tras 50 iteraciones"
    )
    assert render_job_text("something new the catalogue lacks", "es") == "something new the catalogue lacks"
    assert render_job_text("trial 3: epoch 4", "en") == "trial 3: epoch 4"


def test_a_failure_is_a_catalogue_line_with_our_detail_or_the_job_id_never_a_raw_exception():
    from tendero.catalogue.jobs import render_job_text
    from tendero.customers.transactions import transaction_log
    from tendero.jobs.execute import failure_line

    try:
        transaction_log(pd.DataFrame({"order_id": []}))  # our own code refuses the input
    except (ValueError, KeyError) as error:
        ours = failure_line(error, "j1")
    assert ours.startswith("the job could not run: ") and "Error" not in ours.split(":")[0]
    assert render_job_text(ours, "es").startswith("el trabajo no pudo hacerse: ")
    try:
        pd.Timestamp("not a date")  # a library's own complaint
    except ValueError as error:
        theirs = failure_line(error, "j2")
    assert theirs == "the job failed unexpectedly; the details are in the server's log (job j2)"
    assert render_job_text(theirs, "es") == (
        "el trabajo falló de forma inesperada; los detalles están en el registro del servidor (trabajo j2)"
    )
