"""The model registry over HTTP: models, versions, train, deploy, rollback, archive, promote, predict."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from tendero.api.audit import audited, record_call
from tendero.api.deps import AdminDep, PageDep, PredictorDep, ReaderDep, SessionDep, TrainerDep, language_of
from tendero.api.openapi import problems
from tendero.services import experiments, models
from tendero.services.models import NAME_PATTERN, VERSION_PATTERN
from tendero.services.schemas import JobOut, ModelOut, PageOf, PromoteIn, TrainRequestIn, VersionOut

router = APIRouter(prefix="/v1/models", tags=["models"])
NameParam = Annotated[str, Path(min_length=1, max_length=200, pattern=NAME_PATTERN)]
VersionParam = Annotated[str, Path(pattern=VERSION_PATTERN)]


@router.get("")
def list_models(principal: ReaderDep, session: SessionDep, page: PageDep, kind: str | None = None) -> PageOf[ModelOut]:
    return models.list_models(principal.tenant_id, kind, page.limit, page.offset, session)


@router.get("/{name}")
def get_model(name: NameParam, principal: ReaderDep, session: SessionDep) -> ModelOut:
    return models.get_model(principal.tenant_id, name, session)


@router.get("/{name}/versions")
def list_versions(name: NameParam, principal: ReaderDep, session: SessionDep, page: PageDep) -> PageOf[VersionOut]:
    return models.list_versions(principal.tenant_id, name, page.limit, page.offset, session)


@router.get("/{name}/versions/{version}")
def get_version(name: NameParam, version: VersionParam, principal: ReaderDep, session: SessionDep) -> VersionOut:
    return models.get_version(principal.tenant_id, name, version, session)


@router.post("/{name}/train", status_code=status.HTTP_202_ACCEPTED, responses=problems(
    409, s409="The model exists with another kind, or a training job of it is already queued or running — El modelo "
              "ya existe con otro tipo, o ya hay un entrenamiento suyo en cola o en marcha"))  # fmt: skip
def train(
    name: NameParam, body: TrainRequestIn, request: Request, principal: TrainerDep, session: SessionDep
) -> JobOut:
    """Queue a training job for this model; follow it at ``/v1/jobs/{id}/progress``."""
    started = time.perf_counter()
    request_body = body.model_dump(exclude={"idempotency_key"})
    job = models.train(principal.tenant_id, name, request_body, role=principal.role,
                       idempotency_key=body.idempotency_key, language=language_of(request),
                       session=session)  # fmt: skip
    record_call(request, principal, "train", started, 202, model=name)
    return job


@router.post("/{name}/versions/{version}/deploy", responses=problems(
    409, s409="The version is archived — La versión está archivada"))  # fmt: skip
def deploy(name: NameParam, version: VersionParam, principal: AdminDep, session: SessionDep) -> VersionOut:
    return models.deploy(principal.tenant_id, name, version, session)


@router.post("/{name}/rollback", responses=problems(
    409, s409="No earlier deployed version to roll back to — No hay una versión desplegada anterior"))  # fmt: skip
def rollback(name: NameParam, principal: AdminDep, session: SessionDep) -> VersionOut:
    return models.rollback(principal.tenant_id, name, session)


@router.post("/{name}/versions/{version}/archive", responses=problems(
    409, s409="The version is deployed — La versión está desplegada"))  # fmt: skip
def archive(name: NameParam, version: VersionParam, principal: AdminDep, session: SessionDep) -> VersionOut:
    return models.archive(principal.tenant_id, name, version, session)


@router.post("/{name}/versions/{version}/promote", responses=problems(
    409, s409="The version has no such metric, or is archived — La versión no tiene esa métrica, o está archivada"
))  # fmt: skip
def promote(
    name: NameParam, version: VersionParam, body: PromoteIn, principal: AdminDep, session: SessionDep
) -> dict[str, Any]:
    """Champion/challenger: deploy ``version`` only if ``metric`` beats the deployed one by ``min_gain``."""
    return models.promote(principal.tenant_id, name, version, body.metric, body.min_gain, body.higher_is_better,
                          session)  # fmt: skip


class BatchPredictionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    dataset: str = Field(description="the dataset whose rows to predict")
    format: str = Field("csv", pattern="^(csv|parquet)$")
    on_invalid: Literal["auto", "reject", "warn"] = Field(
        "auto",
        description="rows that do not match the training data: auto fails the job on errors (wrong type, "
        "missing value or column, ±Infinity) and notes warnings (out of range, unseen category) in the "
        "file's warnings column; reject fails on either; warn predicts every row and notes all",
    )


@router.post("/{name}/batch-predictions", status_code=status.HTTP_202_ACCEPTED)
def batch_predictions(
    name: NameParam, body: BatchPredictionIn, request: Request, principal: PredictorDep, session: SessionDep
) -> JobOut:
    """Predict every row of a dataset as a job; download the file at ``/v1/jobs/{id}/download``."""
    started = time.perf_counter()
    params = {"dataset": body.dataset, "format": body.format, "on_invalid": body.on_invalid,
              "language": language_of(request)}  # fmt: skip
    job = models.submit_batch_prediction(principal.tenant_id, name, params, session)
    record_call(request, principal, "predict", started, 202, model=name)
    return job


PREDICT_BODY = {
    "description": "the input the model's kind expects. Tabular models: "
    '`{"rows": [{column: value, ...}, ...], "on_invalid": "auto" | "reject" | "warn"}` — rows are checked '
    "against the training data: auto (the default) refuses errors (wrong type, a missing column, a missing "
    "value or ±Infinity where training had none) and answers warnings per row (a number outside the "
    "training range, an unseen category); reject refuses both; warn refuses nothing",
    "examples": [{"rows": [{"distance_km": 12.5, "stops": 8, "vehicle": "furgoneta"}], "on_invalid": "warn"}],
}


NOT_DEPLOYED = problems(404, s404="No such model, or none of its versions is deployed — No existe el modelo, o no "
                                  "tiene una versión desplegada")  # fmt: skip


@router.post("/{name}/predict", responses=NOT_DEPLOYED)
def predict(
    name: NameParam,
    request: Request,
    principal: PredictorDep,
    payload: Annotated[dict[str, Any], Body(**PREDICT_BODY)],
    unit: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="the experiment unit (a customer id) when the model "
            "runs a model experiment by customer; other units are the request itself",
        ),
    ] = None,
) -> dict[str, Any]:
    """Predict with the deployed version (or the version a running model experiment gives this unit, named in
    the answer's ``experiment``); the body's shape depends on the model's kind."""
    with audited(request, principal, "predict", name) as trail:
        language = language_of(request)
        routed = experiments.routed_model(
            principal.tenant_id, name, customer=unit, request=request.state.request_id, surface=models.Servable
        )
        served = routed.served if routed is not None else models.servable(principal.tenant_id, name)
        trail.version = served.version
        answer = models.answer(served, payload, language)
        if routed is None:
            return answer
        experiments.answer_in_shadow(routed, lambda fitted: fitted.serve(payload, language))
        return {**answer, "experiment": routed.describe()}
