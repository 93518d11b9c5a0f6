"""Interval calibration at the newest backtest window's error level, and the engines' speed-ups kept honest."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tendero.forecasting.calibration import conformal_quantiles, newest_window_errors
from tendero.forecasting.engines import EngineContext, forecast_lightgbm, run_engines, stl_jumps
from tendero.forecasting.forecaster import ForecastConfig, fit_forecast
from tendero.forecasting.selection import engines_used

CUTOFFS = pd.to_datetime(["2023-01-01", "2023-04-01", "2023-07-01"])


def window_errors(sizes: list[float], per_window: int = 900, h: int = 3, seed: int = 0) -> pd.DataFrame:
    """Normal scaled errors for three backtest windows, window k with standard deviation ``sizes[k]``."""
    rng = np.random.default_rng(seed)
    frames = []
    for cutoff, size in zip(CUTOFFS, sizes, strict=True):
        steps = np.tile(np.arange(1, h + 1), per_window // h)
        frames.append(pd.DataFrame({"cutoff": cutoff, "step": steps, "e": rng.normal(0, size, len(steps))}))
    return pd.concat(frames, ignore_index=True)


def coverage_of_newest(quantiles: pd.DataFrame, size: float, level: int, seed: int = 1) -> float:
    """Share of fresh errors from the newest window's distribution inside the calibrated bounds."""
    q = quantiles[quantiles["level"] == level]
    fresh = np.random.default_rng(seed).normal(0, size, 20_000)
    inside = [(fresh >= lo) & (fresh <= hi) for lo, hi in zip(q["lo_q"], q["hi_q"], strict=True)]
    return float(np.mean(inside))


@pytest.mark.parametrize(
    ("sizes", "plain_is"),
    [([2.0, 1.6, 1.0], "too wide"), ([0.5, 0.7, 1.0], "too narrow")],
)
def test_intervals_take_their_width_from_the_newest_window(sizes: list[float], plain_is: str) -> None:
    errors = window_errors(sizes)
    calibrated = conformal_quantiles(errors, 3, (80, 95))
    plain = conformal_quantiles(errors.drop(columns="cutoff"), 3, (80, 95))
    for level, low, high in ((80, 0.77, 0.83), (95, 0.93, 0.97)):
        assert low <= coverage_of_newest(calibrated, 1.0, level) <= high
    plain_80 = coverage_of_newest(plain, 1.0, 80)
    assert plain_80 > 0.86 if plain_is == "too wide" else plain_80 < 0.74


def test_steady_errors_are_left_nearly_as_they_are() -> None:
    errors = window_errors([1.0, 1.0, 1.0])
    calibrated = conformal_quantiles(errors, 3, (80,))
    plain = conformal_quantiles(errors.drop(columns="cutoff"), 3, (80,))
    # three windows give each step three days: the steps pool their errors (one bound for all three)
    # where the plain per-step bounds scatter around the same normal 10 % / 90 % quantiles
    assert np.allclose(calibrated["hi_q"], 1.2816, rtol=0.1) and np.allclose(calibrated["lo_q"], -1.2816, rtol=0.1)
    assert np.isclose(calibrated["hi_q"].mean(), plain["hi_q"].mean(), rtol=0.1)
    assert np.isclose(calibrated["lo_q"].mean(), plain["lo_q"].mean(), rtol=0.1)


def test_windows_too_small_to_measure_are_not_rescaled() -> None:
    errors = window_errors([2.0, 1.0, 0.5], per_window=12)
    assert newest_window_errors(errors).equals(errors["e"])
    single = window_errors([2.0, 1.0, 0.5]).query("cutoff == @CUTOFFS[0]")
    assert newest_window_errors(single).equals(single["e"])


def test_rescaled_windows_share_the_newest_windows_mean_absolute_error() -> None:
    errors = window_errors([3.0, 2.0, 1.0])
    rescaled = newest_window_errors(errors)
    size = rescaled.abs().groupby(errors["cutoff"]).mean()
    assert np.allclose(size, size.iloc[-1])
    assert size.iloc[-1] == pytest.approx(errors.loc[errors["cutoff"] == CUTOFFS[-1], "e"].abs().mean())


def shrinking_error_panel(n_series: int = 60, months: int = 72, seed: int = 4) -> pd.DataFrame:
    """Seasonal series that grow calm for the last year: older backtest windows overstate today's errors."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2018-01-01", periods=months, freq="MS")
    noise = np.where(np.arange(months) < months - 12, 0.3, 0.06)
    rows = []
    for i in range(n_series):
        level = rng.uniform(100, 1000)
        season = 1 + 0.3 * np.sin(2 * np.pi * ds.month.to_numpy() / 12)
        y = level * season * (1 + rng.normal(0, 1, months) * noise)
        rows.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": np.maximum(y, 0)}))
    return pd.concat(rows, ignore_index=True)


def test_calmer_recent_errors_give_narrower_intervals_than_equal_windows() -> None:
    df = shrinking_error_panel()
    cut = df["ds"].max() - pd.DateOffset(months=6)
    train, test = df[df["ds"] <= cut], df[df["ds"] > cut]
    config = ForecastConfig(h=6, freq="MS", season=12, n_windows=3, engines=["seasonal_naive", "theta"])
    result = fit_forecast(train, config)
    merged = test.merge(result.forecast, on=["unique_id", "ds"])
    covered = ((merged["y"] >= merged["lo-80"]) & (merged["y"] <= merged["hi-80"])).mean()
    errors = result.backtest.merge(result.scales, on="unique_id")
    errors = pd.DataFrame({"step": errors["step"], "e": (errors["y"] - errors["yhat"]) / errors["mae_scale"]})
    plain = conformal_quantiles(errors, 6, (80,))
    used = result.quantiles[result.quantiles["level"] == 80]
    assert (used["hi_q"].to_numpy() - used["lo_q"].to_numpy() < plain["hi_q"] - plain["lo_q"]).all()
    assert 0.7 <= covered <= 0.92


def test_the_final_refit_needs_only_the_engines_of_the_chosen_candidates() -> None:
    engines = ["seasonal_naive", "mstl", "lightgbm", "seasonal_profile"]
    ranking = ["mstl", "seasonal_profile", "seasonal_naive", "lightgbm"]
    weights = {"mstl": 3.0, "seasonal_profile": 2.0, "seasonal_naive": 1.0}
    assert engines_used({"mstl"}, engines, ranking, weights) == {"mstl"}
    assert engines_used({"mean_top3"}, engines, ranking, weights) == {"mstl", "seasonal_profile", "seasonal_naive"}
    assert engines_used({"weighted"}, engines, ranking, weights) == set(weights)
    assert engines_used({"median_all"}, engines, ranking, weights) == set(engines)
    assert engines_used({"lightgbm", "mstl"}, engines, ranking, weights) == {"lightgbm", "mstl"}


def test_a_single_chosen_engine_gives_exactly_its_own_forecast() -> None:
    ds = pd.date_range("2020-01-01", periods=48, freq="MS")
    pattern = np.tile([10.0, 30, 50, 20, 5, 60, 40, 15, 25, 35, 45, 55], 4)
    df = pd.concat([pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": pattern * (i + 1)}) for i in range(4)])
    result = fit_forecast(
        df, ForecastConfig(h=6, freq="MS", season=12, n_windows=2, engines=["naive", "seasonal_naive"])
    )
    assert set(result.per_series["chosen"]) == {"seasonal_naive"}
    expected = np.concatenate([pattern[:6] * (i + 1) for i in range(4)])
    assert np.allclose(result.forecast.sort_values(["unique_id", "ds"])["yhat"], expected)


def test_stl_jumps_follow_r_stl_defaults() -> None:
    # R: s.jump = ceiling(s.window/10), t.jump = ceiling(t.window/10), l.jump = ceiling(l.window/10)
    for season, trend_window, low_pass_window in ((7, 13, 9), (12, 21, 13), (52, 91, 53)):
        jumps = stl_jumps(season)
        assert jumps == {
            "seasonal_jump": 2,
            "trend_jump": -(-trend_window // 10),
            "low_pass_jump": -(-low_pass_window // 10),
        }


def weekly_panel(n_series: int = 30, weeks: int = 130, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2020-01-03", periods=weeks, freq="W-FRI")
    shape = 1 + 0.5 * np.sin(2 * np.pi * np.arange(weeks) / 52) + 0.3 * (np.arange(weeks) % 52 == 47)
    frames = []
    for i in range(n_series):
        level = rng.uniform(100, 1000)
        y = level * shape * (1 + 0.002 * np.arange(weeks)) + rng.normal(0, 0.05 * level, weeks)
        frames.append(pd.DataFrame({"unique_id": f"w{i}", "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)


def test_mstl_with_jumps_forecasts_as_well_as_full_loess() -> None:
    from statsforecast import StatsForecast
    from statsforecast import models as m

    df = weekly_panel()
    train, test = df[df["ds"] <= df["ds"].max() - pd.Timedelta(weeks=13)], df.groupby("unique_id").tail(13)
    ctx = EngineContext(h=13, freq="W-FRI", season=52)
    ours = run_engines(train, ["mstl"], ctx).merge(test, on=["unique_id", "ds"])
    full = m.MSTL(season_length=52, trend_forecaster=m.SimpleExponentialSmoothingOptimized(), alias="full")
    reference = StatsForecast(models=[full], freq="W-FRI").forecast(df=train, h=13).merge(test, on=["unique_id", "ds"])
    ours_mae = (ours["y"] - ours["mstl"]).abs().mean()
    full_mae = (reference["y"] - reference["full"]).abs().mean()
    assert ours_mae <= 1.05 * full_mae


def test_engines_beside_each_other_give_the_same_forecasts_and_leave_warnings_alone() -> None:
    df = weekly_panel(n_series=12)
    names = ["seasonal_naive", "seasonal_profile", "lightgbm"]
    filters_before = list(warnings.filters)
    alone = run_engines(df, names, EngineContext(h=13, freq="W-FRI", season=52, n_jobs=1))
    beside = run_engines(df, names, EngineContext(h=13, freq="W-FRI", season=52, n_jobs=2))
    assert warnings.filters == filters_before
    pd.testing.assert_frame_equal(alone, beside)
    assert alone[names].notna().all().all()


def test_lightgbm_baseline_has_ordered_conformal_intervals() -> None:
    df = weekly_panel(n_series=12)
    out = forecast_lightgbm(df, EngineContext(h=13, freq="W-FRI", season=52), levels=(80, 95))
    assert len(out) == 12 * 13
    assert (out["lightgbm-lo-95"] <= out["lightgbm-lo-80"]).all()
    assert (out["lightgbm-lo-80"] <= out["lightgbm"]).all() and (out["lightgbm"] <= out["lightgbm-hi-80"]).all()
    assert (out["lightgbm-hi-80"] <= out["lightgbm-hi-95"]).all()
    assert (out["lightgbm-hi-95"] > out["lightgbm-lo-95"]).any()


def _seasonal_backtest(beta: float, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Backtest rows whose error spread is (level / usual level) ** beta, and the history they came from."""
    rng, usuals = np.random.default_rng(seed), np.random.default_rng(0).uniform(20, 200, 40)
    rows, history = [], []
    for series, usual in enumerate(usuals):
        level = usual * (1 + 0.6 * np.sin(np.arange(120) / 120 * 2 * np.pi * 3))  # busy and quiet periods
        history.append(pd.DataFrame({"unique_id": f"s{series}", "y": level, "observed": True}))
        noise = rng.normal(0, 0.1 * usual * (level / usual) ** beta)
        rows.append(pd.DataFrame({"unique_id": f"s{series}", "group": "smooth", "cutoff": CUTOFFS[0],
                                  "step": np.arange(120) % 3 + 1, "yhat": level, "y": level + noise,
                                  "mae_scale": 0.1 * usual}))  # fmt: skip
    return pd.concat(rows, ignore_index=True), pd.concat(history, ignore_index=True)


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_interval_widths_follow_the_level_with_the_exponent_the_backtest_shows(beta):
    from tendero.forecasting.calibration import calibrate_groups, interval_columns, level_terms, level_weight

    backtest, history = _seasonal_backtest(beta)
    groups = pd.Series("smooth", index=history["unique_id"].unique())
    sampled = backtest[backtest["unique_id"] != "s0"]  # the backtest may hold a sample: s0 gets its group's
    terms = level_terms(sampled, history, groups)
    assert terms.loc["s0", "level_beta"] == terms.loc["s1", "level_beta"] == pytest.approx(beta, abs=0.08)
    backtest["level_weight"] = level_weight(backtest, terms)
    quantiles = calibrate_groups(backtest, 3, (80,))
    fresh, _ = _seasonal_backtest(beta, seed=1)
    fresh["level_weight"] = level_weight(fresh, terms)
    bounds = interval_columns(fresh, quantiles, 80, nonnegative=True)
    inside = (bounds["y"] >= bounds["lo"]) & (bounds["y"] <= bounds["hi"])
    relative = bounds["yhat"] / bounds["unique_id"].map(terms["level_ref"])
    quiet, busy = inside[relative < 0.7].mean(), inside[relative > 1.3].mean()
    # right in the quiet periods and the busy ones alike (one width per series would over-cover the quiet
    # ones and under-cover the busy ones when the spread follows the level)
    assert 0.74 < quiet < 0.86 and 0.74 < busy < 0.86, (quiet, busy)


def test_thin_steps_borrow_their_neighbours_errors_and_still_widen_with_the_horizon() -> None:
    """Ten items x three windows leave 30 errors a step: each step's own quantile is mostly noise."""
    rng = np.random.default_rng(5)
    h = 28
    steps = np.repeat(np.arange(1, h + 1), 30)
    steady = pd.DataFrame({"step": steps, "e": rng.normal(0, 1.0, len(steps))})
    q = conformal_quantiles(steady, h, (80,))
    own = steady.groupby("step")["e"].quantile(0.9)  # each step alone (about its finite-sample quantile)
    assert q["hi_q"].std() < own.std() / 2  # the steps' bounds scatter far less around the true 1.28
    assert abs(q["hi_q"].mean() - 1.2816) < 0.15
    growing = pd.DataFrame({"step": steps, "e": rng.normal(0, 1.0, len(steps)) * (1 + steps / 10)})
    widths = conformal_quantiles(growing, h, (80,)).set_index("step")["hi_q"]
    assert widths[h] > 2 * widths[1]  # errors that grow with the step still give wider bounds later


def test_steps_whose_errors_fall_on_few_days_read_their_neighbours_days() -> None:
    """Thousands of daily series, three backtest windows: each step's errors share three dates' luck."""
    rng = np.random.default_rng(8)
    h, series = 40, 300
    frames = []
    for cutoff in CUTOFFS:
        day_luck = rng.normal(0, 1.0, h)  # what moved every series that day (weather, a local event)
        steps = np.repeat(np.arange(1, h + 1), series)
        noise = rng.normal(0, 0.3, len(steps))
        frames.append(pd.DataFrame({"cutoff": cutoff, "step": steps, "e": day_luck[steps - 1] + noise}))
    errors = pd.concat(frames, ignore_index=True)
    q = conformal_quantiles(errors, h, (80,)).set_index("step")
    fresh_days = rng.normal(0, 1.0, (2000, 1)) + rng.normal(0, 0.3, (2000, series))
    coverage = [np.mean((fresh_days >= q.loc[s, "lo_q"]) & (fresh_days <= q.loc[s, "hi_q"])) for s in range(1, h + 1)]
    # each step's own three days cover about half; thirty days around it cover about what they should
    assert 0.72 < np.mean(coverage) < 0.88, np.mean(coverage)
