"""Model registry rows: models, versions, aliases and the deploy history (MLflow's model, tenant-scoped)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tendero.errors import Conflict, NotFound
from tendero.store.tables import Deployment, Model, ModelAlias, ModelVersion, new_id, utcnow

VERSION_STATUSES = ("training", "ready", "deployed", "archived")


@dataclass(frozen=True)
class NewVersion:
    """What a finished training run hands the registry."""

    algorithm: str
    params: dict[str, Any]
    metrics: dict[str, Any]
    data_summary: dict[str, Any]
    serving: dict[str, Any]
    artifact_uri: str
    artifact_bytes: int
    artifact_sha256: str
    job_id: str | None
    idempotency_key: str


def get_or_create_model(session: Session, tenant_id: str, name: str, kind: str) -> Model:
    model = session.scalar(select(Model).where(Model.tenant_id == tenant_id, Model.name == name))
    if model is not None:
        if model.kind != kind:
            raise Conflict(f"model {name!r} is of kind {model.kind!r}, not {kind!r}")
        return model
    model = Model(tenant_id=tenant_id, name=name, kind=kind)
    try:
        with session.begin_nested():
            session.add(model)
    except IntegrityError:
        return get_model(session, tenant_id, name)
    return model


def get_model(session: Session, tenant_id: str, name: str) -> Model:
    model = session.scalar(select(Model).where(Model.tenant_id == tenant_id, Model.name == name))
    if model is None:
        raise NotFound(f"no model named {name!r}")
    return model


def list_models(
    session: Session, tenant_id: str, *, kind: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[Sequence[Model], int]:
    query = select(Model).where(Model.tenant_id == tenant_id)
    if kind:
        query = query.where(Model.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return session.scalars(query.order_by(Model.name).limit(limit).offset(offset)).all(), total


def list_versions(
    session: Session, tenant_id: str, name: str, *, limit: int = 50, offset: int = 0
) -> tuple[Sequence[ModelVersion], int]:
    model = get_model(session, tenant_id, name)
    query = select(ModelVersion).where(ModelVersion.tenant_id == tenant_id, ModelVersion.model_id == model.id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(ModelVersion.major.desc(), ModelVersion.minor.desc()).limit(limit).offset(offset)
    ).all()
    return rows, total


def get_version(session: Session, tenant_id: str, name: str, version: str) -> ModelVersion:
    model = get_model(session, tenant_id, name)
    row = session.scalar(
        select(ModelVersion).where(
            ModelVersion.tenant_id == tenant_id,
            ModelVersion.model_id == model.id,
            ModelVersion.version == version,
        )
    )
    if row is None:
        raise NotFound(f"model {name!r} has no version {version!r}")
    return row


def deployed_version(session: Session, tenant_id: str, name: str) -> ModelVersion | None:
    return session.scalar(
        select(ModelVersion)
        .join(Model, Model.id == ModelVersion.model_id)
        .where(Model.tenant_id == tenant_id, Model.name == name, ModelVersion.status == "deployed")
    )


def version_by_idempotency_key(session: Session, tenant_id: str, key: str) -> ModelVersion | None:
    return session.scalar(
        select(ModelVersion).where(ModelVersion.tenant_id == tenant_id, ModelVersion.idempotency_key == key)
    )


def register_version(session: Session, tenant_id: str, model: Model, new: NewVersion) -> tuple[ModelVersion, bool]:
    """Add a version (minor bump on retrain, major when the algorithm changes); idempotent by key."""
    existing = version_by_idempotency_key(session, tenant_id, new.idempotency_key)
    if existing is not None:
        return existing, False
    latest = session.scalar(
        select(ModelVersion)
        .where(ModelVersion.model_id == model.id)
        .order_by(ModelVersion.major.desc(), ModelVersion.minor.desc())
        .limit(1)
    )
    if latest is None:
        major, minor = 1, 0
    elif latest.algorithm != new.algorithm:
        major, minor = latest.major + 1, 0
    else:
        major, minor = latest.major, latest.minor + 1
    version = ModelVersion(
        id=new_id(),
        tenant_id=tenant_id,
        model_id=model.id,
        version=f"{major}.{minor}.0",
        major=major,
        minor=minor,
        algorithm=new.algorithm,
        params=new.params,
        metrics=new.metrics,
        data_summary=new.data_summary,
        serving=new.serving,
        job_id=new.job_id,
        idempotency_key=new.idempotency_key,
        parent_version_id=latest.id if latest else None,
        artifact_uri=new.artifact_uri,
        artifact_bytes=new.artifact_bytes,
        artifact_sha256=new.artifact_sha256,
        status="ready",
    )
    session.add(version)
    session.flush()
    set_alias(session, tenant_id, model, "challenger", version)
    return version, True


def set_alias(session: Session, tenant_id: str, model: Model, alias: str, version: ModelVersion) -> None:
    row = session.get(ModelAlias, (model.id, alias))
    if row is None:
        session.add(ModelAlias(model_id=model.id, alias=alias, tenant_id=tenant_id, version_id=version.id))
    else:
        row.version_id = version.id


def aliases(session: Session, tenant_id: str, model: Model) -> dict[str, str]:
    """alias -> version string."""
    rows = session.execute(
        select(ModelAlias.alias, ModelVersion.version)
        .join(ModelVersion, ModelVersion.id == ModelAlias.version_id)
        .where(ModelAlias.tenant_id == tenant_id, ModelAlias.model_id == model.id)
    ).all()
    return {alias: version for alias, version in rows}


def _activate(session: Session, tenant_id: str, model: Model, version: ModelVersion, action: str) -> None:
    current = session.scalars(
        select(ModelVersion).where(ModelVersion.model_id == model.id, ModelVersion.status == "deployed")
    ).all()
    for row in current:
        row.status = "ready"
    version.status = "deployed"
    version.deployed_at = utcnow()
    session.add(Deployment(tenant_id=tenant_id, model_id=model.id, version_id=version.id, action=action))
    set_alias(session, tenant_id, model, "champion", version)
    session.flush()


def deploy(session: Session, tenant_id: str, name: str, version: str) -> ModelVersion:
    """Make ``version`` the one deployed version of the model."""
    model = get_model(session, tenant_id, name)
    row = get_version(session, tenant_id, name, version)
    if row.status == "archived":
        raise Conflict(f"version {version} of {name!r} is archived; archived versions cannot be deployed")
    if row.status != "deployed":
        _activate(session, tenant_id, model, row, "deploy")
    return row


def rollback(session: Session, tenant_id: str, name: str) -> ModelVersion:
    """Deploy again the version that was deployed before the current one."""
    model = get_model(session, tenant_id, name)
    current = deployed_version(session, tenant_id, name)
    if current is None:
        raise Conflict(f"model {name!r} has no deployed version to roll back from")
    history = session.scalars(
        select(Deployment).where(Deployment.model_id == model.id).order_by(Deployment.id.desc())
    ).all()
    for entry in history:
        if entry.version_id == current.id:
            continue
        candidate = session.get(ModelVersion, entry.version_id)
        if candidate is not None and candidate.status != "archived":
            _activate(session, tenant_id, model, candidate, "rollback")
            return candidate
    raise Conflict(f"model {name!r} has no earlier deployed version to roll back to")


def archive(session: Session, tenant_id: str, name: str, version: str) -> ModelVersion:
    row = get_version(session, tenant_id, name, version)
    if row.status == "deployed":
        raise Conflict(f"version {version} of {name!r} is deployed; deploy or roll back to another first")
    row.status = "archived"
    return row


def set_flag(session: Session, tenant_id: str, name: str, flag: str, value: Any) -> None:
    """Mark a model (e.g. ``drift``) so the API, the dashboard and alerts can show it."""
    model = get_model(session, tenant_id, name)
    flags = dict(model.flags or {})
    if value is None:
        flags.pop(flag, None)
    else:
        flags[flag] = value
    model.flags = flags


def artifact_uris_of_job(session: Session, tenant_id: str, job_id: str) -> set[str]:
    return set(
        session.scalars(
            select(ModelVersion.artifact_uri).where(ModelVersion.tenant_id == tenant_id, ModelVersion.job_id == job_id)
        )
    )
