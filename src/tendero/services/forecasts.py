"""Forecasts for every face: one model per level × frequency (``forecast-{level}-{freq}``), its training request,
the forecast answer with history and accuracy, the engines' candidates, the SmartSales365 dashboard payload and
the 3T demand contract."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from tendero.errors import Conflict, Invalid, NotFound
from tendero.forecasting.series import HISTORY_MONTHS_BOUNDS, HORIZON_BOUNDS, validate_horizon
from tendero.kinds import ForecastModel
from tendero.observability import metrics
from tendero.registry.service import Served, deployed_models
from tendero.services import models
from tendero.services.items import say
from tendero.services.schemas import JobOut
from tendero.services.tenant_settings import currency_of

LEVELS = ("total", "category", "product", "store", "store_product")
NOT_COVERED = {
    "en": "the deployed daily forecast covers {days} days; asked for {asked}: retrain it with "
    'POST /v1/forecasts/train {{"level": "total", "freq": "D", "horizon": {asked}}}',
    "es": "el pronóstico diario desplegado cubre {days} días; se pidieron {asked}: vuelve a entrenarlo con "
    'POST /v1/forecasts/train {{"level": "total", "freq": "D", "horizon": {asked}}}',
}


def model_name(level: str, freq: str) -> str:
    return f"forecast-{level}-{freq}"


def _horizon_per_freq() -> dict[str, Any]:
    """The horizon's bounds per frequency, in the JSON schema too (so what it calls valid is valid)."""
    return {
        "allOf": [
            {"if": {"properties": {"freq": {"const": freq}}}, "then": {"properties": {"horizon": {"maximum": high}}}}
            for freq, (_, high) in HORIZON_BOUNDS.items()
        ]
    }


class ForecastTrainIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_horizon_per_freq())

    level: Literal["total", "category", "product", "store", "store_product"] = "category"
    freq: Literal["D", "W", "M"] = Field("M", description="D, W or M")
    horizon: int = Field(3, ge=1, le=365, description="periods ahead: 1–12 months, 1–52 weeks, 1–365 days")
    history_months: int = Field(36, ge=HISTORY_MONTHS_BOUNDS[0], le=HISTORY_MONTHS_BOUNDS[1],
                                description="months of history")  # fmt: skip
    levels: list[Annotated[int, Field(ge=1, le=99)]] = Field(
        default_factory=lambda: [80, 95], min_length=1, max_length=10, description="interval levels, %"
    )
    n_windows: int = Field(3, ge=1, le=12, description="rolling-origin backtest windows")
    measure: Literal["quantity", "revenue"] = "quantity"
    deploy: Literal["always", "if_better", "never"] | None = Field(
        None, description="admin keys only (default if_better); other roles may send only never, their default"
    )

    @model_validator(mode="after")
    def _horizon(self) -> ForecastTrainIn:
        validate_horizon(self.horizon, self.freq)
        return self


def deployed_forecast(tenant_id: str, level: str, freq: str) -> Served[ForecastModel]:
    """The deployed ``forecast-{level}-{freq}``; NotFound saying how to train one."""
    try:
        return deployed_models.get(tenant_id, model_name(level, freq), ForecastModel)
    except NotFound as error:
        raise NotFound(
            f"no deployed forecast for level={level} freq={freq}: train one with POST /v1/forecasts/train "
            f'{{"level": "{level}", "freq": "{freq}"}}'
        ) from error


def clean_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON-safe rows: timestamps as ISO dates, NaN as null."""
    out = []
    for record in records:
        row = {}
        for key, value in record.items():
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif isinstance(value, float) and not math.isfinite(value):
                value = None
            row[key] = value
        out.append(row)
    return out


def training_request(body: ForecastTrainIn) -> dict[str, Any]:
    """The train job for a forecast model: promoted only if its backtest MASE is lower."""
    params = body.model_dump(exclude={"deploy"})
    return {"model": model_name(body.level, body.freq), "kind": "forecast", "params": params,
            "deploy": body.deploy, "promote_metric": "mase", "higher_is_better": False}  # fmt: skip


def submit_training(tenant_id: str, body: ForecastTrainIn, *, role: str, session: Session | None = None) -> JobOut:
    """Queue ``forecast-{level}-{freq}`` (committed, the runner woken)."""
    return models.submit_training(tenant_id, training_request(body), role=role, session=session)


def parse_levels(level_pct: str) -> list[int]:
    """Interval levels written as ``80,95``: sorted, each between 1 and 99 (Invalid naming the field otherwise)."""
    try:
        levels = sorted({int(v) for v in level_pct.split(",") if v.strip()})
    except ValueError as error:
        detail = [{"field": "query.level_pct", "message": "integers between 1 and 99"}]
        raise Invalid("level_pct must be comma-separated integers such as 80,95", detail) from error
    if not levels or any(not 0 < v < 100 for v in levels):
        raise Invalid("each interval level must be between 1 and 99",
                      [{"field": "query.level_pct", "message": "between 1 and 99"}])  # fmt: skip
    return levels


def money_fields(tenant_id: str, measure: str) -> dict[str, Any]:
    """What the figures of a forecast are in: ``currency`` (the tenant's, for revenue; null for units) and ``unit``."""
    if measure == "revenue":
        currency = currency_of(tenant_id)
        return {"measure": measure, "currency": currency, "unit": currency}
    return {"measure": measure, "currency": None, "unit": "units"}


def period_notices(report: dict[str, Any], history: list[dict[str, Any]], language: str) -> dict[str, Any]:
    """The incomplete last period that was left out of history and forecasts, and the history periods that
    returns made negative, each said in words (not silently plotted)."""
    partial = report.get("partial_period")
    if partial is None and report.get("partial_period_dropped"):  # versions trained before the dates were kept
        partial = {"start": report["partial_period_dropped"], "end": None, "covered_until": None, "reason": "now"}
    out: dict[str, Any] = {"partial": partial is not None, "partial_period": None, "negative_periods": []}
    if partial is not None:
        until = partial.get("covered_until") or partial["start"]
        notice = say("period.partial", language, start=partial["start"], end=until)
        out["partial_period"] = {**partial, "dropped": True, "notice": notice}
    negative = [{"unique_id": row["unique_id"], "ds": row["ds"], "y": row["y"]}
                for row in history if row.get("y") is not None and row["y"] < 0]  # fmt: skip
    if negative:
        out["negative_periods"] = negative
        out["negative_notice"] = say("period.negative", language, count=len(negative))
    return out


def page_notices(tenant_id: str, level: str, freq: str, history: dict[str, list[Any]], language: str) -> dict[str, Any]:
    """``period_notices`` for a dashboard page showing ``history`` (columns ``ds`` and ``y``) of a deployed model."""
    served = deployed_forecast(tenant_id, level, freq)
    rows = [{"unique_id": "", "ds": str(ds)[:10], "y": y} for ds, y in zip(history["ds"], history["y"], strict=True)]
    return period_notices(served.fitted.series_report(), rows, language)


def forecast_answer(served: Served[ForecastModel], level: str, freq: str, ids: list[str] | None, levels: list[int],
                    horizon: int | None, history: int, language: str,
                    tenant_id: str | None = None) -> dict[str, Any]:  # fmt: skip
    """History tail, forecast with intervals, the engine chosen per series and its backtest accuracy; the money
    they are in, and the periods left out as incomplete or made negative by returns."""
    fitted = served.fitted
    wanted = ids
    frame = fitted.forecast(ids=wanted, levels=levels, horizon=horizon)
    past = fitted.series_history(wanted) if level != "total" else fitted.total_history()
    past = past.groupby("unique_id", group_keys=False).tail(history) if history else past.iloc[0:0]
    per_series = fitted.series_table()
    if wanted is not None:
        per_series = per_series[per_series["unique_id"].isin(wanted)]
    metrics.predictions.labels("forecast", served.model, served.version).inc()
    report = fitted.series_report()
    history_rows = clean_records(past[["unique_id", "ds", "y"]].to_dict("records"))
    measure = str(report.get("measure") or "quantity")
    return {
        "model": {"name": served.model, "version": served.version, "level": level, "freq": freq},
        **(money_fields(tenant_id, measure) if tenant_id else {"measure": measure}),
        "levels": levels,
        "choice": fitted.choice(),
        "metrics": fitted.metrics,
        "history": history_rows,
        "forecast": clean_records(frame.to_dict("records")),
        "accuracy": clean_records(per_series.to_dict("records")),
        "series_report": report,
        **period_notices(report, history_rows, language),
        "language": language,
    }


def candidates_answer(served: Served[ForecastModel]) -> dict[str, Any]:
    """Every candidate engine's backtest score per group, and which one was chosen."""
    fitted = served.fitted
    return {"model": {"name": served.model, "version": served.version}, "choice": fitted.choice() or None,
            "candidates": clean_records(fitted.candidates())}  # fmt: skip


def sales_dashboard(served: Served[ForecastModel], historic_months: int, prediction_months: int,
                    language: str, tenant_id: str | None = None) -> dict[str, Any]:  # fmt: skip
    """The SmartSales365 payload: model info, key metrics, history, predictions, by category."""
    payload = served.fitted.dashboard(historic_months, prediction_months, language)
    payload.setdefault("model_info", {})["version"] = served.version
    report = served.fitted.series_report()
    if tenant_id is not None:
        payload.update(money_fields(tenant_id, str(report.get("measure") or "quantity")))
    payload.update(period_notices(report, [], language))
    return payload


def demand_answer(served: Served[ForecastModel], days_ahead: int, language: Literal["es", "en"]) -> dict[str, Any]:
    """The 3T contract: total demand for each of the next ``days_ahead`` days, with an interval."""
    fitted = served.fitted
    covered = int(fitted.horizon or days_ahead)
    if days_ahead > covered:  # a valid request the deployed model cannot answer: retraining can
        raise Conflict(NOT_COVERED[language].format(days=covered, asked=days_ahead),
                       [{"field": "path.days_ahead", "message": f"at most {covered}"}])  # fmt: skip
    try:
        answer = fitted.demand(days_ahead)
    except ValueError as error:
        raise Invalid(str(error), [{"field": "path.days_ahead", "message": str(error)}]) from error
    return {"model_version": served.version, **answer}
