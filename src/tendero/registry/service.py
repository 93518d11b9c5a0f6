"""Registry services: queue training, promote challengers, and hand out deployed models from memory."""

from __future__ import annotations

import gc
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from sqlalchemy.orm import Session

from tendero.config import get_settings
from tendero.errors import Conflict, DeployNotAllowed, NotFound
from tendero.jobs.runner import get_runner
from tendero.kinds import Fitted, get_kind
from tendero.registry.promotion import is_better as is_better
from tendero.registry.promotion import promote_if_better as promote_if_better
from tendero.registry.promotion import relative_gain as relative_gain
from tendero.registry.training import validate_request
from tendero.store import artifacts
from tendero.store import jobs as job_rows
from tendero.store import registry as registry_rows
from tendero.store.db import session_scope
from tendero.store.tables import Job

# Who may put a version live, by any path: deploy, rollback, promote, or a training request's ``deploy``.
DEPLOY_ROLES = ("admin",)
# What the command line and the demo act as: the operator, who holds the server itself.
OPERATOR = "admin"


def deploy_mode(requested: str | None, role: str) -> str:
    """The ``deploy`` a training job of ``role`` gets: what an admin asked (``if_better`` when unsaid); for every
    other role ``never`` when unsaid, and DeployNotAllowed when it asked for ``always`` or ``if_better``: a
    request to deploy is refused, never silently turned into something else."""
    if requested is None:
        return "if_better" if role in DEPLOY_ROLES else "never"
    if requested != "never" and role not in DEPLOY_ROLES:
        raise DeployNotAllowed(role)
    return requested


class TrainingRunning(Conflict):
    """A model is trained by one job at a time: a second request while one is queued or running is refused,
    naming that job (a resent request with the same idempotency key still gets its own job back)."""

    def __init__(self, model: str, job_id: str, status: str) -> None:
        super().__init__(
            f"model {model!r} is already being trained by job {job_id} ({status}): follow it at "
            f"/v1/jobs/{job_id}/progress, or cancel it before training again",
            [{"field": "body.model", "message": f"job {job_id} is training this model", "job_id": job_id}],
        )
        self.model, self.job_id, self.status = model, job_id, status


def submit_training(
    session: Session,
    tenant_id: str,
    request: dict[str, Any],
    idempotency_key: str | None = None,
    *,
    role: str,
) -> tuple[Job, bool]:
    """Validate a training request (errors name the field) and queue it as a ``train`` job whose ``deploy`` the
    caller's ``role`` allows (``deploy_mode``); the job's params show the mode it got."""
    request = {**request, "deploy": deploy_mode(request.get("deploy"), role)}
    parsed, _kind, params = validate_request(request)
    if not (idempotency_key and job_rows.idempotency_key_used(session, tenant_id, idempotency_key)):
        running = job_rows.unfinished_training(session, tenant_id, parsed.model)
        if running is not None:
            raise TrainingRunning(parsed.model, running.id, running.status)
    payload = parsed.model_dump(mode="json")
    payload["params"] = params.model_dump(mode="json")
    job, created = job_rows.submit_job(
        session,
        tenant_id,
        "train",
        payload,
        idempotency_key=idempotency_key,
        max_attempts=get_settings().job_attempts,
    )
    return job, created


def estimate_training_seconds(tenant_id: str, request: dict[str, Any], rows: int, columns: int = 0) -> float | None:
    """The kind's own estimate of how long fitting takes on data of this size, when it has one."""
    _, kind, params = validate_request(request)
    estimator = getattr(kind, "estimate_seconds", None)
    return float(estimator(params, rows, columns)) if estimator is not None else None


def notify_runner(job: Job) -> None:
    """Call after the submitting transaction committed, so the runner can see the row."""
    get_runner().notify(job.id)


Surface = TypeVar("Surface")


@dataclass(frozen=True)
class Served(Generic[Surface]):
    """A deployed version, loaded and ready to answer through its kind's surface (``tendero.kinds``)."""

    model: str
    kind: str
    version: str
    version_id: str
    fitted: Surface


class WrongSurface(NotFound):
    """The model exists and is deployed, but its kind does not answer that way (a 404 for the route asked)."""


VERSION_CACHE_SIZE = 16  # loaded non-deployed versions kept in memory (a model experiment's variants)


class DeployedModels:
    """The deployed version of each (tenant, model), loaded once and reloaded when deployment changes.

    A lookup re-reads which version is deployed at most every ``recheck_seconds``, so a deploy or
    rollback made by another process is picked up within that time, and one made here at once.
    """

    def __init__(self, recheck_seconds: float = 1.0) -> None:
        self.recheck_seconds = recheck_seconds
        self.freeze_after_load = False  # `tendero serve` turns it on: only a server lives that long
        self._lock = threading.Lock()
        self._loading: dict[tuple[str, str], threading.Lock] = {}
        self._entries: dict[tuple[str, str], tuple[float, Served[Any] | None]] = {}
        self._rechecking: set[tuple[str, str]] = set()
        self._versions: OrderedDict[tuple[str, str, str], Served[Any]] = OrderedDict()

    def invalidate(self, tenant_id: str, name: str) -> None:
        with self._lock:
            self._entries.pop((tenant_id, name), None)

    def version(self, tenant_id: str, name: str, version: str, surface: type[Any] | None = None) -> Served[Any]:
        """A given version (``_version``); with ``surface``, WrongSurface when its kind does not answer that way."""
        served = self._version(tenant_id, name, version)
        if surface is not None and not isinstance(served.fitted, surface):
            raise WrongSurface(f"model {name!r} of kind {served.kind} is served by its own endpoints")
        return served

    def _version(self, tenant_id: str, name: str, version: str) -> Served[Any]:
        """A given version, deployed or not (a model experiment serves its challenger). Versions never change,
        so a loaded one is kept without re-checks, the last ``VERSION_CACHE_SIZE`` of them."""
        key = (tenant_id, name, version)
        with self._lock:
            served = self._versions.get(key)
            if served is not None:
                self._versions.move_to_end(key)
                return served
        deployed = self._entries.get((tenant_id, name))
        if deployed is not None and deployed[1] is not None and deployed[1].version == version:
            return deployed[1]
        with session_scope() as session:
            kind_name = registry_rows.get_model(session, tenant_id, name).kind
            row = registry_rows.get_version(session, tenant_id, name, version)
            version_id, uri, sha = row.id, row.artifact_uri, row.artifact_sha256
        folder = artifacts.fetch(uri, sha, get_settings().home / "cache" / "artifacts")
        served = Served(name, kind_name, version, version_id, get_kind(kind_name).fitted_type.load(folder))
        with self._lock:
            self._versions[key] = served
            while len(self._versions) > VERSION_CACHE_SIZE:
                self._versions.popitem(last=False)
        return served

    def fresh(self, tenant_id: str, name: str, surface: type[Any] | None = None) -> Served[Any] | None:
        """The cached deployed version without waiting or reading the database (for request paths on
        the event loop); None when nothing is cached yet. Past ``recheck_seconds`` it still answers
        with the cached version and starts one re-check in the background: making every request that
        arrives meanwhile wait for the database showed as the serving path's p99."""
        key = (tenant_id, name)
        entry = self._entries.get(key)
        if entry is None or entry[1] is None:
            return None
        if time.monotonic() - entry[0] >= self.recheck_seconds:
            self._recheck_in_background(key)
        return entry[1] if surface is None or isinstance(entry[1].fitted, surface) else None

    def _recheck_in_background(self, key: tuple[str, str]) -> None:
        with self._lock:
            if key in self._rechecking:
                return
            self._rechecking.add(key)

        def recheck() -> None:
            try:
                self._get(*key)
            except Exception:  # undeployed (or unreadable): the next request takes the waiting path
                self.invalidate(*key)
            finally:
                with self._lock:
                    self._rechecking.discard(key)

        threading.Thread(target=recheck, name="tendero-model-recheck", daemon=True).start()

    @overload
    def get(self, tenant_id: str, name: str) -> Served[Fitted]: ...

    @overload
    def get(self, tenant_id: str, name: str, surface: type[Surface]) -> Served[Surface]: ...

    def get(self, tenant_id: str, name: str, surface: type[Any] | None = None) -> Served[Any]:
        """The deployed version of ``name``, loaded; with ``surface`` (a protocol of ``tendero.kinds``), typed as
        it, and WrongSurface when the model's kind does not answer that way."""
        served = self._get(tenant_id, name)
        if surface is not None and not isinstance(served.fitted, surface):
            raise WrongSurface(f"model {name!r} of kind {served.kind} is served by its own endpoints")
        return served

    def _get(self, tenant_id: str, name: str) -> Served[Any]:
        key = (tenant_id, name)
        entry = self._entries.get(key)
        if entry is not None and time.monotonic() - entry[0] < self.recheck_seconds and entry[1] is not None:
            return entry[1]
        with self._lock:
            loading = self._loading.setdefault(key, threading.Lock())
        with loading:  # one request per model re-checks and loads; the others wait and reuse its result
            entry = self._entries.get(key)
            if entry is not None and time.monotonic() - entry[0] < self.recheck_seconds and entry[1] is not None:
                return entry[1]
            return self._refresh(key, entry)

    def _refresh(self, key: tuple[str, str], entry: tuple[float, Served[Any] | None] | None) -> Served[Any]:
        tenant_id, name = key
        with session_scope() as session:
            model = registry_rows.get_model(session, tenant_id, name)
            row = registry_rows.deployed_version(session, tenant_id, name)
            if row is None:
                raise NotFound(f"model {name!r} has no deployed version")
            version_id, version, uri, sha = row.id, row.version, row.artifact_uri, row.artifact_sha256
            kind_name = model.kind
        current = entry[1] if entry else None
        if current is not None and current.version_id == version_id:
            served = current
        else:
            cache = get_settings().home / "cache" / "artifacts"
            folder = artifacts.fetch(uri, sha, cache)
            fitted = get_kind(kind_name).fitted_type.load(folder)
            served = Served(name, kind_name, version, version_id, fitted)
            if self.freeze_after_load:
                # A served model and the modules it imported live as long as the server: keep them out
                # of the cyclic collector, whose full passes over them were the serving path's slowest
                # pauses.
                gc.freeze()
        with self._lock:
            self._entries[key] = (time.monotonic(), served)
        return served


deployed_models = DeployedModels()
