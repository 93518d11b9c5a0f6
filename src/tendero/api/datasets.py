"""The training platform over HTTP: datasets, training jobs (with an estimate), batch predictions."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from tendero.api.audit import record_call
from tendero.api.deps import AdminDep, PageDep, ReaderDep, SessionDep, TrainerDep, language_of
from tendero.api.errors import ProblemError
from tendero.api.openapi import problems
from tendero.services import datasets, training
from tendero.services.data import render
from tendero.services.datasets import ReadStopped, TableRejected
from tendero.services.schemas import JobOut, PageOf
from tendero.services.uploads import saved_upload

router = APIRouter(tags=["training platform"])
Task = Literal["classification", "regression", "clustering", "text_classification"]


@router.post("/v1/datasets", status_code=status.HTTP_201_CREATED)
async def create_dataset(
    request: Request,
    principal: TrainerDep,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    task: Annotated[Task, Form()],
    target: Annotated[str | None, Form(description="the column to predict (not for clustering)")] = None,
    features: Annotated[str, Form(description="comma-separated columns; default: all but the target")] = "",
    file: Annotated[UploadFile | None, File(description="CSV, JSON, JSON lines, Parquet or Excel .xlsx")] = None,
    entity: Annotated[str | None, Form(description="or: order_lines, products, customers, interactions")] = None,
    sql_source: Annotated[
        str | None, Form(max_length=63, description="or: the name of a SQL source an operator configured, with query")
    ] = None,
    query: Annotated[str | None, Form(max_length=100_000, description="with sql_source: a SELECT query")] = None,
) -> dict[str, Any]:
    """A dataset from an uploaded file, a tendero data entity, or a query on a named SQL source; its schema and
    report. A database URL is never accepted here: SQL sources are named connections an operator set up."""
    language = language_of(request)
    chosen = [source for source in (file, entity, sql_source) if source]
    if len(chosen) != 1:
        message = render("source.one_source", language)
        raise ProblemError(422, message, [{"field": "file", "message": message}])
    columns = [c.strip() for c in features.split(",") if c.strip()] or None
    try:
        if file is not None:
            async with saved_upload(file, "dataset") as path:
                out = await run_in_threadpool(datasets.create_from_file, principal.tenant_id, path,
                                              file.filename or "upload", name, task, target, columns,
                                              language)  # fmt: skip
        elif entity:
            out = await run_in_threadpool(datasets.create_from_entity, principal.tenant_id, entity, name, task,
                                          target, columns, language)  # fmt: skip
        else:
            if not query:
                message = render("source.needs_query", language)
                raise ProblemError(422, message, [{"field": "query", "message": message}])
            source = sql_source or ""  # one of the three sources was given, and it is this one
            out = await run_in_threadpool(datasets.create_from_sql, principal.tenant_id, source, query, name,
                                          task, target, columns, language)  # fmt: skip
    except ReadStopped as error:
        raise ProblemError(503, render("read.stopped", language), headers={"Retry-After": "30"}) from error
    except TableRejected as error:
        message = error.rendered(language)
        field = "entity" if entity else "sql_source"
        raise ProblemError(422, message, [{"field": field, "message": message}]) from error
    return out


@router.get("/v1/datasets")
def list_datasets(request: Request, principal: ReaderDep, session: SessionDep, page: PageDep) -> PageOf[dict[str, Any]]:
    items, total = datasets.list_datasets(principal.tenant_id, page.limit, page.offset, language_of(request), session)
    return PageOf[dict[str, Any]](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/v1/datasets/{dataset_id}")
def get_dataset(dataset_id: str, request: Request, principal: ReaderDep, session: SessionDep) -> dict[str, Any]:
    return datasets.get_dataset(principal.tenant_id, dataset_id, language_of(request), session)


@router.delete("/v1/datasets/{dataset_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_dataset(dataset_id: str, principal: AdminDep) -> None:
    """Refused (409) while a queued or running job reads it."""
    datasets.delete_dataset(principal.tenant_id, dataset_id)


class TrainingJobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="model name")
    dataset: str
    algorithm: str = "lightgbm"
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    task: Task | None = Field(None, description="default: the dataset's task")
    target: str | None = Field(None, description="default: the dataset's target")
    features: list[str] | None = None
    validation: float = Field(0.2, gt=0.0, lt=0.9)
    folds: int | None = Field(None, ge=2, le=20)
    seed: int = Field(0, ge=0)
    search: dict[str, Any] | None = Field(None, description="hyperparameter search: space and trials")
    deploy: Literal["always", "if_better", "never"] | None = Field(
        None, description="admin keys only (default if_better); other roles may send only never, their default"
    )
    idempotency_key: str | None = Field(None, max_length=200)


@router.post("/v1/training-jobs", status_code=status.HTTP_202_ACCEPTED, responses=problems(
    409, s409="A training job of this model is already queued or running, or the model exists with another kind "
              "— Ya hay un entrenamiento de este modelo en cola o en marcha, o el modelo existe con otro tipo",
))  # fmt: skip
def create_training_job(body: TrainingJobIn, request: Request, principal: TrainerDep, session: SessionDep) -> JobOut:
    """Train a model on a dataset; the job carries its duration estimate; follow /v1/jobs/{id}/progress."""
    started = time.perf_counter()
    job = training.submit_dataset_training(
        principal.tenant_id, body.name, body.dataset, role=principal.role, algorithm=body.algorithm,
        hyperparameters=body.hyperparameters, task=body.task, target=body.target, features=body.features,
        validation=body.validation, folds=body.folds, seed=body.seed, search=body.search, deploy_mode=body.deploy,
        idempotency_key=body.idempotency_key, session=session,
    )  # fmt: skip
    record_call(request, principal, "train", started, 202, model=body.name)
    return job
