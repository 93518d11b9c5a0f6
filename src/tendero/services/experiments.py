"""Experiments as a service: create, assign, ingest events, read results and verdicts, stop, and for model
experiments route a request to a version, attribute feedback, and promote the winner through the registry.

Faces (API, dashboard, CLI) call these functions with the caller's tenant; every store call is scoped by it.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from tendero.errors import Conflict, Invalid, NotFound
from tendero.experiments.analysis import Design, analyze, effect_over_time, unit_table
from tendero.experiments.assignment import assign as hashed_assign
from tendero.experiments.metrics import NAME, MetricSpec, Unit, VariantSpec, check_design
from tendero.experiments.statistics import DEFAULT_TUNING
from tendero.experiments.verdict import verdict
from tendero.observability import metrics
from tendero.registry.service import Served, deployed_models
from tendero.store import experiments as rows
from tendero.store.db import get_engine, session_scope
from tendero.store.experiment_tables import Experiment, ExperimentVariant
from tendero.store.tables import utcnow

MAX_EVENTS = 10_000
FUTURE_SLACK = timedelta(minutes=5)  # clocks differ a little; an event from further ahead is a mistake
EventType = Literal["exposure", "outcome", "covariate"]
ROUTE_CACHE_SECONDS = 1.0  # a model's running experiment is re-read at most this often (a stop elsewhere: ≤ 1 s)
_running: dict[tuple[str, str], tuple[float, Loaded | None]] = {}
log = logging.getLogger("tendero.experiments")


class ModelTarget(BaseModel):
    """Model experiments: split (each version answers its own units) or shadow (all answer, the control is returned)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    mode: Literal["split", "shadow"] = "split"


class ExperimentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=NAME)
    description: str = Field("", max_length=2000)
    unit: Unit = "customer"
    variants: list[VariantSpec] = Field(min_length=2, max_length=20, description="the first is the control")
    metrics: list[MetricSpec] = Field(min_length=1, max_length=50)
    covariate: str | None = Field(None, pattern=NAME, description="pre-period value per unit, sent as covariate events")
    alpha: float = Field(0.05, ge=0.001, le=0.2)
    sequential: bool = Field(True, description="decide on always-valid intervals, so results may be read any day")
    tuning: float = Field(DEFAULT_TUNING, ge=100, le=1e9, description="units where the sequential bound is tightest")
    start: datetime | None = Field(None, description="when it started (default now; earlier to load past events)")
    model: ModelTarget | None = None

    @model_validator(mode="after")
    def _design(self) -> ExperimentIn:
        check_design(self.variants, self.metrics)
        if self.model is not None and any(v.model_version is None for v in self.variants):
            raise ValueError("a model experiment names the model_version each variant serves")
        return self


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=200)
    unit: str = Field(min_length=1, max_length=200)
    type: EventType = "outcome"
    event: str | None = Field(None, max_length=64, description="outcome or covariate name (a metric's event)")
    variant: str | None = Field(None, max_length=64)
    value: float = Field(1.0, allow_inf_nan=False)
    at: datetime | None = None


EVENTS = TypeAdapter(list[EventIn])


# --- definitions ------------------------------------------------------------------------------------------


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return utcnow()
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def public(experiment: Experiment, variants: list[ExperimentVariant]) -> dict[str, Any]:
    """The experiment as the API, the dashboard and the CLI show it."""
    return {
        "id": experiment.id, "name": experiment.name, "description": experiment.description,
        "unit": experiment.unit, "status": experiment.status,
        "variants": [{"key": v.key, "weight": v.weight, "model_version": v.model_version} for v in variants],
        "metrics": experiment.metrics, "covariate": experiment.covariate, "alpha": experiment.alpha,
        "sequential": experiment.sequential, "tuning": experiment.tuning,
        "model": {"name": experiment.model_name, "mode": experiment.model_mode} if experiment.model_name else None,
        "winner": experiment.winner, "started_at": experiment.started_at, "ended_at": experiment.ended_at,
        "created_at": experiment.created_at,
    }  # fmt: skip


def create(tenant_id: str, body: ExperimentIn) -> dict[str, Any]:
    """Start an experiment (now, or at ``start``)."""
    from tendero.store import registry as registry_rows

    with session_scope() as session:
        if body.model is not None:
            for index, variant in enumerate(body.variants):
                try:
                    registry_rows.get_version(session, tenant_id, body.model.name, str(variant.model_version))
                except NotFound as error:
                    raise Invalid(str(error), [{"field": f"body.variants.{index}.model_version",
                                                "message": str(error)}]) from error  # fmt: skip
            if rows.active_for_model(session, tenant_id, body.model.name) is not None:
                raise Conflict(f"model {body.model.name!r} already has a running experiment; stop it first")
        fields = {
            "name": body.name, "description": body.description, "unit": body.unit, "status": "running",
            "salt": secrets.token_hex(8), "metrics": [m.model_dump(mode="json") for m in body.metrics],
            "covariate": body.covariate, "alpha": body.alpha, "sequential": body.sequential, "tuning": body.tuning,
            "model_name": body.model.name if body.model else None,
            "model_mode": body.model.mode if body.model else None,
            "started_at": _utc(body.start),
        }  # fmt: skip
        experiment = rows.create_experiment(session, tenant_id, fields, [v.model_dump() for v in body.variants])
        made = public(experiment, rows.variants(session, tenant_id, experiment.id))
    _running.clear()
    return made


def get(tenant_id: str, experiment_id: str) -> dict[str, Any]:
    with session_scope() as session:
        experiment = rows.get_experiment(session, tenant_id, experiment_id)
        out = public(experiment, rows.variants(session, tenant_id, experiment.id))
    out["events"] = rows.count_events(tenant_id, out["id"])
    return out


def list_all(tenant_id: str, limit: int = 50, offset: int = 0, status: str | None = None) -> tuple[list[dict], int]:
    with session_scope() as session:
        found, total = rows.list_experiments(session, tenant_id, status=status, limit=limit, offset=offset)
        return [public(e, rows.variants(session, tenant_id, e.id)) for e in found], total


def set_weights(tenant_id: str, experiment_id: str, weights: dict[str, float]) -> dict[str, Any]:
    """New weights apply to units not yet assigned; those already assigned keep their variant."""
    if any((not math.isfinite(w)) or w < 0 for w in weights.values()):
        raise Invalid("weights must be non-negative numbers", [{"field": "body.weights", "message": "negative"}])
    with session_scope() as session:
        experiment = rows.get_experiment(session, tenant_id, experiment_id)
        _require_running(experiment)
        rows.set_weights(session, tenant_id, experiment.id, weights)
        current = rows.variants(session, tenant_id, experiment.id)
        if sum(v.weight for v in current) <= 0:
            raise Invalid("the weights must add up to more than 0", [{"field": "body.weights", "message": "all 0"}])
        made = public(experiment, current)
    _running.clear()
    return made


def _require_running(experiment: Experiment) -> None:
    if experiment.status != "running":
        raise Conflict(f"experiment {experiment.name!r} is {experiment.status}; it takes no more units or events")


@dataclass(frozen=True)
class Loaded:
    id: str
    name: str
    status: str
    unit: str
    salt: str
    started_at: datetime
    ended_at: datetime | None
    covariate: str | None
    model_name: str | None
    model_mode: str | None
    variants: list[VariantSpec]
    metrics: list[MetricSpec]
    design: Design


def load(tenant_id: str, experiment_id: str) -> Loaded:
    with session_scope() as session:
        e = rows.get_experiment(session, tenant_id, experiment_id)
        variants = [VariantSpec(key=v.key, weight=v.weight, model_version=v.model_version)
                    for v in rows.variants(session, tenant_id, e.id)]  # fmt: skip
        metrics = [MetricSpec.model_validate(m) for m in e.metrics]
        design = Design(variants, metrics, e.alpha, e.sequential, e.tuning)
        ended = _utc(e.ended_at) if e.ended_at else None
        return Loaded(e.id, e.name, e.status, e.unit, e.salt, _utc(e.started_at), ended, e.covariate, e.model_name,
                      e.model_mode, variants, metrics, design)  # fmt: skip


# --- assignment -------------------------------------------------------------------------------------------


def assign(tenant_id: str, experiment_id: str, unit: str) -> dict[str, Any]:
    """The unit's variant: the one recorded for it, or a new hashed draw under today's weights (then recorded)."""
    unit = unit.strip()
    if not unit or len(unit) > 200:
        raise Invalid("unit must be 1 to 200 characters", [{"field": "query.unit", "message": "1-200 characters"}])
    experiment = load(tenant_id, experiment_id)
    if experiment.status != "running":
        raise Conflict(f"experiment {experiment.name!r} is {experiment.status}: it assigns no more units")
    drawn = hashed_assign(experiment.salt, unit, [v.key for v in experiment.variants],
                          [v.weight for v in experiment.variants])  # fmt: skip
    variant, new = rows.assign_unit(tenant_id, experiment.id, unit, drawn)
    version = next((v.model_version for v in experiment.variants if v.key == variant), None)
    return {"experiment": experiment.name, "experiment_id": experiment.id, "unit": unit, "variant": variant,
            "new": new, "model_version": version}  # fmt: skip


def _chooser(salt: str, keys: list[str], weights: list[float]) -> Any:
    """``assign`` for many units of one experiment: the weights' edges computed once."""
    from bisect import bisect_right

    from tendero.experiments.assignment import bucket, cumulative_shares

    edges = cumulative_shares(weights).tolist()
    last = len(keys) - 1
    return lambda unit: keys[min(bisect_right(edges, bucket(salt, unit)), last)]


# --- events -----------------------------------------------------------------------------------------------


def _parse(raw: list[Any]) -> tuple[list[tuple[int, EventIn]], list[dict[str, Any]]]:
    try:
        return list(enumerate(EVENTS.validate_python(raw))), []
    except ValidationError:
        pass
    parsed, rejected = [], []
    single = TypeAdapter(EventIn)
    for index, item in enumerate(raw):
        try:
            parsed.append((index, single.validate_python(item)))
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(p) for p in first.get("loc", ())) or "event"
            event_id = item.get("event_id") if isinstance(item, dict) else None
            rejected.append({"index": index, "event_id": event_id, "field": field, "message": first.get("msg", "")})
    return parsed, rejected


def record_events(tenant_id: str, experiment_id: str, raw: list[Any]) -> dict[str, Any]:
    """Validate and store a batch of events; the valid ones are kept together, each invalid one is reported.

    Exposures assign their unit (to the variant they name, or by hash); outcomes and covariates are
    attributed to the unit's recorded variant. An event id already stored (or repeated in the batch) is a
    duplicate: counted, never written twice.
    """
    if len(raw) > MAX_EVENTS:
        raise Invalid(f"at most {MAX_EVENTS} events per batch, not {len(raw)}",
                      [{"field": "body.events", "message": f"more than {MAX_EVENTS}"}])  # fmt: skip
    experiment = load(tenant_id, experiment_id)
    parsed, rejected = _parse(raw)
    keys = {v.key for v in experiment.variants}
    weights = [v.weight for v in experiment.variants]
    variant_keys = [v.key for v in experiment.variants]
    readers: dict[str, list[MetricSpec]] = {}
    for metric in experiment.metrics:
        for event_name in metric.events():
            readers.setdefault(event_name, []).append(metric)
    now = utcnow()

    def reject(index: int, event: EventIn, field: str, message: str) -> None:
        rejected.append({"index": index, "event_id": event.event_id, "field": field, "message": message})

    seen: set[str] = set()
    candidates: list[tuple[int, EventIn, datetime]] = []
    duplicates = 0
    for index, event in parsed:
        if event.event_id in seen:
            duplicates += 1
            continue
        seen.add(event.event_id)
        at = _utc(event.at) if event.at is not None else now
        if experiment.status != "running" and event.at is None:
            reject(index, event, "status", f"experiment {experiment.name!r} is {experiment.status}")
        elif at < experiment.started_at:
            reject(index, event, "at", f"{at.isoformat()} is before the experiment started "
                                      f"({experiment.started_at.isoformat()})")  # fmt: skip
        elif experiment.ended_at is not None and at > experiment.ended_at:
            reject(index, event, "at", f"{at.isoformat()} is after the experiment ended "
                                      f"({experiment.ended_at.isoformat()})")  # fmt: skip
        elif at > now + FUTURE_SLACK:
            reject(index, event, "at", f"{at.isoformat()} is in the future")
        elif event.type != "exposure" and not event.event:
            reject(index, event, "event", f"a {event.type} event names its event (the metric event it counts toward)")
        elif event.variant is not None and event.variant not in keys:
            reject(index, event, "variant", f"unknown variant {event.variant!r}; variants: {', '.join(variant_keys)}")
        elif event.type == "outcome" and event.event not in readers:
            reject(index, event, "event", f"no metric reads the event {event.event!r}; "
                                         f"known: {', '.join(sorted(readers))}")  # fmt: skip
        elif event.type == "covariate" and event.event != experiment.covariate:
            reject(index, event, "event", f"the covariate of this experiment is {experiment.covariate!r}, "
                                         f"not {event.event!r}")  # fmt: skip
        elif event.value < 0 and (event.type == "exposure" or (
                event.type == "outcome" and not all(m.allow_negative for m in readers[str(event.event)]))):  # fmt: skip
            reject(index, event, "value", f"negative value {event.value:g} for {event.event or 'an exposure'}; "
                                         "its metric does not allow negative values")  # fmt: skip
        else:
            candidates.append((index, event, at))
    choose = _chooser(experiment.salt, variant_keys, weights)
    with get_engine().begin() as connection:
        fresh = candidates
        assigned = rows.assignments_of(connection, tenant_id, experiment.id, [e.unit for _, e, _ in fresh])
        new_assignments: list[tuple[str, str, datetime]] = []
        ordered = sorted(fresh, key=lambda item: (item[1].type != "exposure", item[2]))
        events_out = []
        for index, event, at in ordered:
            current = assigned.get(event.unit)
            if event.type == "exposure" and current is None:
                if experiment.status != "running":
                    reject(index, event, "status", f"experiment {experiment.name!r} is {experiment.status}")
                    continue
                current = event.variant or choose(event.unit)
                assigned[event.unit] = current
                new_assignments.append((event.unit, current, at))
            if current is None and event.type == "outcome":
                reject(index, event, "unit", f"unit {event.unit!r} has no variant: send its exposure (or ask for its "
                                             "assignment) before its outcomes")  # fmt: skip
                continue
            if event.variant is not None and current is not None and event.variant != current:
                reject(index, event, "variant", f"unit {event.unit!r} is in variant {current!r}, not {event.variant!r}")
                continue
            events_out.append({"event_id": event.event_id, "unit": event.unit, "variant": current or "",
                               "type": event.type, "event": event.event, "value": event.value, "at": at})  # fmt: skip
        rows.record_assignments(connection, tenant_id, experiment.id, new_assignments)
        written = rows.insert_events(connection, tenant_id, experiment.id, events_out)
    duplicates += len(events_out) - written  # ids stored by an earlier batch: skipped by the insert
    rejected.sort(key=lambda r: r["index"])
    return {"received": len(raw), "accepted": written, "duplicates": duplicates,
            "new_units": len(new_assignments), "rejected": rejected}  # fmt: skip


# --- results ----------------------------------------------------------------------------------------------


def _tables(tenant_id: str, experiment: Loaded) -> tuple[Any, Any, Any]:
    exposures = rows.read_assignments(tenant_id, experiment.id)
    outcomes = rows.read_events(tenant_id, experiment.id, "outcome")
    covariates = rows.read_events(tenant_id, experiment.id, "covariate") if experiment.covariate else None
    return exposures, outcomes, covariates


def results(tenant_id: str, experiment_id: str, lang: str = "es") -> dict[str, Any]:
    """Per metric: each variant's mean, each treatment's effect against the control (absolute and relative,
    fixed and always-valid 95 % intervals, p-values, CUPED), the split check and the verdict in words."""
    experiment = load(tenant_id, experiment_id)
    exposures, outcomes, covariates = _tables(tenant_id, experiment)
    table = unit_table(exposures, outcomes, experiment.design.outcome_events(), covariates)
    result = analyze(table, experiment.design)
    return {"experiment_id": experiment.id, "experiment": experiment.name, "status": experiment.status, **result,
            "verdict": verdict(result, experiment.metrics, lang)}  # fmt: skip


def timeline(tenant_id: str, experiment_id: str, metric: str | None = None, points: int = 30) -> dict[str, Any]:
    """The effect on one metric (the primary by default) as it stood at the end of each day."""
    experiment = load(tenant_id, experiment_id)
    names = {m.name: m for m in experiment.metrics}
    if metric is not None and metric not in names:
        raise NotFound(f"no metric {metric!r} in experiment {experiment.name!r}; metrics: {', '.join(names)}")
    spec = names[metric] if metric else next(m for m in experiment.metrics if m.role == "primary")
    exposures, outcomes, covariates = _tables(tenant_id, experiment)
    series = effect_over_time(exposures, outcomes, covariates, experiment.design, spec, points)
    return {"experiment_id": experiment.id, "metric": spec.name, "sequential": experiment.design.sequential,
            "points": series}  # fmt: skip


def stop(tenant_id: str, experiment_id: str, lang: str = "es") -> dict[str, Any]:
    """End the experiment: no more units or live events; the final results and winner are kept."""
    final = results(tenant_id, experiment_id, lang)
    with session_scope() as session:
        experiment = rows.get_experiment(session, tenant_id, experiment_id)
        _require_running(experiment)
        experiment.status = "stopped"
        experiment.ended_at = utcnow()
        experiment.winner = final["verdict"]["winner"]
        experiment.final_result = {"verdict": final["verdict"], "srm": final["srm"], "units": final["units"]}
    _running.clear()  # this process routes by the new state at once; others within ROUTE_CACHE_SECONDS
    return {**final, "status": "stopped"}


# --- model experiments ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelRoute:
    """Which version of a model answers a request, and which versions answer in the shadow."""

    experiment_id: str
    variant: str
    version: str
    shadow_versions: tuple[str, ...]


def _running_experiment(tenant_id: str, model_name: str) -> Loaded | None:
    """The model's running experiment, from memory when read in the last second (the serving path asks per request)."""
    key = (tenant_id, model_name)
    hit = _running.get(key)
    if hit is not None and time.monotonic() - hit[0] < ROUTE_CACHE_SECONDS:
        return hit[1]
    with session_scope() as session:
        running = rows.active_for_model(session, tenant_id, model_name)
        experiment_id = running.id if running is not None else None
    loaded = load(tenant_id, experiment_id) if experiment_id is not None else None
    if len(_running) > 10_000:
        _running.clear()
    _running[key] = (time.monotonic(), loaded)
    return loaded


def route(tenant_id: str, model_name: str, unit: str) -> ModelRoute | None:
    """The version that serves ``unit`` under the model's running experiment, or None with no experiment.

    Split: the unit's variant's version answers. Shadow: the control's version answers and the others
    answer too, unseen (their answers are for comparison only).
    """
    experiment = _running_experiment(tenant_id, model_name)
    if experiment is None:
        return None
    versions = {v.key: str(v.model_version) for v in experiment.variants}
    if experiment.model_mode == "shadow":
        control = experiment.variants[0].key
        others = tuple(versions[v.key] for v in experiment.variants[1:])
        return ModelRoute(experiment.id, control, versions[control], others)
    keys = [v.key for v in experiment.variants]
    drawn = _chooser(experiment.salt, keys, [v.weight for v in experiment.variants])(unit)
    variant, _ = rows.assign_unit(tenant_id, experiment.id, unit, drawn)
    return ModelRoute(experiment.id, variant, versions[variant], ())


def may_route(tenant_id: str, model_name: str) -> bool:
    """False when the last second's look-up found no running experiment on the model: the serving path then
    skips the (thread-pool) routing call altogether."""
    hit = _running.get((tenant_id, model_name))
    return hit is None or time.monotonic() - hit[0] >= ROUTE_CACHE_SECONDS or hit[1] is not None


@dataclass(frozen=True)
class RoutedModel:
    """The version that answers a request under a model experiment, and the shadow versions that answer unseen."""

    served: Served
    route: ModelRoute
    unit: str
    shadows: tuple[Served, ...]

    def describe(self) -> dict[str, Any]:
        """What an answer says about the experiment, so feedback can name the unit and the version that served."""
        return {"id": self.route.experiment_id, "variant": self.route.variant, "version": self.route.version,
                "unit": self.unit}  # fmt: skip


def routed_model(
    tenant_id: str, model_name: str, *, customer: str | None, request: str, surface: type[Any] | None = None
) -> RoutedModel | None:
    """The version that serves this request under the model's running experiment, or None (the deployed one serves).

    The unit is the experiment's: the customer (a request without one is left out: the deployed version answers,
    nothing is recorded), or the request itself for ``request`` and ``session`` units (a session id is the
    caller's ``unit`` when it has one). With ``surface``, WrongSurface when the model's kind does not answer so.
    """
    experiment = _running_experiment(tenant_id, model_name)
    if experiment is None:
        return None
    unit = customer if experiment.unit == "customer" else (customer or request) if experiment.unit == "session" \
        else request  # fmt: skip
    if not unit:
        return None
    chosen = route(tenant_id, model_name, unit)
    if chosen is None:
        return None
    served = deployed_models.version(tenant_id, model_name, chosen.version, surface)
    shadows = tuple(deployed_models.version(tenant_id, model_name, v, surface) for v in chosen.shadow_versions)
    return RoutedModel(served, chosen, unit, shadows)


def answer_in_shadow(routed: RoutedModel, answer: Callable[[Any], Any]) -> None:
    """Let each shadow version answer the same request off the serving path: counted per version in the
    predictions metric and its time logged, never returned (only the champion's answer is)."""
    if not routed.shadows:
        return

    def run() -> None:
        for shadow in routed.shadows:
            started = time.perf_counter()
            try:
                answer(shadow.fitted)
            except Exception as error:  # a challenger that fails in the shadow must not touch the served answer
                log.warning("shadow version %s of %r failed: %s: %s", shadow.version, shadow.model,
                            type(error).__name__, error)  # fmt: skip
                continue
            metrics.predictions.labels(shadow.kind, shadow.model, shadow.version).inc()
            log.debug("shadow version %s of %r answered in %.1f ms", shadow.version, shadow.model,
                      (time.perf_counter() - started) * 1000)  # fmt: skip

    threading.Thread(target=run, name="tendero-shadow", daemon=True).start()


def attribute(tenant_id: str, model_name: str, unit: str, event: str, event_id: str, value: float = 1.0,
              version: str | None = None, at: datetime | None = None) -> dict[str, Any] | None:  # fmt: skip
    """Record feedback on a model's answer (a click, a conversion) as an outcome of the running experiment.

    The unit's recorded variant is the version that served it (in shadow mode, the control); when the
    caller says which ``version`` served, it must agree, else the event is rejected. None with no experiment.
    """
    experiment = _running_experiment(tenant_id, model_name)
    if experiment is None:
        return None
    by_version = {str(v.model_version): v.key for v in experiment.variants}
    variant = None
    if version is not None:
        variant = by_version.get(version)
        if variant is None:
            raise Invalid(f"version {version!r} of {model_name!r} is not in experiment {experiment.name!r}",
                          [{"field": "version", "message": "not in the experiment"}])  # fmt: skip
    events: list[dict[str, Any]] = []
    if experiment.model_mode == "shadow":
        events.append({"event_id": f"{event_id}:exposure", "unit": unit, "type": "exposure",
                       "variant": experiment.variants[0].key})  # fmt: skip
    stamp = at.isoformat() if at else None
    events.append({"event_id": event_id, "unit": unit, "type": "outcome", "event": event, "value": value,
                   "variant": variant, **({"at": stamp} if stamp else {})})  # fmt: skip
    return record_events(tenant_id, experiment.id, events)


def end_and_promote(tenant_id: str, experiment_id: str, lang: str = "es", variant: str | None = None) -> dict[str, Any]:
    """Stop a model experiment and deploy the winner's version through the registry.

    The winner is the verdict's (a variant better on the primary metric, no guardrail worse); ``variant``
    overrides it. With no winner the deployed version stays as it is.
    """
    from tendero.store import registry as registry_rows

    experiment = load(tenant_id, experiment_id)
    if experiment.model_name is None:
        raise Conflict(f"experiment {experiment.name!r} does not test a model; stop it instead")
    if variant is not None and variant not in {v.key for v in experiment.variants}:
        raise NotFound(f"no variant {variant!r} in experiment {experiment.name!r}")
    final = stop(tenant_id, experiment.id, lang)
    chosen = variant or final["verdict"]["winner"]
    promoted = None
    if chosen is not None:
        version = next(str(v.model_version) for v in experiment.variants if v.key == chosen)
        with session_scope() as session:
            registry_rows.deploy(session, tenant_id, experiment.model_name, version)
            row = rows.get_experiment(session, tenant_id, experiment.id)
            row.winner = chosen
        deployed_models.invalidate(tenant_id, experiment.model_name)
        promoted = version
    return {**final, "promoted_variant": chosen, "promoted_version": promoted}
