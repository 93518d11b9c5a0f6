"""The model registry over HTTP: models, versions, train, deploy, rollback, archive, promote, predict."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tendero.api.audit import record_call
from tendero.api.deps import AdminDep, PageDep, PredictorDep, ReaderDep, SessionDep, TrainerDep
from tendero.api.errors import ProblemError
from tendero.api.jobs import job_out
from tendero.api.schemas import JobOut, ModelOut, PageOf, PromoteIn, TrainRequestIn, VersionOut
from tendero.observability import metrics
from tendero.registry import service
from tendero.store import registry as registry_rows
from tendero.store.tables import Model, ModelVersion

router = APIRouter(prefix="/v1/models", tags=["models"])
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


@router.post("/{name}/train", status_code=status.HTTP_202_ACCEPTED)
def train(
    name: NameParam, body: TrainRequestIn, request: Request, principal: TrainerDep, session: SessionDep
) -> JobOut:
    """Queue a training job for this model; follow it at ``/v1/jobs/{id}/progress``."""
    started = time.perf_counter()
    payload = body.model_dump(exclude={"idempotency_key"})
    payload["model"] = name
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


@router.post("/{name}/versions/{version}/deploy")
def deploy(name: NameParam, version: VersionParam, principal: AdminDep, session: SessionDep) -> VersionOut:
    row = registry_rows.deploy(session, principal.tenant_id, name, version)
    session.commit()
    service.deployed_models.invalidate(principal.tenant_id, name)
    return get_version(name, row.version, principal, session)


@router.post("/{name}/rollback")
def rollback(name: NameParam, principal: AdminDep, session: SessionDep) -> VersionOut:
    row = registry_rows.rollback(session, principal.tenant_id, name)
    session.commit()
    service.deployed_models.invalidate(principal.tenant_id, name)
    return get_version(name, row.version, principal, session)


@router.post("/{name}/versions/{version}/archive")
def archive(name: NameParam, version: VersionParam, principal: AdminDep, session: SessionDep) -> VersionOut:
    registry_rows.archive(session, principal.tenant_id, name, version)
    return get_version(name, version, principal, session)


@router.post("/{name}/versions/{version}/promote")
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
    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(description="the dataset whose rows to predict")
    format: str = Field("csv", pattern="^(csv|parquet)$")


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
    job, _ = job_rows.submit_job(session, principal.tenant_id, "batch_predict",
                                 {"model": name, "dataset": body.dataset, "format": body.format})  # fmt: skip
    session.commit()
    service.notify_runner(job)
    record_call(request, principal, "predict", started, 202, model=name)
    return job_out(job)


@router.post("/{name}/predict")
def predict(
    name: NameParam,
    request: Request,
    principal: PredictorDep,
    payload: Annotated[dict[str, Any], Body(description="the input the model's kind expects")],
) -> dict[str, Any]:
    """Predict with the deployed version; the body's shape depends on the model's kind."""
    started = time.perf_counter()
    served = service.deployed_models.get(principal.tenant_id, name)
    serve = getattr(served.fitted, "serve", None)
    if serve is None:
        raise ProblemError(404, f"model {name!r} of kind {served.kind} is served by its own endpoints")
    try:
        result = serve(payload)
    except ValidationError as error:
        record_call(request, principal, "predict", started, 422, model=name, version=served.version, error=str(error))
        raise
    except ValueError as error:  # the kind's own input checks: rows/columns named in ``issues`` when it has them
        record_call(request, principal, "predict", started, 422, model=name, version=served.version, error=str(error))
        errors = [_issue_error(issue) for issue in getattr(error, "issues", [])]
        raise ProblemError(422, str(error), errors or [{"field": "body", "message": str(error)}]) from error
    metrics.predictions.labels(served.kind, name, served.version).inc()
    record_call(request, principal, "predict", started, 200, model=name, version=served.version)
    return {"model": name, "version": served.version, **result}


def _issue_error(issue: Any) -> dict[str, Any]:
    """A kind's input issue (row, column, message) as a problem-details field error."""
    row, column = getattr(issue, "row", None), getattr(issue, "column", None)
    field = ".".join(str(part) for part in ("body", "rows", row, column) if part is not None)
    return {"field": field, "row": row, "column": column, "message": getattr(issue, "message", str(issue))}
