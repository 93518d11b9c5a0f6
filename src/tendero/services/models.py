"""The model registry for every face: models and versions as shown, training, deploy / rollback / archive /
promote (each dropping the served copy at once), batch predictions and predictions through the kind's answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar, overload

from pydantic import Field, ValidationError
from sqlalchemy.orm import Session

from tendero.errors import Conflict, Invalid, NotFound
from tendero.kinds import Fitted, Servable
from tendero.observability import metrics
from tendero.registry import service
from tendero.registry.service import OPERATOR as OPERATOR
from tendero.registry.service import Served as Served
from tendero.registry.service import TrainingRunning as TrainingRunning
from tendero.registry.service import WrongSurface as WrongSurface
from tendero.registry.service import deployed_models
from tendero.services.jobs import job_out, notify_runner, submit_job
from tendero.services.schemas import JobOut, ModelOut, PageOf, VersionOut
from tendero.services.tenant_settings import currency_of
from tendero.store import datasets as dataset_rows
from tendero.store import registry as registry_rows
from tendero.store.artifacts import ArtifactCorrupted as ArtifactCorrupted
from tendero.store.db import using_session
from tendero.store.tables import Model, ModelVersion

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
VERSION_PATTERN = r"^\d+\.\d+\.\d+$"
S = TypeVar("S")
ModelName = Annotated[str, Field(min_length=1, max_length=200, pattern=NAME_PATTERN)]
KIND_TAKEN = {
    "en": "model {name!r} is of kind {kind}, not {asked}: train it as {kind} or choose another name",
    "es": "el modelo {name!r} es de tipo {kind}, no {asked}: entrénalo como {kind} o elige otro nombre",
}


def version_out(row: ModelVersion, aliases: dict[str, str]) -> VersionOut:
    out = VersionOut.model_validate(row)
    out.aliases = sorted(alias for alias, version in aliases.items() if version == row.version)
    return out


def model_out(session: Session, tenant_id: str, model: Model) -> ModelOut:
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


def list_models(
    tenant_id: str, kind: str | None = None, limit: int = 50, offset: int = 0, session: Session | None = None
) -> PageOf[ModelOut]:
    with using_session(session) as db:
        rows, total = registry_rows.list_models(db, tenant_id, kind=kind, limit=limit, offset=offset)
        items = [model_out(db, tenant_id, row) for row in rows]
        return PageOf[ModelOut](items=items, total=total, limit=limit, offset=offset)


def get_model(tenant_id: str, name: str, session: Session | None = None) -> ModelOut:
    with using_session(session) as db:
        return model_out(db, tenant_id, registry_rows.get_model(db, tenant_id, name))


def list_versions(
    tenant_id: str, name: str, limit: int = 50, offset: int = 0, session: Session | None = None
) -> PageOf[VersionOut]:
    with using_session(session) as db:
        rows, total = registry_rows.list_versions(db, tenant_id, name, limit=limit, offset=offset)
        aliases = registry_rows.aliases(db, tenant_id, registry_rows.get_model(db, tenant_id, name))
        return PageOf[VersionOut](items=[version_out(row, aliases) for row in rows], total=total, limit=limit,
                                  offset=offset)  # fmt: skip


def get_version(tenant_id: str, name: str, version: str, session: Session | None = None) -> VersionOut:
    with using_session(session) as db:
        row = registry_rows.get_version(db, tenant_id, name, version)
        model = registry_rows.get_model(db, tenant_id, name)
        return version_out(row, registry_rows.aliases(db, tenant_id, model))


def train(
    tenant_id: str,
    name: str,
    request: dict[str, Any],
    *,
    role: str,
    idempotency_key: str | None = None,
    language: Literal["es", "en"] = "en",
    session: Session | None = None,
) -> JobOut:
    """Queue a training job for model ``name`` (committed, the runner woken). A name already used by another kind
    is a Conflict now, not a failed job later; an unknown kind is Invalid."""
    payload = {**request, "model": name}
    with using_session(session) as db:
        try:
            existing = registry_rows.get_model(db, tenant_id, name)
        except NotFound:
            existing = None
        asked = payload.get("kind")
        if existing is not None and existing.kind != asked:
            raise Conflict(KIND_TAKEN[language].format(name=name, kind=existing.kind, asked=asked),
                           [{"field": "body.kind", "message": f"the model is of kind {existing.kind}"}])  # fmt: skip
        job = submit_training(tenant_id, payload, role=role, idempotency_key=idempotency_key, session=db)
        return job


def submit_training(
    tenant_id: str,
    request: dict[str, Any],
    *,
    role: str,
    idempotency_key: str | None = None,
    session: Session | None = None,
    wake_runner: bool = True,
) -> JobOut:
    """Queue a ``train`` job whose ``deploy`` the caller's ``role`` allows (committed; the runner woken unless the
    caller runs the job itself, as the CLI's ``--follow`` does)."""
    if request.get("kind") == "pricing":  # prices are in the tenant's currency unless the request says otherwise
        params = dict(request.get("params") or {})
        params.setdefault("currency", currency_of(tenant_id))
        request = {**request, "params": params}
    with using_session(session) as db:
        try:
            job, _ = service.submit_training(db, tenant_id, request, idempotency_key, role=role)
        except KeyError as error:
            message = str(error.args[0])
            raise Invalid(message, [{"field": "body.kind", "message": message}]) from error
        db.commit()
        if wake_runner:
            notify_runner(job)
        return job_out(job)


def deploy(tenant_id: str, name: str, version: str, session: Session | None = None) -> VersionOut:
    with using_session(session) as db:
        row = registry_rows.deploy(db, tenant_id, name, version)
        db.commit()
        deployed_models.invalidate(tenant_id, name)
        return get_version(tenant_id, name, row.version, db)


def rollback(tenant_id: str, name: str, session: Session | None = None) -> VersionOut:
    with using_session(session) as db:
        row = registry_rows.rollback(db, tenant_id, name)
        db.commit()
        deployed_models.invalidate(tenant_id, name)
        return get_version(tenant_id, name, row.version, db)


def archive(tenant_id: str, name: str, version: str, session: Session | None = None) -> VersionOut:
    with using_session(session) as db:
        registry_rows.archive(db, tenant_id, name, version)
        return get_version(tenant_id, name, version, db)


def promote(
    tenant_id: str,
    name: str,
    version: str,
    metric: str,
    min_gain: float = 0.0,
    higher_is_better: bool = True,
    session: Session | None = None,
) -> dict[str, Any]:
    """Champion/challenger: deploy ``version`` only if ``metric`` beats the deployed one by ``min_gain``."""
    with using_session(session) as db:
        promoted = service.promote_if_better(db, tenant_id, name, version, metric, min_gain, higher_is_better)
        db.commit()
        deployed_models.invalidate(tenant_id, name)
        deployed = registry_rows.deployed_version(db, tenant_id, name)
        return {"promoted": promoted, "deployed_version": deployed.version if deployed else None}


def submit_batch_prediction(
    tenant_id: str, name: str, params: dict[str, Any], session: Session | None = None
) -> JobOut:
    """Predict every row of a dataset as a ``batch_predict`` job; the model and the dataset must exist."""
    with using_session(session) as db:
        registry_rows.get_model(db, tenant_id, name)
        dataset_rows.get_dataset(db, tenant_id, params["dataset"])
        return submit_job(tenant_id, "batch_predict", {"model": name, **params}, session=db)


class PredictionRefused(Invalid):
    """The kind's own input checks refused the request; ``errors`` name rows and columns."""


@overload
def deployed(tenant_id: str, name: str) -> Served[Fitted]: ...


@overload
def deployed(tenant_id: str, name: str, surface: type[S]) -> Served[S]: ...


def deployed(tenant_id: str, name: str, surface: type[Any] | None = None) -> Served[Any]:
    """The deployed version of ``name``, loaded, answering as ``surface`` (a protocol of ``tendero.kinds``) when
    given; NotFound when none is deployed or its kind does not answer that way."""
    if surface is None:
        return deployed_models.get(tenant_id, name)
    return deployed_models.get(tenant_id, name, surface)


def servable(tenant_id: str, name: str) -> Served[Servable]:
    """The deployed version of ``name`` when ``POST /v1/models/{name}/predict`` answers for its kind; NotFound
    (saying its kind is served by its own endpoints) otherwise."""
    return deployed_models.get(tenant_id, name, Servable)


def answer(served: Served[Servable], payload: dict[str, Any], language: str = "en") -> dict[str, Any]:
    """The answer of a deployed version to a request shaped as its kind expects."""
    try:
        result = served.fitted.serve(payload, language)
    except ValidationError:
        raise
    except ValueError as error:  # the kind's own input checks: rows/columns named in ``issues`` when it has them
        errors = [_issue_error(issue) for issue in getattr(error, "issues", [])]
        raise PredictionRefused(str(error), errors or [{"field": "body", "message": str(error)}]) from error
    metrics.predictions.labels(served.kind, served.model, served.version).inc()
    return {"model": served.model, "version": served.version, **result}


def _issue_error(issue: Any) -> dict[str, Any]:
    """A kind's input issue (row, column, message) as a field error."""
    row, column, named = getattr(issue, "row", None), getattr(issue, "column", None), getattr(issue, "field", None)
    error: dict[str, Any]
    if named is not None:  # the request's own field (rows, on_invalid): no row or column to name
        error = {"field": f"body.{named}", "message": getattr(issue, "message", str(issue))}
    else:
        field = ".".join(str(part) for part in ("body", "rows", row, column) if part is not None)
        error = {"field": field, "row": row, "column": column, "message": getattr(issue, "message", str(issue))}
    if getattr(issue, "code", None):
        error["code"] = issue.code
    if getattr(issue, "value", None) is not None:
        error["value"] = issue.value
    return error


@dataclass(frozen=True)
class ModelView:
    """A model with its versions (newest first, at most the number asked) and its deployed version."""

    model: ModelOut
    versions: list[VersionOut]
    deployed: VersionOut | None


def models_with_versions(tenant_id: str, limit: int = 100, versions: int = 20) -> list[ModelView]:
    """The tenant's models for a page: each with its latest ``versions`` and the deployed one."""
    out = []
    with using_session(None) as db:
        rows, _ = registry_rows.list_models(db, tenant_id, limit=limit)
        for row in rows:
            aliases = registry_rows.aliases(db, tenant_id, row)
            latest, _ = registry_rows.list_versions(db, tenant_id, row.name, limit=versions)
            deployed = registry_rows.deployed_version(db, tenant_id, row.name)
            out.append(ModelView(model_out(db, tenant_id, row), [version_out(v, aliases) for v in latest],
                                 version_out(deployed, aliases) if deployed is not None else None))  # fmt: skip
    return out
