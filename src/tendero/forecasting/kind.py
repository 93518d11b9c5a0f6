"""Model kind ``forecast``: order lines in, chosen engines + calibrated forecasts + backtest evidence out.

The fitted model keeps the forecasts it made at training time (the engines refit on all history, so
there is nothing else to serve) and the scaled backtest errors, so intervals at any level can be
recomputed on request without refitting. Files: parquet frames and ``meta.json``; no pickle.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

import pandas as pd
from pydantic import Field, field_validator, model_validator

from tendero.catalogue.refusals import Refusal
from tendero.forecasting.calibration import apply_intervals, calibrate_groups, level_weight
from tendero.forecasting.drivers import supported_country
from tendero.forecasting.forecaster import ForecastConfig, fit_forecast
from tendero.forecasting.hierarchy import bottom_up
from tendero.forecasting.metrics import score_forecasts, series_scales
from tendero.forecasting.panel import future_grid
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
from tendero.kinds import Fitted, Frames, Holdout, HoldoutScore, KindParams, Progress

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
    country: str | None = None  # ISO 3166 code: its public holidays become drivers (e.g. "ES", "MX")

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

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        if v is not None and not supported_country(v):
            raise ValueError(f"country: no holiday calendar for {v!r}; use an ISO 3166 code such as ES or MX")
        return v.upper() if v else None

    @model_validator(mode="after")
    def _horizon(self) -> ForecastParams:
        validate_horizon(self.horizon, self.freq)
        return self


class FittedForecast:
    """Forecasts, intervals, the engine choice and its backtest evidence for one tenant's series.

    Answers through its methods (``forecast``, ``history``, ``series_table``, ``dashboard``,
    ``demand``, ``drift``); the frames it keeps are its own files, not an interface.
    """

    def __init__(self, metrics: dict[str, float], frames: Mapping[str, pd.DataFrame], meta: dict[str, Any]) -> None:
        self.metrics = metrics
        self.meta = meta
        self._frames = dict(frames)

    @property
    def frames(self) -> Mapping[str, pd.DataFrame]:
        """Read-only view kept for the faces that still read frames; use the answering methods."""
        return MappingProxyType(self._frames)

    # ---- files ---------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self._frames.items():
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

    # ---- answers ---------------------------------------------------------------------------------
    @property
    def horizon(self) -> int | None:
        """Periods ahead the model was fitted for."""
        value = self.meta.get("horizon")
        return int(value) if value is not None else None

    @property
    def params(self) -> dict[str, Any]:
        """The params it was fitted with (level, freq, history months, measure, ...)."""
        return dict(self.meta.get("params", {}))

    @property
    def measure(self) -> str:
        return str(self.params.get("measure", "quantity"))

    def choice(self) -> dict[str, str]:
        """The engine (or ensemble) chosen per group of series."""
        return dict(self.meta.get("choice", {}))

    def candidates(self) -> list[dict[str, Any]]:
        """Every candidate engine's backtest score per group."""
        return list(self.meta.get("candidates", []))

    def series_report(self) -> dict[str, Any]:
        """What building the series left out, and why."""
        return dict(self.meta.get("series_report", {}))

    def series_history(self, ids: list[str] | None = None) -> pd.DataFrame:
        """``unique_id, ds, y`` of the series at the model's level (only ``ids``, when given)."""
        history = self._frames["history"]
        return history if ids is None else history[history["unique_id"].isin(ids)]

    def total_history(self) -> pd.DataFrame:
        """``unique_id, ds, y`` of the total."""
        return self._frames["total_history"]

    def history(self, ids: list[str] | None = None) -> pd.DataFrame:
        """``unique_id, ds, y`` the model was fitted on (the ``total`` row-set included)."""
        out = pd.concat([self._frames["history"], self._frames["total_history"]], ignore_index=True)
        out = out[["unique_id", "ds", "y"]].drop_duplicates(["unique_id", "ds"], keep="first")
        return (out[out["unique_id"].isin(ids)] if ids else out).reset_index(drop=True)

    def series_table(self) -> pd.DataFrame:
        """Per series: its group, the engine or ensemble chosen for it, and its backtest accuracy."""
        return self._frames["per_series"].copy()

    # ---- predictions ---------------------------------------------------------------------------
    def forecast(
        self, ids: list[str] | None = None, levels: list[int] | None = None, horizon: int | None = None
    ) -> pd.DataFrame:
        """``unique_id, ds, yhat, lo-L, hi-L`` (plus the ``total`` row-set), intervals at any ``levels``."""
        levels = sorted(set(levels or self.meta["levels"]))
        point = pd.concat([self._frames["forecast"], self._frames["total_forecast"]], ignore_index=True)
        if sorted(levels) != sorted(self.meta["levels"]):
            point = self._recalibrate(levels)
        # ``mean`` (where the point is a count's median): what sums over days or series should add
        means = ["mean"] if "mean" in point.columns else []
        if means:
            point["mean"] = point["mean"].fillna(point["yhat"])
        keep = ["unique_id", "ds", "yhat", *means, *[f"{b}-{lv}" for lv in levels for b in ("lo", "hi")]]
        # a model at level "total" has the total as its own series: keep it once
        out = point[keep].drop_duplicates(["unique_id", "ds"], keep="first")
        if ids:
            out = out[out["unique_id"].isin(ids)]
        if horizon is not None:
            out = out[out.groupby("unique_id").cumcount() < horizon]
        return out.reset_index(drop=True)

    def _recalibrate(self, levels: list[int]) -> pd.DataFrame:
        backtest, forecast = self._frames["backtest"], self._frames["forecast"].copy()
        groups = self._frames["per_series"].set_index("unique_id")["group"]
        forecast["group"] = forecast["unique_id"].map(groups)
        forecast["step"] = forecast.groupby("unique_id").cumcount() + 1
        scales = self._frames["scales"].set_index("unique_id")
        # intervals scale with each series' own backtest difficulty (models before it: the MASE scale)
        width = scales["interval_scale"] if "interval_scale" in scales.columns else scales["mae_scale"]
        width = width.rename("mae_scale")
        backtest = backtest.join(width, on="unique_id")
        if "level_beta" in scales.columns:  # widths follow each step's level (models before it: one width a series)
            terms = scales[["level_ref", "level_beta"]]
            backtest["level_weight"] = level_weight(backtest, terms)
            forecast["level_weight"] = level_weight(forecast, terms)
        quantiles = calibrate_groups(backtest, int(self.meta["horizon"]), tuple(levels))
        series = apply_intervals(
            forecast, quantiles, width.reset_index(), levels, bool(self.meta.get("nonnegative", True))
        )
        # a closed day (forecast 0 with a 0-wide interval when fitted) stays closed at every level
        stored = [c for c in forecast.columns if c.startswith(("lo-", "hi-"))]
        closed = ((forecast[["yhat", *stored]] == 0).all(axis=1)).to_numpy()
        series.loc[closed, [c for c in series.columns if c.startswith(("lo-", "hi-"))]] = 0.0
        _, total = bottom_up(self._frames["history"], series, backtest, int(self.meta["season"]), levels=levels)
        return pd.concat([series, total], ignore_index=True)

    def dashboard(self, historic_months: int = 12, prediction_months: int = 3, lang: str = "es") -> dict[str, Any]:
        """The SmartSales365 payload (monthly models; category sums equal the totals shown)."""
        info = {**self.meta.get("model_info", {}), **self.metrics}
        return sales_dashboard(
            self._frames["history"],
            self._frames["forecast"],
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
        return check_drift(actuals, self._frames["forecast"], float(self.metrics["backtest_mae"]), threshold)


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
            raise Refusal("forecast.too_short", periods=3)
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
            country=params.country,
        )
        result = fit_forecast(
            series.frame,
            config,
            progress=lambda step, total, message: progress.update(step, total, message=message),
            exog_future=_future_drivers(series.frame, config),
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
            # what the forecaster filled, merged, closed and left out, the drivers it used, its stages
            "panel_report": result.report,
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

    # ---- champion/challenger: the newest periods, MASE on the same series and periods ------------------
    def holdout_metric(self, params: KindParams) -> tuple[str, bool]:
        return "mase", False

    def holdout_guardrails(self, params: KindParams) -> tuple[tuple[str, bool], ...]:
        return ()

    def split_holdout(self, frames: Frames, params: KindParams) -> Holdout:
        """The last ``horizon`` complete periods of every series; the challenger is fitted as of their start
        (its own forecasts then cover exactly them). MASE's scale comes from the periods before, once,
        so both models are divided by the same numbers."""
        assert isinstance(params, ForecastParams)
        series = build_series(frames["order_lines"], level=params.level, freq=params.freq,
                              history_months=params.history_months, as_of=params.as_of,
                              measure=params.measure).frame  # fmt: skip
        periods = sorted(series["ds"].unique())
        if len(periods) < params.horizon + 4:
            raise Refusal("forecast.holdout", periods=len(periods), freq=params.freq, horizon=params.horizon,
                          needed=params.horizon + 4)  # fmt: skip
        cut = pd.Timestamp(periods[-params.horizon])
        before = series[series["ds"] < cut]
        lengths = before.groupby("unique_id").size()
        season = SEASON[params.freq] if int(lengths.max()) > SEASON[params.freq] + params.horizon else 1
        actuals = series[series["ds"] >= cut].reset_index(drop=True)
        train = frames.derive(order_lines=lambda lines: lines[lines["ordered_at"] < cut])
        return Holdout(
            train=train, params=params.model_copy(update={"as_of": cut.to_pydatetime()}),
            data={"actuals": actuals, "scales": series_scales(before, season), "cut": cut},
            start=cut.date().isoformat(), end=pd.Timestamp(periods[-1]).date().isoformat(), rows=len(actuals),
            train_rows=len(before), unit=f"series-periods at {params.freq}",
        )  # fmt: skip

    def score_holdout(self, fitted: Fitted, holdout: Holdout, keys: frozenset[Any] | None = None) -> HoldoutScore:
        """The model's stored forecasts for the holdout periods (a model trained long ago may cover only
        some of them, one trained on them none) against what happened."""
        assert isinstance(fitted, FittedForecast)
        actuals: pd.DataFrame = holdout.data["actuals"]
        scales: pd.DataFrame = holdout.data["scales"]
        forecast = fitted.forecast()[["unique_id", "ds", "yhat"]]
        merged = actuals.merge(forecast, on=["unique_id", "ds"], how="inner")
        merged = merged[merged["unique_id"].isin(scales.index)]
        merged["key"] = merged["unique_id"].astype(str) + "@" + pd.to_datetime(merged["ds"]).dt.strftime("%Y-%m-%d")
        if keys is not None:
            merged = merged[merged["key"].isin(keys)]
        seen = bool(fitted.history()["ds"].max() >= holdout.data["cut"])
        if merged.empty:
            return HoldoutScore({"mase": float("nan")}, frozenset(), saw_holdout=seen)
        scored = score_forecasts(merged[["unique_id", "ds", "y"]], merged[["unique_id", "ds", "yhat"]], scales,
                                 levels=())  # fmt: skip
        metrics: dict[str, float] = {
            name: scored[name] for name in ("mase", "rmsse", "wape", "smape") if name in scored
        }
        return HoldoutScore(metrics, frozenset(merged["key"]), saw_holdout=seen)


def _future_drivers(history: pd.DataFrame, config: ForecastConfig) -> pd.DataFrame | None:
    """The forecast periods' drivers: no promotion is assumed (no promotion calendar is an input yet),
    so the forecast is the demand without promotions that the history's promotions no longer inflate."""
    if "promotion" not in history.columns:
        return None
    future = future_grid(history, config.freq, config.h).drop(columns="step")
    future["promotion"] = 0.0
    return future
