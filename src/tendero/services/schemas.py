"""Public request and response shapes shared by the API, the dashboard and the CLI (separate from ORM rows, as in
the FastAPI template)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")

# The largest whole number a database column or LIMIT/OFFSET holds (SQLite INTEGER, PostgreSQL bigint): every
# integer a client sends in a query or path is bounded by it (or by a smaller domain maximum), so nothing
# past it reaches the database as an OverflowError.
MAX_INT64 = 2**63 - 1


class Strict(BaseModel):
    """A request body: unknown fields are refused, and so are values of another JSON type than the schema
    says ("10" for a number, 0 for true/false), which lax parsing would otherwise convert silently."""

    model_config = ConfigDict(extra="forbid", strict=True)


class PageOf(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class KeyCreate(Strict):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(pattern="^(admin|analyst|service)$")


class KeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class KeyCreated(KeyOut):
    key: str = Field(description="the full key: shown only now, store it safely")


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    status: str
    params: dict[str, Any]
    attempts: int
    max_attempts: int
    progress: float
    cancel_requested: bool
    idempotency_key: str
    estimated_seconds: float | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None = None
    error: str | None
    result: dict[str, Any] | None


class JobEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    attempt: int
    step: int
    total: int | None
    metrics: dict[str, float]
    message: str
    eta_seconds: float | None
    at: datetime


class JobProgress(BaseModel):
    job_id: str
    status: str
    progress: float
    events: list[JobEventOut]


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: str
    status: str
    algorithm: str
    params: dict[str, Any]
    metrics: dict[str, Any]
    data_summary: dict[str, Any]
    serving: dict[str, Any]
    job_id: str | None
    artifact_bytes: int
    artifact_sha256: str
    created_at: datetime
    deployed_at: datetime | None
    aliases: list[str] = []

    tuning: dict[str, Any] | None = Field(
        None,
        description="the recommender's tuning: which blend ranks and why "
        "(null for other kinds and for versions trained before it was kept)",
    )

    @model_validator(mode="after")
    def _tuning_from_summary(self) -> VersionOut:
        """Shown at the top of the version: kept in its data summary when it was trained."""
        tuning = self.data_summary.get("tuning")
        if self.tuning is None and isinstance(tuning, dict):
            self.tuning = tuning
        return self


class ModelOut(BaseModel):
    name: str
    kind: str
    created_at: datetime
    deployed_version: str | None
    latest_version: str | None
    versions: int
    aliases: dict[str, str]
    flags: dict[str, Any]


def _known_kinds(schema: dict[str, Any]) -> None:
    """The kinds this server knows (plugins included), as an enum in the schema."""
    from tendero.kinds import kind_names

    schema["properties"]["kind"]["enum"] = kind_names()


class TrainRequestIn(Strict):
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_known_kinds)

    kind: str = Field(description="model kind, e.g. baseline, forecast, recommender, customers, tabular")
    params: dict[str, Any] = Field(default_factory=dict, description="the kind's hyperparameters")
    deploy: str | None = Field(
        None, pattern="^(always|if_better|never)$",
        description="put the new version live: admin keys only (default if_better); other roles may send only "
        "never, their default (403 otherwise)",
    )  # fmt: skip
    promote_metric: str | None = None
    min_gain: float = Field(0.0, ge=0.0)
    higher_is_better: bool = True
    idempotency_key: str | None = Field(None, max_length=200)


class PromoteIn(Strict):
    metric: str
    min_gain: float = Field(0.0, ge=0.0)
    higher_is_better: bool = True


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key_prefix: str
    method: str
    endpoint: str
    action: str
    model_name: str | None
    model_version: str | None
    latency_ms: float
    status_code: int
    error: str | None
    at: datetime
