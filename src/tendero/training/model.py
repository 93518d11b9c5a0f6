"""A trained tabular model: checks incoming rows against the training schema, predicts, saves itself.

Files in a version folder: ``model.json`` (task, labels, schema, preprocessing, metrics, evaluation)
and the estimator's own native files (``lightgbm.txt``, ``xgboost.json``, ``*.npz``, ``tfidf.json``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from tendero.training.algorithms import get_algorithm
from tendero.training.datasets import DatasetSchema
from tendero.training.inputs import (
    ON_INVALID,
    InputProfile,
    OnInvalid,
    RowIssue,
    RowsError,
    check_frame,
    check_rows,
    message,
)
from tendero.training.preprocess import Preprocessor

# 2: model.json keeps the training rows' profile (ranges, categories, missing values) under "inputs";
# format 1 versions still load, with type checks only.
_FORMAT_VERSION = 2
_READABLE_FORMATS = (1, 2)
MAX_WARNINGS = 1000  # per-row warnings listed in one answer (all are counted in warnings_total)


class Prediction(BaseModel):
    """Predictions in row order; for classification also each class's probability per row; what the
    checks against the training data found on rows that were still predicted (``warnings``)."""

    predictions: list[Any]
    probabilities: list[dict[str, float]] | None = None
    warnings: list[RowIssue] = Field(default_factory=list)
    warnings_total: int = 0


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
        inputs: InputProfile | None = None,
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
        self.inputs = inputs if inputs is not None else InputProfile.from_schema(schema)

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

    def serve(self, payload: Mapping[str, Any], language: str = "en") -> dict[str, Any]:
        """The body of ``POST /v1/models/{name}/predict``: ``{"rows": [{column: value, ...}, ...],
        "on_invalid": "auto" | "reject" | "warn"}`` (see ``tendero.training.inputs``)."""
        rows = payload.get("rows") if isinstance(payload, Mapping) else None
        if rows is None:
            keys = ", ".join(repr(str(key))[:40] for key in list(payload)[:5]) if isinstance(payload, Mapping) else ""
            text = message("rows_absent", language, keys=keys or "{}") if keys else message("no_rows", language)
            raise RowsError([RowIssue(code="rows_absent" if keys else "no_rows", message=text, field="rows")], language)
        if not isinstance(rows, list):
            text = message("rows_not_a_list", language, got=type(rows).__name__ if not isinstance(rows, dict)
                           else ("an object" if language == "en" else "un objeto"))  # fmt: skip
            raise RowsError([RowIssue(code="rows_not_a_list", message=text, field="rows")], language)
        if not rows:
            raise RowsError([RowIssue(code="no_rows", message=message("no_rows", language), field="rows")], language)
        on_invalid = payload.get("on_invalid", "auto")
        if on_invalid not in ON_INVALID:
            text = message("on_invalid", language, value=repr(on_invalid)[:80])
            raise RowsError([RowIssue(code="on_invalid", message=text, field="on_invalid")], language)
        answer = self.predict(rows, on_invalid, language).model_dump()
        answer["input_checks"] = self.input_checks(language)
        return answer

    def input_checks(self, language: str = "en") -> dict[str, Any]:
        """What rows are checked against: the training profile, or (older versions) types only."""
        if self.inputs.complete:
            return {"profile": True}
        return {"profile": False, "note": message("types_only", language)}

    def predict(self, rows: Sequence[Any], on_invalid: OnInvalid = "auto", language: str = "en") -> Prediction:
        """Check JSON rows against the training data (``RowsError`` when ``on_invalid`` refuses them)
        and predict; warnings name the row (0-based position) and column."""
        checked = check_rows(rows, self.inputs, on_invalid, language)
        prediction = self._predict(checked.frame)
        prediction.warnings = checked.warnings[:MAX_WARNINGS]
        prediction.warnings_total = len(checked.warnings)
        return prediction

    def predict_frame(
        self, frame: pd.DataFrame, on_invalid: OnInvalid = "auto", language: str = "en", first_row: int = 1
    ) -> pd.DataFrame:
        """Batch prediction over a dataset: a ``prediction`` column (and ``proba_<label>`` columns),
        and a ``warnings`` column with what the checks found on each row (empty when nothing);
        ``first_row`` numbers the frame's first row in errors (1-based data rows of the file)."""
        checked = check_frame(frame, self.inputs, on_invalid, language, first_row)
        result = self._predict(checked.frame)
        out = pd.DataFrame({"prediction": result.predictions}, index=frame.index)
        if result.probabilities is not None:
            for label in self.labels:
                out[f"proba_{label}"] = [p[str(label)] for p in result.probabilities]
        notes: dict[int, list[str]] = {}
        for issue in checked.warnings:
            text = f"{issue.column}: {issue.message}" if issue.column else issue.message
            rows = range(len(frame)) if issue.row is None else [issue.row - first_row]
            for position in rows:
                notes.setdefault(position, []).append(text)
        out["warnings"] = ["; ".join(notes.get(position, [])) for position in range(len(frame))]
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
            "inputs": self.inputs.model_dump() if self.inputs.complete else None,
        }
        self.estimator.save(folder)
        (folder / "model.json").write_text(json.dumps(meta, ensure_ascii=False, default=_json_default, allow_nan=True))

    @classmethod
    def load(cls, folder: Path) -> TabularModel:
        folder = Path(folder)
        meta = json.loads((folder / "model.json").read_text())
        if meta.get("format_version") not in _READABLE_FORMATS:
            raise ValueError(f"unsupported tabular model format {meta.get('format_version')!r}")
        estimator = get_algorithm(meta["algorithm"]).load(folder, meta["task"])
        inputs = InputProfile.model_validate(meta["inputs"]) if meta.get("inputs") else None
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
            inputs=inputs,
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
