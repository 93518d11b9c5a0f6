"""The model registry over HTTP: models, versions, train, deploy, rollback, archive, promote, predict."""

from __future__ import annotations

import inspect
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Request, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tendero.api.audit import audited, record_call
from tendero.api.deps import AdminDep, PageDep, PredictorDep, ReaderDep, SessionDep, TrainerDep, language_of
from tendero.api.errors import ProblemError
from tendero.api.jobs import job_out
from tendero.api.openapi import problems
from tendero.api.schemas import JobOut, ModelOut, PageOf, PromoteIn, TrainRequestIn, VersionOut
from tendero.errors import NotFound
from tendero.observability import metrics
from tendero.registry import service
from tendero.store import registry as registry_rows
from tendero.store.tables import Model, ModelVersion

router = APIRouter(prefix="/v1/models", tags=["models"])
KIND_TAKEN = {
    "en": "model {name!r} is of kind {kind}, not {asked}: train it as {kind} or choose another name",
    "es": "el modelo {name!r} es de tipo {kind}, no {asked}: entrénalo como {kind} o elige otro nombre",
}
NameParam = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
VersionParam = Annotated[str, Path(pattern=r"^\d+\.\d+\.\d+$")]


def version_out(row: ModelVersion, aliases: dict[str, str]) -> VersionOut:
    out = VersionOut.model_validate(row)
    out.aliases = sorted(alias for alias, version in aliases.items() if version == row.version)
    return out


def model_out(session: Any, tenant_id: str, model: Model) -> ModelOut:
    versions, total = registry_rows.list_versions(session, tenant_id, model.name, limit=1)
    deployed = registry_rows.deployed_version(session, tenant_id, model.name)
    return ModelOut(
        name=model.name,
        kind=model.kind,
        created_at=model.created_at,
        deployed_version=deployed.version if deployed else None,
        latest_version=versions[0].version if versions else None,
        versions=total,
        aliases=registry_rows.aliases(session, tenant_id, model),
        flags=model.flags or {},
    )


@router.get("")
def list_models(principal: ReaderDep, session: SessionDep, page: PageDep, kind: str | None = None) -> PageOf[ModelOut]:
    rows, total = registry_rows.list_models(
        session, principal.tenant_id, kind=kind, limit=page.limit, offset=page.offset
    )
    items = [model_out(session, principal.tenant_id, row) for row in rows]
    return PageOf[ModelOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{name}")
def get_model(name: NameParam, principal: ReaderDep, session: SessionDep) -> ModelOut:
    return model_out(session, principal.tenant_id, registry_rows.get_model(session, principal.tenant_id, name))


@router.get("/{name}/versions")
def list_versions(name: NameParam, principal: ReaderDep, session: SessionDep, page: PageDep) -> PageOf[VersionOut]:
    rows, total = registry_rows.list_versions(session, principal.tenant_id, name, limit=page.limit, offset=page.offset)
    aliases = registry_rows.aliases(
        session, principal.tenant_id, registry_rows.get_model(session, principal.tenant_id, name)
    )
    return PageOf[VersionOut](
        items=[version_out(row, aliases) for row in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/{name}/versions/{version}")
def get_version(name: NameParam, version: VersionParam, principal: ReaderDep, session: SessionDep) -> VersionOut:
    row = registry_rows.get_version(session, principal.tenant_id, name, version)
    model = registry_rows.get_model(session, principal.tenant_id, name)
    return version_out(row, registry_rows.aliases(session, principal.tenant_id, model))


@router.post("/{name}/train", status_code=status.HTTP_202_ACCEPTED, responses=problems(
    409, s409="The model exists with another kind — El modelo ya existe con otro tipo"))  # fmt: skip
def train(
    name: NameParam, body: TrainRequestIn, request: Request, principal: TrainerDep, session: SessionDep
) -> JobOut:
    """Queue a training job for this model; follow it at ``/v1/jobs/{id}/progress``."""
    started = time.perf_counter()
    payload = body.model_dump(exclude={"idempotency_key"})
    payload["model"] = name
    try:
        existing = registry_rows.get_model(session, principal.tenant_id, name)
    except NotFound:
        existing = None
    if existing is not None and existing.kind != body.kind:  # said now, not by the job failing later
        raise ProblemError(409, KIND_TAKEN[language_of(request)].format(name=name, kind=existing.kind, asked=body.kind),
                           [{"field": "body.kind", "message": f"the model is of kind {existing.kind}"}])  # fmt: skip
    try:
        job, _ = service.submit_training(
            session, principal.tenant_id, payload, body.idempotency_key, role=principal.role
        )
    except KeyError as error:
        raise ProblemError(422, str(error.args[0]), [{"field": "body.kind", "message": str(error.args[0])}]) from error
    session.commit()
    service.notify_runner(job)
    record_call(request, principal, "train", started, 202, model=name)
    return job_out(job)


@router.post("/{name}/versions/{version}/deploy", responses=problems(
    409, s409="The version is archived — La versión está archivada"))  # fmt: skip
def deploy(name: NameParam, version: VersionParam, principal: AdminDep, session: SessionDep) -> VersionOut:
    row = registry_rows.deploy(session, principal.tenant_id, name, version)
    session.commit()
    service.deployed_models.invalidate(principal.tenant_id, name)
    return get_version(name, row.version, principal, session)


@router.post("/{name}/rollback", responses=problems(
    409, s409="No earlier deployed version to roll back to — No hay una versión desplegada anterior"))  # fmt: skip
def rollback(name: NameParam, principal: AdminDep, session: SessionDep) -> VersionOut:
    row = registry_rows.rollback(session, principal.tenant_id, name)
    session.commit()
    service.deployed_models.invalidate(principal.tenant_id, name)
    return get_version(name, row.version, principal, session)


@router.post("/{name}/versions/{version}/archive", responses=problems(
    409, s409="The version is deployed — La versión está desplegada"))  # fmt: skip
def archive(name: NameParam, version: VersionParam, principal: AdminDep, session: SessionDep) -> VersionOut:
    registry_rows.archive(session, principal.tenant_id, name, version)
    return get_version(name, version, principal, session)


@router.post("/{name}/versions/{version}/promote", responses=problems(
    409, s409="The version has no such metric, or is archived — La versión no tiene esa métrica, o está archivada"
))  # fmt: skip
def promote(
    name: NameParam, version: VersionParam, body: PromoteIn, principal: AdminDep, session: SessionDep
) -> dict[str, Any]:
    """Champion/challenger: deploy ``version`` only if ``metric`` beats the deployed one by ``min_gain``."""
    promoted = service.promote_if_better(
        session, principal.tenant_id, name, version, body.metric, body.min_gain, body.higher_is_better
    )
    session.commit()
    service.deployed_models.invalidate(principal.tenant_id, name)
    deployed = registry_rows.deployed_version(session, principal.tenant_id, name)
    return {"promoted": promoted, "deployed_version": deployed.version if deployed else None}


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
    from tendero.store import datasets as dataset_rows
    from tendero.store import jobs as job_rows

    started = time.perf_counter()
    registry_rows.get_model(session, principal.tenant_id, name)
    dataset_rows.get_dataset(session, principal.tenant_id, body.dataset)
    params = {"model": name, "dataset": body.dataset, "format": body.format, "on_invalid": body.on_invalid,
              "language": language_of(request)}  # fmt: skip
    job, _ = job_rows.submit_job(session, principal.tenant_id, "batch_predict", params)
    session.commit()
    service.notify_runner(job)
    record_call(request, principal, "predict", started, 202, model=name)
    return job_out(job)


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
) -> dict[str, Any]:
    """Predict with the deployed version; the body's shape depends on the model's kind."""
    with audited(request, principal, "predict", name) as trail:
        served = service.deployed_models.get(principal.tenant_id, name)
        trail.version = served.version
        serve = getattr(served.fitted, "serve", None)
        if serve is None:
            raise ProblemError(404, f"model {name!r} of kind {served.kind} is served by its own endpoints")
        language = language_of(request)
        options = {"language": language} if "language" in inspect.signature(serve).parameters else {}
        try:
            result = serve(payload, **options)
        except ValidationError:
            raise
        except ValueError as error:  # the kind's own input checks: rows/columns named in ``issues`` when it has them
            errors = [_issue_error(issue) for issue in getattr(error, "issues", [])]
            raise ProblemError(422, str(error), errors or [{"field": "body", "message": str(error)}]) from error
        metrics.predictions.labels(served.kind, name, served.version).inc()
        return {"model": name, "version": served.version, **result}


def _issue_error(issue: Any) -> dict[str, Any]:
    """A kind's input issue (row, column, message) as a problem-details field error."""
    row, column = getattr(issue, "row", None), getattr(issue, "column", None)
    field = ".".join(str(part) for part in ("body", "rows", row, column) if part is not None)
    if row is None and column in ("rows", "on_invalid"):
        field = f"body.{column}"
    error = {"field": field, "row": row, "column": column, "message": getattr(issue, "message", str(issue))}
    if getattr(issue, "code", None):
        error["code"] = issue.code
    if getattr(issue, "value", None) is not None:
        error["value"] = issue.value
    return error
