"""Hyperparameter validation and the native-file estimators matching the libraries they came from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from tendero.kinds import RecordingProgress
from tendero.training.algorithms import TrainData, estimate_seconds
from tendero.training.algorithms.forest import TreeEnsemble
from tendero.training.algorithms.kmeans import Centroids
from tendero.training.algorithms.linear import LinearModel
from tendero.training.algorithms.mlp import NeuralNetwork, train_mlp
from tendero.training.algorithms.parameters import LightGBMParams, MLPParams
from tendero.training.algorithms.text import TextModel
from tendero.training.kind import TabularParams


def _blobs(seed: int = 0, n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5))
    y = (x[:, 0] + 0.5 * x[:, 1] - x[:, 2] ** 2 + rng.normal(scale=0.3, size=n) > 0).astype(int)
    return x, y


def test_unknown_and_out_of_range_hyperparameters_are_rejected_by_name() -> None:
    with pytest.raises(ValidationError, match="n_estimatorz"):
        LightGBMParams.model_validate({"n_estimatorz": 10})
    with pytest.raises(ValidationError, match="learning_rate"):
        LightGBMParams.model_validate({"learning_rate": 5})
    with pytest.raises(ValidationError, match=r"hyperparameters\.dropout"):
        TabularParams(task="classification", target="y", algorithm="mlp", hyperparameters={"dropout": 1.5})
    with pytest.raises(ValidationError, match="does not do regression"):
        TabularParams(task="regression", target="y", algorithm="logistic_regression")
    with pytest.raises(ValidationError, match=r"search\.space\.num_leaves"):
        TabularParams(
            task="classification",
            target="y",
            search={"space": {"num_leaves": {"type": "int", "low": 1, "high": 64}}, "trials": 3},
        )


def test_defaults_fill_every_hyperparameter() -> None:
    params = TabularParams(task="classification", target="y", algorithm="mlp")
    assert params.hyperparameters["hidden_layers"] == [64, 32]
    assert params.hyperparameters["optimizer"] == "adam"


def test_duration_estimate_grows_with_rows_and_trees() -> None:
    small = estimate_seconds("lightgbm", {}, 1_000, 10)
    assert estimate_seconds("lightgbm", {}, 100_000, 10) > small
    assert estimate_seconds("lightgbm", {"n_estimators": 1000}, 1_000, 10) > small


def test_forest_arrays_predict_exactly_like_scikit_learn(tmp_path: Path) -> None:
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    x, y = _blobs()
    forest = RandomForestClassifier(n_estimators=15, random_state=0).fit(x[:200], y[:200])
    ours = TreeEnsemble.from_forest(forest, classification=True, n_classes=2)
    ours.save(tmp_path)
    np.testing.assert_allclose(TreeEnsemble.load(tmp_path).output(x[200:]), forest.predict_proba(x[200:]))
    regressor = RandomForestRegressor(n_estimators=10, random_state=0).fit(x[:200], x[:200, 0] * 3)
    np.testing.assert_allclose(TreeEnsemble.from_forest(regressor, False).output(x[200:]), regressor.predict(x[200:]))


def test_linear_weights_and_centroids_predict_like_scikit_learn(tmp_path: Path) -> None:
    from sklearn.cluster import KMeans
    from sklearn.linear_model import LogisticRegression

    x, y = _blobs()
    y3 = y + (x[:, 3] > 1)
    for labels in (y, y3):
        model = LogisticRegression().fit(x, labels)
        ours = LinearModel(model.coef_, model.intercept_, classification=True)
        ours.save(tmp_path)
        np.testing.assert_allclose(LinearModel.load(tmp_path).output(x), model.predict_proba(x), rtol=1e-10)
    kmeans = KMeans(n_clusters=4, n_init=2, random_state=0).fit(x)
    np.testing.assert_array_equal(Centroids(kmeans.cluster_centers_).output(x), kmeans.predict(x))


def test_tfidf_model_reloads_from_json_and_npz_with_identical_output(tmp_path: Path) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = ["envío rápido y barato", "llegó roto", "muy buena calidad", "no funciona", "excelente envío"] * 4
    labels = np.array([1, 0, 1, 0, 1] * 4)
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode")
    model = LogisticRegression().fit(vec.fit_transform(texts), labels)
    TextModel(vec, LinearModel(model.coef_, model.intercept_, True)).save(tmp_path)
    assert not list(tmp_path.glob("*.pkl"))
    loaded = TextModel.load(tmp_path)
    np.testing.assert_allclose(
        loaded.output(["rápido envío", "roto"]), model.predict_proba(vec.transform(["rápido envío", "roto"]))
    )


def test_mlp_numpy_forward_matches_the_network_and_dropout_is_active_in_training() -> None:
    import torch

    x, y = _blobs(n=200)
    x = x.astype(np.float32)
    data = TrainData("classification", x[:150], y[:150], x[150:], y[150:], n_classes=2, seed=0)
    events = RecordingProgress()
    hp = MLPParams(epochs=3, hidden_layers=[16], dropout=0.5, early_stopping_patience=None)
    network = train_mlp(hp, data, lambda step, total, **m: events.update(step, total, **m))
    assert [e.step for e in events.events] == [1, 2, 3]
    assert {"loss", "val_loss", "accuracy", "learning_rate"} <= set(events.events[-1].metrics)
    net = torch.nn.Sequential(torch.nn.Linear(5, 16), torch.nn.ReLU(), torch.nn.Dropout(0.5), torch.nn.Linear(16, 1))
    with torch.no_grad():
        net[0].weight.copy_(torch.as_tensor(network.weights[0]))
        net[0].bias.copy_(torch.as_tensor(network.biases[0]))
        net[3].weight.copy_(torch.as_tensor(network.weights[1]))
        net[3].bias.copy_(torch.as_tensor(network.biases[1]))
        net.eval()
        expected = torch.sigmoid(net(torch.as_tensor(x[150:]))[:, 0]).numpy()
        net.train()
        torch.manual_seed(1)
        noisy = torch.sigmoid(net(torch.as_tensor(x[150:]))[:, 0]).numpy()
    np.testing.assert_allclose(network.output(x[150:])[:, 1], expected, rtol=1e-5, atol=1e-6)
    assert not np.allclose(noisy, expected)
    assert isinstance(network, NeuralNetwork)


def test_date_expansion_matches_pandas_calendar_including_leap_days_and_pre_1970() -> None:
    import pandas as pd

    from tendero.training.preprocess import _date_parts

    raw = ["2024-02-29 13:00", "1999-12-31", "2010-01-01", None, "2026-11-23", "1965-03-01"]
    dates = pd.Series(pd.to_datetime(raw, format="mixed"))
    expected = np.column_stack(
        [
            dates.dt.year,
            dates.dt.month,
            dates.dt.day,
            dates.dt.dayofweek,
            dates.dt.dayofyear,
            (dates - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400,
        ]
    )
    np.testing.assert_allclose(_date_parts(dates), expected)
