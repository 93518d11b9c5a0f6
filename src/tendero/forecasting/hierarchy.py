"""Coherent totals: the total is the sum of its parts (bottom-up), with its own calibrated interval.

Summing interval bounds would overstate the total's uncertainty (errors partly cancel), so the
total's interval is calibrated on the summed backtest errors, exactly like a series' own.
"""

from __future__ import annotations

import pandas as pd

from tendero.forecasting.calibration import conformal_quantiles, interval_centre
from tendero.forecasting.metrics import series_scales


def bottom_up(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    backtest: pd.DataFrame,
    season: int,
    levels: tuple[int, ...] | list[int] = (80, 95),
    total_id: str = "total",
    nonnegative: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Aggregate series to one total: (history ``unique_id, ds, y``, forecast with ``lo-L``/``hi-L``)."""
    total_history = history.groupby("ds", as_index=False)["y"].sum()
    total_history.insert(0, "unique_id", total_id)
    # the total is the sum of the parts' means: a sum of slow movers' medians (often 0) would miss it
    means = forecast.assign(yhat=interval_centre(forecast))
    point = means.groupby("ds", as_index=False)["yhat"].sum().sort_values("ds")
    point.insert(0, "unique_id", total_id)
    point["step"] = range(1, len(point) + 1)
    scale = float(series_scales(total_history, season)["mae_scale"].iloc[0])
    backtest_means = backtest.assign(yhat=interval_centre(backtest))
    summed = backtest_means.groupby(["cutoff", "ds", "step"], as_index=False)[["y", "yhat"]].sum()
    errors = pd.DataFrame(
        {"step": summed["step"], "cutoff": summed["cutoff"], "e": (summed["y"] - summed["yhat"]) / scale}
    )
    quantiles = conformal_quantiles(errors, len(point), tuple(levels))
    out = point.copy()
    for level in levels:
        q = quantiles[quantiles["level"] == level].set_index("step")
        lo = out["yhat"] + out["step"].map(q["lo_q"]) * scale
        hi = out["yhat"] + out["step"].map(q["hi_q"]) * scale
        if nonnegative:
            lo, hi = lo.clip(lower=0), hi.clip(lower=0)
        out[f"lo-{level}"] = lo.where(lo <= out["yhat"], out["yhat"])
        out[f"hi-{level}"] = hi.where(hi >= out["yhat"], out["yhat"])
    return total_history, out.drop(columns="step").reset_index(drop=True)
