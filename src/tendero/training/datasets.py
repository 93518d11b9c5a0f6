"""A user's uploaded table: read any common file, type its columns, infer a schema, check the task.

Reading never loses valid data: a ragged CSV row or an unparseable cell is reported with its row
and column and left out (the row) or set missing (the cell); everything else is kept.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from tendero.data.numbers import to_numeric

ColumnType = Literal["numeric", "categorical", "text", "datetime", "boolean"]
Task = Literal["classification", "regression", "clustering", "text_classification"]
FileFormat = Literal["csv", "json", "jsonl", "parquet"]

_TRUE = {"true", "yes", "si", "sí", "y", "t"}
_FALSE = {"false", "no", "n", "f"}
_MISSING = {"", "na", "n/a", "nan", "null", "none", "-", "?"}
# A column is typed as numeric/datetime when at least this share of its non-empty cells parse.
_PARSE_SHARE = 0.9
_MAX_ISSUES = 200


class Issue(BaseModel):
    """One problem in an uploaded file; ``row`` is the 1-based data row (header excluded)."""

    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Literal["error", "warning"] = "error"


class ValidationReport(BaseModel):
    """What reading found: how many rows were kept and which rows/cells had problems."""

    rows_read: int = 0
    rows_kept: int = 0
    issues: list[Issue] = Field(default_factory=list)
    issues_total: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == "error"]

    def add(self, issue: Issue) -> None:
        self.issues_total += 1
        if len(self.issues) < _MAX_ISSUES:
            self.issues.append(issue)


class DatasetError(ValueError):
    """A file or a task that cannot be used; ``issues`` say where."""

    def __init__(self, message: str, issues: Sequence[Issue] = ()) -> None:
        super().__init__(message)
        self.issues = list(issues)


class LoadedTable(BaseModel):
    """A read file: the typed frame plus how it was read and what went wrong."""

    model_config = {"arbitrary_types_allowed": True}

    frame: pd.DataFrame
    format: FileFormat
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
    file_format: FileFormat | None = None,
    *,
    max_bytes: int | None = None,
) -> LoadedTable:
    """Read CSV (delimiter and encoding detected), JSON, JSON lines or Parquet into a typed frame.

    ``data`` is the file's bytes or a path. Raises ``DatasetError`` only when nothing usable can be
    read (empty file, unknown format, no header); row and cell problems go into the report.
    """
    if isinstance(data, str | Path):
        path = Path(data)
        filename = filename or path.name
        raw = path.read_bytes()
    else:
        raw = data
    if max_bytes is not None and len(raw) > max_bytes:
        raise DatasetError(f"file is {len(raw):,} bytes; the limit is {max_bytes:,} bytes")
    if not raw.strip():
        raise DatasetError("file is empty")
    fmt = file_format or detect_format(raw, filename)
    report = ValidationReport()
    encoding: str | None = None
    delimiter: str | None = None
    if fmt == "parquet":
        try:
            frame = pd.read_parquet(io.BytesIO(raw))
        except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
            raise DatasetError(f"not a readable Parquet file: {exc}") from exc
        report.rows_read = len(frame)
    elif fmt in ("json", "jsonl"):
        text, encoding = decode_text(raw)
        frame = _read_json(text, fmt, report)
    else:
        text, encoding = decode_text(raw)
        delimiter = detect_delimiter(text)
        frame = _read_csv(text, delimiter, report)
    frame = _check_columns(frame)
    frame = coerce_columns(frame, report)
    report.rows_kept = len(frame)
    if frame.empty:
        raise DatasetError("file has no usable rows", report.issues)
    return LoadedTable(frame=frame, format=fmt, encoding=encoding, delimiter=delimiter, report=report)


def detect_format(raw: bytes, filename: str | None = None) -> FileFormat:
    """Format from the file's magic bytes, then its extension, then its first character."""
    if raw[:4] == b"PAR1":
        return "parquet"
    suffix = Path(filename).suffix.lower() if filename else ""
    by_suffix: dict[str, FileFormat] = {
        ".csv": "csv",
        ".tsv": "csv",
        ".txt": "csv",
        ".json": "json",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".parquet": "parquet",
    }
    if suffix in by_suffix:
        fmt = by_suffix[suffix]
        if fmt == "json" and _looks_like_json_lines(raw):
            return "jsonl"
        return fmt
    head = raw.lstrip()[:1]
    if head == b"[":
        return "json"
    if head == b"{":
        return "jsonl" if _looks_like_json_lines(raw) else "json"
    return "csv"


def _looks_like_json_lines(raw: bytes) -> bool:
    lines = [line for line in raw.splitlines()[:5] if line.strip()]
    if len(lines) < 2:
        return False
    try:
        return all(isinstance(json.loads(line), dict) for line in lines)
    except ValueError:
        return False


def decode_text(raw: bytes) -> tuple[str, str]:
    """Decode as UTF-8 (with or without BOM), UTF-16 by BOM, else Windows-1252 (Spanish spreadsheets)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def detect_delimiter(text: str) -> str:
    """The delimiter among , ; tab | that splits the first lines into the most consistent fields."""
    sample_lines = [line for line in text.splitlines()[:50] if line.strip()]
    sample = "\n".join(sample_lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        pass
    best, best_score = ",", -1.0
    for candidate in (",", ";", "\t", "|"):
        counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=candidate)]
        if not counts or max(counts) < 2:
            continue
        mode = max(set(counts), key=counts.count)
        score = counts.count(mode) / len(counts) + (mode / 1000.0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _read_csv(text: str, delimiter: str, report: ValidationReport) -> pd.DataFrame:
    """Every cell as text. Clean files go through pandas' C parser; ragged rows are reported by row
    number and left out (found by counting fields per record, which is cheap)."""
    records = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(records)]
    except StopIteration as exc:
        raise DatasetError("file has no header row") from exc
    width = len(header)
    lengths = np.fromiter(map(len, records), dtype=np.int64)
    filled = lengths > 0  # blank lines come back as empty records
    report.rows_read = int(filled.sum())
    if not (filled & (lengths != width)).any():
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            skiprows=1,
            names=list(range(width)),
            dtype=str,
            na_filter=False,
            skip_blank_lines=True,
            engine="c",
        )
        frame.columns = header
        return frame.astype(object)
    rows: list[list[str]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter)):
        if number == 0 or not row:
            continue
        if len(row) != width:
            report.add(
                Issue(
                    message=f"row has {len(row)} fields, header has {width}; row skipped",
                    row=number,
                    value=delimiter.join(row)[:80],
                )
            )
            continue
        rows.append(row)
    return pd.DataFrame(rows, columns=header, dtype=object)


def _read_json(text: str, fmt: FileFormat, report: ValidationReport) -> pd.DataFrame:
    records: list[Any] = []
    if fmt == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except ValueError as exc:
                report.add(Issue(message=f"line is not valid JSON ({exc.msg}); skipped", row=number))
                records.append(None)
    else:
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise DatasetError(f"not valid JSON: {exc}") from exc
        if isinstance(document, dict):
            lists = [value for value in document.values() if isinstance(value, list)]
            if len(lists) != 1:
                raise DatasetError("JSON must be a list of objects, or an object holding exactly one list")
            document = lists[0]
        if not isinstance(document, list):
            raise DatasetError("JSON must be a list of objects")
        records = document
    kept: list[dict[str, Any]] = []
    for number, record in enumerate(records, start=1):
        if record is None:
            continue
        report.rows_read += 1
        if not isinstance(record, dict):
            report.add(Issue(message="row is not a JSON object; skipped", row=number))
            continue
        flat = {}
        for key, value in record.items():
            if isinstance(value, dict | list):
                report.add(
                    Issue(
                        message="nested value flattened to JSON text",
                        row=number,
                        column=str(key),
                        severity="warning",
                    )
                )
                value = json.dumps(value, ensure_ascii=False)
            flat[str(key)] = value
        kept.append(flat)
    if not kept:
        raise DatasetError("file has no JSON objects", report.issues)
    return pd.DataFrame.from_records(kept)


def _check_columns(frame: pd.DataFrame) -> pd.DataFrame:
    names = [str(name) for name in frame.columns]
    issues = []
    for position, name in enumerate(names, start=1):
        if not name:
            issues.append(Issue(message=f"column {position} has no name"))
    seen: set[str] = set()
    for name in names:
        if name in seen:
            issues.append(Issue(message="column name appears twice", column=name))
        seen.add(name)
    if issues:
        raise DatasetError("header is not usable", issues)
    frame.columns = names
    return frame


# ---------------------------------------------------------------------------------------------
# typing


def coerce_columns(frame: pd.DataFrame, report: ValidationReport | None = None) -> pd.DataFrame:
    """Type text columns as numbers, booleans or dates where nearly all cells say so.

    A cell that does not parse in a column typed that way is reported (row, column, value) and set
    missing, so one typo does not turn a numeric column into text.
    """
    report = report if report is not None else ValidationReport()
    out = {}
    for name in frame.columns:
        series = frame[name]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[name] = _coerce_text_column(series, str(name), report)
        else:
            out[name] = series
    typed = pd.DataFrame(out, index=frame.index)
    return typed.reset_index(drop=True)


def _coerce_text_column(series: pd.Series, name: str, report: ValidationReport) -> pd.Series:
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if inferred == "boolean":
        return series.astype("boolean")
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
        return pd.to_numeric(series, errors="coerce")
    if inferred == "string":
        text = series.str.strip()
    else:
        text = series.map(lambda value: None if value is None or value is np.nan else str(value).strip())
    missing = (text.isna() | text.str.lower().isin(_MISSING)).to_numpy()
    present = text[~missing]
    if present.empty:
        return pd.Series(np.nan, index=series.index, dtype=float)
    lowered = present.str.lower()
    if lowered.isin(_TRUE | _FALSE).all() and lowered.nunique() <= 2:
        values = pd.Series(pd.NA, index=series.index, dtype="boolean")
        values[~missing] = lowered.isin(_TRUE).to_numpy()
        return values
    numbers = to_numeric(present)
    if numbers.isna().any():  # decimal comma: "1.234,5" or "3,5"
        alt = to_numeric(present.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
        if alt.notna().sum() > numbers.notna().sum():
            numbers = alt
    if numbers.notna().mean() >= _PARSE_SHARE:
        _report_unparsed(present, numbers, name, "a number", report)
        result = pd.Series(np.nan, index=series.index, dtype=float)
        result[~missing] = numbers.to_numpy(dtype=float)
        if result.dropna().eq(result.dropna().round()).all() and result.notna().all():
            return result.astype("int64")
        return result
    if present.str.contains(r"\d", regex=True).mean() >= _PARSE_SHARE:
        dates = _parse_dates(present)
        if dates.notna().mean() >= _PARSE_SHARE:
            _report_unparsed(present, dates, name, "a date", report)
            result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
            result[~missing] = dates.to_numpy()
            return result
    result = pd.Series(None, index=series.index, dtype=object)
    result[~missing] = present.to_numpy()
    return result


def _parse_dates(values: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(values, errors="coerce", utc=True)  # one inferred format: fast
    if parsed.notna().mean() >= _PARSE_SHARE:
        return parsed.dt.tz_convert(None)
    for dayfirst in (False, True):
        parsed = pd.to_datetime(values, errors="coerce", format="mixed", dayfirst=dayfirst, utc=True)
        if parsed.notna().mean() >= _PARSE_SHARE:
            return parsed.dt.tz_convert(None)
    return pd.to_datetime(values, errors="coerce", format="mixed", utc=True).dt.tz_convert(None)


def _report_unparsed(present: pd.Series, parsed: pd.Series, name: str, what: str, report: ValidationReport) -> None:
    for index in present.index[parsed.isna().to_numpy()]:
        report.add(
            Issue(
                message=f"not {what}; set missing",
                row=int(index) + 1,
                column=name,
                value=str(present[index])[:80],
                severity="warning",
            )
        )


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
    names = list(types)
    issues: list[Issue] = []
    if task == "clustering":
        if target is not None:
            issues.append(Issue(message="clustering takes no target column", column=target))
    elif target is None:
        issues.append(Issue(message=f"task {task} needs a target column"))
    elif target not in names:
        issues.append(Issue(message=f"target column not found; columns are {', '.join(names)}", column=target))
    if issues:
        raise DatasetError(issues[0].message, issues)

    if features is None:
        chosen = [name for name in names if name != target]
        if task == "text_classification":
            chosen = [name for name in chosen if types[name] == "text"] or chosen
    else:
        chosen = list(dict.fromkeys(features))
        for name in chosen:
            if name not in names:
                issues.append(Issue(message="feature column not found", column=name))
            elif name == target:
                issues.append(Issue(message="the target cannot also be a feature", column=name))
    if not chosen:
        issues.append(Issue(message="no feature columns left"))

    if target is not None and target in names:
        labels = frame[target].dropna()
        if labels.empty:
            issues.append(Issue(message="target column is empty", column=target))
        elif task == "regression":
            if types[target] not in ("numeric", "boolean"):
                issues.append(Issue(message=f"regression needs a numeric target, found {types[target]}", column=target))
            elif labels.nunique() < 2:
                issues.append(Issue(message="target has a single value", column=target))
        elif task in ("classification", "text_classification"):
            counts = labels.astype(str).value_counts()
            if len(counts) < 2:
                issues.append(Issue(message="classification needs at least 2 classes", column=target))
            elif len(counts) > max_classes:
                issues.append(
                    Issue(
                        message=f"target has {len(counts)} classes (limit {max_classes}): try regression",
                        column=target,
                    )
                )
            elif types[target] == "numeric" and len(counts) > 20 and not _is_integer(labels):
                issues.append(Issue(message="target looks continuous: use regression", column=target))
    text_like = any(types[name] in ("text", "categorical") for name in chosen if name in types)
    if task == "text_classification" and not issues and not text_like:
        issues.append(Issue(message="text classification needs at least one text column among the features"))
    if issues:
        raise DatasetError(issues[0].message, issues)
    return TaskSpec(task=task, target=target, features=chosen)


def _is_integer(values: pd.Series) -> bool:
    numbers = to_numeric(values)
    return bool(numbers.notna().all() and (numbers == numbers.round()).all())
