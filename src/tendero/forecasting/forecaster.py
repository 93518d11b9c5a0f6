"""The automatic forecaster: prepare, backtest every candidate, choose by MASE, calibrate, forecast.

``fit_forecast(df, config)`` is the whole capability, in named stages, each in its own module:

1. ``panel.prepare_panel``: a regular panel from a shop's file (gaps, duplicates, closed days).
2. ``drivers.attach_drivers``: promotions, prices, holidays known for the forecast periods.
3. ``backtest.run_backtests``: rolling-origin windows (``n_windows`` cuts, ``h`` apart) per group of
   series (smooth / intermittent), on a sample when there are many.
4. ``selection.choose``: every engine and ensemble scored by MASE, the best per group or series
   (for series of counts, also each candidate's count median).
5. ``calibration``: split-conformal quantiles of the winner's scaled errors per horizon step.
6. the final refit of only the engines the winners need, on all the history; closed days are 0.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tendero.catalogue.refusals import Refusal
from tendero.forecasting.backtest import run_backtests, sample_ids
from tendero.forecasting.calibration import (
    apply_intervals,
    calibrate_groups,
    holdout_coverage,
    level_terms,
    level_weight,
    series_difficulty,
)
from tendero.forecasting.drivers import attach_drivers, supported_country
from tendero.forecasting.engines import EngineContext, default_engines, run_engines
from tendero.forecasting.metrics import series_scales
from tendero.forecasting.panel import future_grid, prepare_panel
from tendero.forecasting.selection import (
    Choice,
    choose,
    engines_used,
    finish_candidates,
    pick,
    point_forecast,
    whole_numbers,
)

ProgressFn = Callable[[int, int, str], None]


@dataclass
class ForecastConfig:
    h: int
    freq: str  # pandas alias of the spacing, e.g. "W-MON", "MS", "D"
    season: int
    levels: tuple[int, ...] = (80, 95)
    n_windows: int = 3
    engines: list[str] | None = None  # None: chosen per group by default_engines
    selection: str = "group"  # "group" (one choice per group of series) or "series"
    nonnegative: bool = True
    backtest_max_series: int = 600  # backtests run on a seeded sample when there are more series
    # ... and on fewer when the series are long: the backtests' cost follows rows, not series
    backtest_max_rows: int = 250_000
    backtest_min_series: int = 200
    country: str | None = None  # ISO code for holiday features (the ``holidays`` package)
    stale_after: int | None = None  # periods without data after which a series has stopped (a year)
    n_jobs: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        if self.h < 1:
            raise ValueError(f"h: must be at least 1; got {self.h}")
        if self.n_windows < 1:
            raise ValueError(f"n_windows: must be at least 1; got {self.n_windows}")
        if self.selection not in ("group", "series"):
            raise ValueError(f"selection: must be 'group' or 'series'; got {self.selection!r}")
        for level in self.levels:
            if not 0 < level < 100:
                raise ValueError(f"levels: each level must be between 0 and 100 (exclusive); got {level}")
        if self.country is not None and not supported_country(self.country):
            raise ValueError(f"country: no holiday calendar for {self.country!r} (use an ISO 3166 code, e.g. ES, MX)")


@dataclass
class ForecastResult:
    """Everything a fitted forecast carries: the forecast, the choice, its evidence, its calibration."""

    forecast: pd.DataFrame  # unique_id, ds, yhat, mean, lo-L, hi-L for every level (yhat: see selection.choose)
    per_series: pd.DataFrame  # unique_id, group, chosen, backtest_mase, backtest_mae
    scores: pd.DataFrame  # group, candidate, mase, chosen (every candidate's backtest score)
    quantiles: pd.DataFrame  # group, step, level, lo_q, hi_q (scaled-error quantiles)
    scales: pd.DataFrame  # unique_id -> mae_scale, mse_scale, interval_scale (mae_scale x difficulty)
    backtest: pd.DataFrame  # unique_id, ds, cutoff, step, y, yhat (chosen)
    metrics: dict[str, float] = field(default_factory=dict)
    config: dict[str, object] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)  # what was filled, excluded, used; stage seconds


def classify_intermittent(df: pd.DataFrame) -> pd.Series:
    """True where demand is intermittent: average gap between non-zero periods above 1.32 (Syntetos)."""
    observed = df[df["observed"]] if "observed" in df.columns else df
    nonzero = (observed["y"] != 0).groupby(observed["unique_id"]).sum()
    size = observed.groupby("unique_id").size()
    adi = (size / nonzero.where(nonzero > 0)).fillna(math.inf)
    return adi > 1.32


def fit_forecast(
    df: pd.DataFrame,
    config: ForecastConfig,
    *,
    progress: ProgressFn | None = None,
    exog_future: pd.DataFrame | None = None,
    static: pd.DataFrame | None = None,
) -> ForecastResult:
    """Backtest, choose, calibrate and forecast ``config.h`` periods for every series in ``df``.

    ``df``: ``unique_id, ds, y`` and optionally ``closed`` (bool) and driver columns; ``exog_future``:
    ``unique_id, ds`` of the forecast periods with the drivers' values (and ``closed``); ``static``:
    ``unique_id`` plus attributes (store, category...).
    """
    report = progress or (lambda step, total, message: None)
    timer = _StageTimer()
    h = config.h
    total_steps = config.n_windows + 2
    report(0, total_steps, "backtests")

    with timer("prepare"):
        panel = prepare_panel(df, config.freq, config.season, stale_after=config.stale_after, store_of=_stores(static))
        if panel.frame.empty:
            reasons = "; ".join(f"{item.unique_id}: {item.reason}" for item in panel.report.left_out[:5])
            raise Refusal("forecast.nothing_left", reasons=reasons) if reasons else Refusal("forecast.no_rows")
        future = future_grid(panel.frame, config.freq, h)
        history, future, drivers, ignored = attach_drivers(
            panel.frame, future, exog_future, config.freq, config.country
        )
        ctx = EngineContext(
            h=h, freq=config.freq, season=config.season, n_jobs=config.n_jobs, seed=config.seed, drivers=tuple(drivers)
        )
        scales = series_scales(history.assign(y=history["y"].where(history["observed"])), config.season)
        groups = classify_intermittent(history).map({True: "intermittent", False: "smooth"}).rename("group")
        engines_of = _engines_of(groups, history, config)

    with timer("backtest"):
        sample = set(sample_ids(groups, _backtest_limit(history, config), config.seed))
        done = iter(range(1, config.n_windows + 1))
        backtest = run_backtests(
            history[history["unique_id"].isin(sample)],
            groups,
            engines_of,
            ctx,
            n_windows=config.n_windows,
            static=static,
            on_window=lambda cutoff: report(next(done), total_steps, f"backtest window ending {cutoff.date()}"),
        ).join(scales, on="unique_id")

    with timer("choose"):
        counts = whole_numbers(history) if config.nonnegative else None
        choice, backtest = choose(backtest, engines_of, groups, config.selection, counts)
        if config.nonnegative:
            backtest[["yhat", "mean"]] = backtest[["yhat", "mean"]].clip(lower=0)
    report(config.n_windows + 1, total_steps, "calibrating intervals")

    with timer("calibrate"):
        # each series' intervals are as wide as its own backtest errors were (relative to its group)
        difficulty = series_difficulty(backtest, prior=h)
        scales["interval_scale"] = scales["mae_scale"] * difficulty.reindex(scales.index).fillna(1.0)
        backtest["interval_scale"] = backtest["unique_id"].map(scales["interval_scale"])
        # and each step's as wide as the level it forecasts (busy days err more than quiet ones)
        terms = level_terms(backtest.assign(mae_scale=backtest["interval_scale"]), history, groups)
        scales = scales.join(terms)
        backtest["level_weight"] = level_weight(backtest, terms)
        quantile_table = calibrate_groups(backtest.assign(mae_scale=backtest["interval_scale"]), h, config.levels)

    with timer("forecast"):
        final = _final_forecast(history, future, engines_of, groups, choice, ctx, static)
        point = final[["unique_id", "ds", "step", "group", "yhat", "mean"]].copy()
        point["level_weight"] = level_weight(point, terms)
        forecast = apply_intervals(
            point,
            quantile_table,
            scales[["interval_scale"]].rename(columns={"interval_scale": "mae_scale"}),
            config.levels,
            config.nonnegative,
        )
        forecast = _close(forecast, future, config.levels)
    report(total_steps, total_steps, "forecast ready")

    per_series = _per_series(backtest, groups, choice.series)
    metrics = {
        "backtest_mase": float(per_series["backtest_mase"].mean()),
        "backtest_mae": float((backtest["y"] - backtest["yhat"]).abs().mean()),
        "series": float(history["unique_id"].nunique()),
    }
    actual_total = float(backtest["y"].abs().sum())
    if actual_total > 0:  # every actual zero: WAPE is undefined, left out rather than an error over 1e-12
        metrics["backtest_wape"] = float((backtest["y"] - backtest["yhat"]).abs().sum() / actual_total)
    metrics.update(
        holdout_coverage(backtest.assign(mae_scale=backtest["interval_scale"]), h, config.levels, config.nonnegative)
    )
    return ForecastResult(
        forecast=forecast,
        per_series=per_series,
        scores=choice.scores,
        quantiles=quantile_table,
        scales=scales.reset_index(),
        backtest=backtest[["unique_id", "ds", "cutoff", "step", "group", "y", "yhat", "mean"]].reset_index(drop=True),
        metrics=metrics,
        config={
            "h": h,
            "freq": config.freq,
            "season": config.season,
            "levels": list(config.levels),
            "n_windows": config.n_windows,
            "selection": config.selection,
            "engines": engines_of,
            "nonnegative": config.nonnegative,
            "country": config.country,
        },
        report={
            **panel.report.as_dict(),
            "drivers": drivers,
            "drivers_without_future_values": ignored,
            "closed_forecast_periods": int(future["closed"].sum()),
            # groups whose forecasts are their count medians (the whole number that errs least)
            "count_median_groups": sorted(choice.count_median_groups),
            "stage_seconds": timer.seconds,
        },
    )


def _backtest_limit(history: pd.DataFrame, config: ForecastConfig) -> int:
    """How many series the backtests sample: ``backtest_max_series``, fewer for long histories.

    Every backtest window refits every candidate on the sample, so its cost is the sample's rows.
    Hundreds of series already measure a group's errors (the choice is per group, the calibration
    pools a group's errors): thousands of daily series with years of history are sampled down to
    about ``backtest_max_rows`` rows, never under ``backtest_min_series`` series.
    """
    typical_length = float(history.groupby("unique_id").size().median())
    by_rows = int(config.backtest_max_rows // max(typical_length, 1.0))
    return max(config.backtest_min_series, min(config.backtest_max_series, by_rows))


def _engines_of(groups: pd.Series, history: pd.DataFrame, config: ForecastConfig) -> dict[str, list[str]]:
    lengths = history.groupby("unique_id").size()
    daily = config.freq.startswith("D")
    out: dict[str, list[str]] = {}
    for group, members in groups.groupby(groups):
        min_length = int(lengths[members.index].min())
        out[str(group)] = config.engines or default_engines(
            config.season, group == "intermittent", min_length, daily=daily, series=len(members)
        )
    return out


def _final_forecast(
    history: pd.DataFrame,
    future: pd.DataFrame,
    engines_of: dict[str, list[str]],
    groups: pd.Series,
    choice: Choice,
    ctx: EngineContext,
    static: pd.DataFrame | None,
) -> pd.DataFrame:
    """Refit, on all the history, only the engines the chosen candidates are made of."""
    finals = []
    for group, engines in engines_of.items():
        if group not in choice.chosen_of:
            continue
        ids = groups.index[groups == group]
        chosen = set(choice.series[ids])
        used = engines_used(chosen, engines, choice.ranking_of[group], choice.weights_of[group])
        needed = [e for e in engines if e in used]
        g_history = history[history["unique_id"].isin(ids)]
        g_future = future[future["unique_id"].isin(ids)]
        fc = run_engines(g_history, needed, ctx, future=g_future, static=static)
        if fc[needed].isna().to_numpy().any() and len(needed) < len(engines):
            # an engine that cannot fit this history is stood in for by all candidates' median
            rest = [e for e in engines if e not in needed]
            fc = fc.merge(run_engines(g_history, rest, ctx, future=g_future, static=static), on=["unique_id", "ds"])
            needed = engines
        fc = finish_candidates(fc, needed, chosen, choice, group)
        fc["group"] = group
        finals.append(fc.merge(g_future[["unique_id", "ds", "step"]], on=["unique_id", "ds"], how="inner"))
    final = pd.concat(finals, ignore_index=True)
    final["chosen"] = final["unique_id"].map(choice.series)
    final["mean"] = pick(final)
    final["yhat"] = point_forecast(final, choice)
    return final


def _close(forecast: pd.DataFrame, future: pd.DataFrame, levels: tuple[int, ...]) -> pd.DataFrame:
    """Periods the calendar says are closed are forecast as 0, with a 0-wide interval."""
    closed = forecast.merge(future[["unique_id", "ds", "closed"]], on=["unique_id", "ds"], how="left")["closed"]
    mask = closed.fillna(False).astype(bool).to_numpy()
    if mask.any():
        columns = ["yhat", "mean", *[f"{b}-{lv}" for lv in levels for b in ("lo", "hi")]]
        forecast.loc[mask, columns] = 0.0
    return forecast


def _stores(static: pd.DataFrame | None) -> pd.Series | None:
    if static is None or "store" not in static.columns:
        return None
    return static.drop_duplicates("unique_id").set_index("unique_id")["store"].astype(str)


def _per_series(backtest: pd.DataFrame, groups: pd.Series, choice: pd.Series) -> pd.DataFrame:
    err = (backtest["y"] - backtest["yhat"]).abs()
    per = pd.DataFrame(
        {
            "backtest_mase": (err / backtest["mae_scale"]).groupby(backtest["unique_id"]).mean(),
            "backtest_mae": err.groupby(backtest["unique_id"]).mean(),
        }
    )
    out = pd.DataFrame({"group": groups, "chosen": choice}).join(per)
    out.index.name = "unique_id"
    return out.reset_index()


class _StageTimer:
    """Wall seconds per named stage, for the model's report and the bench's timing block."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str) -> _Stage:
        return _Stage(self, name)


class _Stage:
    def __init__(self, timer: _StageTimer, name: str) -> None:
        self.timer, self.name = timer, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timer.seconds[self.name] = round(time.perf_counter() - self.start, 3)
