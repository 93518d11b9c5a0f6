"""Series of counts: the point forecast is a count's median where the backtest says it errs less, the
intervals and the sums still come from the mean."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import poisson

from tendero.forecasting import ForecastConfig, fit_forecast
from tendero.forecasting.hierarchy import bottom_up
from tendero.forecasting.selection import choose, count_median, whole_numbers


def test_count_median_is_the_poisson_median_of_the_mean() -> None:
    means = np.concatenate([np.linspace(0, 40, 40_001), [np.log(2) - 1e-9, np.log(2) + 1e-9, 5_000.3, 123_456.7]])
    assert np.array_equal(count_median(means), poisson.median(means))
    assert count_median(np.array([-2.0]))[0] == 0.0
    assert np.isnan(count_median(np.array([np.nan]))[0])


def test_whole_numbers_marks_counts_but_not_money_and_ignores_unobserved_days() -> None:
    history = pd.DataFrame(
        {
            "unique_id": ["units"] * 3 + ["money"] * 3 + ["filled"] * 3,
            "y": [0.0, 3.0, -1.0, 2.0, 4.99, 1.0, 1.0, 2.5, 3.0],
            "observed": [True, True, True, True, True, True, True, False, True],
        }
    )
    assert whole_numbers(history).to_dict() == {"filled": True, "money": False, "units": True}


def backtest_of(y: list[float], forecast: float) -> pd.DataFrame:
    n = len(y)
    return pd.DataFrame(
        {
            "unique_id": "a",
            "ds": pd.date_range("2024-01-01", periods=n, freq="D"),
            "cutoff": pd.Timestamp("2023-12-31"),
            "step": np.arange(1, n + 1),
            "group": "intermittent",
            "y": y,
            "mae_scale": 1.0,
            "e1": forecast,
            "e2": forecast + 0.05,
        }
    )


@pytest.mark.parametrize(
    ("y", "forecast", "as_median"),
    [
        ([0, 0, 0, 1, 0, 0, 2, 0], 0.4, True),  # a slow mover: 0 errs on 2 days, 0.4 on every day
        ([1, 1, 1, 1, 1, 1, 1, 1], 0.6, False),  # its count median (0) would miss every day
    ],
)
def test_a_count_median_is_chosen_only_where_the_backtest_says_it_errs_less(y, forecast, as_median) -> None:
    backtest = backtest_of(y, forecast)
    groups = pd.Series({"a": "intermittent"})
    counts = pd.Series({"a": True})
    choice, scored = choose(backtest, {"intermittent": ["e1", "e2"]}, groups, "group", counts)
    assert (choice.count_median_groups == {"intermittent"}) is as_median
    assert np.allclose(scored["mean"], scored[choice.chosen_of["intermittent"]].clip(lower=0))
    expected = count_median(scored["mean"]) if as_median else scored["mean"]
    assert np.allclose(scored["yhat"], expected)
    # not a count series: never a median, whatever the backtest says
    plain, _ = choose(backtest, {"intermittent": ["e1", "e2"]}, groups, "group", pd.Series({"a": False}))
    assert plain.count_median_groups == set()


def slow_movers(days: int, seed: int) -> pd.DataFrame:
    """Twelve items selling about 0.3-1.2 units a day (Poisson, busier at weekends): most days sell nothing."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2022-01-03", periods=days, freq="D")
    weekly = np.where(ds.dayofweek >= 5, 1.6, 0.8)
    frames = [
        pd.DataFrame({"unique_id": f"item{i}", "ds": ds, "y": rng.poisson(rate * weekly).astype(float)})
        for i, rate in enumerate(np.linspace(0.3, 1.2, 12))
    ]
    return pd.concat(frames, ignore_index=True)


def test_slow_movers_are_forecast_as_whole_numbers_with_intervals_and_sums_from_the_mean() -> None:
    data = slow_movers(400 + 28, seed=3)
    cut = data["ds"].max() - pd.Timedelta(days=28)
    history, test = data[data["ds"] <= cut], data[data["ds"] > cut]
    config = ForecastConfig(h=28, freq="D", season=7, n_windows=3, engines=["croston_optimized", "adida", "imapa"])
    result = fit_forecast(history, config)
    forecast = result.forecast
    assert result.report["count_median_groups"] == ["intermittent"]
    assert np.array_equal(forecast["yhat"], np.round(forecast["yhat"]))
    assert not np.array_equal(forecast["yhat"], forecast["mean"])
    assert ((forecast["lo-80"] <= forecast["yhat"]) & (forecast["yhat"] <= forecast["hi-80"])).all()
    merged = test.merge(forecast, on=["unique_id", "ds"])
    # the median errs less than the mean on the days that follow (absolute error: what MASE counts)
    assert (merged["y"] - merged["yhat"]).abs().mean() < (merged["y"] - merged["mean"]).abs().mean()
    covered = ((merged["y"] >= merged["lo-80"]) & (merged["y"] <= merged["hi-80"])).mean()
    assert 0.7 <= covered <= 0.95
    # a total adds the items' means: their medians would leave out the sales of every slow item
    _, total = bottom_up(history, forecast, result.backtest, season=7)
    assert np.allclose(total["yhat"].to_numpy(), forecast.groupby("ds")["mean"].sum().to_numpy())


def test_money_with_cents_keeps_the_mean_as_its_point() -> None:
    data = slow_movers(300, seed=4)
    data["y"] = data["y"] * 2.35  # revenue of an item priced 2.35: not a count
    config = ForecastConfig(h=14, freq="D", season=7, n_windows=2, engines=["croston_optimized", "adida", "imapa"])
    result = fit_forecast(data, config)
    assert result.report["count_median_groups"] == []
    assert np.allclose(result.forecast["yhat"], result.forecast["mean"])
