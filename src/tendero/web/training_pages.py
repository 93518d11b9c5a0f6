"""The dashboard's training platform: datasets (upload, schema, report), the train form built from the kind's and
the algorithm's Params, one job's live progress, versions side by side with deploy, and predictions from a form or
a file. Every page calls ``tendero.services``, always with the signed-in principal's tenant."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from tendero.errors import Conflict, DeployNotAllowed, Invalid, NotFound, TooLarge
from tendero.kinds import get_kind, kind_names
from tendero.services import datasets, models, training
from tendero.services.data import render as render_text
from tendero.services.datasets import ReadStopped, TableRejected
from tendero.services.models import ModelName, PredictionRefused, TrainingRunning
from tendero.services.uploads import saved_upload
from tendero.web.access import ADMIN, READ, TRAIN, PostAdmin, PostTrainer, Reader, can, posted
from tendero.web.i18n import translator
from tendero.web.rendering import PREFIX, WebRoute, language, record_call, redirect, render
from tendero.web.session import WebSession
from tendero.web.training_forms import field_views, read_fields

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=WebRoute)
TASKS = ("classification", "regression", "clustering", "text_classification")
MODEL_NAME = TypeAdapter(ModelName)
DEPLOY_MODES = ("if_better", "always", "never")
OWN_KIND = "tabular"
# test plumbing of the slow kind: never a person's setting
HIDDEN_KIND_FIELDS = ("crash_once_marker", "crash_in_native_code")


def _t(request: Request) -> Callable[..., str]:
    return translator(language(request))


def _lang(request: Request) -> Any:
    return language(request)


# --- datasets ---------------------------------------------------------------------------------------


@router.get("/datasets")
def datasets_page(request: Request, session: Reader) -> Response:
    principal = session.principal
    assert principal is not None
    rows, total = datasets.list_datasets(principal.tenant_id, 100, 0, _lang(request))
    return render(request, "datasets.html", {"datasets": rows, "total": total, "tasks": TASKS,
                                              "can_train": can(principal, TRAIN)})  # fmt: skip


@router.post("/datasets")
async def upload_dataset(
    request: Request,
    session: PostTrainer,
    name: Annotated[str, Form(max_length=200)] = "",
    task: Annotated[str, Form(max_length=40)] = "classification",
    target: Annotated[str, Form(max_length=500)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The API's own dataset upload (same limit, reader and checks); the page shows its schema and report, also when
    the file was refused (the report then says which rows and columns)."""
    principal = session.principal
    assert principal is not None
    t = _t(request)
    back = f"{PREFIX}/datasets"
    if file is None or not file.filename:
        return redirect(request, back, ("error", t("datasets.pick_file")))
    if task not in TASKS:
        task = "classification"
    filename = Path(file.filename).name
    shown_name = name.strip() or Path(filename).stem or "dataset"
    chosen_target = target.strip() or None
    try:
        async with saved_upload(file, "dataset") as path:
            out = await run_in_threadpool(datasets.create_from_file, principal.tenant_id, path, filename,
                                          shown_name[:200], task, None if task == "clustering" else chosen_target,
                                          language=_lang(request))  # fmt: skip
    except TooLarge as error:
        return redirect(request, back, ("error", str(error)))
    except ReadStopped:
        return redirect(request, back, ("error", render_text("read.stopped", _lang(request))))
    if out["status"] == "ready":
        columns = len((out.get("schema") or {}).get("columns", []))
        flash = ("success", t("datasets.uploaded", name=out["name"], rows=out["rows"], columns=columns))
    else:
        flash = ("error", t("datasets.failed", name=out["name"], error=out["error"] or ""))
    return redirect(request, f"{PREFIX}/datasets/{out['id']}", flash)


@router.get("/datasets/{dataset_id}")
def dataset_page(request: Request, dataset_id: str, session: Reader) -> Response:
    principal = session.principal
    assert principal is not None
    dataset = datasets.get_dataset(principal.tenant_id, dataset_id, _lang(request))
    report = dataset.get("report") or {}
    issues = report.get("issues", [])
    context = {"dataset": dataset, "columns": (dataset.get("schema") or {}).get("columns", []), "issues": issues,
               "issues_total": report.get("issues_total", len(issues)), "can_train": can(principal, TRAIN)}  # fmt: skip
    return render(request, "dataset.html", context)


# --- train ------------------------------------------------------------------------------------------


def _algorithms() -> dict[str, Any]:
    from tendero.services.algorithms import all_algorithms

    return all_algorithms()


def _train_context(
    request: Request,
    tenant_id: str,
    choice: dict[str, str],
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the train form shows for the choices made so far (kind, dataset, task, target, algorithm)."""
    t = _t(request)
    errors = errors or {}
    kinds = [k for k in kind_names()]
    kind = choice.get("kind") or OWN_KIND
    if kind not in kinds:
        kind = OWN_KIND
    context: dict[str, Any] = {"kinds": kinds, "kind": kind, "choice": choice, "errors": errors,
                               "typed": typed or {}, "deploy_modes": DEPLOY_MODES, "busy": None}  # fmt: skip
    if kind != OWN_KIND:
        context["fields"] = field_views(get_kind(kind).Params, t, typed, errors, skip=HIDDEN_KIND_FIELDS)
        return context
    ready, _ = datasets.list_datasets(tenant_id, 200, 0, _lang(request))
    ready = [d for d in ready if d["status"] == "ready"]
    context["datasets"] = ready
    dataset = next((d for d in ready if d["id"] == choice.get("dataset")), ready[0] if ready else None)
    if dataset is None:
        context["fields"] = []
        return context
    task = choice.get("task") if choice.get("task") in TASKS else dataset["task"]
    columns = [c["name"] for c in (dataset.get("schema") or {}).get("columns", [])]
    target = choice.get("target") if choice.get("target") in columns else dataset.get("target")
    algorithms = [name for name, spec in _algorithms().items() if task in spec.tasks]
    asked = choice.get("algorithm") or ""
    algorithm = asked if asked in algorithms else ("lightgbm" if "lightgbm" in algorithms else algorithms[0])
    context.update(dataset=dataset, task=task, tasks=TASKS, columns=columns, target=target, algorithms=algorithms,
                   algorithm=algorithm,
                   fields=field_views(_algorithms()[algorithm].params, t, typed, errors))  # fmt: skip
    return context


@router.get("/train")
def train_page(
    request: Request,
    session: Reader,
    kind: str = OWN_KIND,
    dataset: str = "",
    task: str = "",
    target: str = "",
    algorithm: str = "",
    model: str = "",
) -> Response:
    principal = session.principal
    assert principal is not None
    choice = {"kind": kind, "dataset": dataset, "task": task, "target": target, "algorithm": algorithm,
              "model": model}  # fmt: skip
    typed: dict[str, str] = {}
    if model:  # "train again": start from what the newest version was trained with
        last = training.last_training(principal.tenant_id, model)
        for key in ("dataset", "task", "target", "algorithm"):
            if not choice[key] and last.get(key):
                choice[key] = str(last[key])
        settings = last.get("hyperparameters") if kind == OWN_KIND else last
        if isinstance(settings, dict) and (not algorithm or algorithm == last.get("algorithm")):
            typed = {k: _shown(v) for k, v in settings.items() if v is not None and not isinstance(v, dict)}
    context = _train_context(request, principal.tenant_id, choice, typed)
    context.update(can_train=can(principal, TRAIN), can_admin=can(principal, ADMIN))
    if model:
        context["busy"] = training.running_training(principal.tenant_id, model)
    return render(request, "train.html", context)


@router.post("/train")
@router.post("/models/train")  # the one-click "train" buttons of the overview and customer pages
async def train_submit(request: Request, session: PostTrainer) -> Response:
    """Queue training from the form; on any mistake the form comes back with what was typed and the error beside the
    field (422), never a cleared form."""
    principal = session.principal
    assert principal is not None
    t = _t(request)
    form = {key: str(value) for key, value in (await request.form()).items() if isinstance(value, str)}
    choice = {key: form.get(key, "").strip() for key in ("kind", "dataset", "task", "target", "algorithm", "model",
                                                          "validation", "deploy")}  # fmt: skip
    context = _train_context(request, principal.tenant_id, choice)
    kind = context["kind"]
    if kind == OWN_KIND and context.get("dataset") is None:
        return redirect(request, f"{PREFIX}/datasets", ("error", t("train.no_datasets")))
    spec = get_kind(kind).Params if kind != OWN_KIND else _algorithms()[context["algorithm"]].params
    skip = HIDDEN_KIND_FIELDS if kind != OWN_KIND else ()
    values, typed, errors = read_fields(spec, form, t, skip=skip)
    name = choice["model"] or (kind if kind != OWN_KIND else "")
    try:
        name = MODEL_NAME.validate_python(name)
    except ValidationError:
        errors["model"] = t("train.bad_name")
    validation = 0.2
    if kind == OWN_KIND:
        try:
            validation = float(choice["validation"].replace(",", ".")) if choice["validation"] else 0.2
            if not 0.0 < validation < 0.9:
                raise ValueError
        except ValueError:
            errors["validation"] = t("form.accepts", range=f"{t('form.number')}, 0 < x < 0.9")
        if context["task"] != "clustering" and not context.get("target"):
            errors["target"] = t("train.needs_target")
    busy_job = None
    deploy_mode = choice["deploy"] if choice["deploy"] in DEPLOY_MODES else None
    if not errors:
        try:
            job = await run_in_threadpool(_submit, principal.tenant_id, principal.role, kind, name, values, context,
                                          validation, deploy_mode)  # fmt: skip
        except TrainingRunning as error:
            errors["model"] = t("train.busy", model=error.model, job=error.job_id)
            busy_job = error.job_id
        except DeployNotAllowed:
            errors["deploy"] = t("models.deploy_admin_only")
        except Conflict as error:
            errors["model" if "kind" in str(error) else "dataset"] = str(error)
        except (Invalid, ValidationError, ValueError) as error:
            errors[""] = str(error) if not isinstance(error, ValidationError) else t("form.invalid")
        else:
            record_call(request, principal, "train", time.perf_counter(), 202, model=name)
            queued = t("models.queued") if can(principal, ADMIN) else t("models.queued_not_deployed")
            return redirect(request, f"{PREFIX}/jobs/{job.id}", ("success", queued))
    context = _train_context(request, principal.tenant_id, choice, typed, errors)
    context.update(can_train=True, can_admin=can(principal, ADMIN), problem=t("form.fix_fields"))
    return render(request, "train.html", context, status=409 if busy_job else 422)


def _shown(value: Any) -> str:
    """A stored setting as the form shows it (lists as "64, 32")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _submit(tenant_id: str, role: str, kind: str, name: str, values: dict[str, Any], context: dict[str, Any],
            validation: float, deploy_mode: str | None) -> Any:  # fmt: skip
    if kind == OWN_KIND:
        return training.submit_dataset_training(
            tenant_id, name, context["dataset"]["id"], role=role, algorithm=context["algorithm"],
            hyperparameters=values, task=context["task"], target=context.get("target"), validation=validation,
            deploy_mode=deploy_mode,
        )  # fmt: skip
    return models.train(tenant_id, name, {"kind": kind, "params": values, "deploy": deploy_mode}, role=role)


# --- one job ----------------------------------------------------------------------------------------


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str, session: Reader) -> Response:
    from tendero.web.pages import _job_view

    principal = session.principal
    assert principal is not None
    job = training.get_job(principal.tenant_id, job_id)
    view = _job_view(job, language(request))
    return render(request, "job.html", {"job": view, "jobs": [view], "can_train": can(principal, TRAIN)})


@router.get("/jobs/{job_id}/download")
def download_predictions(request: Request, job_id: str, session: Reader) -> Response:
    principal = session.principal
    assert principal is not None
    handle, file_format = training.prediction_file(principal.tenant_id, job_id)
    media = "text/csv" if file_format == "csv" else "application/vnd.apache.parquet"
    headers = {"content-disposition": f'attachment; filename="predictions-{job_id}.{file_format}"',
               "cache-control": "no-store"}  # fmt: skip
    return StreamingResponse(iter(lambda: handle.read(1 << 20), b""), media_type=media, headers=headers)


# --- compare and deploy -----------------------------------------------------------------------------


@router.get("/models/{name}/versions")
def compare_page(request: Request, name: str, session: Reader) -> Response:
    principal = session.principal
    assert principal is not None
    comparison = training.compare_versions(principal.tenant_id, name)
    busy = training.running_training(principal.tenant_id, name)
    best: dict[str, str] = {}
    for metric, higher in comparison.better.items():
        scored = [(v.metrics[metric], v.version) for v in comparison.versions
                  if isinstance(v.metrics.get(metric), int | float)]  # fmt: skip
        if len(scored) > 1:
            best[metric] = (max(scored) if higher else min(scored))[1]
    context = {"c": comparison, "best": best, "busy": busy, "can_admin": can(principal, ADMIN),
               "can_train": can(principal, TRAIN)}  # fmt: skip
    return render(request, "compare.html", context)


@router.post("/models/{name}/versions/{version}/request-deploy")
def request_deploy(request: Request, name: str, version: str, session: PostTrainer) -> Response:
    principal = session.principal
    assert principal is not None
    training.request_deploy(principal.tenant_id, name, version, principal)
    message = _t(request)("compare.request_sent", model=name, version=version)
    return redirect(request, f"{PREFIX}/models/{name}/versions", ("success", message))


@router.post("/models/{name}/versions/{version}/deploy-compared")
def deploy_compared(request: Request, name: str, version: str, session: PostAdmin) -> Response:
    principal = session.principal
    assert principal is not None
    row = training.deploy_version(principal.tenant_id, name, version)
    message = _t(request)("compare.deployed_ok", model=name, version=row.version)
    return redirect(request, f"{PREFIX}/models/{name}/versions", ("success", message))


# --- predict ----------------------------------------------------------------------------------------

PostReader = Annotated[WebSession, Depends(posted(*READ))]  # predicting is a read of the deployed model


def _predict_context(request: Request, tenant_id: str, name: str) -> dict[str, Any]:
    version, columns = training.input_columns(tenant_id, name)
    return {"name": name, "version": version, "columns": columns, "typed": {}, "errors": {}, "result": None}


@router.get("/models/{name}/predict")
def predict_page(request: Request, name: str, session: Reader) -> Response:
    principal = session.principal
    assert principal is not None
    try:
        context = _predict_context(request, principal.tenant_id, name)
    except NotFound as error:
        return redirect(request, f"{PREFIX}/models", ("error", _t(request)("predict.no_model", reason=str(error))))
    return render(request, "predict.html", context)


def _row_value(text: str, column: training.InputColumn) -> Any:
    """A form cell as the model's rows carry it: empty is missing, numbers are numbers, the rest text."""
    if text == "":
        return None
    if column.type == "numeric":
        try:
            return float(text.replace(",", ".")) if any(c in text for c in ".,eE") else int(text)
        except ValueError:
            return text
    if column.type == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


@router.post("/models/{name}/predict")
async def predict_row(request: Request, name: str, session: PostReader) -> Response:
    """One row from the form, answered by the deployed version exactly as ``POST /v1/models/{name}/predict`` answers
    it; refused values come back beside their field, with what was typed kept."""
    principal = session.principal
    assert principal is not None
    t = _t(request)
    form = {key: str(value) for key, value in (await request.form()).items() if isinstance(value, str)}
    try:
        context = _predict_context(request, principal.tenant_id, name)
    except NotFound as error:
        return redirect(request, f"{PREFIX}/models", ("error", t("predict.no_model", reason=str(error))))
    columns = context["columns"]
    typed = {c.name: form.get(f"col:{c.name}", "").strip() for c in columns}
    row = {c.name: _row_value(typed[c.name], c) for c in columns}
    context["typed"] = typed
    started = time.perf_counter()
    try:
        served = models.servable(principal.tenant_id, name)
        answer = await run_in_threadpool(models.answer, served, {"rows": [row]}, _lang(request))
    except PredictionRefused as error:
        context["errors"] = {str(e.get("column")): str(e.get("message")) for e in error.errors if e.get("column")}
        context["problem"] = t("form.fix_fields")
        return render(request, "predict.html", context, status=422)
    record_call(request, principal, "predict", started, 200, model=name)
    warnings = answer.get("warnings") or []
    context["result"] = {
        "prediction": (answer.get("predictions") or [None])[0],
        "probabilities": (answer.get("probabilities") or [None])[0],
        "warnings": [w if isinstance(w, dict) else {"message": str(w)} for w in warnings],
    }
    return render(request, "predict.html", context)


@router.post("/models/{name}/predict-file")
async def predict_file(
    request: Request, name: str, session: PostTrainer, file: Annotated[UploadFile | None, File()] = None
) -> Response:
    principal = session.principal
    assert principal is not None
    t = _t(request)
    back = f"{PREFIX}/models/{name}/predict"
    if file is None or not file.filename:
        return redirect(request, back, ("error", t("predict.pick_file")))
    try:
        async with saved_upload(file, "file") as path:
            job = await run_in_threadpool(training.submit_file_prediction, principal.tenant_id, name, path,
                                          Path(file.filename).name)  # fmt: skip
    except (TooLarge, Conflict, TableRejected) as error:
        return redirect(request, back, ("error", str(error)))
    except ReadStopped:
        return redirect(request, back, ("error", render_text("read.stopped", _lang(request))))
    return redirect(request, f"{PREFIX}/jobs/{job.id}", ("success", t("train.queued")))
