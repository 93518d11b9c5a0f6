"""The capability pages over HTTP: Forecast, Customers (and one customer), Recommendations, and the Overview's
forecast and at-risk cards — on a shop whose models were trained through the real job runner; empty states on a
shop without models; roles; and tenant scoping."""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape
from web_helpers import browser, sign_in, trained_shop

from support import load_demo, make_tenant, wait_for_job
from tendero.catalogue.engines import engine_name
from tendero.registry.service import deployed_models

FIGURE = re.compile(r'<script type="application/json" id="([a-z-]+-figure)">(.*?)</script>', re.S)


def _figures(html: str) -> dict[str, dict]:
    return {name: json.loads(body) for name, body in FIGURE.findall(html)}


@pytest.fixture(scope="module")
def shop(client):
    return trained_shop(client)


@pytest.fixture(scope="module")
def untrained(client, demo_store):
    """A shop with sales but no capability model."""
    tenant = make_tenant("sin-modelos")
    load_demo(tenant.id, demo_store)
    return tenant


def test_forecast_page_draws_history_forecast_and_both_bands(client, shop):
    web = browser(client)
    sign_in(web, shop)
    page = web.get("/app/forecast", headers={"accept-language": "es-ES"})
    assert page.status_code == 200, page.text[:500]
    figure = _figures(page.text)["forecast-figure"]
    names = [trace.get("name") for trace in figure["data"]]
    assert {"Vendido", "Previsión", "Rango del 80 %", "Rango del 95 %"} <= set(names)
    fitted = deployed_models.get(shop.id, "forecast-category-M").fitted
    expected = fitted.forecast(ids=["total"], levels=[80, 95])
    point = next(trace for trace in figure["data"] if trace.get("name") == "Previsión")
    assert point["y"] == pytest.approx(expected["yhat"].round(3).tolist())
    lows = next(trace for trace in figure["data"] if trace.get("name") == "Rango del 95 %")["y"]
    assert all(lo <= y for lo, y in zip(lows, point["y"], strict=True))
    wape = round(fitted.metrics["backtest_wape"] * 100)
    assert f"el error medio fue del {wape} %" in page.text  # the backtest accuracy in plain words
    for engine in fitted.meta["choice"].values():
        assert escape(engine_name(engine, "es")) in page.text  # the engine chosen per group of series, by name
    assert 'id="forecast-engines"' in page.text and 'id="train-forecast"' not in page.text


def test_forecast_selectors_pick_series_horizon_and_model(client, shop):
    web = browser(client)
    sign_in(web, shop, "analyst")
    fitted = deployed_models.get(shop.id, "forecast-category-M").fitted
    category = str(fitted.frames["per_series"]["unique_id"].iloc[0])
    page = web.get("/app/forecast", params={"level": "category", "freq": "M", "series": category, "horizon": 2})
    figure = _figures(page.text)["forecast-figure"]
    point = next(trace for trace in figure["data"] if trace.get("name") == "Forecast")
    assert point["y"] == pytest.approx(fitted.forecast(ids=[category], horizon=2)["yhat"].round(3).tolist())
    chosen = fitted.frames["per_series"].set_index("unique_id").loc[category, "chosen"]
    assert f"Method chosen: {escape(engine_name(chosen, 'en'))}." in page.text  # by its name, not its code
    daily = web.get("/app/forecast?level=total&freq=D")
    assert daily.status_code == 200 and len(_figures(daily.text)["forecast-figure"]["data"][-1]["y"]) == 30
    bad = web.get("/app/forecast?level=galaxy")
    assert bad.status_code == 422 and "Traceback" not in bad.text


def test_forecast_without_that_model_offers_training_that_queues_the_same_job_as_the_api(client, shop):
    web = browser(client)
    token = sign_in(web, shop, "analyst")
    page = web.get("/app/forecast?level=product&freq=M")
    assert 'id="forecast-empty"' in page.text and 'id="train-forecast"' in page.text
    assert "forecast-product-M" in page.text and "forecast-figure" not in page.text
    answer = web.post("/app/forecast/train", data={"csrf": token, "level": "product", "freq": "M"})
    assert answer.status_code == 303 and answer.headers["location"] == "/app/jobs"
    job = client.get("/v1/jobs?limit=1", headers=shop.headers()).json()["items"][0]
    assert job["params"]["model"] == "forecast-product-M" and job["params"]["kind"] == "forecast"
    assert job["params"]["params"]["level"] == "product" and job["params"]["promote_metric"] == "mase"
    client.post(f"/v1/jobs/{job['id']}/cancel", headers=shop.headers())
    assert wait_for_job(client, shop, job["id"], timeout=120)["status"] in ("cancelled", "completed", "failed")


def test_customers_page_shows_segments_at_risk_and_likely_buyers_in_both_languages(client, shop):
    web = browser(client)
    sign_in(web, shop)
    fitted = deployed_models.get(shop.id, "customers").fitted
    for lang, header in (("es", "es-ES"), ("en", "en-GB")):
        page = web.get("/app/customers", headers={"accept-language": header})
        assert page.status_code == 200
        summary = fitted.segments_summary(lang)
        figure = _figures(page.text)["segments-figure"]
        assert sorted(figure["data"][0]["y"]) == sorted(s["name"] for s in summary)
        for segment in summary:
            assert escape(segment["name"]) in page.text
    at_risk = fitted.at_risk(0.0, 10, "en")
    shown = re.findall(r'<li data-customer="([^"]+)">', page.text.split('id="at-risk"')[1].split("</ol>")[0])
    assert shown == [c["customer_id"] for c in at_risk]  # highest value at risk first
    assert escape(at_risk[0]["top_reasons"][0]["text"]) in page.text
    buyers = page.text.split('id="likely-buyers"')[1]
    assert fitted.likely_buyers(7, 1)[0]["customer_id"] in buyers
    segment = summary[0]["segment"]
    members = web.get(f"/app/customers?segment={segment}")
    assert 'id="members"' in members.text and fitted.segment_members(segment, 1)[0][0]["customer_id"] in members.text
    assert web.get("/app/customers?segment=galaxy").status_code == 404


def test_one_customers_page_shows_their_insights(client, shop):
    web = browser(client)
    sign_in(web, shop, "analyst")
    fitted = deployed_models.get(shop.id, "customers").fitted
    customer = fitted.at_risk(0.0, 1, "es")[0]["customer_id"]
    insight = fitted.insights(customer, "es")
    page = web.get(f"/app/customers/{customer}", headers={"accept-language": "es"})
    assert page.status_code == 200
    assert escape(insight["segment_name"]) in page.text and escape(insight["top_reasons"][0]["text"]) in page.text
    assert f"{round(insight['churn_probability'] * 100)} %" in page.text
    assert "spend-figure" in page.text and f"/app/recommendations?user={customer}" in page.text
    missing = web.get("/app/customers/nadie")
    assert missing.status_code == 404 and "nadie" in missing.text


def test_recommendations_page_shows_history_recommendations_with_reasons_and_similar_items(client, shop):
    web = browser(client)
    sign_in(web, shop)
    from tendero.services.recommendations import serving_recommender

    recommender, served = serving_recommender(shop.id, "recommender")
    assert served["path"] == "model"
    page = web.get("/app/recommendations?user=C00003", headers={"accept-language": "en"})
    assert page.status_code == 200
    expected = recommender.recommend("C00003", 10, None, [], None, None, "en")
    rows = re.findall(r'<tr data-item="([^"]+)">', page.text)
    assert rows == [r.item_id for r in expected]
    assert escape(expected[0].reason) in page.text and "recs-figure" in page.text
    assert f'<span translate="no">recommender</span> · {served["version"]}' in page.text
    history = page.text.split('id="history"')[1].split("</article>")[0]
    assert "(0)" not in history and "<li>" in history
    similar = recommender.similar(expected[0].item_id, 8, "en")
    section = page.text.split('id="similar"')[1]
    assert [i for i in re.findall(r'<li data-item="([^"]+)">', section)][: len(similar)] == [s.item_id for s in similar]
    picked = web.get(f"/app/recommendations?user=C00003&item={expected[1].item_id}")
    assert picked.status_code == 200
    assert web.get("/app/recommendations?user=C00003&item=no-such-item").status_code == 404
    assert 'id="recs-unknown-customer"' not in page.text
    unknown = web.get("/app/recommendations?user=C99999", headers={"accept-language": "en"})
    assert unknown.status_code == 200 and 'id="recs-unknown-customer"' in unknown.text
    assert "customer &#39;C99999&#39; is unknown to this recommender" in unknown.text
    # the quick picks are the customers with the most orders
    assert 'id="active-list"' in page.text


def test_overview_shows_next_months_forecast_and_top_customers_at_risk(client, shop):
    web = browser(client)
    sign_in(web, shop)
    page = web.get("/app", headers={"accept-language": "en"})
    fitted = deployed_models.get(shop.id, "forecast-category-M").fitted
    total = fitted.forecast(ids=["total"], levels=[80], horizon=1).iloc[0]
    card = page.text.split('id="next-forecast"')[1].split("</article>")[0]
    assert total["ds"].strftime("%Y-%m") in card and f"{total['yhat']:,.0f}" in card
    risk = page.text.split('id="overview-at-risk"')[1].split("</article>")[0]
    top = deployed_models.get(shop.id, "customers").fitted.at_risk(0.0, 5, "en")
    assert re.findall(r'<li data-customer="([^"]+)">', risk) == [c["customer_id"] for c in top]


def test_overview_model_health_shows_a_few_plain_figures_per_model(client, shop):
    web = browser(client)
    sign_in(web, shop)
    health = web.get("/app", headers={"accept-language": "en"}).text.split('id="model-health"')[1]
    health = health.split("</section>")[0]
    shown = {name: re.findall(r'data-metric="([^"]+)"', block) for name, block in
             re.findall(r'#model-([^"]+)"><strong[^>]*>.*?</strong></a>(.*?)</li>', health, re.S)}  # fmt: skip
    assert shown["forecast-category-M"] == ["backtest_wape", "backtest_mase", "backtest_coverage_80"]
    assert shown["customers"] == ["customers", "churn_auc"]
    assert shown["recommender"] == ["ndcg@10", "popularity_ndcg@10", "coverage"]
    wape = deployed_models.get(shop.id, "forecast-category-M").fitted.metrics["backtest_wape"]
    assert f"average error: {100 * wape:,.0f} %" in health
    assert "dropped_lines_without_customer" not in health  # bookkeeping stays on the Models page


def test_pages_without_models_say_so_and_offer_training(client, untrained):
    web = browser(client)
    sign_in(web, untrained, "analyst")
    overview = web.get("/app").text
    assert "No monthly forecast yet" in overview and 'id="train-forecast"' in overview
    assert "No customer model yet" in overview and 'id="train-customers"' in overview
    forecast = web.get("/app/forecast").text
    assert 'id="forecast-empty"' in forecast and 'id="train-forecast"' in forecast
    customers = web.get("/app/customers").text
    assert 'id="customers-empty"' in customers and 'id="train-customers"' in customers
    assert web.get("/app/customers/C00001").status_code == 404
    recs = web.get("/app/recommendations").text  # the rules fallback still answers, and says so
    assert 'id="recs-no-model"' in recs and 'id="train-recommender"' in recs and "rules (no trained model)" in recs
    assert re.findall(r'<tr data-item="([^"]+)">', recs)


def test_pages_of_a_shop_without_data_point_to_the_import(client):
    empty = make_tenant("vacia-cap")
    web = browser(client)
    sign_in(web, empty)
    for path, marker in (("/app/forecast", "forecast-empty"), ("/app/customers", "customers-empty"),
                         ("/app/recommendations", "recs-empty")):  # fmt: skip
        page = web.get(path)
        assert page.status_code == 200 and f'id="{marker}"' in page.text and "/app/data" in page.text
        assert "train-" not in page.text


@pytest.mark.parametrize("role", ["admin", "analyst", "service"])
def test_roles_on_the_capability_pages(client, untrained, role):
    web = browser(client)
    token = sign_in(web, untrained, role)
    for path in ("/app/forecast", "/app/customers", "/app/recommendations", "/app/customers/C00001"):
        answer = web.get(path)
        if role == "service":
            assert answer.status_code == 403, path
        else:
            assert answer.status_code in (200, 404), path
    before = client.get("/v1/jobs", headers=untrained.headers()).json()["total"]
    answer = web.post("/app/forecast/train", data={"csrf": token, "level": "total", "freq": "Z"})
    if role == "service":
        assert answer.status_code == 403
    else:  # an invalid frequency is a message, and nothing is queued
        assert answer.status_code == 303
        assert "Invalid input" in web.get(answer.headers["location"]).text
    assert client.get("/v1/jobs", headers=untrained.headers()).json()["total"] == before
    links = re.findall(r'<nav class="nav" aria-label="main">(.*?)</nav>', web.get("/app/data").text, re.S)[0]
    assert ("/app/forecast" in links) is (role != "service")


def test_another_shops_customers_models_and_items_stay_out_of_sight(client, shop, demo_store):
    intruder = make_tenant("intruso-cap")
    load_demo(intruder.id, demo_store)  # 120 customers, where the trained shop has 250
    job = client.post("/v1/models/customers/train", json={"kind": "customers", "deploy": "always"},
                      headers=intruder.headers()).json()  # fmt: skip
    assert wait_for_job(client, intruder, job["id"], timeout=120)["status"] == "completed"
    theirs = deployed_models.get(shop.id, "customers").fitted
    mine = deployed_models.get(intruder.id, "customers").fitted
    only_theirs = [c for c in theirs.scores.index if c not in mine.scores.index]
    assert only_theirs
    web = browser(client)
    sign_in(web, intruder)
    answer = web.get(f"/app/customers/{only_theirs[0]}")
    assert answer.status_code == 404 and "Traceback" not in answer.text
    both = next(c for c in mine.scores.index if c in theirs.scores.index)
    page = web.get(f"/app/customers/{both}", headers={"accept-language": "en"}).text
    assert f"{mine.insights(both)['clv']:,.2f}" in page  # the intruder's own model answers, not the other shop's
    forecast = web.get("/app/forecast").text
    assert 'id="forecast-empty"' in forecast and "forecast-figure" not in forecast
    recs = web.get("/app/recommendations?user=C00003").text
    assert 'id="recs-no-model"' in recs  # the other shop's recommender never serves this one
    overview = web.get("/app").text
    assert "No monthly forecast yet" in overview
