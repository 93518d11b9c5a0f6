"""The forecasting engines tendero chooses among, each ``train frame -> point forecasts``.

statsforecast supplies the local statistical models, mlforecast + LightGBM the global model, and
``seasonal_profile`` is our own vectorised engine (see its docstring for why it exists).
Every engine returns ``unique_id, ds, <engine name>`` for ``h`` periods after each series' end.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

STATS_ENGINES = (
    "seasonal_naive",
    "naive",
    "auto_ets",
    "auto_theta",
    "theta",
    "auto_ces",
    "mstl",
    "croston_optimized",
    "adida",
    "imapa",
    "tsb",
)
LIGHTGBM_ENGINES = ("lightgbm", "lightgbm_direct", "lightgbm_median")
CHEAP_ENGINES = ("seasonal_naive", "naive")
ENGINES = (*STATS_ENGINES, "seasonal_profile", *LIGHTGBM_ENGINES)
LONG_SEASON = 24  # AutoETS/AutoCES cannot use longer seasons and AutoTheta/ARIMA get very slow
SMALL_PANEL = 100  # daily panels up to this many series also try MSTL


@dataclass(frozen=True)
class EngineContext:
    h: int
    freq: str  # pandas alias of the series' spacing, e.g. "W-MON", "MS", "D"
    season: int
    n_jobs: int = 1
    seed: int = 0
    drivers: tuple[str, ...] = ()  # columns of the train and future frames known ahead (promotions, holidays)


def default_engines(
    season: int, intermittent: bool, min_length: int, *, daily: bool = False, series: int = 0
) -> list[str]:
    """Sensible candidates for one group of series, cheap enough to backtest on 2 cores.

    ``min_length`` is the shortest full history: MSTL joins when it holds two seasons (backtest
    windows too short for it fall back to the seasonal naive forecast).
    """
    if intermittent:
        # the median model: where most days sell nothing, the mean is a poor forecast of absolute errors
        engines = ["croston_optimized", "adida", "imapa", "tsb", "seasonal_naive", "lightgbm"]
        return engines + (["lightgbm_direct", "lightgbm_median"] if daily else [])
    if daily:
        # daily shop data: thousands of long series, where the global models carry the accuracy and
        # AutoETS/AutoTheta/AutoCES cost minutes (see README, forecast bench suite)
        engines = ["seasonal_naive", "seasonal_profile", "lightgbm", "lightgbm_direct"]
        if min_length >= 2 * season and series <= SMALL_PANEL:
            engines.append("mstl")
        return engines
    if season > LONG_SEASON:
        engines = ["seasonal_naive", "seasonal_profile", "lightgbm"]
        if min_length >= 2 * season:
            engines.append("mstl")
        return engines
    engines = ["seasonal_naive", "auto_ets", "auto_theta", "auto_ces", "seasonal_profile", "lightgbm"]
    if season > 1 and min_length >= 2 * season:
        engines.append("mstl")
    return engines


def stl_jumps(season: int, seasonal_window: int = 11) -> dict[str, int]:
    """R ``stl()``'s default LOESS jumps (a tenth of each window) for statsmodels' STL.

    statsmodels evaluates every LOESS at every point (jump 1); R evaluates every tenth and
    interpolates. On Walmart (2,660 weekly series, season 52) that makes MSTL 2x faster with the
    same forecasts to the MASE's third decimal (0.7556 vs 0.7555).
    """
    trend_window = math.floor(1.5 * season / (1 - 1.5 / seasonal_window)) + 1
    trend_window += 1 - trend_window % 2  # the smallest odd integer above, as statsmodels picks it
    low_pass_window = season + 1 + season % 2  # the smallest odd integer above the season
    return {
        "seasonal_jump": math.ceil(seasonal_window / 10),
        "trend_jump": math.ceil(trend_window / 10),
        "low_pass_jump": math.ceil(low_pass_window / 10),
    }


def _stats_model(name: str, season: int):
    from statsforecast import models as m

    seasonal = season if season > 1 else 1
    table = {
        "seasonal_naive": lambda: m.SeasonalNaive(season_length=seasonal, alias=name),
        "naive": lambda: m.Naive(alias=name),
        "auto_ets": lambda: m.AutoETS(season_length=seasonal if seasonal <= LONG_SEASON else 1, alias=name),
        "auto_theta": lambda: m.AutoTheta(season_length=seasonal, alias=name),
        "theta": lambda: m.Theta(season_length=seasonal, alias=name),
        "auto_ces": lambda: m.AutoCES(season_length=seasonal if seasonal <= LONG_SEASON else 1, alias=name),
        # the trend of MSTL goes to optimised simple exponential smoothing: as accurate as AutoETS
        # there on weekly store data (Walmart: MASE 0.756 vs 0.775) and twice as fast
        "mstl": lambda: m.MSTL(
            season_length=seasonal,
            trend_forecaster=m.SimpleExponentialSmoothingOptimized(),
            stl_kwargs=stl_jumps(seasonal),
            alias=name,
        ),
        "croston_optimized": lambda: m.CrostonOptimized(alias=name),
        "adida": lambda: m.ADIDA(alias=name),
        "imapa": lambda: m.IMAPA(alias=name),
        "tsb": lambda: m.TSB(alpha_d=0.2, alpha_p=0.2, alias=name),
    }
    return table[name]()


def forecast_stats(train: pd.DataFrame, names: Sequence[str], ctx: EngineContext) -> pd.DataFrame:
    """Run statsforecast models together (one pass over the data); a failing fit falls back to naive."""
    from statsforecast import StatsForecast
    from statsforecast.models import Naive, SeasonalNaive

    fallback = SeasonalNaive(season_length=ctx.season) if ctx.season > 1 else Naive()
    sf = StatsForecast(
        models=[_stats_model(n, ctx.season) for n in names],
        freq=ctx.freq,
        # one process: the second core goes to LightGBM, which run_engines runs beside these models
        n_jobs=1,
        fallback_model=fallback,
    )
    out = sf.forecast(df=train[["unique_id", "ds", "y"]], h=ctx.h)
    out = out.reset_index() if "unique_id" not in out.columns else out
    return out[["unique_id", "ds", *names]]


def forecast_seasonal_profile(train: pd.DataFrame, ctx: EngineContext, rank: int = 20) -> pd.DataFrame:
    """Last one and two seasons, de-noised across series and shifted to the current level.

    Each series is projected on the ``rank`` main components of all series (z-scored), which keeps
    the shared seasonal shape and drops one-off noise; the forecast averages the de-noised values one
    and two seasons back, each moved by the gap between the latest ``w`` periods and the same
    periods a season earlier. Written here because no library has it and it is both far faster and
    more accurate than MSTL on long seasons (Walmart weekly, h=13: MASE 0.766 in under a second vs
    MSTL 0.775 in 74 s).
    """
    season, h = ctx.season, ctx.h
    w = max(4, season // 4) if season > 1 else 4
    out = []
    groups = {uid: g["y"].to_numpy(dtype=float) for uid, g in train.groupby("unique_id", sort=True)}
    lengths = {uid: len(v) for uid, v in groups.items()}
    window = 2 * season + w if season > 1 else w
    full = [uid for uid, n in lengths.items() if n >= window]
    denoised: dict[str, np.ndarray] = {}
    if len(full) >= 10 and season > 1:
        matrix = np.stack([groups[uid][-window:] for uid in full])
        mean = matrix.mean(1, keepdims=True)
        std = matrix.std(1, keepdims=True) + 1e-9
        u, s, vt = np.linalg.svd((matrix - mean) / std, full_matrices=False)
        k = min(rank, max(1, len(full) // 5))
        recon = (u[:, :k] * s[:k]) @ vt[:k] * std + mean
        for row, uid in enumerate(full):
            series = groups[uid].copy()
            series[-window:] = recon[row]
            denoised[uid] = series
    last_ds = train.groupby("unique_id", sort=True)["ds"].max()
    future_dates = {d: pd.date_range(d, periods=h + 1, freq=ctx.freq)[1:] for d in last_ds.unique()}
    for uid, y in groups.items():
        z = denoised.get(uid, y)
        n = len(y)
        lags = [lag for lag in (season, 2 * season) if season > 1 and n >= lag + w]
        if not lags:
            level = y[-min(n, w) :].mean()
            values = np.full(h, level)
        else:
            paths = []
            for lag in lags:
                ext = np.concatenate([z, np.empty(h)])
                shift = y[n - w :].mean() - z[n - w - lag : n - lag].mean()
                for j in range(h):  # beyond one season ahead, repeat the (already shifted) forecast
                    ext[n + j] = ext[n + j - lag] + (shift if j < lag else 0.0)
                paths.append(ext[n:])
            values = np.mean(paths, axis=0)
        out.append((uid, future_dates[last_ds[uid]], values))
    return pd.DataFrame(
        {
            "unique_id": np.repeat([uid for uid, _, _ in out], h),
            "ds": np.concatenate([dates for _, dates, _ in out]),
            "seasonal_profile": np.concatenate([values for _, _, values in out]),
        }
    )


def forecast_lightgbm(
    train: pd.DataFrame,
    ctx: EngineContext,
    future: pd.DataFrame | None = None,
    static: pd.DataFrame | None = None,
    levels: Sequence[int] = (),
    interval_windows: int = 3,
    threads: int | None = None,
) -> pd.DataFrame:
    """One LightGBM model over all series (mlforecast): lags, rolling means, calendar, drivers.

    Targets are standardised per series so that big and small series share one model; the
    ``ctx.drivers`` columns are read from ``train`` and, for the forecast, from ``future``; rows
    whose ``observed`` is false (closed or missing periods, filled) are not learnt from.
    ``levels`` adds mlforecast's own conformal intervals (``lightgbm-lo-L``/``lightgbm-hi-L``, from
    ``interval_windows`` backtest windows, at least the two mlforecast needs), which the bench's
    baseline reports. LightGBM gets ``threads`` (default ``n_jobs - 1``, at least one): fitted
    stats engines run beside it on the other core, and OpenMP threads that share a busy core spin
    (4x the CPU time on 2 shared cores).
    """
    import lightgbm as lgb
    from mlforecast import MLForecast
    from mlforecast.lag_transforms import RollingMean
    from mlforecast.target_transforms import LocalStandardScaler
    from mlforecast.utils import PredictionIntervals

    season, h = ctx.season, ctx.h
    min_len = int(train.groupby("unique_id").size().min())
    lags = sorted({lag for lag in (1, 2, 3, 4, 7, 8, 13, season - 1, season, season + 1) if 1 <= lag < min_len - 2})
    # mlforecast's hints name only callables, but its lag-transform objects (RollingMean) are what it documents
    lag_transforms: dict[int, list[Any]] = {1: [RollingMean(window_size=4)]}
    if min_len > 16:
        lag_transforms[1].append(RollingMean(window_size=min(13, max(2, season // 4))))
    date_features = {"D": ["dayofweek", "day", "month"], "W": ["week", "month"], "M": ["month"]}
    kind = "D" if ctx.freq == "D" else "M" if ctx.freq.startswith("M") else "W"
    drivers = list(ctx.drivers) if future is not None else []
    model = lgb.LGBMRegressor(
        n_estimators=150,
        learning_rate=0.08,
        num_leaves=31,
        max_bin=63,
        min_child_samples=20,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        random_state=ctx.seed,
        n_jobs=threads or max(1, ctx.n_jobs - 1),
        verbose=-1,
    )
    fcst = MLForecast(
        models={"lightgbm": model},
        freq=ctx.freq,
        lags=lags or [1],
        lag_transforms=lag_transforms,
        date_features=date_features[kind],
        target_transforms=[LocalStandardScaler()],
        num_threads=threads or max(1, ctx.n_jobs - 1),
    )
    data = train[["unique_id", "ds", "y", *drivers]].copy()
    for col in drivers:
        if not pd.api.types.is_numeric_dtype(data[col]):
            data[col] = data[col].astype("category")
    weight_col = None
    if "observed" in train.columns and not train["observed"].all():
        data["_weight"] = train["observed"].astype(float).to_numpy()
        weight_col = "_weight"
    static_cols: list[str] = []
    if static is not None and len(static.columns) > 1:
        data = data.merge(static, on="unique_id", how="left")
        static_cols = [c for c in static.columns if c != "unique_id"]
        for col in static_cols:
            if not pd.api.types.is_numeric_dtype(data[col]):
                data[col] = data[col].astype("category")
    needed = max(lags or [1]) + 4  # the longest lag plus the rolling window must leave rows to learn from
    if min_len <= needed:
        return _no_forecast(train, ctx, "lightgbm")
    intervals = PredictionIntervals(n_windows=max(2, interval_windows), h=h) if levels else None
    fcst.fit(data, static_features=static_cols, dropna=True, prediction_intervals=intervals, weight_col=weight_col)
    x_df = None
    if drivers and future is not None:
        x_df = future[["unique_id", "ds", *drivers]].copy()
        for col in drivers:
            if isinstance(data[col].dtype, pd.CategoricalDtype):
                x_df[col] = pd.Categorical(x_df[col], categories=data[col].cat.categories)
    out = fcst.predict(h, X_df=x_df, level=list(levels) or None)
    bounds = [f"lightgbm-{b}-{lv}" for lv in levels for b in ("lo", "hi")]
    return out[["unique_id", "ds", "lightgbm", *bounds]]


def forecast_direct(
    train: pd.DataFrame,
    ctx: EngineContext,
    future: pd.DataFrame,
    static: pd.DataFrame | None,
    threads: int,
    name: str = "lightgbm_direct",
) -> pd.DataFrame:
    """The direct global model (``global_model``) as an engine; ``lightgbm_median`` fits the median."""
    from tendero.forecasting.global_model import forecast_lightgbm_direct

    return forecast_lightgbm_direct(
        train,
        future,
        h=ctx.h,
        freq=ctx.freq,
        season=ctx.season,
        drivers=list(ctx.drivers),
        static=static,
        seed=ctx.seed,
        threads=threads,
        name=name,
        objective="l1" if name == "lightgbm_median" else "l2",
    )


def _no_forecast(train: pd.DataFrame, ctx: EngineContext, name: str) -> pd.DataFrame:
    """An engine that cannot fit this history answers NaN for the next ``h`` periods of every series;
    the forecaster then treats it as having produced nothing (its candidates' median stands in)."""
    offset = pd.tseries.frequencies.to_offset(ctx.freq)
    last = train.groupby("unique_id")["ds"].max()
    rows = [(uid, end + offset * step) for uid, end in last.items() for step in range(1, ctx.h + 1)]
    frame = pd.DataFrame(rows, columns=["unique_id", "ds"])
    frame[name] = np.nan
    return frame


def future_frame(train: pd.DataFrame, ctx: EngineContext) -> pd.DataFrame:
    """``unique_id, ds`` of the ``h`` periods after each series' last period (no drivers)."""
    return _no_forecast(train, ctx, "_").drop(columns="_")


def run_engines(
    train: pd.DataFrame,
    names: Sequence[str],
    ctx: EngineContext,
    future: pd.DataFrame | None = None,
    static: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """All requested engines on one training frame, as ``unique_id, ds, <engine>...`` columns.

    ``future`` holds the forecast periods with the ``ctx.drivers`` values (needed when there are
    drivers). With ``ctx.n_jobs`` above one, the LightGBM engines train in a second thread (they
    release the GIL) while the statistical engines run here; library warnings are silenced once,
    for both threads, since ``warnings.catch_warnings`` is not thread-safe.
    """
    unknown = [n for n in names if n not in ENGINES]
    if unknown:
        raise ValueError(f"engines: unknown engine(s) {unknown}; known: {', '.join(ENGINES)}")
    if not names:
        raise ValueError("engines: at least one engine is needed")
    if future is None:
        future = future_frame(train, ctx)
    pieces: list[pd.DataFrame] = []
    stats = [n for n in names if n in STATS_ENGINES]
    # only fitted statistical models are worth a core of their own; the naive ones and the seasonal
    # profile take seconds, so beside them the global models get every thread
    local = any(n not in CHEAP_ENGINES for n in stats)
    global_names = [n for n in names if n in LIGHTGBM_ENGINES]
    threads = max(1, ctx.n_jobs - 1) if local else ctx.n_jobs

    def fit_global() -> list[pd.DataFrame]:
        out = []
        if "lightgbm" in global_names:
            out.append(forecast_lightgbm(train, ctx, future=future, static=static, threads=threads))
        for name in ("lightgbm_direct", "lightgbm_median"):
            if name in global_names:
                out.append(forecast_direct(train, ctx, future, static, threads, name))
        return out

    with warnings.catch_warnings(), ThreadPoolExecutor(max_workers=1) as beside:
        warnings.simplefilter("ignore")
        background = None
        if global_names:
            if ctx.n_jobs > 1 and local:
                background = beside.submit(fit_global)
            else:
                pieces.extend(fit_global())
        if stats:
            pieces.append(forecast_stats(train, stats, ctx))
        if "seasonal_profile" in names:
            pieces.append(forecast_seasonal_profile(train, ctx))
        if background is not None:
            pieces.extend(background.result())
    merged = pieces[0]
    merged["unique_id"] = merged["unique_id"].astype(str)
    for piece in pieces[1:]:
        piece["unique_id"] = piece["unique_id"].astype(str)
        merged = merged.merge(piece, on=["unique_id", "ds"], how="outer")
    return merged[["unique_id", "ds", *names]].sort_values(["unique_id", "ds"]).reset_index(drop=True)
