"""The built-in ``baseline`` kind: expected daily revenue by weekday, the yardstick every model must beat.

Small on purpose: it exercises the whole train → register → deploy → predict walk for every tenant.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from tendero.kinds import Frames, KindParams, Progress

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class BaselineParams(KindParams):
    weeks: int = Field(8, ge=1, le=520, description="weeks of history the weekday means use")
    holdout_days: int = Field(7, ge=1, le=365, description="last days kept aside to measure MAE")


class BaselineRequest(KindParams):
    """The body of ``POST /v1/models/{name}/predict`` for a baseline model."""

    days: list[date] = Field(min_length=1, max_length=366, description="days to predict, ISO dates")


class FittedBaseline:
    def __init__(self, weekday_means: list[float], last_day: str, metrics: dict[str, float]) -> None:
        self.weekday_means = weekday_means
        self.last_day = last_day
        self.metrics = metrics

    def predict(self, days: list[date]) -> list[float]:
        """Expected revenue for each day."""
        return [self.weekday_means[day.weekday()] for day in days]

    def serve(self, payload: Mapping[str, Any], language: str = "en") -> dict[str, Any]:
        """Revenue expected on each of the request's days (the answer has no text to translate)."""
        request = BaselineRequest.model_validate(payload)
        values = self.predict(request.days)
        rows = [{"day": day.isoformat(), "revenue": value} for day, value in zip(request.days, values, strict=True)]
        return {"predictions": rows}

    def save(self, folder: Path) -> None:
        body = {"weekday_means": self.weekday_means, "last_day": self.last_day, "metrics": self.metrics}
        (folder / "baseline.json").write_text(json.dumps(body))

    @classmethod
    def load(cls, folder: Path) -> FittedBaseline:
        body = json.loads((folder / "baseline.json").read_text())
        return cls(body["weekday_means"], body["last_day"], body["metrics"])

    def probe(self) -> list[float]:
        return self.predict([date.fromisoformat(self.last_day)])


def daily_revenue(order_lines: pd.DataFrame) -> pd.Series:
    """Revenue per calendar day, zero on days without sales (completed orders only)."""
    lines = order_lines[order_lines["status"].fillna("completed") != "cancelled"]
    if lines.empty:
        return pd.Series(dtype=float)
    daily = lines.groupby(lines["ordered_at"].dt.normalize())["revenue"].sum()
    full = pd.date_range(daily.index.min(), daily.index.max(), freq="D")
    return daily.reindex(full, fill_value=0.0)


def _weekday_means(daily: pd.Series) -> list[float]:
    means = daily.groupby(daily.index.weekday).mean()
    overall = float(daily.mean()) if len(daily) else 0.0
    return [float(means.get(day, overall)) for day in range(7)]


class BaselineKind:
    name: ClassVar[str] = "baseline"
    Params: ClassVar[type[KindParams]] = BaselineParams
    needs: ClassVar[tuple[str, ...]] = ("order_lines",)
    fitted_type: ClassVar[type[FittedBaseline]] = FittedBaseline

    def algorithm(self, params: KindParams) -> str:
        return "weekday_mean"

    def fit(self, frames: Frames, params: KindParams, progress: Progress) -> FittedBaseline:
        assert isinstance(params, BaselineParams)
        daily = daily_revenue(frames["order_lines"])
        if daily.empty:
            raise ValueError("no orders yet: import orders before training the baseline")
        history = daily.iloc[-params.weeks * 7 :]
        train, holdout = history.iloc[: -params.holdout_days], history.iloc[-params.holdout_days :]
        if train.empty:
            train = history
        steps = params.weeks
        for step in range(1, steps + 1):  # one pass per week: cheap, but reports like any real kind
            progress.update(step, steps, message=f"week {step} of {steps}")
        means = _weekday_means(train)
        predicted = np.array([means[day.weekday()] for day in holdout.index])
        mae = float(np.mean(np.abs(holdout.to_numpy() - predicted))) if len(holdout) else float("nan")
        fitted_means = _weekday_means(history)
        return FittedBaseline(fitted_means, history.index.max().date().isoformat(), {"mae": mae})
