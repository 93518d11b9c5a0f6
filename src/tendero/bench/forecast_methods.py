"""The forecast bench's methods, each fitted in a fresh process so its time and memory are its own.

tendero gets the raw history (gaps, closed days, drivers) and does its own cleaning; the baselines
get the same history made regular by tendero's panel stage (the same rows, the same fill of closed
and missing days) and, for LightGBM, the same drivers and holiday features, so that the figures
compare forecasting, not data cleaning.
"""

from __future__ import annotations

import os
import resource
import time
import traceback
import warnings
from typing import Any

import pandas as pd

from tendero.bench.forecast_names import BASELINES, LEVELS
from tendero.bench.forecast_sets import BenchSet


def run_in_child(method: str, bench_set: BenchSet, windows: int, threads: int, queue: Any) -> None:
    """Child process: fit one method, put (forecast frame, figures, evidence) on the queue."""
    try:
        queue.put(fit_method(method, bench_set, windows, threads))
    except BaseException as exc:  # the parent must hear about a failure, not wait forever
        queue.put(RuntimeError(f"{method} failed: {exc!r}\n{traceback.format_exc()}"))


def fit_method(
    method: str, bench_set: BenchSet, windows: int, threads: int = 2
) -> tuple[pd.DataFrame, dict[str, float], dict[str, pd.DataFrame]]:
    """``unique_id, ds, yhat, lo-L, hi-L`` for the test periods; wall/CPU seconds and peak memory;
    tendero's backtest (the evidence its choice and intervals came from)."""
    start_wall, start_cpu = time.perf_counter(), _cpu_seconds()
    load_before = os.getloadavg()[0]
    figures: dict[str, float] = {}
    evidence: dict[str, pd.DataFrame] = {}
    if method == "tendero":
        forecast, stages, evidence = _tendero(bench_set, windows, threads)
        figures.update({f"stage_{name}_seconds": value for name, value in stages.items()})
    elif method == "lightgbm":
        forecast = _lightgbm(bench_set, windows, threads)
    elif method in BASELINES:
        forecast = _statsforecast(method, bench_set, threads)
    else:
        raise ValueError(f"unknown method {method!r}")
    figures["seconds"] = time.perf_counter() - start_wall
    figures["cpu_seconds"] = _cpu_seconds() - start_cpu
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    figures["peak_mb"] = max(self_peak, children_peak)
    figures["load_average"] = (load_before + os.getloadavg()[0]) / 2
    return forecast, figures, evidence


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _tendero(
    bench_set: BenchSet, windows: int, threads: int
) -> tuple[pd.DataFrame, dict[str, float], dict[str, pd.DataFrame]]:
    from tendero.bench.report import log
    from tendero.forecasting import ForecastConfig, fit_forecast

    config = ForecastConfig(
        h=bench_set.h, freq=bench_set.freq, season=bench_set.season, n_windows=windows, n_jobs=threads,
        country=bench_set.country,
    )  # fmt: skip
    result = fit_forecast(
        bench_set.history,
        config,
        exog_future=bench_set.future,
        static=bench_set.static,
        progress=lambda s, t, m: log(f"tendero: {m} ({s}/{t})"),
    )
    evidence = {"backtest": result.backtest, "scales": result.scales, "quantiles": result.quantiles}
    return result.forecast, dict(result.report.get("stage_seconds", {})), evidence


def regular_history(bench_set: BenchSet) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The history as the baselines see it: regular, closed and missing days filled, with drivers."""
    from tendero.forecasting.drivers import attach_drivers
    from tendero.forecasting.panel import future_grid, prepare_panel

    panel = prepare_panel(bench_set.history, bench_set.freq, bench_set.season)
    future = future_grid(panel.frame, bench_set.freq, bench_set.h)
    history, future, drivers, _ = attach_drivers(
        panel.frame, future, bench_set.future, bench_set.freq, bench_set.country
    )
    return history, future, drivers


def _statsforecast(method: str, bench_set: BenchSet, threads: int) -> pd.DataFrame:
    from statsforecast import StatsForecast
    from statsforecast import models as m

    history, _, _ = regular_history(bench_set)
    season = bench_set.season
    model = {
        "seasonal_naive": lambda: m.SeasonalNaive(season_length=season),
        "auto_ets": lambda: m.AutoETS(season_length=season),
        "auto_theta": lambda: m.AutoTheta(season_length=season),
        "mstl": lambda: m.MSTL(season_length=season),
    }[method]()
    sf = StatsForecast(models=[model], freq=bench_set.freq, n_jobs=threads, fallback_model=m.SeasonalNaive(season))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = sf.forecast(df=history[["unique_id", "ds", "y"]], h=bench_set.h, level=list(LEVELS))
    name = next(c for c in out.columns if c not in ("unique_id", "ds") and "-lo-" not in c and "-hi-" not in c)
    bounds = {f"{name}-{b}-{lv}": f"{b}-{lv}" for b in ("lo", "hi") for lv in LEVELS}
    return out.rename(columns={name: "yhat", **bounds})


def _lightgbm(bench_set: BenchSet, windows: int, threads: int) -> pd.DataFrame:
    """mlforecast's recursive LightGBM with tendero's features and drivers, and its own conformal
    intervals (mlforecast needs two windows for them: with ``--windows 1`` it gets two)."""
    from tendero.forecasting.engines import EngineContext, forecast_lightgbm

    history, future, drivers = regular_history(bench_set)
    ctx = EngineContext(
        h=bench_set.h, freq=bench_set.freq, season=bench_set.season, n_jobs=threads, drivers=tuple(drivers)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = forecast_lightgbm(
            history,
            ctx,
            future=future,
            static=bench_set.static,
            levels=LEVELS,
            interval_windows=windows,
            threads=threads,
        )
    bounds = {f"lightgbm-{b}-{lv}": f"{b}-{lv}" for b in ("lo", "hi") for lv in LEVELS}
    return out.rename(columns={"lightgbm": "yhat", **bounds})
