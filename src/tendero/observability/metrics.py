"""Prometheus metrics: HTTP traffic per route, predictions per model kind, job outcomes, drift flags.

Every label takes values from a small, fixed set, so no client can grow the series: routes are templates (or
"unmatched"), methods are the known ones. Tenant and model names are what one tenant must never see of
another, and any tenant can invent new ones, so they label series only when the operator opts in
(``TENDERO_METRICS_TENANT_LABELS``); otherwise predictions are counted per kind and drift per model is left to
``/v1/models``.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from tendero.config import get_settings

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

http_requests = Counter("tendero_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
http_latency = Histogram(
    "tendero_http_request_seconds", "HTTP request latency", ["method", "route"], buckets=LATENCY_BUCKETS
)
jobs_finished = Counter("tendero_jobs_total", "Jobs finished", ["kind", "status"])
job_seconds = Histogram(
    "tendero_job_seconds", "Job duration", ["kind"], buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)
)
_predictions = Counter(
    "tendero_predictions_total",
    "Predictions served (tenant, model and version only with TENDERO_METRICS_TENANT_LABELS)",
    ["kind", "tenant", "model", "version"],
)
_model_drift = Gauge(
    "tendero_model_drift",
    "1 when a model's live error drifted past its threshold (only with TENDERO_METRICS_TENANT_LABELS)",
    ["tenant", "model"],
)
_tenant: ContextVar[str] = ContextVar("tendero_metrics_tenant", default="")


def tenant_labels() -> bool:
    """Whether the operator opted in to tenant and model names as label values."""
    return get_settings().metrics_tenant_labels


def for_tenant(name: str) -> Token[str]:
    """Name the tenant whose request this is (set once its key is verified), for the opted-in labels."""
    return _tenant.set(name)


class _Ignored:
    def set(self, value: float) -> None:
        """Nothing is recorded."""


class _PredictionCounter:
    def labels(self, kind: str, model: str, version: str) -> Any:
        """The counter of one prediction call: per kind, or per tenant, model and version when opted in."""
        if tenant_labels():
            return _predictions.labels(kind, _tenant.get(), model, version)
        return _predictions.labels(kind, "", "", "")


class _DriftGauge:
    def labels(self, tenant: str, model: str) -> Any:
        """The drift flag of one model when opted in; otherwise a flag that records nothing."""
        if tenant_labels():
            return _model_drift.labels(tenant, model)
        return _Ignored()


predictions = _PredictionCounter()
model_drift = _DriftGauge()
