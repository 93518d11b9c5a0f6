"""Champion/challenger retraining: train on the newest data, score both on the same newest holdout, promote
only on a clear win, and say why in a report.

1. The kind splits the newest holdout off the tenant's frames (``split_holdout``).
2. The challenger is fitted on what comes before it, with the champion's params (or the schedule's).
3. Champion (the deployed version, loaded from its files) and challenger are scored on the same rows with
   the same metric (``score_holdout``); rows only one of them can answer for are left out of both.
4. The challenger wins when its metric is better by the margin (default 2 %) and no guardrail metric is
   worse by more than the margin. The winner is then fitted again on all the data (or brought up to date
   by the kind's ``update``), registered as a new version and deployed; the old version stays, so a
   rollback is one call. A challenger that loses is not registered.

``refresh`` is the cheap path between full retrains: the deployed model brought up to today's data by its
kind's ``update`` (the recommender's: nothing tuned again), registered and deployed.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tendero.config import get_settings
from tendero.jobs.execute import JobContext, JobFailed
from tendero.kinds import Fitted, Frames, HoldoutScore, HoldoutScoring, KindParams, ModelKind, Progress, get_kind
from tendero.registry.service import relative_gain
from tendero.registry.training import publish_version
from tendero.store import artifacts
from tendero.store import jobs as job_rows
from tendero.store import registry as registry_rows
from tendero.store.db import session_scope
from tendero.store.tables import utcnow
from tendero.store.tenants import NotFound

DATA_WINDOW_PARAMS = ("as_of",)  # a retrain always learns up to the newest data


class RetrainPolicy(BaseModel):
    """What a ``retrain`` schedule (or a drift-triggered run) asks for."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: str | None = Field(None, description="needed only when the model has no version yet")
    params: dict[str, Any] | None = Field(None, description="default: the deployed version's params")
    dataset: str | None = Field(None, description="tabular models: the dataset; default: the deployed version's")
    mode: Literal["challenger", "refresh"] = "challenger"
    margin: float = Field(0.02, ge=0.0, le=1.0, description="relative gain the challenger needs, e.g. 0.02")
    metric: str | None = Field(None, description="default: the kind's holdout metric")
    higher_is_better: bool | None = None
    on_drift: Literal["alert", "retrain"] = Field("alert", description="what a drift flag on this model does")


@dataclass
class Phase:
    """Progress of one step mapped onto a share of the job's bar."""

    progress: Progress
    low: float
    high: float
    message: str

    def update(self, step: int, total: int | None = None, *, message: str = "", **metrics: float) -> None:
        share = step / total if total else 0.0
        overall = self.low + (self.high - self.low) * min(1.0, max(0.0, share))
        self.progress.update(round(overall * 10), 1000, message=f"{self.message}: {message}".rstrip(": "), **metrics)


def retrain(ctx: JobContext, policy: RetrainPolicy, *, trigger: str = "manual", schedule: str = "") -> dict[str, Any]:
    """Run the policy for the model and return the report (also what the job's result holds)."""
    from tendero.data.frames import tenant_frames

    started_at, started = utcnow(), time.perf_counter()
    key = f"retrain:{ctx.job_id}"
    with session_scope() as session:
        try:
            model = registry_rows.get_model(session, ctx.tenant_id, policy.model)
            kind_name = model.kind
        except NotFound:
            if policy.kind is None:
                raise JobFailed(
                    f"no model named {policy.model!r} yet: give the schedule's kind to train its first version"
                ) from None
            kind_name = policy.kind
        champion_row = registry_rows.deployed_version(session, ctx.tenant_id, policy.model)
        champion_info = _version_info(champion_row)
        champion_dataset = _dataset_of(session, ctx.tenant_id, champion_row)
    kind = get_kind(kind_name)
    raw = dict(policy.params if policy.params is not None else (champion_info or {}).get("params", {}))
    for name in DATA_WINDOW_PARAMS:
        raw.pop(name, None)
    try:
        params = kind.Params.model_validate(raw)
    except ValidationError as error:
        raise JobFailed(f"invalid params for a {kind_name} model: {error}") from error
    dataset = policy.dataset or champion_dataset
    try:
        frames = tenant_frames(ctx.tenant_id, kind.needs, dataset)
    except ValueError as error:
        raise JobFailed(str(error)) from error
    report: dict[str, Any] = {
        "model": policy.model,
        "kind": kind_name,
        "mode": policy.mode,
        "trigger": trigger,
        "schedule": schedule,
        "job_id": ctx.job_id,
        "started_at": started_at.isoformat(),
        "margin": policy.margin,
        "champion": {"version": champion_info["version"], "trained_at": champion_info["created_at"]}
        if champion_info
        else None,
    }
    if policy.mode == "refresh":
        report.update(_refresh(ctx, kind, params, frames, champion_row, policy, key))
    elif champion_row is None:
        report.update(_first_version(ctx, kind, params, frames, policy, key))
    else:
        report.update(_challenge(ctx, kind, params, frames, champion_row, champion_info, policy, key))
    report["data"] = {"frames": _frame_rows(frames, kind), "dataset": dataset}
    report["duration_seconds"] = round(time.perf_counter() - started, 3)
    return report


# ---- the three paths ----------------------------------------------------------------------------------


def _challenge(
    ctx: JobContext,
    kind: ModelKind,
    params: KindParams,
    frames: Frames,
    champion_row: Any,
    champion_info: dict[str, Any],
    policy: RetrainPolicy,
    key: str,
) -> dict[str, Any]:
    if not isinstance(kind, HoldoutScoring):
        raise JobFailed(f"kind {kind.name!r} cannot be scored on a holdout: retrain it with a plain training job")
    metric, higher = kind.holdout_metric(params)
    guardrails = kind.holdout_guardrails(params)
    if policy.metric is not None:
        metric = policy.metric
        higher = policy.higher_is_better if policy.higher_is_better is not None else higher
        guardrails = ()
    try:
        holdout = kind.split_holdout(frames, params)
    except ValueError as error:
        raise JobFailed(f"cannot split a holdout: {error}") from error
    fit_started = time.perf_counter()
    challenger = kind.fit(holdout.train, holdout.params, Phase(ctx.progress, 0.0, 0.45, "challenger"))
    fit_seconds = time.perf_counter() - fit_started
    ctx.progress.update(460, 1000, message="scoring champion and challenger on the holdout")
    champion = load_fitted(kind, champion_row)
    new, old = kind.score_holdout(challenger, holdout), kind.score_holdout(champion, holdout)
    common = new.keys & old.keys
    if common and (common != new.keys or common != old.keys):  # the same rows for both
        new, old = kind.score_holdout(challenger, holdout, common), kind.score_holdout(champion, holdout, common)
    _check_metric(metric, new, old)
    decision, reason = decide(old, new, metric, higher, policy.margin, guardrails)
    ctx.progress.update(550, 1000, message=f"decision: {decision} ({reason['code']})")
    outcome: dict[str, Any] = {
        "metric": metric,
        "higher_is_better": higher,
        "guardrails": [{"metric": name, "higher_is_better": up} for name, up in guardrails],
        "holdout": {
            "start": holdout.start,
            "end": holdout.end,
            "rows": holdout.rows,
            "train_rows": holdout.train_rows,
            "unit": holdout.unit,
        },
        "rows_compared": len(common),
        "champion": {
            "version": champion_info["version"],
            "trained_at": champion_info["created_at"],
            "score": _number(old.metrics.get(metric)),
            "metrics": _numbers(old.metrics),
            "saw_holdout": old.saw_holdout,
            "rows_scored": len(old.keys),
        },
        "challenger": {
            "score": _number(new.metrics.get(metric)),
            "metrics": _numbers(new.metrics),
            "rows_scored": len(new.keys),
            "fit_seconds": round(fit_seconds, 3),
            "params": holdout.params.model_dump(mode="json"),
        },
        "decision": decision,
        "reason": reason,
        "deployed_version": champion_info["version"],
        "new_version": None,
        "final_fit": None,
    }
    if decision == "promote":
        outcome.update(_promote(ctx, kind, params, frames, challenger, outcome, key, policy.model))
    ctx.progress.update(1000, 1000, message=f"done: {decision}")
    return outcome


def _promote(
    ctx: JobContext,
    kind: ModelKind,
    params: KindParams,
    frames: Frames,
    challenger: Fitted,
    outcome: dict[str, Any],
    key: str,
    model: str,
) -> dict[str, Any]:
    """The winner fitted on all the data (updated, for kinds that can) and deployed as a new version."""
    started = time.perf_counter()
    updater = getattr(kind, "update", None)
    phase = Phase(ctx.progress, 0.55, 0.98, "final fit on all data")
    with session_scope() as session:
        done = registry_rows.version_by_idempotency_key(session, ctx.tenant_id, key)
    if done is not None:  # an earlier attempt got this far before its worker died
        return {"deployed_version": done.version, "new_version": done.version, "final_fit": "earlier attempt"}
    if updater is not None:
        final, how = updater(challenger, frames, phase), "update"
    else:
        final, how = kind.fit(frames, params, phase), "refit"
    summary = {
        **_frame_rows(frames, kind),
        "fit_seconds": round(time.perf_counter() - started, 3),
        "champion_challenger": {k: outcome[k] for k in ("metric", "holdout", "reason")},
        "holdout_score": outcome["challenger"]["score"],
    }
    with publish_version(ctx, model, kind, params, final, summary, key) as (session, version, _):
        registry_rows.deploy(session, ctx.tenant_id, model, version.version)
        number = version.version
    _forget_cached(ctx.tenant_id, model)
    return {
        "deployed_version": number,
        "new_version": number,
        "final_fit": how,
        "final_fit_seconds": round(time.perf_counter() - started, 3),
    }


def _first_version(
    ctx: JobContext, kind: ModelKind, params: KindParams, frames: Frames, policy: RetrainPolicy, key: str
) -> dict[str, Any]:
    """No champion yet: the first version is trained on everything and deployed."""
    started = time.perf_counter()
    with session_scope() as session:
        done = registry_rows.version_by_idempotency_key(session, ctx.tenant_id, key)
    if done is not None:
        number = done.version
    else:
        fitted = kind.fit(frames, params, Phase(ctx.progress, 0.0, 0.98, "first version"))
        summary = {**_frame_rows(frames, kind), "fit_seconds": round(time.perf_counter() - started, 3)}
        with publish_version(ctx, policy.model, kind, params, fitted, summary, key) as (session, version, _):
            registry_rows.deploy(session, ctx.tenant_id, policy.model, version.version)
            number = version.version
        _forget_cached(ctx.tenant_id, policy.model)
    return {
        "decision": "promote",
        "reason": {"code": "no_champion"},
        "deployed_version": number,
        "new_version": number,
        "final_fit": "refit",
        "metric": None,
    }


def _refresh(
    ctx: JobContext,
    kind: ModelKind,
    params: KindParams,
    frames: Frames,
    champion_row: Any,
    policy: RetrainPolicy,
    key: str,
) -> dict[str, Any]:
    updater = getattr(kind, "update", None)
    if updater is None:
        raise JobFailed(f"kind {kind.name!r} has no incremental update: use the challenger mode")
    if champion_row is None:
        raise JobFailed(f"model {policy.model!r} has no deployed version to bring up to date")
    started = time.perf_counter()
    with session_scope() as session:
        done = registry_rows.version_by_idempotency_key(session, ctx.tenant_id, key)
    if done is not None:
        return {"decision": "refresh", "deployed_version": done.version, "new_version": done.version}
    updated = updater(load_fitted(kind, champion_row), frames, Phase(ctx.progress, 0.0, 0.95, "update"))
    summary = {
        **_frame_rows(frames, kind),
        "fit_seconds": round(time.perf_counter() - started, 3),
        "refreshed_from": champion_row.version,
    }
    with publish_version(ctx, policy.model, kind, params, updated, summary, key) as (session, version, _):
        registry_rows.deploy(session, ctx.tenant_id, policy.model, version.version)
        number = version.version
    _forget_cached(ctx.tenant_id, policy.model)
    info = getattr(updated, "info", {}) or {}
    return {
        "decision": "refresh",
        "deployed_version": number,
        "new_version": number,
        "final_fit": "update",
        "pairs": info.get("updated_from_pairs"),
        "users": _size(getattr(updated, "users", None)),
        "items": _size(getattr(updated, "catalogue", None)),
    }


# ---- the decision ---------------------------------------------------------------------------------------


def decide(
    old: HoldoutScore | None,
    new: HoldoutScore,
    metric: str,
    higher: bool,
    margin: float,
    guardrails: tuple[tuple[str, bool], ...] = (),
) -> tuple[str, dict[str, Any]]:
    """("promote" or "keep", the reason: a code and its figures). See the module docstring."""
    base = {"metric": metric, "margin": margin}
    if old is None:
        return "promote", {"code": "no_champion", **base}
    if not new.keys or not _finite(new.metrics.get(metric)):
        return "keep", {"code": "challenger_unscorable", **base}
    if not old.keys or not _finite(old.metrics.get(metric)):
        if old.saw_holdout:
            return "keep", {"code": "no_new_data", **base}
        return "promote", {"code": "champion_unscorable", **base}
    gain = relative_gain(float(new.metrics[metric]), float(old.metrics[metric]), higher)
    base["gain"] = gain
    if gain < margin or gain <= 0:
        return "keep", {"code": "not_better", **base}
    for name, up in guardrails:
        before, after = old.metrics.get(name), new.metrics.get(name)
        if not (_finite(before) and _finite(after)):
            continue
        loss = -relative_gain(float(after), float(before), up)  # type: ignore[arg-type]
        if loss > margin:
            return "keep", {"code": "guardrail", "guardrail": name, "loss": loss, **base}
    return "promote", {"code": "better", **base}


# ---- helpers -------------------------------------------------------------------------------------------------


def load_fitted(kind: ModelKind, row: Any) -> Fitted:
    """A version's model from its verified files."""
    folder = artifacts.fetch(row.artifact_uri, row.artifact_sha256, get_settings().home / "cache" / "artifacts")
    return kind.fitted_type.load(folder)


def _forget_cached(tenant_id: str, model: str) -> None:
    from tendero.registry.service import deployed_models

    deployed_models.invalidate(tenant_id, model)


def _version_info(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "version": row.version,
        "params": dict(row.params or {}),
        "created_at": row.created_at.isoformat(),
        "job_id": row.job_id,
    }


def _dataset_of(session: Any, tenant_id: str, row: Any) -> str | None:
    """The dataset the deployed version was trained on (tabular models), from its training job."""
    if row is None or not row.job_id:
        return None
    try:
        job = job_rows.get_job(session, tenant_id, row.job_id)
    except NotFound:
        return None
    return (job.params or {}).get("dataset")


def _frame_rows(frames: Frames, kind: ModelKind) -> dict[str, int]:
    out = {}
    for name in kind.needs:
        try:
            out[name] = len(frames[name])
        except KeyError:
            continue
    return out


def _check_metric(metric: str, new: HoldoutScore, old: HoldoutScore) -> None:
    for score in (new, old):
        if score.keys and metric not in score.metrics:
            known = ", ".join(sorted(score.metrics))
            raise JobFailed(f"metric {metric!r} is not one the holdout gives; it gives: {known}")


def _finite(value: Any) -> bool:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(float(value))


def _number(value: Any) -> float | None:
    return float(value) if _finite(value) else None


def _numbers(values: dict[str, float]) -> dict[str, float | None]:
    return {name: _number(value) for name, value in values.items()}


def _size(value: Any) -> int | None:
    try:
        return len(value)
    except TypeError:
        return None
