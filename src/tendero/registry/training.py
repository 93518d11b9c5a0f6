"""The ``train`` job: fit a model kind on the tenant's frames and register the result as a version."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tendero.jobs.execute import JobContext, JobFailed
from tendero.kinds import Fitted, KindParams, ModelKind, Reported, get_kind
from tendero.observability.memory import peak_mb, reset_peak, resident_mb
from tendero.observability.timing import percentile_ms
from tendero.registry.promotion import apply_deploy_policy
from tendero.store import artifacts
from tendero.store import registry as registry_rows
from tendero.store.db import session_scope

log = logging.getLogger(__name__)


class TrainRequest(BaseModel):
    """What a ``train`` job carries in its params."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: str
    params: dict[str, Any] = Field(default_factory=dict)
    deploy: str | None = Field(
        None,
        pattern="^(always|if_better|never)$",
        description="set by submit_training from the caller's role; a job without it never deploys",
    )
    promote_metric: str | None = None
    min_gain: float = Field(0.0, ge=0.0, description="relative gain the challenger needs, e.g. 0.02")
    higher_is_better: bool = True
    dataset: str | None = Field(None, description="the training-platform dataset the kind trains on")


def validate_request(raw: dict[str, Any]) -> tuple[TrainRequest, ModelKind, KindParams]:
    """Parse a train request and its kind's params; ValueError/ValidationError name the bad field."""
    request = TrainRequest.model_validate(raw)
    kind = get_kind(request.kind)
    params = kind.Params.model_validate(request.params)
    return request, kind, params


def measure_serving(fitted_type: type[Fitted], folder: Any, calls: int = 30) -> dict[str, float]:
    """Load the saved model fresh and time its probe prediction: what serving it will cost. Its memory is the
    resident memory that the load and the first probe add (``observability.memory``, not ``tracemalloc``)."""
    reset_peak()
    before = resident_mb()
    started = time.perf_counter()
    loaded = fitted_type.load(folder)
    load_ms = (time.perf_counter() - started) * 1000
    loaded.probe()
    peak = max(0.0, peak_mb() - before)
    durations = []
    for _ in range(calls):
        tick = time.perf_counter()
        loaded.probe()
        durations.append(time.perf_counter() - tick)
    total = sum(durations)
    return {
        "load_ms": load_ms,
        "p50_ms": percentile_ms(durations, 50),
        "p95_ms": percentile_ms(durations, 95),
        "throughput_per_s": calls / total if total > 0 else float("inf"),
        "peak_memory_mb": peak,
    }


def run_training(ctx: JobContext) -> dict[str, Any]:
    from tendero.data.frames import tenant_frames

    try:
        request, kind, params = validate_request(ctx.params)
    except (ValidationError, KeyError, ValueError) as error:
        raise JobFailed(f"invalid training request: {error}") from error
    key = f"train:{ctx.job_id}"
    with session_scope() as session:
        done = registry_rows.version_by_idempotency_key(session, ctx.tenant_id, key)
        if done is not None:  # an earlier attempt registered it before its worker died
            return {"model": request.model, "version": done.version, "reused": True}
    try:
        frames = tenant_frames(ctx.tenant_id, kind.needs, request.dataset)
    except ValueError as error:
        raise JobFailed(str(error)) from error
    started = time.perf_counter()
    fitted = kind.fit(frames, params, ctx.progress)
    fit_seconds = time.perf_counter() - started
    summary: dict[str, Any] = {name: len(frames[name]) for name in kind.needs if name in frames}
    summary["fit_seconds"] = round(fit_seconds, 3)
    if isinstance(fitted, Reported):
        summary.update(fitted.training_report())
    with publish_version(ctx, request.model, kind, params, fitted, summary, key) as (session, version, created):
        deployed = False
        if created:
            deployed = apply_deploy_policy(
                session, ctx.tenant_id, request.model, version, kind, request.deploy,
                (request.promote_metric, request.min_gain, request.higher_is_better),
            )  # fmt: skip
        result = {"model": request.model, "version": version.version, "deployed": deployed}
    return result


@contextmanager
def publish_version(
    ctx: JobContext,
    model_name: str,
    kind: ModelKind,
    params: KindParams,
    fitted: Fitted,
    summary: dict[str, Any],
    key: str,
) -> Iterator[tuple[Any, Any, bool]]:
    """Save the fitted model, time its serving, publish its files and register it as a version (idempotent
    by ``key``); yields (session, version row, created) inside the registering transaction, so a deploy
    decision made there commits with it."""
    local = ctx.work_dir / "model"
    shutil.rmtree(local, ignore_errors=True)
    local.mkdir(parents=True, exist_ok=True)
    fitted.save(local)
    serving = measure_serving(kind.fitted_type, local)
    uri = artifacts.version_uri(ctx.tenant_id, model_name, ctx.job_id, ctx.attempt)
    info = artifacts.publish(local, uri)
    with session_scope() as session:
        model = registry_rows.get_or_create_model(session, ctx.tenant_id, model_name, kind.name)
        version, created = registry_rows.register_version(
            session,
            ctx.tenant_id,
            model,
            registry_rows.NewVersion(
                algorithm=kind.algorithm(params),
                params=params.model_dump(mode="json"),
                metrics={k: float(v) for k, v in fitted.metrics.items()},
                data_summary=summary,
                serving=serving,
                artifact_uri=info.uri,
                artifact_bytes=info.bytes,
                artifact_sha256=info.sha256,
                job_id=ctx.job_id,
                idempotency_key=key,
            ),
        )
        yield session, version, created
