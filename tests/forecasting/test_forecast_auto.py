"""The automatic forecaster: backtested choice, stored scores, calibrated non-negative intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tendero.forecasting.calibration import conformal_quantiles
from tendero.forecasting.forecaster import ForecastConfig, fit_forecast
from tendero.forecasting.metrics import score_forecasts, series_scales


def seasonal_panel(n_series: int = 12, months: int = 48, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2021-01-01", periods=months, freq="MS")
    rows = []
    for i in range(n_series):
        level = rng.uniform(50, 500)
        season = 1 + 0.3 * np.sin(2 * np.pi * (ds.month.to_numpy() + i) / 12)
        y = level * season * (1 + 0.01 * np.arange(months)) + rng.normal(0, 0.05 * level, months)
        rows.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": np.maximum(y, 0)}))
    return pd.concat(rows, ignore_index=True)


def intermittent_panel(n_series: int = 6, days: int = 200, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=days, freq="D")
    rows = [
        pd.DataFrame({"unique_id": f"slow{i}", "ds": ds, "y": rng.poisson(2, days) * (rng.random(days) < 0.2)})
        for i in range(n_series)
    ]
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def seasonal_result():
    df = seasonal_panel(n_series=8, months=42)
    config = ForecastConfig(h=4, freq="MS", season=12, n_windows=2)
    return df, fit_forecast(df, config)


def test_every_candidate_is_scored_and_the_choice_has_the_lowest_backtest_mase(seasonal_result) -> None:
    _, result = seasonal_result
    scores = result.scores[result.scores["group"] == "smooth"]
    assert {"seasonal_naive", "auto_ets", "lightgbm", "median_all"} <= set(scores["candidate"])
    chosen = scores[scores["chosen"]]
    assert len(chosen) == 1
    assert chosen["mase"].iloc[0] == pytest.approx(scores["mase"].min())
    assert set(result.per_series["chosen"]) == {chosen["candidate"].iloc[0]}


def test_forecast_beats_seasonal_naive_on_clearly_seasonal_trending_series(seasonal_result) -> None:
    _, result = seasonal_result
    scores = result.scores.set_index("candidate")["mase"]
    assert scores[scores.index[result.scores["chosen"].to_numpy()]].iloc[0] < scores["seasonal_naive"]


def test_forecast_has_every_period_and_ordered_nonnegative_intervals(seasonal_result) -> None:
    _df, result = seasonal_result
    fc = result.forecast
    assert len(fc) == 8 * 4
    assert fc.groupby("unique_id")["ds"].min().eq(pd.Timestamp("2024-07-01")).all()
    assert (fc["lo-95"] <= fc["lo-80"]).all() and (fc["lo-80"] <= fc["yhat"]).all()
    assert (fc["yhat"] <= fc["hi-80"]).all() and (fc["hi-80"] <= fc["hi-95"]).all()
    assert (fc["lo-95"] >= 0).all()


def test_intervals_are_calibrated_on_held_out_data() -> None:
    df = seasonal_panel(n_series=40, months=60, seed=5)
    cut = df["ds"].max() - pd.DateOffset(months=6)
    train, test = df[df["ds"] <= cut], df[df["ds"] > cut]
    config = ForecastConfig(h=6, freq="MS", season=12, n_windows=3, engines=["seasonal_naive", "theta"])
    result = fit_forecast(train, config)
    scores = score_forecasts(test, result.forecast, series_scales(train, 12))
    assert 0.6 <= scores["coverage_80"] <= 0.97
    assert scores["coverage_95"] >= scores["coverage_80"]


def test_intermittent_series_get_croston_family_and_intervals() -> None:
    df = intermittent_panel()
    result = fit_forecast(df, ForecastConfig(h=14, freq="D", season=7, n_windows=2))
    assert set(result.per_series["group"]) == {"intermittent"}
    assert {"croston_optimized", "adida", "imapa", "tsb"} <= set(result.scores["candidate"])
    fc = result.forecast
    assert (fc["lo-80"] >= 0).all()
    assert (fc["hi-95"] > 0).all()  # a slow mover still gets a real upper bound


def testconformal_quantiles_widen_with_level_and_with_horizon_when_pooled() -> None:
    rng = np.random.default_rng(0)
    errors = pd.DataFrame({"step": np.repeat([1, 2, 3], 10), "e": rng.normal(0, 1, 30)})
    q = conformal_quantiles(errors, 3, (80, 95)).set_index(["level", "step"])
    assert (q.loc[95, "hi_q"] >= q.loc[80, "hi_q"]).all()
    assert q.loc[(80, 3), "hi_q"] > q.loc[(80, 1), "hi_q"]


def test_too_few_errors_still_give_wider_95_than_80_intervals_around_every_error() -> None:
    """Nine errors (one series, three windows of three months): the empirical 80 % and 95 % quantiles
    are both the extremes, so both levels would be the same min-max range."""
    errors = pd.DataFrame({"step": np.tile([1, 2, 3], 3), "e": [0.4, -0.2, 0.9, -0.6, 0.1, 1.3, 0.3, -0.9, 0.5]})
    q = conformal_quantiles(errors, 3, (80, 95)).set_index(["level", "step"])
    pooled = errors["e"] / np.sqrt(errors["step"])
    for step in (1, 2, 3):
        lo80, hi80 = q.loc[(80, step), ["lo_q", "hi_q"]]
        lo95, hi95 = q.loc[(95, step), ["lo_q", "hi_q"]]
        assert lo95 < lo80 <= pooled.min() * np.sqrt(step) and pooled.max() * np.sqrt(step) <= hi80 < hi95


def test_bad_config_names_the_field() -> None:
    with pytest.raises(ValueError, match="levels"):
        ForecastConfig(h=3, freq="MS", season=12, levels=(80, 100))
    with pytest.raises(ValueError, match="selection"):
        ForecastConfig(h=3, freq="MS", season=12, selection="best")
