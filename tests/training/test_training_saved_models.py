"""Models the registry already stores still load and answer the same: every algorithm's native files
(format 1), written by the code before ``training/algorithms.py`` became a package (see
``saved_models/write.py``), load through today's table and give the outputs recorded when they were
trained."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tendero.training.algorithms import get_algorithm
from tendero.training.model import TabularModel

SAVED = Path(__file__).resolve().parent / "saved_models"
CASES = sorted(path.name for path in SAVED.iterdir() if (path / "model.json").exists())


def test_every_algorithm_has_a_saved_model() -> None:
    algorithms = {json.loads((SAVED / case / "model.json").read_text())["algorithm"] for case in CASES}
    assert algorithms == {
        "linear_regression",
        "logistic_regression",
        "random_forest",
        "lightgbm",
        "xgboost",
        "mlp",
        "kmeans",
        "text_classifier",
    }


@pytest.mark.parametrize("case", CASES)
def test_a_model_saved_before_the_split_loads_and_answers_as_when_it_was_trained(case: str, tmp_path: Path) -> None:
    folder = tmp_path / case
    shutil.copytree(SAVED / case, folder)
    expected = json.loads((folder / "expected.json").read_text())
    meta = json.loads((folder / "model.json").read_text())
    estimator = get_algorithm(meta["algorithm"]).load(folder, meta["task"])
    inputs = expected["estimator_input"]
    x = inputs if meta["task"] == "text_classification" else np.asarray(inputs, dtype=np.float64)
    # The same answers up to the libraries' arithmetic: with scikit-learn 1.9.1 and NumPy 2.4.6 the saved MLP gives
    # its stored probabilities back to a relative 4e-8, so "the same" is 1e-6 relative, far below any decision.
    np.testing.assert_allclose(estimator.output(x), np.asarray(expected["estimator_output"]), rtol=1e-6, atol=0)
    model = TabularModel.load(folder)
    answer = model.predict(expected["rows"]).model_dump()
    assert answer["predictions"] == expected["predictions"]["predictions"]
    if expected["predictions"]["probabilities"] is not None:
        for ours, theirs in zip(answer["probabilities"], expected["predictions"]["probabilities"], strict=True):
            assert ours == pytest.approx(theirs, rel=1e-6)
    model.save(tmp_path / "again")  # and what it saves now loads again, file for file
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == sorted(
        p.name for p in folder.iterdir() if p.name != "expected.json"
    )
