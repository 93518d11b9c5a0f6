"""Daily shop data as shops export it: gaps, duplicate days, closed days, odd series, drivers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tendero.forecasting import ForecastConfig, fit_forecast
from tendero.forecasting.drivers import CLOSURE_DRIVERS, attach_drivers, calendar_frame
from tendero.forecasting.panel import future_grid, prepare_panel

END = pd.Timestamp("2025-06-30")


def shop(uid: str, days: int = 200, level: float = 50.0, seed: int = 0, end: pd.Timestamp = END) -> pd.DataFrame:
    """A daily series with a weekly pattern (Saturdays busy) and Poisson noise."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(end=end, periods=days, freq="D")
    weekly = np.where(ds.dayofweek == 5, 1.6, 1.0)
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": rng.poisson(level * weekly).astype(float)})


def messy_file() -> pd.DataFrame:
    """Every edge case of issue 16 in one file."""
    gaps = shop("gaps", seed=1)
    gaps = gaps.drop(gaps.index[50:80])  # a month without rows
    dupes = shop("dupes", seed=2)
    dupes = pd.concat([dupes, dupes.iloc[-10:].assign(y=1.0)])  # ten days listed twice
    one_row = pd.DataFrame({"unique_id": ["one_row"], "ds": [END - pd.Timedelta(days=3)], "y": [4.0]})
    negative = shop("negative", seed=3)
    negative.loc[negative.index[100], "y"] = -7.0  # a day of returns
    stopped = shop("stopped", seed=4, end=END - pd.Timedelta(days=400))
    nan_sales = shop("nan_sales", seed=5)
    nan_sales.loc[nan_sales.index[[20, 90, 190]], "y"] = np.nan
    return pd.concat([gaps, dupes, one_row, negative, stopped, nan_sales], ignore_index=True)


def test_panel_fills_gaps_sums_duplicates_and_reports_each_fix() -> None:
    panel = prepare_panel(messy_file(), "D", 7)
    frame, report = panel.frame, panel.report
    assert report.duplicate_rows_summed == 10
    assert report.missing_periods == 30
    assert report.nan_values == 3 and report.negative_values == 1
    reasons = {item.unique_id: item.reason for item in report.left_out}
    assert set(reasons) == {"one_row", "stopped"}
    assert "stopped" in reasons["stopped"] and "observed" in reasons["one_row"]
    assert not frame.duplicated(["unique_id", "ds"]).any()
    per_series = frame.groupby("unique_id")["ds"].agg(["min", "max", "size"])
    assert (per_series["max"] == END).all()
    assert (per_series["size"] == (per_series["max"] - per_series["min"]).dt.days + 1).all()  # no gaps left
    dupes = frame[frame["unique_id"] == "dupes"].set_index("ds")["y"]
    original = shop("dupes", seed=2).set_index("ds")["y"]
    assert dupes.iloc[-1] == original.iloc[-1] + 1.0
    gaps = frame[frame["unique_id"] == "gaps"]
    assert (~gaps["observed"]).sum() == 30 and gaps["y"].notna().all()
    nan_rows = frame[(frame["unique_id"] == "nan_sales") & ~frame["observed"]]
    assert len(nan_rows) == 3 and nan_rows["y"].notna().all()
    assert frame.loc[frame["unique_id"] == "negative", "y"].min() == -7.0


def test_a_gap_is_filled_with_the_same_weekday_of_the_last_observed_week() -> None:
    series = shop("s", days=70)
    panel = prepare_panel(series.drop(series.index[40:47]), "D", 7).frame.set_index("ds")
    gap = series["ds"].iloc[40:47]
    week_before = series.set_index("ds")["y"].reindex(gap - pd.Timedelta(days=7)).to_numpy()
    assert np.array_equal(panel.loc[gap, "y"].to_numpy(), week_before)


def test_closed_days_given_are_not_observed_and_whole_store_zero_days_are_inferred_closed() -> None:
    a, b = shop("a", seed=1), shop("b", seed=2)
    christmas = END - pd.Timedelta(days=30)
    for frame in (a, b):
        frame.loc[frame["ds"] == christmas, "y"] = 0.0
    a["closed"] = a["ds"] == END - pd.Timedelta(days=60)
    b["closed"] = False
    a.loc[a["closed"], "y"] = 0.0
    panel = prepare_panel(pd.concat([a, b]), "D", 7)
    frame = panel.frame.set_index(["unique_id", "ds"])
    assert panel.report.closed_periods_given == 1
    assert panel.report.closed_periods_inferred == 2  # both series on the day nobody sold anything
    assert frame.loc[("a", christmas), "closed"] and frame.loc[("b", christmas), "closed"]
    assert not frame.loc[("a", christmas), "observed"]
    assert frame.loc[("a", christmas), "y"] > 0  # filled for the engines, never a target


def test_a_single_zero_day_of_one_of_two_stores_is_a_real_zero() -> None:
    a, b = shop("a", seed=1), shop("b", seed=2)
    a.loc[a.index[-30], "y"] = 0.0
    panel = prepare_panel(pd.concat([a, b]), "D", 7)
    assert panel.report.closed_periods_inferred == 0


def test_messy_file_gets_a_forecast_or_a_reason_for_every_series() -> None:
    df = messy_file()
    result = fit_forecast(df, ForecastConfig(h=14, freq="D", season=7, n_windows=2))
    forecast_ids = set(result.forecast["unique_id"])
    left_out = {item["unique_id"]: item["reason"] for item in result.report["left_out"]}
    assert forecast_ids | set(left_out) == set(df["unique_id"])
    assert not forecast_ids & set(left_out)
    assert result.forecast.groupby("unique_id").size().eq(14).all()
    assert result.forecast[["yhat", "lo-80", "hi-95"]].notna().all().all()
    assert result.report["duplicate_rows_summed"] == 10 and result.report["missing_periods"] == 30


def test_only_rows_without_nan_or_gaps_are_backtest_evidence() -> None:
    df = messy_file()
    result = fit_forecast(df, ForecastConfig(h=14, freq="D", season=7, n_windows=2))
    gap_days = set(shop("gaps", seed=1)["ds"].iloc[50:80])
    gaps = result.backtest[result.backtest["unique_id"] == "gaps"]
    assert not gap_days & set(gaps["ds"])
    assert result.backtest["y"].notna().all()


def test_future_closed_days_are_forecast_as_zero_and_others_are_not() -> None:
    history = pd.concat([shop(f"s{i}", seed=i) for i in range(3)], ignore_index=True)
    history["closed"] = False
    future = future_grid(history.assign(observed=True), "D", 7).drop(columns="step")
    future["closed"] = future["ds"] == END + pd.Timedelta(days=3)
    result = fit_forecast(history, ForecastConfig(h=7, freq="D", season=7, n_windows=2), exog_future=future)
    closed = result.forecast[result.forecast["ds"] == END + pd.Timedelta(days=3)]
    assert (closed[["yhat", "lo-95", "hi-95"]] == 0).all().all()
    open_days = result.forecast[result.forecast["ds"] != END + pd.Timedelta(days=3)]
    assert (open_days["yhat"] > 10).all()
    assert result.report["closed_forecast_periods"] == 3


def test_a_weekday_closed_every_recent_week_stays_closed_without_a_calendar() -> None:
    history = shop("sunday_closed", days=120)
    history["closed"] = history["ds"].dt.dayofweek == 6
    history.loc[history["closed"], "y"] = 0.0
    result = fit_forecast(history, ForecastConfig(h=14, freq="D", season=7, n_windows=2))
    sundays = result.forecast[result.forecast["ds"].dt.dayofweek == 6]
    assert len(sundays) == 2 and (sundays["yhat"] == 0).all()
    assert (result.forecast.loc[result.forecast["ds"].dt.dayofweek != 6, "yhat"] > 10).all()


def test_a_promotion_driver_moves_the_forecast_when_its_future_is_given() -> None:
    rng = np.random.default_rng(9)
    frames = []
    for i in range(12):
        s = shop(f"s{i}", days=400, level=40 + 5 * i, seed=i)
        s["promo"] = (rng.random(len(s)) < 0.2).astype(int)
        s["y"] = s["y"] * np.where(s["promo"] == 1, 2.0, 1.0)
        frames.append(s)
    history = pd.concat(frames, ignore_index=True)
    future = future_grid(history.assign(observed=True), "D", 14).drop(columns="step")
    future["promo"] = (future["ds"].dt.day % 2).astype(int)
    config = ForecastConfig(h=14, freq="D", season=7, n_windows=2, engines=["lightgbm_direct", "seasonal_naive"])
    result = fit_forecast(history, config, exog_future=future)
    assert result.report["drivers"] == ["promo"]
    merged = result.forecast.merge(future, on=["unique_id", "ds"])
    ratio = merged.groupby("promo")["yhat"].mean()
    assert ratio[1] > 1.5 * ratio[0]


def test_days_next_to_a_closure_count_the_closed_days_after_and_before_them() -> None:
    history = shop("s", days=40)
    history["closed"] = history["ds"].isin([END - pd.Timedelta(days=d) for d in (20, 19)])
    panel = prepare_panel(history, "D", 7)
    future = future_grid(panel.frame, "D", 4)
    calendar = future[["unique_id", "ds"]].assign(closed=[False, True, True, False])
    history_out, future_out, drivers, _ = attach_drivers(panel.frame, future, calendar, "D", None)
    assert set(CLOSURE_DRIVERS) <= set(drivers)
    counts = history_out.set_index("ds")[["closed_ahead", "closed_behind"]]
    assert counts.loc[END - pd.Timedelta(days=21)].tolist() == [2, 0]  # the day before two closed days
    assert counts.loc[END - pd.Timedelta(days=18)].tolist() == [0, 2]  # the day the shop opens again
    assert counts.loc[END - pd.Timedelta(days=10)].tolist() == [0, 0]
    assert counts.loc[END, "closed_ahead"] == 0  # the last history day: the first future day is open
    assert future_out["closed_ahead"].tolist() == [2, 1, 0, 0]  # the future's closures are read too
    assert future_out["closed_behind"].tolist() == [0, 0, 1, 2]
    never_closed = shop("open", days=40).assign(closed=False)
    panel = prepare_panel(never_closed, "D", 7)
    _, _, drivers, _ = attach_drivers(panel.frame, future_grid(panel.frame, "D", 4), None, "D", None)
    assert not set(CLOSURE_DRIVERS) & set(drivers)


def test_the_day_before_a_closure_is_forecast_busier_when_the_calendar_says_so() -> None:
    rng = np.random.default_rng(11)
    frames = []
    for i in range(12):
        s = shop(f"s{i}", days=400, level=40 + 5 * i, seed=i)
        closed_days = s["ds"].iloc[rng.choice(np.arange(10, 390), size=18, replace=False)]
        s["closed"] = s["ds"].isin(closed_days)
        before = s["ds"].isin(closed_days - pd.Timedelta(days=1)) & ~s["closed"]
        s.loc[before, "y"] *= 2.0  # shoppers stock up before the shop closes
        s.loc[s["closed"], "y"] = 0.0
        frames.append(s)
    history = pd.concat(frames, ignore_index=True)
    future = future_grid(history.assign(observed=True), "D", 14).drop(columns="step")
    closure = END + pd.Timedelta(days=9)  # a Wednesday: the busy day before it is a Tuesday
    future["closed"] = future["ds"] == closure
    config = ForecastConfig(h=14, freq="D", season=7, n_windows=2, engines=["lightgbm_direct", "seasonal_naive"])
    result = fit_forecast(history, config, exog_future=future)
    weekdays = result.forecast[result.forecast["ds"].dt.dayofweek.isin([0, 1, 2, 3, 4])]
    eve = weekdays[weekdays["ds"] == closure - pd.Timedelta(days=1)]
    ordinary = weekdays[~weekdays["ds"].isin([closure - pd.Timedelta(days=1), closure, closure + pd.Timedelta(days=1)])]
    assert eve["yhat"].mean() > 1.5 * ordinary["yhat"].mean()


def test_a_driver_without_future_values_is_left_aside_and_named() -> None:
    history = shop("s", days=120).assign(price=3.5)
    result = fit_forecast(history, ForecastConfig(h=7, freq="D", season=7, n_windows=2))
    assert result.report["drivers_without_future_values"] == ["price"]


def test_holiday_features_come_from_the_country_calendar() -> None:
    days = pd.date_range("2024-12-20", "2025-01-03", freq="D")
    calendar = calendar_frame(days, "D", country="ES")
    assert calendar.loc["2024-12-25", "holiday"] == 1 and calendar.loc["2024-12-24", "holiday"] == 0
    assert calendar.loc["2024-12-24", "days_to_holiday"] == 1
    assert calendar.loc["2024-12-27", "days_since_holiday"] == 2
    history = shop("s", days=60).assign(observed=True, closed=False)
    future = future_grid(history, "D", 7)
    history_out, future_out, drivers, _ = attach_drivers(history, future, None, "D", "ES")
    assert {"holiday", "days_to_holiday", "days_since_holiday"} <= set(drivers)
    assert {"holiday"} <= set(future_out.columns) and {"holiday"} <= set(history_out.columns)


def test_an_unknown_country_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="country"):
        ForecastConfig(h=7, freq="D", season=7, country="XX")


def test_nothing_to_forecast_is_a_clear_error_not_a_crash() -> None:
    one_row = pd.DataFrame({"unique_id": ["a"], "ds": [END], "y": [1.0]})
    with pytest.raises(ValueError, match="a: 1 observed"):
        fit_forecast(one_row, ForecastConfig(h=7, freq="D", season=7))


def test_backtests_sample_fewer_of_many_long_series_but_keep_the_floor() -> None:
    rng = np.random.default_rng(3)
    ds = pd.date_range("2023-01-01", periods=200, freq="D")
    frame = pd.concat(
        [pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": rng.poisson(20 + i, len(ds)).astype(float)})
         for i in range(40)]
    )  # fmt: skip
    base = {"h": 7, "freq": "D", "season": 7, "n_windows": 1, "engines": ["seasonal_naive", "naive"]}
    every = fit_forecast(frame, ForecastConfig(**base))
    assert every.backtest["unique_id"].nunique() == 40  # 40 series x 200 days: under every limit
    # 2,000 rows buy 10 series of 200 days; the floor of 15 wins
    fewer = fit_forecast(frame, ForecastConfig(**base, backtest_max_rows=2_000, backtest_min_series=15))
    assert fewer.backtest["unique_id"].nunique() == 15
    assert fewer.forecast["unique_id"].nunique() == 40  # every series is still forecast
    roomier = fit_forecast(frame, ForecastConfig(**base, backtest_max_rows=5_000, backtest_min_series=15))
    assert roomier.backtest["unique_id"].nunique() == 25
