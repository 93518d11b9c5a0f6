"""Forecasts over HTTP: train per level and frequency, read forecasts with calibrated intervals, the
SmartSales365 dashboard payload, and the 3T demand contract. One model per level × frequency,
named ``forecast-{level}-{freq}``; drift is checked after every import."""

from __future__ import annotations

import math
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from tendero.api.audit import audited, record_call
from tendero.api.deps import PredictorDep, ReaderDep, SessionDep, TrainerDep, language_of
from tendero.api.errors import ProblemError
from tendero.api.jobs import job_out
from tendero.api.openapi import problems
from tendero.api.schemas import JobOut
from tendero.errors import NotFound
from tendero.forecasting.series import HISTORY_MONTHS_BOUNDS, HORIZON_BOUNDS, validate_horizon
from tendero.observability import metrics
from tendero.registry import service
from tendero.registry.service import Served, deployed_models

router = APIRouter(tags=["forecasts"])
LEVELS = ("total", "category", "product", "store", "store_product")
LEVEL_PCT = r"^[1-9][0-9]?(,[1-9][0-9]?)*$"  # comma-separated interval levels, each 1–99
NOT_COVERED = {
    "en": "the deployed daily forecast covers {days} days; asked for {asked}: retrain it with "
    'POST /v1/forecasts/train {{"level": "total", "freq": "D", "horizon": {asked}}}',
    "es": "el pronóstico diario desplegado cubre {days} días; se pidieron {asked}: vuelve a entrenarlo con "
    'POST /v1/forecasts/train {{"level": "total", "freq": "D", "horizon": {asked}}}',
}
NO_MODEL = problems(404, s404="No forecast deployed for this level and frequency — No hay un pronóstico desplegado "
                              "para ese nivel y frecuencia")  # fmt: skip


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


def _model(tenant_id: str, level: str, freq: str) -> Served:
    name = model_name(level, freq)
    try:
        return deployed_models.get(tenant_id, name)
    except NotFound as error:
        raise ProblemError(
            404, f"no deployed forecast for level={level} freq={freq}: train one with POST /v1/forecasts/train "
                 f'{{"level": "{level}", "freq": "{freq}"}}',
        ) from error  # fmt: skip


def _clean(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
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


@router.post("/v1/forecasts/train", status_code=status.HTTP_202_ACCEPTED)
def train(body: ForecastTrainIn, request: Request, principal: TrainerDep, session: SessionDep) -> JobOut:
    """Queue a forecast model for one level and frequency; the backtest chooses engines per series group."""
    started = time.perf_counter()
    payload = training_request(body)
    name = payload["model"]
    job, _ = service.submit_training(session, principal.tenant_id, payload, role=principal.role)
    session.commit()
    service.notify_runner(job)
    record_call(request, principal, "train", started, 202, model=name)
    return job_out(job)


@router.get("/v1/forecasts", responses=NO_MODEL)
def forecasts(
    request: Request,
    principal: PredictorDep,
    level: Annotated[str, Query(pattern="^(" + "|".join(LEVELS) + ")$")] = "category",
    freq: Annotated[str, Query(pattern="^[DWM]$")] = "M",
    horizon: Annotated[int | None, Query(ge=1, le=365)] = None,
    ids: Annotated[str | None, Query(description="comma-separated series ids (categories, products...)")] = None,
    level_pct: Annotated[str, Query(pattern=LEVEL_PCT, description="interval levels, e.g. 80,95")] = "80,95",
    history: Annotated[int, Query(ge=0, le=1000, description="periods of history to include per series")] = 12,
) -> dict[str, Any]:
    """History tail, forecast with intervals, the engine chosen per series and its backtest accuracy."""
    with audited(request, principal, "predict", model_name(level, freq)) as trail:
        try:
            levels = sorted({int(v) for v in level_pct.split(",") if v.strip()})
        except ValueError as error:
            detail = [{"field": "query.level_pct", "message": "integers between 1 and 99"}]
            raise ProblemError(422, "level_pct must be comma-separated integers such as 80,95", detail) from error
        if not levels or any(not 0 < v < 100 for v in levels):
            raise ProblemError(422, "each interval level must be between 1 and 99",
                               [{"field": "query.level_pct", "message": "between 1 and 99"}])  # fmt: skip
        served = _model(principal.tenant_id, level, freq)
        trail.version = served.version
        fitted = served.fitted
        wanted = [i.strip() for i in ids.split(",")] if ids else None
        frame = fitted.forecast(ids=wanted, levels=levels, horizon=horizon)
        past = fitted.frames["history"]
        if level != "total":
            past = past if wanted is None else past[past["unique_id"].isin(wanted)]
        else:
            past = fitted.frames["total_history"]
        past = past.groupby("unique_id", group_keys=False).tail(history) if history else past.iloc[0:0]
        per_series = fitted.frames["per_series"]
        if wanted is not None:
            per_series = per_series[per_series["unique_id"].isin(wanted)]
        metrics.predictions.labels("forecast", served.model, served.version).inc()
        return {
            "model": {"name": served.model, "version": served.version, "level": level, "freq": freq},
            "levels": levels,
            "choice": fitted.meta.get("choice", {}),
            "metrics": fitted.metrics,
            "history": _clean(past[["unique_id", "ds", "y"]].to_dict("records")),
            "forecast": _clean(frame.to_dict("records")),
            "accuracy": _clean(per_series.to_dict("records")),
            "series_report": fitted.meta.get("series_report", {}),
            "language": language_of(request),
        }


@router.get("/v1/forecasts/candidates", responses=NO_MODEL)
def candidates(
    request: Request,
    principal: ReaderDep,
    level: Annotated[str, Query(pattern="^(" + "|".join(LEVELS) + ")$")] = "category",
    freq: Annotated[str, Query(pattern="^[DWM]$")] = "M",
) -> dict[str, Any]:
    """Every candidate engine's backtest score per group, and which one was chosen."""
    with audited(request, principal, "read", model_name(level, freq)) as trail:
        served = _model(principal.tenant_id, level, freq)
        trail.version = served.version
        return {"model": {"name": served.model, "version": served.version}, "choice": served.fitted.meta.get("choice"),
                "candidates": _clean(served.fitted.meta.get("candidates", []))}  # fmt: skip


@router.get("/v1/dashboard/sales", responses=NO_MODEL)
def sales_dashboard(
    request: Request,
    principal: ReaderDep,
    historic_months: Annotated[int, Query(ge=1, le=60)] = 12,
    prediction_months: Annotated[int, Query(ge=1, le=12)] = 3,
) -> dict[str, Any]:
    """The SmartSales365 payload: model info, key metrics, history, predictions, by category."""
    with audited(request, principal, "read", model_name("category", "M")) as trail:
        served = _model(principal.tenant_id, "category", "M")
        trail.version = served.version
        payload = served.fitted.dashboard(historic_months, prediction_months, language_of(request))
        payload.setdefault("model_info", {})["version"] = served.version
        return payload


@router.get("/v1/forecasts/demand/{days_ahead}", responses={
    **NO_MODEL, **problems(409, s409="The deployed daily forecast covers fewer days — El pronóstico desplegado "
                                     "cubre menos días")})  # fmt: skip
def demand(days_ahead: Annotated[int, Path(ge=1, le=365)], request: Request, principal: PredictorDep) -> dict[str, Any]:
    """The 3T contract: total demand for each of the next ``days_ahead`` days, with an interval."""
    with audited(request, principal, "predict", model_name("total", "D")) as trail:
        served = _model(principal.tenant_id, "total", "D")
        trail.version = served.version
        covered = int(served.fitted.meta.get("horizon") or days_ahead)
        if days_ahead > covered:  # a valid request the deployed model cannot answer: retraining can
            raise ProblemError(409, NOT_COVERED[language_of(request)].format(days=covered, asked=days_ahead),
                               [{"field": "path.days_ahead", "message": f"at most {covered}"}])  # fmt: skip
        try:
            answer = served.fitted.demand(days_ahead)
        except ValueError as error:
            raise ProblemError(422, str(error), [{"field": "path.days_ahead", "message": str(error)}]) from error
        return {"model_version": served.version, **answer}
