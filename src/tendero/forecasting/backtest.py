"""Rolling-origin backtests: cut the history ``h`` periods at a time and forecast what came next.

Window k (k = n..1) trains on everything up to ``end - k*h`` periods and forecasts the ``h`` periods
after it; only observed periods (not closed, not missing) are kept as evidence. Backtests run on a
seeded, group-stratified sample when there are many series: the choice and the calibration are
per group, and a sample of 600 series measures a group as well as all of them, for a fraction of
the time.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from tendero.catalogue.refusals import Refusal
from tendero.forecasting.engines import EngineContext, run_engines

MIN_TRAIN_PERIODS = 3


def sample_ids(groups: pd.Series, limit: int, seed: int) -> list[str]:
    """At most about ``limit`` series, each group represented in proportion to its size."""
    if len(groups) <= limit:
        return list(groups.index)
    rng = np.random.default_rng(seed)
    chosen: list[str] = []
    for _, members in groups.groupby(groups):
        take = max(1, round(limit * len(members) / len(groups)))
        ids = members.index.to_numpy()
        chosen.extend(rng.choice(ids, size=min(take, len(ids)), replace=False).tolist())
    return chosen


def window_cutoffs(last: pd.Timestamp, freq: str, h: int, n_windows: int) -> list[pd.Timestamp]:
    """The ``n_windows`` cutoffs, oldest first, ``h`` periods apart, the newest ``h`` before ``last``."""
    offset = pd.tseries.frequencies.to_offset(freq)
    return [last - offset * (k * h) for k in range(n_windows, 0, -1)]


def run_backtests(
    history: pd.DataFrame,
    groups: pd.Series,
    engines_of: dict[str, list[str]],
    ctx: EngineContext,
    *,
    n_windows: int,
    static: pd.DataFrame | None = None,
    on_window: Callable[[pd.Timestamp], None] | None = None,
) -> pd.DataFrame:
    """``unique_id, ds, cutoff, step, group, y, <engine>...`` for the observed periods of every window."""
    offset = pd.tseries.frequencies.to_offset(ctx.freq)
    windows = []
    for cutoff in window_cutoffs(history["ds"].max(), ctx.freq, ctx.h, n_windows):
        train = history[history["ds"] <= cutoff]
        ahead = history[(history["ds"] > cutoff) & (history["ds"] <= cutoff + offset * ctx.h)]
        enough = train.groupby("unique_id")["observed"].sum()
        enough = enough[enough >= MIN_TRAIN_PERIODS].index
        train, ahead = train[train["unique_id"].isin(enough)], ahead[ahead["unique_id"].isin(enough)]
        if train.empty or not ahead["observed"].any():
            continue
        # the panel is regular up to its end: each series' rows after the cutoff are steps 1..h
        ahead = ahead.sort_values(["unique_id", "ds"])
        ahead = ahead.assign(step=ahead.groupby("unique_id").cumcount() + 1)
        for group, engines in engines_of.items():
            ids = groups.index[groups == group]
            g_train = train[train["unique_id"].isin(ids)]
            if g_train.empty:
                continue
            g_future = ahead[ahead["unique_id"].isin(ids)]
            fc = run_engines(g_train, engines, ctx, future=g_future.drop(columns=["y"]), static=static)
            truth = g_future.loc[g_future["observed"], ["unique_id", "ds", "step", "y"]]
            fc = fc.merge(truth, on=["unique_id", "ds"], how="inner")
            fc["cutoff"] = cutoff
            fc["group"] = group
            windows.append(fc)
        if on_window is not None:
            on_window(cutoff)
    if not windows:
        raise Refusal("forecast.no_window")
    return pd.concat(windows, ignore_index=True)
