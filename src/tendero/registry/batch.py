"""The ``batch_predict`` job: predict every row of a dataset with a deployed model, into a file."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from tendero.data.formulas import write_csv
from tendero.errors import NotFound
from tendero.jobs.execute import JobContext, JobFailed
from tendero.kinds import TabularModel
from tendero.registry.service import deployed_models
from tendero.store import artifacts

CHUNK_ROWS = 20_000


def run_batch_prediction(ctx: JobContext) -> dict[str, Any]:
    from tendero.data.datasets import read_dataset_frame

    model, dataset, file_format = ctx.params["model"], ctx.params["dataset"], ctx.params.get("format", "csv")
    try:
        served = deployed_models.get(ctx.tenant_id, model)
    except NotFound as error:
        raise JobFailed(str(error)) from error
    if not isinstance(served.fitted, TabularModel):
        raise JobFailed(f"model {model!r} of kind {served.kind} does not predict tables of rows")
    predict_frame = served.fitted.predict_frame
    try:
        frame = read_dataset_frame(ctx.tenant_id, dataset)
    except (ValueError, NotFound) as error:
        raise JobFailed(str(error)) from error
    parts = []
    total = max(1, -(-len(frame) // CHUNK_ROWS))
    checks = {key: ctx.params[key] for key in ("on_invalid", "language") if key in ctx.params}  # the request's
    for step, start in enumerate(range(0, len(frame), CHUNK_ROWS), start=1):
        try:
            parts.append(predict_frame(frame.iloc[start : start + CHUNK_ROWS], first_row=start + 1, **checks))
        except ValueError as error:
            raise JobFailed(f"rows {start + 1}–{start + CHUNK_ROWS}: {error}") from error
        ctx.progress.update(step, total, message=f"{min(len(frame), start + CHUNK_ROWS):,} of {len(frame):,} rows")
    result = pd.concat([frame.reset_index(drop=True), pd.concat(parts, ignore_index=True)], axis=1)
    buffer = io.BytesIO()
    if file_format == "parquet":
        result.to_parquet(buffer, index=False)
    else:  # the file echoes the dataset's cells back: none of them may run as a formula in a spreadsheet
        write_csv(result, buffer)
    artifacts.write_file(artifacts.predictions_uri(ctx.tenant_id, ctx.job_id, file_format), buffer.getvalue())
    return {"model": model, "version": served.version, "dataset": dataset, "rows": len(result), "format": file_format,
            "download": f"/v1/jobs/{ctx.job_id}/download"}  # fmt: skip


def open_predictions(tenant_id: str, job_id: str, file_format: str) -> Any:
    return artifacts.open_file(artifacts.predictions_uri(tenant_id, job_id, file_format))
