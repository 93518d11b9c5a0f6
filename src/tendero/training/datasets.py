"""A user's uploaded table: read it (through the one table reader), type its columns, infer a schema,
check the task.

Reading never loses valid data: a ragged CSV row or an unparseable cell is reported with its row
and column and left out (the row) or set missing (the cell); everything else is kept.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, Field

from tendero.data.budget import Budget
from tendero.data.columns import type_columns
from tendero.data.issues import Issue, TableRejected
from tendero.data.messages import Text, names, say, text_from_json
from tendero.data.numbers import to_numeric
from tendero.data.table import ROW, Table, open_table

ColumnType = Literal["numeric", "categorical", "text", "datetime", "boolean"]
Task = Literal["classification", "regression", "clustering", "text_classification"]
FileFormat = Literal["csv", "json", "jsonl", "parquet", "xlsx"]

_MAX_ISSUES = 200

__all__ = ["DatasetError", "Issue", "LoadedTable", "ValidationReport", "read_opened", "read_table"]


class ValidationReport(BaseModel):
    """What reading found: how many rows were kept and which rows/cells had problems (the first 200)."""

    rows_read: int = 0
    rows_kept: int = 0
    issues: list[Issue] = Field(default_factory=list)
    issues_total: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == "error"]

    @property
    def room(self) -> int:
        return _MAX_ISSUES - len(self.issues)

    def add(self, issue: Issue) -> None:
        self.issues_total += 1
        if len(self.issues) < _MAX_ISSUES:
            self.issues.append(issue)

    def count(self, more: int) -> None:
        """Issues seen but not kept (the report keeps the first 200)."""
        self.issues_total += more


class DatasetError(TableRejected):
    """A file or a task that cannot be used; ``issues`` say where."""


class LoadedTable(BaseModel):
    """A read file: the typed frame plus how it was read and what went wrong."""

    model_config = {"arbitrary_types_allowed": True}

    frame: pd.DataFrame
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    report: ValidationReport


class ColumnSchema(BaseModel):
    name: str
    type: ColumnType
    dtype: str
    cardinality: int
    missing_share: float
    categories: list[str] | None = None


class DatasetSchema(BaseModel):
    """Column types, cardinalities and missing shares: shown to users, checked at predict time."""

    rows: int
    columns: list[ColumnSchema]

    def column(self, name: str) -> ColumnSchema:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


class TaskSpec(BaseModel):
    """A checked task: what to predict from which columns."""

    task: Task
    target: str | None
    features: list[str]


# ---------------------------------------------------------------------------------------------
# reading


def read_table(
    data: bytes | str | Path,
    filename: str | None = None,
    file_format: str | None = None,
    *,
    max_bytes: int | None = None,
    budget: Budget | None = None,
) -> LoadedTable:
    """Read CSV (delimiter and encoding detected), JSON, JSON lines, Parquet or Excel into a typed frame.

    ``data`` is the file's bytes or a path. Raises ``DatasetError`` only when nothing usable can be
    read (empty, binary or mixed-encoding file, no header, over a limit); row and cell problems go into
    the report, with the row counted from the first data row (row 1).
    """
    budget = budget or Budget()
    if isinstance(data, str | Path):
        path = Path(data)
        return _read_path(path, filename or path.name, file_format, max_bytes, budget)
    with tempfile.TemporaryDirectory(prefix="tendero-table-") as folder:
        path = Path(folder) / "table"
        path.write_bytes(data)
        return _read_path(path, filename or "table", file_format, max_bytes, budget)


def _read_path(path: Path, filename: str, file_format: str | None, max_bytes: int | None,
               budget: Budget) -> LoadedTable:  # fmt: skip
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise DatasetError(say("file.too_large", size=size, limit=max_bytes))
    try:
        table = open_table(path, filename, budget=budget, numbering="data", file_format=file_format)
        return read_opened(table)
    except DatasetError:
        raise
    except TableRejected as error:
        raise DatasetError(error.text or str(error), error.issues) from None


def read_opened(table: Table) -> LoadedTable:
    """An opened table, read whole and typed (``Budget``: at most ``max_cells`` cells are held)."""
    report = ValidationReport()
    header_issues = len(table.issues)
    for issue in table.issues:  # the header's warnings
        report.add(issue)
    parts = []
    rows = 0
    width = len(table.layout.columns)
    try:
        for chunk in table.chunks():
            rows += len(chunk)
            table.budget.check_cells(rows, width)
            parts.append(chunk)
        for issue in table.issues[header_issues:]:  # rows the reader could not read
            report.add(issue)
        empty = pd.DataFrame(columns=[ROW, *table.layout.columns])
        frame = pd.concat(parts, ignore_index=True) if parts else empty
        report.rows_read = table.records
        frame = type_columns(frame, report, table.budget)
    except DatasetError:
        raise
    except TableRejected as error:
        raise DatasetError(error.text or str(error), error.issues) from None
    report.rows_kept = len(frame)
    if frame.empty:
        raise DatasetError(say("file.no_rows"), report.issues)
    layout = table.layout
    return LoadedTable(frame=frame, format=layout.format, encoding=_shown_encoding(layout.encoding),
                       delimiter=layout.delimiter, report=report)  # fmt: skip


def _shown_encoding(encoding: str | None) -> str | None:
    return "utf-8" if encoding == "utf-8-sig" else encoding


def coerce_columns(frame: pd.DataFrame, report: ValidationReport | None = None) -> pd.DataFrame:
    """Type text columns as numbers, booleans or dates where nearly all cells say so (see ``data.columns``)."""
    return type_columns(frame, report if report is not None else ValidationReport())


# ---------------------------------------------------------------------------------------------
# schema and task


def column_type(series: pd.Series) -> ColumnType:
    """The column's type as the trainer treats it."""
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if pd.api.types.is_numeric_dtype(series):
        return "numeric"
    present = series.dropna().astype(str)
    if present.empty:
        return "categorical"
    words = present.str.count(r"\s+") + 1
    unique_share = present.nunique() / len(present)
    if words.mean() >= 3 or (present.str.len().mean() >= 30 and unique_share > 0.5):
        return "text"
    return "categorical"


def infer_schema(frame: pd.DataFrame, max_categories: int = 50) -> DatasetSchema:
    """Type, cardinality and missing share per column (and the categories of small categoricals)."""
    columns = []
    rows = len(frame)
    for name in frame.columns:
        series = frame[name]
        kind = column_type(series)
        cardinality = int(series.nunique(dropna=True))
        categories = None
        if kind in ("categorical", "boolean") and cardinality <= max_categories:
            categories = sorted(series.dropna().astype(str).unique().tolist())
        columns.append(
            ColumnSchema(
                name=str(name),
                type=kind,
                dtype=str(series.dtype),
                cardinality=cardinality,
                missing_share=float(series.isna().mean()) if rows else 0.0,
                categories=categories,
            )
        )
    return DatasetSchema(rows=rows, columns=columns)


def validate_task(
    frame: pd.DataFrame,
    task: Task,
    target: str | None = None,
    features: Sequence[str] | None = None,
    *,
    max_classes: int = 100,
) -> TaskSpec:
    """Check that the target exists and fits the task; features default to every other column."""
    types = {str(name): column_type(frame[name]) for name in frame.columns}  # no cardinalities needed here
    all_names = list(types)
    issues: list[Issue] = []

    def problem(text: Text, column: str | None = None) -> None:
        issues.append(Issue.of(text, column=column))

    if task == "clustering":
        if target is not None:
            problem(say("task.no_target_for_clustering"), target)
    elif target is None:
        problem(say("task.needs_target", task=task))
    elif target not in all_names:
        problem(say("task.target_not_found", columns=names(all_names)), target)
    if issues:
        raise _task_error(issues)

    if features is None:
        chosen = [name for name in all_names if name != target]
        if task == "text_classification":
            chosen = [name for name in chosen if types[name] == "text"] or chosen
    else:
        chosen = list(dict.fromkeys(features))
        for name in chosen:
            if name not in all_names:
                problem(say("task.feature_not_found"), name)
            elif name == target:
                problem(say("task.target_is_feature"), name)
    if not chosen:
        problem(say("task.no_features"))

    if target is not None and target in all_names:
        labels = frame[target].dropna()
        if labels.empty:
            problem(say("task.target_empty"), target)
        elif task == "regression":
            if types[target] not in ("numeric", "boolean"):
                problem(say("task.regression_numeric", found=types[target]), target)
            elif labels.nunique() < 2:
                problem(say("task.single_value"), target)
        elif task in ("classification", "text_classification"):
            counts = labels.astype(str).value_counts()
            if len(counts) < 2:
                problem(say("task.two_classes"), target)
            elif len(counts) > max_classes:
                problem(say("task.too_many_classes", count=len(counts), limit=max_classes), target)
            elif types[target] == "numeric" and len(counts) > 20 and not _is_integer(labels):
                problem(say("task.continuous"), target)
    text_like = any(types[name] in ("text", "categorical") for name in chosen if name in types)
    if task == "text_classification" and not issues and not text_like:
        problem(say("task.needs_text"))
    if issues:
        raise _task_error(issues[:_MAX_ISSUES])
    return TaskSpec(task=task, target=target, features=chosen)


def _task_error(issues: list[Issue]) -> DatasetError:
    first = issues[0]
    text = text_from_json({"code": first.code, "params": first.params or {}})
    return DatasetError(text or first.message, issues)


def _is_integer(values: pd.Series) -> bool:
    numbers = to_numeric(values)
    return bool(numbers.notna().all() and (numbers == numbers.round()).all())
