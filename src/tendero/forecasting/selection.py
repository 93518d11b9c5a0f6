"""Choosing what to forecast with: every engine and ensemble scored on the backtests, best MASE wins.

The choice is made per group of series (smooth / intermittent) or per series; ensembles are the
median of all engines, the mean and median of the best three, and a weighted mean of the best
three (weights 1/MASE^2). Where a group's series are counts, every candidate is also scored as its
count median (``count_median``), and the group keeps the better of the two. The final refit then
needs only the engines the winners are made of.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

ENSEMBLES = ("median_all", "mean_top3", "median_top3", "weighted")


@dataclass
class Choice:
    """What was chosen and its evidence; ``series`` maps each series to its candidate."""

    series: pd.Series  # unique_id -> candidate
    chosen_of: dict[str, str]  # group -> candidate
    ranking_of: dict[str, list[str]]  # group -> engines, best first
    weights_of: dict[str, dict[str, float]]  # group -> engine weights of the "weighted" ensemble
    scores: pd.DataFrame  # group, candidate, count_median, mase, chosen
    counts: pd.Series = field(default_factory=lambda: pd.Series(dtype=bool))  # unique_id -> history of counts
    count_median_groups: set[str] = field(default_factory=set)  # groups forecast as their count median


def count_median(mean: np.ndarray | pd.Series) -> np.ndarray:
    """The median of a Poisson count with the given mean (NaN stays NaN; a negative mean counts as 0).

    Absolute errors (MASE) are smallest at the median of what will be sold, not at its mean; for a
    count the median is a whole number, and below a mean of ln 2 it is 0. On a slow mover that sells
    nothing on half its days, the mean (0.7 a day) errs on every day and the median (0) only on the
    days with a sale. The median lies within [mean - ln 2, mean + 1/3] (Choi 1994): at most two
    whole numbers, told apart by the Poisson CDF (``scipy.special.pdtr``, 40x faster than
    ``scipy.stats.poisson.median``).
    """
    lam = np.clip(np.asarray(mean, dtype=float), 0.0, None)
    low = np.maximum(np.ceil(lam - math.log(2.0)), 0.0)
    with np.errstate(invalid="ignore"):
        return np.where(special.pdtr(low, lam) < 0.5, low + 1.0, low)


def whole_numbers(history: pd.DataFrame) -> pd.Series:
    """Per series of ``history``: True where every observed value is a whole number (units sold, not money
    with cents), so that its forecast may be a count's median."""
    observed = history["y"].where(history["observed"]) if "observed" in history.columns else history["y"]
    fractional = (observed - np.floor(observed)).abs() > 1e-9
    return ~fractional.groupby(history["unique_id"]).any()


def choose(
    backtest: pd.DataFrame,
    engines_of: dict[str, list[str]],
    groups: pd.Series,
    selection: str,
    counts: pd.Series | None = None,
) -> tuple[Choice, pd.DataFrame]:
    """Score every candidate per group on ``backtest`` (observed rows); returns the choice and the
    backtest with each candidate's column, the chosen candidate's forecast (``mean``) and the point
    forecast (``yhat``: ``mean``, or its count median, see below).

    ``counts`` (unique_id -> bool, see ``whole_numbers``) marks series of counts: in a group that has
    them, every candidate is also scored with those series' forecasts as their count median, and the
    group is forecast that way when its best such candidate beats the best plain one. Its intervals
    still come from the errors around ``mean``, and sums over days or series add the means.
    """
    counts = counts if counts is not None else pd.Series(dtype=bool)
    score_rows = []
    chosen_of: dict[str, str] = {}
    weights_of: dict[str, dict[str, float]] = {}
    ranking_of: dict[str, list[str]] = {}
    medians: set[str] = set()
    parts, scored_parts = [], {}
    for group, engines in engines_of.items():
        part = backtest[backtest["group"] == group]
        if part.empty:
            continue
        part = part.copy()
        for e in engines:  # an engine that produced nothing is replaced by the per-row median
            part[e] = part[e].fillna(part[engines].median(axis=1))
        single = {e: mase(part, e) for e in engines}
        ranking = sorted(single, key=lambda e: single[e])
        ranking_of[group] = ranking
        weights = {e: 1.0 / max(single[e], 1e-9) ** 2 for e in ranking[:3]}
        weights_of[group] = weights
        part = combine(part, engines, ranking)
        part["weighted"] = weighted(part, weights)
        candidates = [*engines, *ENSEMBLES] if len(engines) >= 3 else list(engines)
        scores = {c: mase(part, c) for c in candidates}
        best = min(scores, key=lambda c: scores[c])
        as_medians = as_count_medians(part, candidates, counts)
        median_scores = {c: mase(as_medians, c) for c in candidates} if as_medians is not part else {}
        best_median = min(median_scores, key=lambda c: median_scores[c], default=None)
        use_medians = best_median is not None and median_scores[best_median] < scores[best]
        if use_medians:
            best = str(best_median)
            medians.add(str(group))
        chosen_of[group] = best
        for c, s in scores.items():
            score_rows.append((group, c, False, s, c == best and not use_medians))
        for c, s in median_scores.items():
            score_rows.append((group, c, True, s, c == best and use_medians))
        parts.append(part)
        scored_parts[group] = as_medians if use_medians else part
    backtest = pd.concat(parts, ignore_index=True)
    scored = pd.DataFrame(score_rows, columns=["group", "candidate", "count_median", "mase", "chosen"])
    series_choice = groups.map(chosen_of).rename("chosen")
    if selection == "series":
        for group, part in scored_parts.items():
            cands = scored.loc[scored["group"] == group, "candidate"].unique().tolist()
            err = part[cands].sub(part["y"], axis=0).abs().div(part["mae_scale"], axis=0)
            per = err.groupby(part["unique_id"]).mean()
            series_choice.loc[per.index] = per.idxmin(axis=1)
    choice = Choice(series_choice, chosen_of, ranking_of, weights_of, scored, counts, medians)
    backtest["chosen"] = backtest["unique_id"].map(series_choice)
    backtest["mean"] = pick(backtest)
    backtest["yhat"] = point_forecast(backtest, choice)
    return choice, backtest


def point_forecast(frame: pd.DataFrame, choice: Choice) -> np.ndarray:
    """Each row's point forecast: its ``mean``, or the count median of it for a count series of a group
    that ``choice`` forecasts as count medians."""
    mean = frame["mean"].to_numpy(dtype=float)
    if not choice.count_median_groups:
        return mean
    rows = frame["group"].isin(choice.count_median_groups) & frame["unique_id"].map(choice.counts).fillna(False)
    return np.where(rows.to_numpy(dtype=bool), count_median(mean), mean)


def as_count_medians(frame: pd.DataFrame, columns: list[str], counts: pd.Series) -> pd.DataFrame:
    """``frame`` with ``columns`` replaced by their count median on the rows of count series (``frame``
    itself when it has none)."""
    rows = frame["unique_id"].map(counts).fillna(False).astype(bool).to_numpy()
    if not rows.any():
        return frame
    out = frame.copy()
    for column in columns:
        values = out[column].to_numpy(dtype=float)
        out[column] = np.where(rows, count_median(values), values)
    return out


def combine(frame: pd.DataFrame, engines: list[str], ranking: list[str]) -> pd.DataFrame:
    """Ensemble columns next to the engine columns; ``ranking`` orders engines best first."""
    out = frame.copy()
    values = out[engines].to_numpy(dtype=float)
    out["median_all"] = np.nanmedian(values, axis=1)
    top = [e for e in ranking if e in engines][:3]
    out["mean_top3"] = out[top].mean(axis=1)
    out["median_top3"] = out[top].median(axis=1)
    return out


def weighted(frame: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    total = sum(weights.values())
    return sum(frame[e] * (w / total) for e, w in weights.items())


def engines_used(candidates: set[str], engines: list[str], ranking: list[str], weights: dict[str, float]) -> set[str]:
    """The engines whose forecasts the given candidates (engines or ensembles) are made of."""
    used: set[str] = set()
    for candidate in candidates:
        if candidate == "median_all":
            used.update(engines)
        elif candidate in ("mean_top3", "median_top3"):
            used.update([e for e in ranking if e in engines][:3])
        elif candidate == "weighted":
            used.update(weights)
        else:
            used.add(candidate)
    return used


def finish_candidates(
    frame: pd.DataFrame, needed: list[str], chosen: set[str], choice: Choice, group: str
) -> pd.DataFrame:
    """Fill engines' gaps with the candidates' median and add the ensembles ``chosen`` needs."""
    for e in needed:
        frame[e] = frame[e].fillna(frame[needed].median(axis=1))
    if chosen & {"median_all", "mean_top3", "median_top3"}:
        frame = combine(frame, needed, choice.ranking_of[group])
    if "weighted" in chosen:
        frame["weighted"] = weighted(frame, choice.weights_of[group])
    return frame


def pick(frame: pd.DataFrame) -> np.ndarray:
    """Each row's value from the column its ``chosen`` names."""
    out = np.full(len(frame), np.nan)
    for candidate in frame["chosen"].dropna().unique():
        mask = (frame["chosen"] == candidate).to_numpy()
        out[mask] = frame.loc[mask, candidate].to_numpy(dtype=float)
    return out


def mase(frame: pd.DataFrame, column: str) -> float:
    """Mean over series of the mean absolute error scaled by the series' ``mae_scale``."""
    err = (frame["y"] - frame[column]).abs() / frame["mae_scale"]
    return float(err.groupby(frame["unique_id"]).mean().mean())
