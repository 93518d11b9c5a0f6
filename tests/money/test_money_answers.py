"""Money has a currency in every answer, and sales periods say when they are incomplete or negative — on the
real Online Retail II shop, whose data ends on Friday 9 December 2011 and whose returns are kept."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def modelled(client, retail, train_model):  # type: ignore[no-untyped-def]
    client.patch("/v1/settings", json={"currency": "GBP"}, headers=retail.headers())
    train_model(client, retail, "forecast-total-M", "forecast",
                {"level": "total", "freq": "M", "horizon": 3, "history_months": 24, "n_windows": 1,
                 "measure": "revenue"})  # fmt: skip
    train_model(client, retail, "forecast-total-W", "forecast",
                {"level": "total", "freq": "W", "horizon": 4, "history_months": 24, "n_windows": 1})  # fmt: skip
    train_model(client, retail, "customers", "customers", {})
    return retail


def test_a_revenue_forecast_is_in_the_tenants_currency_and_drops_the_9_days_of_december(client, modelled):
    answer = client.get("/v1/forecasts?level=total&freq=M&history=36", headers={**modelled.headers(),
                                                                              "Accept-Language": "en"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["currency"] == "GBP" and body["unit"] == "GBP" and body["measure"] == "revenue"
    assert body["partial"] is True
    partial = body["partial_period"]
    assert partial["start"] == "2011-12-01" and partial["covered_until"] == "2011-12-09"
    assert partial["reason"] == "data_end" and partial["dropped"] is True
    assert "2011-12-09" in partial["notice"] and "incomplete" in partial["notice"]
    assert max(row["ds"] for row in body["history"]).startswith("2011-11-01")
    assert min(row["ds"] for row in body["forecast"]).startswith("2011-12-01")  # December forecast whole


def test_a_units_forecast_has_no_currency_and_the_mid_week_end_is_said(client, modelled):
    body = client.get("/v1/forecasts?level=total&freq=W&history=10", headers=modelled.headers()).json()
    assert body["currency"] is None and body["unit"] == "units"
    # 2011-12-05 is a Monday: the data stops on the Friday, the week is left out and said so (in Spanish here)
    assert body["partial"] is True and body["partial_period"]["start"] == "2011-12-05"
    assert "incompleto" in body["partial_period"]["notice"]


def test_negative_history_periods_are_said_not_silently_plotted():
    from tendero.services.forecasts import period_notices

    history = [{"unique_id": "total", "ds": "2011-01-01", "y": 120.0},
               {"unique_id": "total", "ds": "2011-02-01", "y": -35.5}]  # fmt: skip
    notes = period_notices({}, history, "en")
    assert notes["negative_periods"] == [{"unique_id": "total", "ds": "2011-02-01", "y": -35.5}]
    assert "returns exceeded sales" in notes["negative_notice"] and notes["partial"] is False


def test_customer_answers_carry_the_currency(client, modelled):
    for route in ("/v1/customers/segments", "/v1/customers/at-risk", "/v1/customers/likely-buyers"):
        answer = client.get(route, headers=modelled.headers())
        assert answer.status_code == 200, answer.text
        assert answer.json()["currency"] == "GBP", route
    some = client.get("/v1/customers/at-risk?limit=1", headers=modelled.headers()).json()["items"][0]["customer_id"]
    insight = client.get(f"/v1/customers/{some}/insights", headers=modelled.headers())
    assert insight.status_code == 200 and insight.json()["currency"] == "GBP"


def test_the_sales_analysis_defaults_to_the_tenants_currency_and_lists_no_postage(client, modelled):
    answer = client.post("/v1/insights/sales", json={"period": "2011-11"}, headers=modelled.headers())
    assert answer.status_code in (200, 201), answer.text
    body = answer.json()
    assert body["currency"] == "GBP"
    movers = body["movers"]["products"]
    assert movers and "POST" not in [row["id"] for row in movers]
    assert all("category" in row for row in movers)


def test_the_forecast_page_marks_the_incomplete_month_and_money_pages_use_the_currency(client, modelled):
    from web.web_helpers import browser, sign_in

    web = browser(client)
    sign_in(web, modelled)
    page = web.get("/app/forecast?level=total&freq=M", headers={"accept-language": "es"})
    assert page.status_code == 200
    assert 'id="partial-period"' in page.text and "incompleto" in page.text and "2011-12-09" in page.text
    assert "periodo incompleto" in page.text  # the chart's shaded band is labelled
    english = web.get("/app/forecast?level=total&freq=M", headers={"accept-language": "en"})
    assert "incomplete period" in english.text
    customers = web.get("/app/customers", headers={"accept-language": "en"})
    assert customers.status_code == 200 and "£" in customers.text
