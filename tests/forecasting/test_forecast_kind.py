"""The ``forecast`` model kind end to end on synthetic order lines: fit, files, payloads, drift."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from tendero.forecasting.kind import FittedForecast, ForecastKind, ForecastParams
from tendero.kinds import Cancelled, Fitted, Frames, RecordingProgress

CATEGORIES = {"Blusas": 40, "Vestidos": 15, "Jeans": 25, "Jackets": 8}


def order_lines(start: str, days: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=days, freq="D")
    rows = []
    for category, base in CATEGORIES.items():
        season = 1 + 0.4 * np.sin(2 * np.pi * dates.dayofyear.to_numpy() / 365)
        weekly = np.where(dates.weekday.to_numpy() >= 5, 1.4, 1.0)
        qty = rng.poisson(base * season * weekly / 7)
        for day, q in zip(dates, qty, strict=True):
            if q:
                rows.append((day + pd.Timedelta(hours=12), category, int(q)))
    frame = pd.DataFrame(rows, columns=["ordered_at", "category", "quantity"])
    frame["order_id"] = [f"o{i}" for i in range(len(frame))]
    frame["product_id"] = "p-" + frame["category"]
    frame["store"] = "centro"
    frame["status"] = "completed"
    frame["unit_price"] = 10.0
    frame["discount"] = 0.0
    frame["revenue"] = frame["quantity"] * 10.0
    return frame


@pytest.fixture(scope="module")
def monthly_fit():
    lines = order_lines("2022-01-01", 3 * 365 + 20)
    future = lines.iloc[:3].copy()
    future["ordered_at"] = pd.Timestamp("2030-01-01")
    lines = pd.concat([lines, future], ignore_index=True)
    params = ForecastParams(level="category", freq="M", horizon=3, history_months=36, as_of="2025-01-20")
    progress = RecordingProgress()
    fitted = ForecastKind().fit(Frames.of(order_lines=lines), params, progress)
    return fitted, progress


def test_fit_reports_progress_and_held_out_metrics(monthly_fit) -> None:
    fitted, progress = monthly_fit
    assert isinstance(fitted, Fitted)
    assert len(progress.events) >= 4
    assert progress.events[-1].step == progress.events[-1].total
    assert 0 < fitted.metrics["backtest_mase"] < 5
    assert set(fitted.metrics) >= {"backtest_mae", "backtest_wape", "backtest_coverage_80", "backtest_coverage_95"}
    assert fitted.meta["series_report"]["future_rows"] == 3
    assert fitted.meta["choice"]["smooth"] in {c["candidate"] for c in fitted.meta["candidates"]}


def test_category_forecasts_add_up_to_the_total(monthly_fit) -> None:
    fitted, _ = monthly_fit
    fc = fitted.forecast()
    parts = fc[fc["unique_id"] != "total"].groupby("ds")["yhat"].sum()
    total = fc[fc["unique_id"] == "total"].set_index("ds")["yhat"]
    pd.testing.assert_series_equal(parts, total, check_names=False)
    assert (fc["lo-95"] <= fc["yhat"]).all() and (fc["lo-95"] >= 0).all()


def test_dashboard_payload_is_complete_and_its_numbers_add_up(monthly_fit) -> None:
    fitted, _ = monthly_fit
    payload = fitted.dashboard(historic_months=12, prediction_months=3)
    assert set(payload) >= {"model_info", "key_metrics", "historical_data", "predictions", "predictions_by_category"}
    assert len(payload["historical_data"]) == 12
    assert len(payload["predictions"]) == 3 * len(CATEGORIES)
    assert payload["historical_data"][-1]["period"] == "Dic 2024"
    assert payload["predictions"][0]["periodo"] == "Ene 2025"
    by_cat = payload["predictions_by_category"]
    assert sum(p["cantidad"] for rows in by_cat.values() for p in rows) == payload["key_metrics"]["total_predicted"]
    for hist in payload["historical_data"]:
        assert sum(hist["by_category"].values()) == hist["total"]
    first = payload["predicted_totals"][0]["total"]
    last = payload["historical_data"][-1]["total"]
    assert payload["key_metrics"]["trend_percentage"] == pytest.approx((first - last) / last * 100, abs=0.06)
    assert payload["key_metrics"]["confidence"] in {"Alta", "Media", "Baja"}
    pred = payload["predictions"][0]
    assert pred["lower_80"] <= pred["cantidad_predicha"] <= pred["upper_80"] <= pred["upper_95"]
    json.dumps(payload)


def test_saves_native_files_and_loads_to_the_same_answers(monthly_fit, tmp_path) -> None:
    fitted, _ = monthly_fit
    fitted.save(tmp_path)
    assert not list(tmp_path.glob("*.pkl")) and (tmp_path / "meta.json").exists()
    loaded = FittedForecast.load(tmp_path)
    pd.testing.assert_frame_equal(loaded.forecast(), fitted.forecast())
    assert loaded.metrics == fitted.metrics
    assert len(loaded.probe()) == len(fitted.probe()) > 0


def test_intervals_at_other_levels_are_recomputed_from_backtest_errors(monthly_fit) -> None:
    fitted, _ = monthly_fit
    fc = fitted.forecast(levels=[50, 99], ids=["Blusas"])
    assert set(fc["unique_id"]) == {"Blusas"}
    assert (fc["hi-99"] >= fc["hi-50"]).all() and (fc["lo-99"] <= fc["lo-50"]).all()


def test_drift_flags_actuals_far_from_the_forecast(monthly_fit) -> None:
    fitted, _ = monthly_fit
    fc = fitted.forecast()
    fc = fc[fc["unique_id"] != "total"]
    close = fc[["unique_id", "ds"]].assign(y=fc["yhat"] + 1)
    assert not fitted.drift(close).drifted
    far = fc[["unique_id", "ds"]].assign(y=fc["yhat"] * 3 + 100)
    report = fitted.drift(far)
    assert report.drifted and report.ratio > 1.5 and report.points == len(fc)


def test_daily_model_answers_the_3t_demand_contract() -> None:
    lines = order_lines("2024-01-01", 400)
    params = ForecastParams(level="category", freq="D", horizon=30, history_months=12, as_of="2025-02-05")
    fitted = ForecastKind().fit(Frames.of(order_lines=lines), params, RecordingProgress())
    answer = fitted.demand(14)
    assert answer["days_ahead"] == 14 and len(answer["forecast"]) == 14
    day = answer["forecast"][0]
    assert set(day) == {"date", "yhat", "yhat_lower", "yhat_upper"}
    assert 0 <= day["yhat_lower"] <= day["yhat"] <= day["yhat_upper"]
    with pytest.raises(ValueError, match="days_ahead"):
        fitted.demand(31)


def test_a_total_level_model_answers_each_day_once() -> None:
    lines = order_lines("2024-01-01", 400)
    params = ForecastParams(level="total", freq="D", horizon=14, history_months=12, as_of="2025-02-05")
    fitted = ForecastKind().fit(Frames.of(order_lines=lines), params, RecordingProgress())
    dates = [day["date"] for day in fitted.demand(14)["forecast"]]
    assert len(dates) == len(set(dates)) == 14
    assert fitted.forecast().duplicated(["unique_id", "ds"]).sum() == 0


def test_cancellation_stops_the_fit() -> None:
    lines = order_lines("2023-01-01", 500)
    params = ForecastParams(level="total", freq="M", horizon=2, history_months=24, as_of="2024-06-01")
    with pytest.raises(Cancelled):
        ForecastKind().fit(Frames.of(order_lines=lines), params, RecordingProgress(cancel_after=1))


@pytest.mark.parametrize(
    ("field", "value"),
    [("history_months", 6), ("horizon", 13), ("level", "brand"), ("freq", "Y"), ("levels", [80, 120])],
)
def test_params_reject_out_of_bounds_values_naming_them(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        ForecastParams(**{field: value})


def test_store_product_level_fits_with_static_features_and_per_series_choice() -> None:
    lines = order_lines("2022-06-01", 900)
    lines.loc[lines.index % 2 == 0, "store"] = "norte"
    params = ForecastParams(
        level="store_product", freq="M", horizon=2, history_months=24, as_of="2024-12-10", selection="series"
    )
    fitted = ForecastKind().fit(Frames.of(order_lines=lines), params, RecordingProgress())
    per_series = fitted.frames["per_series"]
    assert len(per_series) == 2 * len(CATEGORIES)
    assert per_series["chosen"].notna().all()
    assert set(fitted.forecast()["unique_id"]) == {*per_series["unique_id"], "total"}
