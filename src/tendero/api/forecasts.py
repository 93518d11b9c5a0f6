"""Forecasts over HTTP: train per level and frequency, read forecasts with calibrated intervals, the
SmartSales365 dashboard payload, and the 3T demand contract (``tendero.services.forecasts`` answers); drift is
checked after every import."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status

from tendero.api.audit import audited, record_call
from tendero.api.deps import PredictorDep, ReaderDep, SessionDep, TrainerDep, language_of
from tendero.api.openapi import problems
from tendero.services import forecasts as forecast_service
from tendero.services.forecasts import LEVELS, ForecastTrainIn, model_name
from tendero.services.schemas import JobOut

router = APIRouter(tags=["forecasts"])
LEVEL_PCT = r"^[1-9][0-9]?(,[1-9][0-9]?)*$"  # comma-separated interval levels, each 1–99
NO_MODEL = problems(404, s404="No forecast deployed for this level and frequency — No hay un pronóstico desplegado "
                              "para ese nivel y frecuencia")  # fmt: skip


@router.post("/v1/forecasts/train", status_code=status.HTTP_202_ACCEPTED, responses=problems(
    409, s409="A training job of this model is already queued or running — Ya hay un entrenamiento de este modelo "
              "en cola o en marcha"))  # fmt: skip
def train(body: ForecastTrainIn, request: Request, principal: TrainerDep, session: SessionDep) -> JobOut:
    """Queue a forecast model for one level and frequency; the backtest chooses engines per series group."""
    started = time.perf_counter()
    job = forecast_service.submit_training(principal.tenant_id, body, role=principal.role, session=session)
    record_call(request, principal, "train", started, 202, model=model_name(body.level, body.freq))
    return job


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
        levels = forecast_service.parse_levels(level_pct)
        served = forecast_service.deployed_forecast(principal.tenant_id, level, freq)
        trail.version = served.version
        wanted = [i.strip() for i in ids.split(",")] if ids else None
        return forecast_service.forecast_answer(
            served, level, freq, wanted, levels, horizon, history, language_of(request), principal.tenant_id
        )


@router.get("/v1/forecasts/candidates", responses=NO_MODEL)
def candidates(
    request: Request,
    principal: ReaderDep,
    level: Annotated[str, Query(pattern="^(" + "|".join(LEVELS) + ")$")] = "category",
    freq: Annotated[str, Query(pattern="^[DWM]$")] = "M",
) -> dict[str, Any]:
    """Every candidate engine's backtest score per group, and which one was chosen."""
    with audited(request, principal, "read", model_name(level, freq)) as trail:
        served = forecast_service.deployed_forecast(principal.tenant_id, level, freq)
        trail.version = served.version
        return forecast_service.candidates_answer(served)


@router.get("/v1/dashboard/sales", responses=NO_MODEL)
def sales_dashboard(
    request: Request,
    principal: ReaderDep,
    historic_months: Annotated[int, Query(ge=1, le=60)] = 12,
    prediction_months: Annotated[int, Query(ge=1, le=12)] = 3,
) -> dict[str, Any]:
    """The SmartSales365 payload: model info, key metrics, history, predictions, by category."""
    with audited(request, principal, "read", model_name("category", "M")) as trail:
        served = forecast_service.deployed_forecast(principal.tenant_id, "category", "M")
        trail.version = served.version
        return forecast_service.sales_dashboard(
            served, historic_months, prediction_months, language_of(request), principal.tenant_id
        )


@router.get("/v1/forecasts/demand/{days_ahead}", responses={
    **NO_MODEL, **problems(409, s409="The deployed daily forecast covers fewer days — El pronóstico desplegado "
                                     "cubre menos días")})  # fmt: skip
def demand(days_ahead: Annotated[int, Path(ge=1, le=365)], request: Request, principal: PredictorDep) -> dict[str, Any]:
    """The 3T contract: total demand for each of the next ``days_ahead`` days, with an interval."""
    with audited(request, principal, "predict", model_name("total", "D")) as trail:
        served = forecast_service.deployed_forecast(principal.tenant_id, "total", "D")
        trail.version = served.version
        return forecast_service.demand_answer(served, days_ahead, language_of(request))
