"""Model kind ``forecast``: order lines in, chosen engines + calibrated forecasts + backtest evidence out.

The fitted model keeps the forecasts it made at training time (the engines refit on all history, so
there is nothing else to serve) and the scaled backtest errors, so intervals at any level can be
recomputed on request without refitting. Files: parquet frames and ``meta.json``; no pickle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
from pydantic import Field, field_validator, model_validator

from tendero.forecasting.calibration import apply_intervals, calibrate_groups
from tendero.forecasting.forecaster import ForecastConfig, fit_forecast
from tendero.forecasting.hierarchy import bottom_up
from tendero.forecasting.payloads import DriftReport, check_drift, demand_forecast, sales_dashboard
from tendero.forecasting.series import (
    PANDAS_FREQ,
    SEASON,
    build_series,
    validate_freq,
    validate_history_months,
    validate_horizon,
    validate_level,
)
from tendero.kinds import Frames, KindParams, Progress

FRAMES = ("history", "forecast", "per_series", "scores", "backtest", "scales", "total_history", "total_forecast")


class ForecastParams(KindParams):
    level: str = "category"
    freq: str = "M"
    horizon: int = 3
    history_months: int = 36
    levels: list[int] = Field(default_factory=lambda: [80, 95])
    n_windows: int = Field(default=3, ge=1, le=12)
    measure: str = "quantity"
    selection: str = "group"
    as_of: datetime | None = None

    @field_validator("level")
    @classmethod
    def _level(cls, v: str) -> str:
        return validate_level(v)

    @field_validator("freq")
    @classmethod
    def _freq(cls, v: str) -> str:
        return validate_freq(v)

    @field_validator("history_months")
    @classmethod
    def _history(cls, v: int) -> int:
        return validate_history_months(v)

    @field_validator("levels")
    @classmethod
    def _levels(cls, v: list[int]) -> list[int]:
        if not v or any(not 0 < x < 100 for x in v):
            raise ValueError("levels: each interval level must be between 1 and 99")
        return sorted(set(v))

    @model_validator(mode="after")
    def _horizon(self) -> ForecastParams:
        validate_horizon(self.horizon, self.freq)
        return self


@dataclass
class FittedForecast:
    """Forecasts, intervals, the engine choice and its backtest evidence for one tenant's series."""

    metrics: dict[str, float]
    frames: dict[str, pd.DataFrame]
    meta: dict[str, Any] = field(default_factory=dict)

    # ---- files ---------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self.frames.items():
            frame.to_parquet(folder / f"{name}.parquet", index=False)
        (folder / "meta.json").write_text(json.dumps({"metrics": self.metrics, **self.meta}, default=str, indent=1))

    @classmethod
    def load(cls, folder: Path) -> FittedForecast:
        folder = Path(folder)
        meta = json.loads((folder / "meta.json").read_text())
        metrics = meta.pop("metrics")
        frames = {
            name: pd.read_parquet(folder / f"{name}.parquet")
            for name in FRAMES
            if (folder / f"{name}.parquet").exists()
        }
        return cls(metrics=metrics, frames=frames, meta=meta)

    def probe(self) -> pd.DataFrame:
        return self.forecast(levels=[80, 95])

    # ---- predictions ---------------------------------------------------------------------------
    def forecast(
        self, ids: list[str] | None = None, levels: list[int] | None = None, horizon: int | None = None
    ) -> pd.DataFrame:
        """``unique_id, ds, yhat, lo-L, hi-L`` (plus the ``total`` row-set), intervals at any ``levels``."""
        levels = sorted(set(levels or self.meta["levels"]))
        point = pd.concat([self.frames["forecast"], self.frames["total_forecast"]], ignore_index=True)
        if sorted(levels) != sorted(self.meta["levels"]):
            point = self._recalibrate(levels)
        keep = ["unique_id", "ds", "yhat", *[f"{b}-{lv}" for lv in levels for b in ("lo", "hi")]]
        # a model at level "total" has the total as its own series: keep it once
        out = point[keep].drop_duplicates(["unique_id", "ds"], keep="first")
        if ids:
            out = out[out["unique_id"].isin(ids)]
        if horizon is not None:
            out = out[out.groupby("unique_id").cumcount() < horizon]
        return out.reset_index(drop=True)

    def _recalibrate(self, levels: list[int]) -> pd.DataFrame:
        backtest, forecast = self.frames["backtest"], self.frames["forecast"].copy()
        groups = self.frames["per_series"].set_index("unique_id")["group"]
        forecast["group"] = forecast["unique_id"].map(groups)
        forecast["step"] = forecast.groupby("unique_id").cumcount() + 1
        scales = self.frames["scales"].set_index("unique_id")
        quantiles = calibrate_groups(
            backtest.join(scales["mae_scale"], on="unique_id"), int(self.meta["horizon"]), tuple(levels)
        )
        series = apply_intervals(
            forecast, quantiles, self.frames["scales"], levels, bool(self.meta.get("nonnegative", True))
        )
        _, total = bottom_up(self.frames["history"], series, backtest, int(self.meta["season"]), levels=levels)
        return pd.concat([series, total], ignore_index=True)

    def dashboard(self, historic_months: int = 12, prediction_months: int = 3, lang: str = "es") -> dict[str, Any]:
        """The SmartSales365 payload (monthly models; category sums equal the totals shown)."""
        info = {**self.meta.get("model_info", {}), **self.metrics}
        return sales_dashboard(
            self.frames["history"],
            self.frames["forecast"],
            info,
            historic_months=historic_months,
            prediction_months=prediction_months,
            lang=lang,
        )

    def demand(self, days_ahead: int, level: int = 95) -> dict[str, Any]:
        """3T's demand answer from the coherent total (daily models)."""
        if self.meta["freq"] != "D":
            raise ValueError("days_ahead: demand in days needs a model trained with freq=D")
        total = self.forecast(ids=["total"], levels=[level])
        return demand_forecast(total, days_ahead, level=level)

    def drift(self, actuals: pd.DataFrame, threshold: float = 1.5) -> DriftReport:
        """Actuals (``unique_id, ds, y`` at this model's level/freq) against what this model forecast."""
        return check_drift(actuals, self.frames["forecast"], float(self.metrics["backtest_mae"]), threshold)


class ForecastKind:
    name: ClassVar[str] = "forecast"
    Params: ClassVar[type[KindParams]] = ForecastParams
    needs: ClassVar[tuple[str, ...]] = ("order_lines",)
    fitted_type: ClassVar[type] = FittedForecast

    def algorithm(self, params: KindParams) -> str:
        return "auto-backtest-ensemble"

    def fit(self, frames: Frames, params: KindParams, progress: Progress) -> FittedForecast:
        assert isinstance(params, ForecastParams)
        progress.update(0, None, message="building series")
        series = build_series(
            frames["order_lines"],
            level=params.level,
            freq=params.freq,
            history_months=params.history_months,
            as_of=params.as_of,
            measure=params.measure,
        )
        if series.frame.empty:
            raise ValueError("order_lines: no series with at least 3 periods of history to forecast")
        season = SEASON[params.freq]
        lengths = series.frame.groupby("unique_id").size()
        # fewer windows when history is short: each window needs the horizon plus a few periods to fit
        windows = max(1, min(params.n_windows, (int(lengths.max()) - 3) // params.horizon))
        config = ForecastConfig(
            h=params.horizon,
            freq=PANDAS_FREQ[params.freq],
            season=season if int(lengths.max()) > season + params.horizon else 1,
            levels=tuple(params.levels),
            n_windows=windows,
            selection=params.selection,
        )
        result = fit_forecast(
            series.frame,
            config,
            progress=lambda step, total, message: progress.update(step, total, message=message),
            static=series.keys if params.level in ("product", "store_product") else None,
        )
        total_history, total_forecast = bottom_up(
            series.frame, result.forecast, result.backtest, config.season, levels=params.levels
        )
        choice = result.scores[result.scores["chosen"]].set_index("group")["candidate"].to_dict()
        meta = {
            "params": params.model_dump(mode="json"),
            "freq": params.freq,
            "level": params.level,
            "horizon": params.horizon,
            "season": config.season,
            "levels": list(params.levels),
            "nonnegative": True,
            "n_windows": windows,
            "choice": choice,
            "candidates": result.scores.to_dict(orient="records"),
            "series_report": series.report.as_dict(),
            "model_info": {"algorithm": self.algorithm(params), "trained_at": datetime.utcnow().isoformat()},
        }
        frames_out = {
            "history": series.frame,
            "forecast": result.forecast,
            "per_series": result.per_series,
            "scores": result.scores,
            "backtest": result.backtest,
            "scales": result.scales,
            "total_history": total_history,
            "total_forecast": total_forecast,
        }
        return FittedForecast(metrics=result.metrics, frames=frames_out, meta=meta)
