"""The built-in ``baseline`` kind: expected daily revenue by weekday, the yardstick every model must beat.

Small on purpose: it exercises the whole train → register → deploy → predict walk for every tenant.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from tendero.kinds import Fitted, Frames, Holdout, HoldoutScore, KindParams, Progress

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

    def serve(self, payload: dict[str, Any]) -> dict[str, Any]:
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

    # ---- champion/challenger: the newest days, the same MAE ------------------------------------------
    def holdout_metric(self, params: KindParams) -> tuple[str, bool]:
        return "mae", False

    def holdout_guardrails(self, params: KindParams) -> tuple[tuple[str, bool], ...]:
        return ()

    def split_holdout(self, frames: Frames, params: KindParams) -> Holdout:
        """The last ``holdout_days`` days of revenue; the challenger learns from the days before."""
        assert isinstance(params, BaselineParams)
        daily = daily_revenue(frames["order_lines"])
        if len(daily) < params.holdout_days + 7:
            raise ValueError(f"order_lines: {len(daily)} days of sales; a holdout of {params.holdout_days} days "
                             "needs at least a week more")  # fmt: skip
        actual = daily.iloc[-params.holdout_days :]
        cut = pd.Timestamp(actual.index.min())
        train = frames.derive(order_lines=lambda lines: lines[lines["ordered_at"] < cut])
        return Holdout(train=train, params=params, data={"actual": actual}, start=cut.date().isoformat(),
                       end=pd.Timestamp(actual.index.max()).date().isoformat(), rows=len(actual),
                       train_rows=len(daily) - len(actual), unit="days")  # fmt: skip

    def score_holdout(self, fitted: Fitted, holdout: Holdout, keys: frozenset[Any] | None = None) -> HoldoutScore:
        assert isinstance(fitted, FittedBaseline)
        actual: pd.Series = holdout.data["actual"]
        days = [day.date() for day in actual.index]
        chosen = [i for i, day in enumerate(days) if keys is None or day.isoformat() in keys]
        predicted = np.array(fitted.predict([days[i] for i in chosen]))
        values = actual.to_numpy()[chosen]
        mae = float(np.mean(np.abs(values - predicted))) if chosen else float("nan")
        return HoldoutScore({"mae": mae}, frozenset(days[i].isoformat() for i in chosen),
                            saw_holdout=fitted.last_day >= holdout.start)  # fmt: skip
