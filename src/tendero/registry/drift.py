"""Drift watch: after new data arrives, compare each deployed forecast with what actually happened.

A model whose MAE on the new actuals exceeds 1.5× its backtest MAE is flagged (``flags.drift`` in
``/v1/models``, the ``tendero_model_drift`` gauge) so that retraining can be scheduled.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from tendero.observability import metrics
from tendero.registry.service import deployed_models
from tendero.store import commerce
from tendero.store import registry as registry_rows
from tendero.store.db import session_scope
from tendero.store.tenants import NotFound

log = logging.getLogger(__name__)
THRESHOLD = 1.5


def check_forecast_drift(tenant_id: str) -> list[dict[str, Any]]:
    """Check every deployed forecast model of the tenant; returns one report per model."""
    from tendero.forecasting.series import build_series

    with session_scope() as session:
        models, _ = registry_rows.list_models(session, tenant_id, kind="forecast", limit=500)
        names = [model.name for model in models]
    lines = None
    reports = []
    queued: list[str] = []
    for name in names:
        try:
            served = deployed_models.get(tenant_id, name)
        except NotFound:
            continue
        params = served.fitted.meta.get("params", {})
        if lines is None:
            lines = commerce.read_order_lines(tenant_id)
        actuals = build_series(lines, level=params.get("level", "category"), freq=params.get("freq", "M"),
                               history_months=int(params.get("history_months", 36)),
                               measure=params.get("measure", "quantity")).frame  # fmt: skip
        report = served.fitted.drift(actuals, THRESHOLD)
        flag = None
        if report.drifted:
            flag = {"version": served.version, "mae": report.mae, "backtest_mae": report.backtest_mae,
                    "ratio": report.ratio, "points": report.points}  # fmt: skip
        with session_scope() as session:
            before = (registry_rows.get_model(session, tenant_id, name).flags or {}).get("drift")
            registry_rows.set_flag(session, tenant_id, name, "drift", flag)
            if flag is not None and (before or {}).get("version") != served.version:
                queued += act_on_drift(session, tenant_id, name, {**flag, "threshold": THRESHOLD})
        metrics.model_drift.labels(tenant_id, name).set(1.0 if report.drifted else 0.0)
        reports.append({"model": name, "version": served.version, **report.__dict__})
    _notify(queued)
    return reports


def act_on_drift(session: Any, tenant_id: str, model: str, flag: dict[str, Any]) -> list[str]:
    """A model newly flagged: start the champion/challenger retrain its retrain schedules' policy asks for
    (``on_drift: retrain``), and raise the ``drift`` event (channels subscribed to it are told, and those of
    those schedules). Once per model version. Returns the jobs queued (tell the runner after the commit)."""
    from tendero.jobs.scheduler import queue_run
    from tendero.store import automation as automation_rows
    from tendero.store.tables import utcnow

    jobs, channels = [], []
    now = utcnow()
    for schedule in automation_rows.drift_schedules(session, tenant_id, model):
        queued = queue_run(session, schedule, "drift", now, claimed_by="drift")
        if queued is not None:
            jobs.append(queued[1].id)
        channels += list(schedule.channels or [])
    payload = {"model": model, **flag, "action": "retrain" if jobs else "alert"}
    automation_rows.record_event(session, tenant_id, "drift", f"drift:{model}:{flag['version']}", payload,
                                 channel_ids=channels)  # fmt: skip
    return jobs


def _notify(job_ids: list[str]) -> None:
    if not job_ids:
        return
    from tendero.jobs.runner import get_runner

    runner = get_runner()
    for job_id in job_ids:
        runner.notify(job_id)


def check_in_background(tenant_id: str) -> None:
    """Run the drift check off the request path (an import's answer does not wait for it)."""

    def run() -> None:
        try:
            check_forecast_drift(tenant_id)
        except Exception:
            log.exception("drift check failed for tenant %s", tenant_id)

    threading.Thread(target=run, name="tendero-drift", daemon=True).start()
