"""A direct global LightGBM model: one model over all series, no recursion over the horizon.

mlforecast's recursive model feeds its own forecasts back as lags: fine for a few steps, but over
48 or 90 days its errors compound. This model reads only what is known for every day of the
horizon: the series' own past at least ``h`` periods back (levels over one, four and thirteen
seasons, the same season position's recent values, last year's value), the calendar, holidays,
the data's drivers (promotions, prices) and the series' attributes. Targets and levels are
divided by each series' recent mean, so a big store and a small one share one model; unobserved
periods (closed, missing) are never targets. Written here because no library builds horizon-safe
features for a global model; the bench (``tendero bench forecast --suite``) carries its figures.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from tendero.forecasting.drivers import calendar_frame, encode_drivers

YEAR = {"D": 364, "W": 52, "M": 12}  # a year back, keeping the weekday for daily data
WINDOWS = {"D": (7, 28, 91), "W": (4, 13, 52), "M": (3, 6, 12)}  # level windows: a week/month/quarter
MIN_TRAIN_ROWS = 200
PARAMS: dict[str, Any] = {  # LightGBM keyword arguments (numbers and flags alike)
    "n_estimators": 400,
    "learning_rate": 0.05,
    "num_leaves": 63,
    "min_child_samples": 40,
    "subsample": 0.7,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "max_bin": 127,
    "reg_lambda": 1.0,
    "verbose": -1,
}


def forecast_lightgbm_direct(
    train: pd.DataFrame,
    future: pd.DataFrame,
    *,
    h: int,
    freq: str,
    season: int,
    drivers: list[str],
    static: pd.DataFrame | None = None,
    seed: int = 0,
    threads: int = 1,
    name: str = "lightgbm_direct",
    objective: str = "l2",
) -> pd.DataFrame:
    """``unique_id, ds, <name>`` for the rows of ``future`` (the ``h`` periods after ``train``).

    ``objective`` "l2" forecasts the mean; "l1" the median, which scores better on absolute errors
    where most days sell nothing (intermittent items).
    """
    import lightgbm as lgb

    frame = _stack(train, future, drivers)
    features, columns = _features(frame, h=h, freq=freq, season=season, drivers=drivers, static=static)
    target = frame["_z"].to_numpy()
    usable = frame["_train"].to_numpy() & features["_valid"].to_numpy() & np.isfinite(target)
    out = frame.loc[~frame["_train"], ["unique_id", "ds"]].copy()
    if usable.sum() < MIN_TRAIN_ROWS:
        out[name] = np.nan
        return out.reset_index(drop=True)
    model = lgb.LGBMRegressor(**PARAMS, objective=objective, random_state=seed, n_jobs=threads)
    model.fit(features.loc[usable, columns], target[usable])
    future_rows = ~frame["_train"].to_numpy()
    predicted = model.predict(features.loc[future_rows, columns])
    out[name] = predicted * frame.loc[future_rows, "_scale"].to_numpy()
    return out.reset_index(drop=True)


def _stack(train: pd.DataFrame, future: pd.DataFrame, drivers: list[str]) -> pd.DataFrame:
    """History and future rows of each series, contiguous and in order, with the scaled target."""
    observed = train["observed"] if "observed" in train.columns else pd.Series(True, index=train.index)
    past = train[["unique_id", "ds", "y", *drivers]].assign(_observed=observed.to_numpy(), _train=True)
    ahead = future[["unique_id", "ds", *drivers]].assign(y=np.nan, _observed=False, _train=False)
    frame = pd.concat([past, ahead], ignore_index=True).sort_values(["unique_id", "ds"], kind="stable")
    frame = frame.reset_index(drop=True)
    # each series' level: the mean of its observed values over its last year of history
    recent = past[past["_observed"]].groupby("unique_id").tail(365)
    scale = recent["y"].abs().groupby(recent["unique_id"]).mean()
    scale = scale.where(scale > 0, 1.0)
    frame["_scale"] = frame["unique_id"].map(scale).fillna(1.0).to_numpy()
    frame["_z"] = (frame["y"] / frame["_scale"]).where(frame["_observed"])
    frame["_filled"] = frame["y"] / frame["_scale"]  # filled values: what lags read
    return frame


def _features(
    frame: pd.DataFrame, *, h: int, freq: str, season: int, drivers: list[str], static: pd.DataFrame | None
) -> tuple[pd.DataFrame, list[str]]:
    """Horizon-safe lags (at least ``h`` back), calendar, drivers and attributes; ``_valid`` rows have them all."""
    values = frame["_filled"].to_numpy(dtype=float)
    position = frame.groupby("unique_id", sort=False).cumcount().to_numpy()
    sums = np.concatenate([[0.0], np.cumsum(np.nan_to_num(values))])
    index = np.arange(len(frame))
    out = pd.DataFrame(index=frame.index)
    needed = np.zeros(len(frame), dtype=int)
    period = max(season, 1)

    def window_mean(lag: int, width: int) -> np.ndarray:
        start, stop = index - lag - width + 1, index - lag + 1
        ok = position >= lag + width - 1
        result = np.full(len(frame), np.nan)
        result[ok] = (sums[stop[ok]] - sums[start[ok]]) / width
        return result

    for width in WINDOWS.get(freq[0], (period,)):
        out[f"mean_{width}"] = window_mean(h, width)
        needed = np.maximum(needed, h + width - 1)
    year = YEAR.get(freq[0], 0)
    if 1 < season < year:
        first = math.ceil(h / season) * season
        same = np.column_stack([_lag(values, position, first + j * season) for j in range(4)])
        out["same_position_mean"] = np.nanmean(np.where(np.isfinite(same), same, np.nan), axis=1)
        out["same_position_last"] = same[:, 0]
        needed = np.maximum(needed, first)
    if year >= h:
        out["last_year"] = _lag(values, position, year)
        out["last_year_mean"] = window_mean(year, period)
    out["_valid"] = position >= needed
    calendar = calendar_frame(frame["ds"], freq)
    cal = calendar.reindex(frame["ds"]).reset_index(drop=True)
    cal.index = frame.index
    for col in cal.columns:
        out[col] = cal[col].to_numpy()
    encoded = encode_drivers(frame, drivers)
    for col in encoded.columns:
        out[col] = encoded[col].to_numpy()
    if static is not None and len(static.columns) > 1:
        attrs = static.drop_duplicates("unique_id").set_index("unique_id")
        attr_cols = [c for c in attrs.columns if c not in out.columns]
        coded = encode_drivers(attrs, attr_cols)
        for col in attr_cols:
            out[col] = frame["unique_id"].map(coded[col]).to_numpy()
    columns = [c for c in out.columns if c != "_valid"]
    return out, columns


def _lag(values: np.ndarray, position: np.ndarray, lag: int) -> np.ndarray:
    result = np.full(len(values), np.nan)
    ok = position >= lag
    result[ok] = values[np.flatnonzero(ok) - lag]
    return result
