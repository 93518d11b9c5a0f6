"""Forecast accuracy measures, scaled per series so that series of any size weigh the same.

MASE and RMSSE divide by the in-sample error of the seasonal naive forecast (falling back to the
one-step naive when the history is shorter than two seasons, and to the mean level when that is zero).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def series_scales(history: pd.DataFrame, season: int) -> pd.DataFrame:
    """Per series: ``mae_scale`` (MASE denominator) and ``mse_scale`` (RMSSE denominator)."""
    rows = []
    for uid, y in history.sort_values(["unique_id", "ds"]).groupby("unique_id", sort=False)["y"]:
        values = y.to_numpy(dtype=float)
        rows.append((uid, *_scales(values, season)))
    return pd.DataFrame(rows, columns=["unique_id", "mae_scale", "mse_scale"]).set_index("unique_id")


def _scales(values: np.ndarray, season: int) -> tuple[float, float]:
    """NaN values (unobserved periods) are left out: a difference needs both of its ends observed."""
    lag = season if season > 1 and len(values) > season else 1
    observed = values[np.isfinite(values)]
    if len(values) <= lag:
        level = float(np.mean(np.abs(observed))) if len(observed) else 1.0
        level = level if level > 0 else 1.0
        return level, level**2
    diff = values[lag:] - values[:-lag]
    diff = diff[np.isfinite(diff)]
    mae = float(np.mean(np.abs(diff))) if len(diff) else 0.0
    mse = float(np.mean(diff**2)) if len(diff) else 0.0
    if mae <= 0:
        level = float(np.mean(np.abs(observed))) if len(observed) else 1.0
        level = level if level > 0 else 1.0
        return level, level**2
    return mae, mse


def score_forecasts(
    actuals: pd.DataFrame,
    forecasts: pd.DataFrame,
    scales: pd.DataFrame,
    column: str = "yhat",
    levels: tuple[int, ...] = (80, 95),
) -> dict[str, float]:
    """MASE, RMSSE (mean over series), WAPE, sMAPE (%), coverage, scaled 80 % width and interval score.

    ``forecasts`` holds ``unique_id, ds, column`` and, for each level L, ``lo-L`` and ``hi-L``.
    ``msis_L`` is the scaled interval score of the L % interval (M4's MSIS: width plus 2/alpha times
    each miss, over the series' scale, mean per series): a narrower interval that still covers
    scores lower, a too-narrow one pays for every miss.
    """
    merged = actuals[["unique_id", "ds", "y"]].merge(forecasts, on=["unique_id", "ds"], how="inner")
    merged = merged.join(scales, on="unique_id")
    error = merged["y"] - merged[column]
    merged["abs_scaled"] = error.abs() / merged["mae_scale"]
    merged["sq_scaled"] = error**2 / merged["mse_scale"]
    per_series = merged.groupby("unique_id").agg(mase=("abs_scaled", "mean"), msse=("sq_scaled", "mean"))
    denom = merged["y"].abs() + merged[column].abs()
    smape = np.where(denom > 0, 2 * error.abs() / denom.where(denom > 0, 1.0), 0.0)
    out = {
        "mase": float(per_series["mase"].mean()),
        "rmsse": float(np.sqrt(per_series["msse"]).mean()),
        "smape": float(100 * np.mean(smape)),
    }
    actual_total = float(merged["y"].abs().sum())
    if actual_total > 0:  # every actual zero: WAPE is undefined, left out rather than an error over 1e-12
        out["wape"] = float(error.abs().sum() / actual_total)
    for level in levels:
        lo, hi = f"lo-{level}", f"hi-{level}"
        if lo in merged and hi in merged:
            inside = (merged["y"] >= merged[lo]) & (merged["y"] <= merged[hi])
            out[f"coverage_{level}"] = float(inside.mean())
            alpha = 1 - level / 100
            below = (merged[lo] - merged["y"]).clip(lower=0)
            above = (merged["y"] - merged[hi]).clip(lower=0)
            score = (merged[hi] - merged[lo] + 2 / alpha * (below + above)) / merged["mae_scale"]
            out[f"msis_{level}"] = float(score.groupby(merged["unique_id"]).mean().mean())
    if "lo-80" in merged and "hi-80" in merged:
        width = (merged["hi-80"] - merged["lo-80"]) / merged["mae_scale"]
        out["scaled_width_80"] = float(width.groupby(merged["unique_id"]).mean().mean())
    return out
