"""Prometheus metrics: HTTP traffic per route, predictions per model, job outcomes, drift flags."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

http_requests = Counter("tendero_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
http_latency = Histogram(
    "tendero_http_request_seconds", "HTTP request latency", ["method", "route"], buckets=LATENCY_BUCKETS
)
predictions = Counter("tendero_predictions_total", "Predictions served", ["kind", "model", "version"])
jobs_finished = Counter("tendero_jobs_total", "Jobs finished", ["kind", "status"])
job_seconds = Histogram(
    "tendero_job_seconds", "Job duration", ["kind"], buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)
)
model_drift = Gauge(
    "tendero_model_drift", "1 when a model's live error drifted past its threshold", ["tenant", "model"]
)
