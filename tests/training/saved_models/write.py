"""Writes the saved tabular models that ``test_training_saved_models.py`` loads.

The folders next to this script were written by the code of commit a607d03, before
``training/algorithms.py`` became a package: they prove that models the registry already stores
(format 1: ``model.json`` plus each estimator's native files) still load and answer the same.
Rerun only to add a case; the existing folders must stay as they were written.

    .venv/bin/python tests/training/saved_models/write.py
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

from tendero.kinds import RecordingProgress
from tendero.training.kind import TabularParams, train_tabular
from tendero.training.model import join_text, json_row

HERE = Path(__file__).resolve().parent
SMALL = {"importance_repeats": 0, "seed": 0}


def _frame(loader: Any, rows: int, columns: int) -> pd.DataFrame:
    data = loader(as_frame=True).frame
    features = [c for c in data.columns if c != "target"][:columns]
    return data.sample(rows, random_state=0)[[*features, "target"]].reset_index(drop=True)


def _texts() -> pd.DataFrame:
    words = {
        "envio": ["llegó", "rápido", "tarde", "paquete", "envío"],
        "calidad": ["roto", "calidad", "material", "resistente", "frágil"],
    }
    rng = np.random.default_rng(0)
    rows = [{"review": " ".join(rng.choice(own, 3)), "topic": label} for label, own in words.items() for _ in range(30)]
    return pd.DataFrame(rows)


def cases() -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    binary = _frame(load_breast_cancer, 200, 6)
    wine = _frame(load_wine, 150, 5)
    diabetes = _frame(load_diabetes, 200, 6)
    clusters = binary.drop(columns="target")
    return {
        "linear_regression": (diabetes, {"task": "regression", "target": "target"}),
        "logistic_regression": (wine, {"task": "classification", "target": "target"}),
        "random_forest": (
            binary,
            {"task": "classification", "target": "target", "hyperparameters": {"n_estimators": 5, "max_depth": 4}},
        ),
        "lightgbm": (wine, {"task": "classification", "target": "target", "hyperparameters": {"n_estimators": 20}}),
        "lightgbm_regression": (
            diabetes,
            {
                "task": "regression",
                "target": "target",
                "algorithm": "lightgbm",
                "hyperparameters": {"n_estimators": 20},
            },
        ),
        "xgboost": (binary, {"task": "classification", "target": "target", "hyperparameters": {"n_estimators": 20}}),
        "xgboost_regression": (
            diabetes,
            {"task": "regression", "target": "target", "algorithm": "xgboost", "hyperparameters": {"n_estimators": 20}},
        ),
        "mlp": (
            binary,
            {"task": "classification", "target": "target", "hyperparameters": {"epochs": 5, "hidden_layers": [8]}},
        ),
        "kmeans": (clusters, {"task": "clustering", "hyperparameters": {"n_clusters": 3, "n_init": 2}}),
        "text_classifier": (_texts(), {"task": "text_classification", "target": "topic"}),
    }


def write(name: str, frame: pd.DataFrame, request: dict[str, Any]) -> None:
    params = TabularParams(**{"algorithm": name, **request, **SMALL})
    model = train_tabular(frame, params, RecordingProgress())
    folder = HERE / name
    shutil.rmtree(folder, ignore_errors=True)
    model.save(folder)
    rows = frame[model.features].head(12)
    if model.task == "text_classification":
        inputs: Any = join_text(rows, model.text_columns)
    else:
        assert model.preprocessor is not None
        inputs = model.preprocessor.transform(rows).tolist()
    expected = {
        "rows": [json_row(row) for _, row in rows.iterrows()],
        "estimator_input": inputs,
        "estimator_output": model.estimator.output(
            np.asarray(inputs) if model.task != "text_classification" else inputs
        ).tolist(),
        "predictions": model.predict([json_row(row) for _, row in rows.iterrows()]).model_dump(),
    }
    (folder / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    for case, (frame, request) in cases().items():
        write(case, frame, request)
        print(case, sorted(p.name for p in (HERE / case).iterdir()))
