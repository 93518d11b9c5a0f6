"""Retention as a job: delete a tenant's jobs, progress events, audit rows, deliveries and events older than
its setting, batch by batch (each batch its own short transaction), rolling audit rows up into daily usage
first so ``/v1/usage`` keeps its figures."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from tendero.catalogue.jobs import job_text
from tendero.jobs.execute import JobContext
from tendero.store import retention as retention_rows
from tendero.store.tables import utcnow


def purge(
    tenant_id: str,
    days: int,
    *,
    batch: int = retention_rows.BATCH_ROWS,
    progress: Any = None,
) -> dict[str, Any]:
    """Delete everything of the tenant older than ``days``; returns rows deleted per kind and batches run."""
    cutoff = utcnow() - timedelta(days=days)
    started = time.perf_counter()
    before = retention_rows.count_rows(tenant_id)
    deleted: dict[str, int] = {}
    batches = 0
    for step, (name, purge_batch) in enumerate(retention_rows.PURGES.items(), start=1):
        total = 0
        while True:
            removed = purge_batch(tenant_id, cutoff, batch)
            if removed == 0:
                break
            batches += 1
            total += removed
            if progress is not None:
                what = job_text(f"retention.{name}")
                progress.update(step, len(retention_rows.PURGES) + 1,
                                message=job_text("retention.deleted", what=what, count=total))  # fmt: skip
            if removed < batch:
                break
        deleted[name] = total
    return {
        "days": days,
        "cutoff": cutoff.isoformat(),
        "deleted": deleted,
        "batches": batches,
        "batch_rows": batch,
        "before": before,
        "after": retention_rows.count_rows(tenant_id),
        "seconds": round(time.perf_counter() - started, 3),
        "summary": f"{sum(deleted.values())} rows older than {days} days deleted in {batches} batches",
    }


def run_retention(ctx: JobContext) -> dict[str, Any]:
    """The ``retention`` job (queued by the daily sweep or by ``POST /v1/retention/run``)."""
    days = int(ctx.params.get("days") or 90)
    result = purge(ctx.tenant_id, days, progress=ctx.progress)
    ctx.progress.update(len(retention_rows.PURGES) + 1, len(retention_rows.PURGES) + 1, message=job_text("job.done"))
    return result
