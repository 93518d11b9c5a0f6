"""Answers that come from deployed models say exactly what the model says (forecasts, customers, recommendations,
the registry), with every number in the answer's data. Uses the shop the dashboard tests train once."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.figures import assert_every_number_is_in_data, golden_questions
from tendero.insights.assistant.periods import add_months, month_bounds
from tendero.registry.service import deployed_models
from tendero.services import assistant
from web.web_helpers import trained_shop


@pytest.fixture(scope="module")
def shop(client):
    return trained_shop(client)


def ask(shop, question: str) -> dict:
    answer = assistant.ask(shop.id, question, store=False)
    assert answer["status"] == "answered", answer
    assert_every_number_is_in_data(answer)
    return answer


def test_forecasts_are_the_deployed_models_steps(shop):
    answer = ask(shop, "previsión de ventas para el mes que viene")
    fitted = deployed_models.get(shop.id, answer["data"]["model"]["name"]).fitted
    start = add_months(date.today().replace(day=1), 1)
    table = fitted.forecast(ids=["total"], levels=[80])
    step = table[table["ds"].dt.date == start]
    assert answer["data"]["period"] == {
        "start": start.isoformat(),
        "end": month_bounds(start.year, start.month)[1].isoformat(),
    }
    # a sum over days adds the expected units (``mean``: the point may be each day's median count)
    assert answer["data"]["value"] == pytest.approx(round(float(step["mean"].sum()), 2))
    assert answer["data"]["low"] == pytest.approx(round(float(step["lo-80"].sum()), 2))
    week = ask(shop, "sales forecast for the next 7 days")
    daily = deployed_models.get(shop.id, "forecast-total-D").fitted.forecast(ids=["total"], levels=[80])
    days = daily[
        (daily["ds"].dt.date > date.today()) & ((daily["ds"].dt.date - date.today()).apply(lambda d: d.days) <= 7)
    ]
    assert week["data"]["model"]["name"] == "forecast-total-D"
    assert week["data"]["value"] == pytest.approx(round(float(days["mean"].sum()), 2))


def test_customer_answers_are_the_customer_models(shop):
    model = deployed_models.get(shop.id, "customers").fitted
    risky = ask(shop, "¿qué clientes están en riesgo de irse?")
    expected = model.at_risk(0.0, 10, "es")
    assert [i["customer_id"] for i in risky["data"]["items"]] == [r["customer_id"] for r in expected]
    assert risky["data"]["items"][0]["value_at_risk"] == pytest.approx(round(expected[0]["value_at_risk"], 2))
    someone = expected[0]["customer_id"]
    about = ask(shop, f"háblame del cliente {someone}")
    insight = model.insights(someone, "es")
    assert about["data"]["churn_probability"] == pytest.approx(round(insight["churn_probability"], 4))
    assert about["data"]["segment"] == insight["segment"] and about["data"]["clv"] == pytest.approx(
        round(insight["clv"], 2)
    )
    summary = ask(shop, "customer segments")
    assert {s["segment"]: s["customers"] for s in summary["data"]["segments"]} == {
        s["segment"]: s["customers"] for s in model.segments_summary("en")
    }
    buyers = ask(shop, "who is likely to buy in the next 7 days?")
    assert [i["customer_id"] for i in buyers["data"]["items"]] == [r["customer_id"] for r in model.likely_buyers(7, 10)]


def test_recommendations_and_neighbours_are_the_recommenders(shop):
    model = deployed_models.get(shop.id, "recommender").fitted
    customer = deployed_models.get(shop.id, "customers").fitted.at_risk(0.0, 1, "es")[0]["customer_id"]
    answer = ask(shop, f"what should I recommend to customer {customer}?")
    assert [i["product_id"] for i in answer["data"]["items"]] == [r.item_id for r in model.recommend(customer, 5)]
    assert answer["data"]["path"] == "model"
    product = answer["data"]["items"][0]["product_id"]
    similar = ask(shop, f"productos parecidos a {product}")
    assert [i["product_id"] for i in similar["data"]["items"]] == [r.item_id for r in model.similar(product, 5)]


def test_model_health_lists_the_deployed_versions(shop):
    answer = ask(shop, "¿cómo están los modelos?")
    names = {m["name"] for m in answer["data"]["models"]}
    assert {"forecast-category-M", "forecast-total-D", "customers", "recommender"} <= names


def test_price_questions_are_the_pricing_models_suggestions(client, shop):
    from support import wait_for_job
    from tendero.services import pricing

    before = assistant.ask(shop.id, "¿a qué precio debería vender el P0001?", store=False)
    assert (before["intent"], before["status"]) == ("product_suggestions", "unavailable")
    assert "modelo de precios" in before["answer"]  # says what to train, does not guess a price
    job = client.post("/v1/models/pricing/train", json={"kind": "pricing", "params": {}, "deploy": "always"},
                      headers=shop.headers())  # fmt: skip
    assert job.status_code == 202, job.text
    assert wait_for_job(client, shop, job.json()["id"], timeout=280)["status"] == "completed"
    table = pricing.elasticities(shop.id, limit=500)["items"]
    estimated = next(row["product_id"] for row in table if row["source"] == "product")
    for question, lang in ((f"¿a qué precio debería vender {estimated}?", "es"),
                           (f"what price should I set for {estimated}?", "en")):  # fmt: skip
        answer = assistant.ask(shop.id, question, store=False)
        assert (answer["intent"], answer["language"], answer["slots"]["product"]) == (
            "product_suggestions", lang, estimated)  # fmt: skip
        direct = pricing.suggest_price(shop.id, pricing.PriceRequest(product_id=estimated), lang)
        assert answer["data"]["suggested_price"] == pytest.approx(direct["suggested_price"])
        assert direct["message"] in answer["answer"] and answer["sources"][0]["model"] == "pricing"
        assert_every_number_is_in_data(answer)


def test_every_intent_answers_with_every_number_traced(shop):
    """Three dev questions of every intent on a shop with its models: no error, every number of every sentence in
    the answer's data, sources named for every answered question."""
    questions = golden_questions(3)
    assert {row["intent"] for row in questions} >= {"sales_total", "insights", "product_suggestions", "help"}
    for row in questions:
        answer = assistant.ask(shop.id, row["query"], store=False)
        assert_every_number_is_in_data(answer)
        if answer["status"] == "answered" and answer["intent"] not in ("help", "unknown"):
            assert answer["sources"], row["query"]
