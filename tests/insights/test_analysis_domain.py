"""The analysis as a pure function of frames: every insight type appears with Spanish and English sentences
and its recommendations, forecast-judged anomalies, outlook and restock follow the forecast's numbers, and
periods read as people write them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from tendero.insights.analysis.inputs import CustomerInput, ForecastInput
from tendero.insights.analysis.narrative import INSIGHT_TYPES
from tendero.insights.analysis.period import Period, PeriodError, parse_period
from tendero.insights.analysis.sales import AnalysisSettings, analyze


def _shop() -> pd.DataFrame:
    """Two products and three categories over 15 months, customers returning, a few returns."""
    rng = np.random.default_rng(4)
    rows = []
    for number, day in enumerate(pd.date_range("2025-01-01", "2026-03-31", freq="D")):
        for k in range(int(rng.integers(2, 5))):
            product = ["P1", "P2", "P3"][k % 3]
            quantity = -1.0 if number % 17 == 0 and k == 0 else float(rng.integers(1, 4))
            rows.append({"order_id": f"O{number}-{k}", "customer_id": f"C{(number * 3 + k) % 40}",
                         "ordered_at": day + pd.Timedelta(hours=10 + k), "status": "completed",
                         "product_id": product, "category": {"P1": "A", "P2": "B", "P3": "C"}[product],
                         "quantity": quantity, "unit_price": 10.0 if product == "P1" else 4.0})  # fmt: skip
    frame = pd.DataFrame(rows)
    frame.loc[frame["ordered_at"].dt.normalize() == "2026-03-14", "quantity"] *= 12  # one huge day
    frame["revenue"] = frame["quantity"] * frame["unit_price"]
    return frame


def _forecasts() -> list[ForecastInput]:
    days = pd.date_range("2026-03-01", "2026-04-30", freq="D")
    total = pd.DataFrame({"unique_id": "total", "ds": days, "yhat": 40.0, "lo-80": 20.0, "hi-80": 60.0})
    weeks = pd.date_range("2026-03-30", periods=6, freq="W-MON")
    product = pd.DataFrame({"unique_id": np.repeat(["P1", "P2"], len(weeks)), "ds": np.tile(weeks, 2),
                            "yhat": np.repeat([40.0, 1.0], len(weeks)), "lo-80": 0.0, "hi-80": 90.0})  # fmt: skip
    return [ForecastInput("forecast-total-D", "1.0.0", "total", "D", "revenue", total, 80),
            ForecastInput("forecast-product-W", "1.0.0", "product", "W", "quantity", product, 80)]  # fmt: skip


def _customers() -> CustomerInput:
    members = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "churn_probability": [0.9, 0.2, 0.75],
                            "value_at_risk": [120.0, 5.0, 60.0], "clv": [300.0, 200.0, 90.0]})  # fmt: skip
    buyers = pd.DataFrame({"customer_id": ["C2", "C1"], "p_purchase": [0.8, 0.3], "expected_purchases": [1.5, 0.4]})
    return CustomerInput("customers", "2.0.0", date(2026, 3, 31), members, buyers, 30)


def test_outlook_and_restock_add_the_expected_units_where_the_point_is_a_count_median():
    medians = [replace(f, frame=f.frame.assign(mean=f.frame["yhat"], yhat=0.0)) for f in _forecasts()]
    analysis = analyze(_shop(), parse_period("2026-03"), forecasts=medians)
    assert analysis["outlook"]["total"]["point"] == pytest.approx(40.0 * 30)  # the means', not 0
    assert [r["id"] for r in analysis["outlook"]["restock"]["items"]] == ["P1"]


def test_every_insight_type_is_said_in_spanish_and_english():
    lines = _shop()
    full = analyze(lines, parse_period("2026-03"), forecasts=_forecasts(), customers=_customers(),
                   settings=AnalysisSettings(names={"P1": "Café", "P2": "Leche"}))  # fmt: skip
    partial = analyze(lines[lines["ordered_at"] < "2026-03-20"], parse_period("2026-03"))
    seen = {i["type"]: i for i in full["insights"] + partial["insights"]}
    assert set(seen) == set(INSIGHT_TYPES), set(INSIGHT_TYPES) - set(seen)
    for insight in seen.values():
        assert insight["text"]["es"] and insight["text"]["en"] and insight["text"]["es"] != insight["text"]["en"]
        assert "{" not in insight["text"]["es"] + insight["text"]["en"]
        for recommendation in insight["recommendations"]:
            assert recommendation["es"] and recommendation["en"]


def test_forecast_anomalies_outlook_and_restock_follow_the_forecast():
    analysis = analyze(_shop(), parse_period("2026-03"), forecasts=_forecasts(),
                       settings=AnalysisSettings(names={"P1": "Café"}))  # fmt: skip
    anomalies = analysis["anomalies"]
    assert anomalies["method"] == "forecast" and anomalies["judged_by_forecast"] == 31
    huge = next(a for a in anomalies["items"] if a["date"] == "2026-03-14")
    assert huge["direction"] == "high" and huge["actual"] > huge["high"] == 60.0 and huge["model"] == "forecast-total-D"
    outlook = analysis["outlook"]["total"]
    assert outlook["next"]["start"] == "2026-04-01" and outlook["point"] == pytest.approx(40.0 * 30)
    assert (outlook["low"], outlook["high"]) == (pytest.approx(600.0), pytest.approx(1800.0))
    assert outlook["interval"] == "sum_of_bounds"  # 30 daily intervals added up, and said
    restock = analysis["outlook"]["restock"]["items"]
    assert [r["id"] for r in restock] == ["P1"] and restock[0]["forecast"] == pytest.approx(40.0 / 7 * 30)
    said = next(i for i in analysis["insights"] if i["type"] == "restock")
    assert said["recommendations"][0]["es"].startswith("Repón Café: la previsión supera lo vendido")


def test_customers_section_comes_from_the_customer_models_scores():
    analysis = analyze(_shop(), parse_period("2026-03"), customers=_customers())
    section = analysis["customers"]
    assert section["value_at_risk"] == pytest.approx(185.0) and section["high_risk"] == 2
    assert section["top_at_risk"][0]["id"] == "C1" and section["likely_buyers"]["count"] == 1
    assert section["likely_buyers"]["expected_revenue"] == pytest.approx(
        1.5 * analysis["kpis"]["average_ticket"]["current"]
    )


@pytest.mark.parametrize(
    ("text", "start", "end", "previous"),
    [
        ("2011-11", "2011-11-01", "2011-11-30", ("2011-10-01", "2011-10-31")),
        ("2011-Q1", "2011-01-01", "2011-03-31", ("2010-10-01", "2010-12-31")),
        ("2011-W45", "2011-11-07", "2011-11-13", ("2011-10-31", "2011-11-06")),
        ("2012", "2012-01-01", "2012-12-31", ("2011-01-01", "2011-12-31")),
        ("2011-11-01..2011-11-10", "2011-11-01", "2011-11-10", ("2011-10-22", "2011-10-31")),
    ],
)
def test_periods_read_as_people_write_them(text, start, end, previous):
    period = parse_period(text)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)
    before = period.previous()
    assert (before.start.isoformat(), before.end.isoformat()) == previous


def test_leap_day_last_year_and_a_backwards_period():
    assert parse_period("2024-02-29").last_year() == Period(date(2023, 2, 28), date(2023, 2, 28))
    with pytest.raises(PeriodError) as error:
        parse_period({"start": "2026-03-10", "end": "2026-03-01"})
    assert error.value.field == "end"
