"""A trained tabular model: checks incoming rows against the training schema, predicts, saves itself.

Files in a version folder: ``model.json`` (task, labels, schema, preprocessing, metrics, evaluation)
and the estimator's own native files (``lightgbm.txt``, ``xgboost.json``, ``*.npz``, ``tfidf.json``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from tendero.training.algorithms import get_algorithm
from tendero.training.datasets import DatasetSchema, Issue
from tendero.training.preprocess import Preprocessor

_FORMAT_VERSION = 1


class RowsError(ValueError):
    """Prediction rows that do not match the training schema; ``issues`` name row index and column."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        first = self.issues[0]
        super().__init__(f"row {first.row}, column {first.column!r}: {first.message}")


class Prediction(BaseModel):
    """Predictions in row order; for classification also each class's probability per row."""

    predictions: list[Any]
    probabilities: list[dict[str, float]] | None = None


def validate_rows(rows: Sequence[Mapping[str, Any]], schema: DatasetSchema) -> pd.DataFrame:
    """Rows (JSON objects) checked column by column against the training schema.

    ``row`` in each issue is the 0-based position in ``rows``. Missing values (null) are allowed and
    imputed like in training; a missing key or a value of the wrong type is an error; extra keys are
    ignored.
    """
    issues: list[Issue] = []
    records: list[dict[str, Any]] = []
    if not rows:
        raise RowsError([Issue(message="no rows given", row=None)])
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            issues.append(Issue(message="row is not a JSON object", row=index))
            continue
        record: dict[str, Any] = {}
        for column in schema.columns:
            if column.name not in row:
                issues.append(Issue(message="missing column", row=index, column=column.name))
                continue
            value, problem = _check_value(row[column.name], column.type)
            if problem:
                issues.append(Issue(message=problem, row=index, column=column.name, value=_short(row[column.name])))
            record[column.name] = value
        records.append(record)
    if issues:
        raise RowsError(issues)
    frame = pd.DataFrame.from_records(records, columns=schema.names)
    for column in schema.columns:
        if column.type == "datetime":
            frame[column.name] = pd.to_datetime(frame[column.name], errors="coerce", format="mixed")
    return frame


def _short(value: Any) -> str:
    return repr(value)[:80]


def _check_value(value: Any, kind: str) -> tuple[Any, str | None]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None
    if kind == "numeric":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"expected a number, got {type(value).__name__}"
        return float(value), None
    if kind == "boolean":
        if isinstance(value, bool):
            return value, None
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value), None
        if isinstance(value, str) and value.strip().lower() in (
            "true",
            "false",
            "yes",
            "no",
            "si",
            "sí",
            "1",
            "0",
        ):
            return value.strip().lower() in ("true", "yes", "si", "sí", "1"), None
        return None, f"expected true or false, got {type(value).__name__}"
    if kind == "datetime":
        if not isinstance(value, str):
            return None, f"expected an ISO 8601 date string, got {type(value).__name__}"
        try:
            pd.Timestamp(value)
        except ValueError:
            return None, "expected an ISO 8601 date string"
        return value, None
    if kind == "text":
        if not isinstance(value, str):
            return None, f"expected text, got {type(value).__name__}"
        return value, None
    if isinstance(value, dict | list):
        return None, f"expected a category (text or number), got {type(value).__name__}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value), None


class TabularModel:
    """The ``tabular`` kind's fitted model (see ``tendero.training.kind``)."""

    def __init__(
        self,
        *,
        task: str,
        algorithm: str,
        hyperparameters: dict[str, Any],
        target: str | None,
        schema: DatasetSchema,
        labels: list[Any],
        preprocessor: Preprocessor | None,
        text_columns: list[str],
        estimator: Any,
        metrics: dict[str, float],
        details: dict[str, Any],
        probe_row: dict[str, Any],
    ) -> None:
        self.task = task
        self.algorithm = algorithm
        self.hyperparameters = hyperparameters
        self.target = target
        self.schema = schema
        self.labels = labels
        self.preprocessor = preprocessor
        self.text_columns = text_columns
        self.estimator = estimator
        self.metrics = metrics
        self.details = details
        self.probe_row = probe_row

    @property
    def features(self) -> list[str]:
        return self.schema.names

    # -- prediction -----------------------------------------------------------------------------

    def raw_output(self, frame: pd.DataFrame) -> np.ndarray:
        """Probabilities (n, k), values (n,) or cluster ids (n,) for an already validated frame."""
        if self.task == "text_classification":
            return self.estimator.output(join_text(frame, self.text_columns))
        assert self.preprocessor is not None
        return self.estimator.output(self.preprocessor.transform(frame))

    def serve(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The body of ``POST /v1/models/{name}/predict``: ``{"rows": [{column: value, ...}, ...]}``."""
        rows = payload.get("rows") if isinstance(payload, Mapping) else None
        if not isinstance(rows, list) or not rows or not all(isinstance(r, Mapping) for r in rows):
            raise RowsError([Issue(message="send {'rows': [ {column: value, ...}, ... ]} with at least one row",
                                   column="rows")])  # fmt: skip
        return self.predict(rows).model_dump()

    def predict(self, rows: Sequence[Mapping[str, Any]]) -> Prediction:
        """Validate JSON rows against the training schema (``RowsError`` if not) and predict."""
        return self._predict(validate_rows(rows, self.schema))

    def predict_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Batch prediction over a dataset: a ``prediction`` column (and ``proba_<label>`` columns)."""
        missing = [name for name in self.features if name not in frame.columns]
        if missing:
            raise RowsError([Issue(message="missing column", column=name) for name in missing])
        result = self._predict(frame[self.features])
        out = pd.DataFrame({"prediction": result.predictions}, index=frame.index)
        if result.probabilities is not None:
            for label in self.labels:
                out[f"proba_{label}"] = [p[str(label)] for p in result.probabilities]
        return out

    def _predict(self, frame: pd.DataFrame) -> Prediction:
        output = self.raw_output(frame)
        if self.task in ("classification", "text_classification"):
            names = [str(label) for label in self.labels]
            predictions = [self.labels[i] for i in output.argmax(axis=1)]
            probabilities = [dict(zip(names, map(float, row), strict=True)) for row in output]
            return Prediction(predictions=predictions, probabilities=probabilities)
        if self.task == "clustering":
            return Prediction(predictions=[int(v) for v in output])
        return Prediction(predictions=[float(v) for v in output])

    def probe(self) -> Prediction:
        """One representative prediction (a held-out row), for the registry's serving figures."""
        return self.predict([self.probe_row])

    # -- files ----------------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "format_version": _FORMAT_VERSION,
            "task": self.task,
            "algorithm": self.algorithm,
            "hyperparameters": self.hyperparameters,
            "target": self.target,
            "schema": self.schema.model_dump(),
            "labels": self.labels,
            "preprocessor": self.preprocessor.to_dict() if self.preprocessor else None,
            "text_columns": self.text_columns,
            "metrics": self.metrics,
            "details": self.details,
            "probe_row": self.probe_row,
        }
        self.estimator.save(folder)
        (folder / "model.json").write_text(json.dumps(meta, ensure_ascii=False, default=_json_default, allow_nan=True))

    @classmethod
    def load(cls, folder: Path) -> TabularModel:
        folder = Path(folder)
        meta = json.loads((folder / "model.json").read_text())
        if meta.get("format_version") != _FORMAT_VERSION:
            raise ValueError(f"unsupported tabular model format {meta.get('format_version')!r}")
        estimator = get_algorithm(meta["algorithm"]).load(folder, meta["task"])
        return cls(
            task=meta["task"],
            algorithm=meta["algorithm"],
            hyperparameters=meta["hyperparameters"],
            target=meta["target"],
            schema=DatasetSchema.model_validate(meta["schema"]),
            labels=meta["labels"],
            preprocessor=Preprocessor.from_dict(meta["preprocessor"]) if meta["preprocessor"] else None,
            text_columns=meta["text_columns"],
            estimator=estimator,
            metrics=meta["metrics"],
            details=meta["details"],
            probe_row=meta["probe_row"],
        )


def join_text(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """The text classifier's input: the chosen columns joined with spaces, missing as empty."""
    if not columns:
        return [""] * len(frame)
    parts = frame[list(columns)].astype("object").where(frame[list(columns)].notna(), "")
    return parts.astype(str).agg(" ".join, axis=1).tolist()


def json_row(row: pd.Series) -> dict[str, Any]:
    """A frame row as a JSON object of plain values (dates as ISO strings, missing as null)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            out[str(key)] = None
        elif isinstance(value, pd.Timestamp):
            out[str(key)] = value.isoformat()
        elif isinstance(value, np.generic):
            out[str(key)] = value.item()
        else:
            out[str(key)] = value
    return out


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
