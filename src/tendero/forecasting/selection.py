"""Choosing what to forecast with: every engine and ensemble scored on the backtests, best MASE wins.

The choice is made per group of series (smooth / intermittent) or per series; ensembles are the
median of all engines, the mean and median of the best three, and a weighted mean of the best
three (weights 1/MASE^2). The final refit then needs only the engines the winners are made of.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ENSEMBLES = ("median_all", "mean_top3", "median_top3", "weighted")


@dataclass
class Choice:
    """What was chosen and its evidence; ``series`` maps each series to its candidate."""

    series: pd.Series  # unique_id -> candidate
    chosen_of: dict[str, str]  # group -> candidate
    ranking_of: dict[str, list[str]]  # group -> engines, best first
    weights_of: dict[str, dict[str, float]]  # group -> engine weights of the "weighted" ensemble
    scores: pd.DataFrame  # group, candidate, mase, chosen


def choose(
    backtest: pd.DataFrame, engines_of: dict[str, list[str]], groups: pd.Series, selection: str
) -> tuple[Choice, pd.DataFrame]:
    """Score every candidate per group on ``backtest`` (observed rows); returns the choice and the
    backtest with each candidate's column and the chosen ``yhat``."""
    score_rows = []
    chosen_of: dict[str, str] = {}
    weights_of: dict[str, dict[str, float]] = {}
    ranking_of: dict[str, list[str]] = {}
    parts = []
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
        chosen_of[group] = best
        for c, s in scores.items():
            score_rows.append((group, c, s, c == best))
        parts.append(part)
    backtest = pd.concat(parts, ignore_index=True)
    scored = pd.DataFrame(score_rows, columns=["group", "candidate", "mase", "chosen"])
    series_choice = groups.map(chosen_of).rename("chosen")
    if selection == "series":
        for group in chosen_of:
            part = backtest[backtest["group"] == group]
            cands = scored.loc[scored["group"] == group, "candidate"].tolist()
            err = part[cands].sub(part["y"], axis=0).abs().div(part["mae_scale"], axis=0)
            per = err.groupby(part["unique_id"]).mean()
            series_choice.loc[per.index] = per.idxmin(axis=1)
    backtest["chosen"] = backtest["unique_id"].map(series_choice)
    backtest["yhat"] = pick(backtest)
    choice = Choice(series_choice, chosen_of, ranking_of, weights_of, scored)
    return choice, backtest


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
