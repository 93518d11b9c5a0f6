"""The training platform for every face: train a model on a dataset, compare its versions, ask for (or make) a
deploy, and predict with it from a form or a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from sqlalchemy.orm import Session

from tendero.errors import Conflict, NotFound
from tendero.registry import service
from tendero.services.jobs import job_out
from tendero.services.models import deploy, submit_batch_prediction
from tendero.services.schemas import JobOut, VersionOut
from tendero.store import datasets as dataset_rows
from tendero.store import jobs as job_rows
from tendero.store import registry as registry_rows
from tendero.store.db import using_session
from tendero.store.tables import Job
from tendero.store.tenants import Principal

DEPLOY_REQUESTED = "deploy_requested"  # the model flag an analyst's request to deploy a version leaves


def submit_dataset_training(
    tenant_id: str,
    name: str,
    dataset_id: str,
    *,
    role: str,
    algorithm: str = "lightgbm",
    hyperparameters: dict[str, Any] | None = None,
    task: str | None = None,
    target: str | None = None,
    features: list[str] | None = None,
    validation: float = 0.2,
    folds: int | None = None,
    seed: int = 0,
    search: dict[str, Any] | None = None,
    deploy_mode: str | None = None,
    idempotency_key: str | None = None,
    session: Session | None = None,
) -> JobOut:
    """Queue a ``tabular`` training job on a ready dataset, with its duration estimate: the one way every face queues
    one (Conflict when the dataset is not ready, TrainingRunning when the model is already being trained;
    Invalid/ValidationError name the field at fault). A resent ``idempotency_key`` gets its own job back."""
    with using_session(session) as db:
        dataset = dataset_rows.get_dataset(db, tenant_id, dataset_id)
        if dataset.status != "ready":
            raise Conflict(f"dataset {dataset.id} is {dataset.status}: {dataset.error or 'not ready yet'}",
                           [{"field": "dataset", "message": dataset.status}])  # fmt: skip
        task = task or dataset.task
        if task == "clustering":
            target = None
        elif target is None:
            target = dataset.target
        if not features:  # none named: every column but the target
            columns = [str(c["name"]) for c in (dataset.schema or {}).get("columns", [])]
            features = [c for c in columns if c != target] if dataset.target != target else dataset.features
        params = {"task": task, "target": target, "features": features or None, "algorithm": algorithm,
                  "hyperparameters": hyperparameters or {}, "validation": validation, "folds": folds, "seed": seed,
                  "search": search}  # fmt: skip
        from tendero.training.kind import PRIMARY_METRIC

        metric, higher = PRIMARY_METRIC[task]
        payload: dict[str, Any] = {"model": name, "kind": "tabular", "params": params, "deploy": deploy_mode,
                                   "dataset": dataset.id}  # fmt: skip
        payload.update(promote_metric=metric, higher_is_better=higher)
        job, created = service.submit_training(db, tenant_id, payload, idempotency_key, role=role)
        if created:
            job.estimated_seconds = service.estimate_training_seconds(
                tenant_id, payload, dataset.rows or 0, len((dataset.schema or {}).get("columns", []))
            )
        db.commit()
        service.notify_runner(job)
        return job_out(job)


def get_job(tenant_id: str, job_id: str, session: Session | None = None) -> JobOut:
    """One of the tenant's jobs (NotFound for another tenant's)."""
    with using_session(session) as db:
        return job_out(job_rows.get_job(db, tenant_id, job_id))


def last_training(tenant_id: str, model: str, session: Session | None = None) -> dict[str, Any]:
    """What the newest version of ``model`` was trained with (dataset, task, target, algorithm, hyperparameters), so
    that "train again" starts from it; empty when the model has no version yet."""
    with using_session(session) as db:
        try:
            rows, _ = registry_rows.list_versions(db, tenant_id, model, limit=1)
        except NotFound:
            return {}
        if not rows:
            return {}
        params = dict(rows[0].params or {})
        job = db.get(Job, rows[0].job_id) if rows[0].job_id else None
        if job is not None and job.tenant_id == tenant_id and (job.params or {}).get("dataset"):
            params["dataset"] = str(job.params["dataset"])
        return params


def running_training(tenant_id: str, model: str, session: Session | None = None) -> JobOut | None:
    """The queued or running training job of ``model``, if any: a page offers no second "train" while it runs."""
    with using_session(session) as db:
        job = job_rows.unfinished_training(db, tenant_id, model)
        return job_out(job) if job is not None else None


def models_in_training(tenant_id: str, session: Session | None = None) -> dict[str, JobOut]:
    """Model name -> the job queued or running to train it (a running one before a queued one), for pages that list
    a model's training while it runs, its first one included, before the model has any version."""
    with using_session(session) as db:
        busy: dict[str, JobOut] = {}
        for status in ("running", "pending"):
            rows, _ = job_rows.list_jobs(db, tenant_id, status=status, kind="train", limit=500)
            for job in rows:
                model = (job.params or {}).get("model")
                if isinstance(model, str) and model not in busy:
                    busy[model] = job_out(job)
        return busy


@dataclass(frozen=True)
class Comparison:
    """A model's versions side by side: the metrics any of them has, each version's values, the deployed one and
    the version an analyst asked to deploy."""

    name: str
    kind: str
    versions: list[VersionOut]
    metrics: list[str]
    deployed: str | None
    requested: dict[str, Any] | None = None
    better: dict[str, bool] = field(default_factory=dict)  # metric -> higher is better, where known


def compare_versions(tenant_id: str, name: str, limit: int = 10, session: Session | None = None) -> Comparison:
    """The newest ``limit`` versions of ``name`` (archived left out) with every numeric metric they report; none
    while its first training is queued or running (NotFound when it has neither)."""
    from tendero.services.models import version_out

    with using_session(session) as db:
        try:
            model = registry_rows.get_model(db, tenant_id, name)
        except NotFound:  # a model whose first training is queued or running: no version yet, but it exists
            job = job_rows.unfinished_training(db, tenant_id, name)
            if job is None:
                raise
            return Comparison(name, str((job.params or {}).get("kind", "")), [], [], None)
        aliases = registry_rows.aliases(db, tenant_id, model)
        rows, _ = registry_rows.list_versions(db, tenant_id, name, limit=limit * 2)
        versions = [version_out(row, aliases) for row in rows if row.status != "archived"][:limit]
        metrics: list[str] = []
        for version in versions:
            for metric, value in version.metrics.items():
                if isinstance(value, int | float) and metric not in metrics:
                    metrics.append(metric)
        deployed = next((v.version for v in versions if v.status == "deployed"), None)
        requested = dict((model.flags or {}).get(DEPLOY_REQUESTED) or {}) or None
        if requested and requested.get("version") == deployed:
            requested = None
        from tendero.training.kind import PRIMARY_METRIC

        better = {m: higher for m, higher in PRIMARY_METRIC.values() if m in metrics}
        return Comparison(name, model.kind, versions, metrics, deployed, requested, better)


def request_deploy(tenant_id: str, name: str, version: str, principal: Principal,
                   session: Session | None = None) -> None:  # fmt: skip
    """An analyst's request that an admin deploy ``version``: kept as the model's ``deploy_requested`` flag (who,
    which version, when), shown to admins beside the version until it is deployed."""
    from tendero.store.tables import utcnow

    with using_session(session) as db:
        row = registry_rows.get_version(db, tenant_id, name, version)
        if row.status == "archived":
            raise Conflict(f"version {version} of {name!r} is archived; archived versions cannot be deployed")
        flag = {"version": row.version, "by": principal.key_prefix, "role": principal.role,
                "at": utcnow().isoformat(timespec="seconds")}  # fmt: skip
        registry_rows.set_flag(db, tenant_id, name, DEPLOY_REQUESTED, flag)
        db.commit()


def deploy_version(tenant_id: str, name: str, version: str) -> VersionOut:
    """Deploy ``version`` (an admin's act) and clear a request to deploy that it answers."""
    out = deploy(tenant_id, name, version)
    with using_session(None) as db:
        model = registry_rows.get_model(db, tenant_id, name)
        if ((model.flags or {}).get(DEPLOY_REQUESTED) or {}).get("version") == out.version:
            registry_rows.set_flag(db, tenant_id, name, DEPLOY_REQUESTED, None)
            db.commit()
    return out


@dataclass(frozen=True)
class InputColumn:
    """A column the deployed version reads, as a prediction form asks for it."""

    name: str
    type: str
    categories: list[str] | None
    missing_share: float


def input_columns(tenant_id: str, name: str, session: Session | None = None) -> tuple[VersionOut, list[InputColumn]]:
    """The deployed version of a ``tabular`` model and the columns it reads, typed from the dataset it was trained on
    (text when that dataset is gone). NotFound when nothing is deployed or the model predicts no rows."""
    from tendero.services.models import version_out

    with using_session(session) as db:
        model = registry_rows.get_model(db, tenant_id, name)
        if model.kind != "tabular":
            raise NotFound(f"model {name!r} is of kind {model.kind}; it does not predict rows from a form")
        row = registry_rows.deployed_version(db, tenant_id, name)
        if row is None:
            raise NotFound(f"model {name!r} has no deployed version")
        version = version_out(row, registry_rows.aliases(db, tenant_id, model))
        params = dict(row.params or {})
        schema: dict[str, dict[str, Any]] = {}
        job = db.get(Job, row.job_id) if row.job_id else None
        dataset_id = (job.params or {}).get("dataset") if job is not None and job.tenant_id == tenant_id else None
        if dataset_id:
            try:
                dataset = dataset_rows.get_dataset(db, tenant_id, str(dataset_id))
                schema = {str(c["name"]): c for c in (dataset.schema or {}).get("columns", [])}
            except NotFound:
                schema = {}
        names = params.get("features") or [c for c in schema if c != params.get("target")]
        columns = [
            InputColumn(
                c,
                str(schema.get(c, {}).get("type", "text")),
                schema.get(c, {}).get("categories"),
                float(schema.get(c, {}).get("missing_share", 0.0)),
            )
            for c in names
        ]
        return version, columns


def submit_file_prediction(tenant_id: str, name: str, path: Path, filename: str,
                           file_format: Literal["csv", "parquet"] = "csv") -> JobOut:  # fmt: skip
    """A file of rows to predict: stored as a dataset (its report says what was refused), then a batch job on the
    deployed version; Conflict with the dataset's error when the file could not be read."""
    from tendero.data.datasets import create_from_file

    with using_session(None) as db:
        registry_rows.get_model(db, tenant_id, name)
    dataset = create_from_file(tenant_id, path, filename, f"predict {name}: {Path(filename).name}"[:200],
                               "clustering")  # fmt: skip
    if dataset.status != "ready":
        raise Conflict(dataset.error or "the file could not be read", [{"field": "file", "message": dataset.error}])
    return submit_batch_prediction(tenant_id, name, {"dataset": dataset.id, "format": file_format})


def prediction_file(tenant_id: str, job_id: str) -> tuple[IO[bytes], str]:
    """The file a finished batch prediction wrote and its format; Conflict when the job has none."""
    from tendero.registry.batch import open_predictions

    with using_session(None) as db:
        job = job_rows.get_job(db, tenant_id, job_id)
        if job.kind != "batch_predict" or job.status != "completed" or not job.result:
            raise Conflict(f"job {job_id} has no file to download (kind {job.kind}, status {job.status})")
        file_format = str(job.result["format"])
    return open_predictions(tenant_id, job_id, file_format), file_format
