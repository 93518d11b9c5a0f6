"""The tabular kind end to end: every algorithm trains, reports, saves natively, reloads, predicts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from tendero.kinds import Cancelled, Frames, RecordingProgress
from tendero.training.evaluation import permutation_importance
from tendero.training.kind import TabularKind, TabularParams, split_rows
from tendero.training.model import RowsError, TabularModel

PICKLE_MAGIC = b"\x80"


def _shop(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """Synthetic orders: numbers with gaps, a categorical, a date, a boolean; churn depends on them."""
    rng = np.random.default_rng(seed)
    spend = rng.gamma(2.0, 50.0, n)
    visits = rng.poisson(5, n).astype(float)
    visits[rng.random(n) < 0.1] = np.nan
    channel = rng.choice(["web", "tienda", "app"], n)
    first = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D")
    vip = rng.random(n) < 0.3
    score = -0.02 * spend + 0.8 * (channel == "tienda") - 1.5 * vip + rng.normal(0, 0.5, n) + 2
    return pd.DataFrame(
        {
            "spend": spend,
            "visits": visits,
            "channel": channel,
            "first_order": first,
            "vip": vip,
            "churned": np.where(score > 0, "yes", "no"),
            "next_spend": 3 * spend + 40 * vip + rng.normal(0, 10, n),
        }
    )


def _fit(frame: pd.DataFrame, **params: object) -> tuple[TabularModel, RecordingProgress]:
    progress = RecordingProgress()
    model = TabularKind().fit(Frames.of(dataset=frame), TabularParams.model_validate(params), progress)
    return model, progress


def _assert_native_files(folder: Path) -> None:
    for path in folder.iterdir():
        assert path.suffix in {".json", ".npz", ".txt"}, path.name
        if path.suffix != ".npz":
            assert not path.read_bytes().startswith(PICKLE_MAGIC)
        else:
            with np.load(path, allow_pickle=False) as data:  # raises if any array needs pickle
                for key in data.files:
                    assert data[key].dtype != object


CLASSIFIERS = ["logistic_regression", "random_forest", "lightgbm", "xgboost", "mlp"]
REGRESSORS = ["linear_regression", "random_forest", "lightgbm", "xgboost", "mlp"]
SMALL = {
    "random_forest": {"n_estimators": 20},
    "lightgbm": {"n_estimators": 30},
    "xgboost": {"n_estimators": 30},
    "mlp": {"epochs": 60, "learning_rate": 0.01, "hidden_layers": [16]},
}


@pytest.mark.parametrize("algorithm", CLASSIFIERS)
def test_classifier_trains_reports_saves_and_matches_scikit_learn_metrics(algorithm: str, tmp_path: Path) -> None:
    frame = _shop().drop(columns="next_spend")
    model, progress = _fit(
        frame,
        task="classification",
        target="churned",
        algorithm=algorithm,
        hyperparameters=SMALL.get(algorithm, {}),
        importance_repeats=2,
    )
    # every learner reports its own steps: trees, epochs, or each L-BFGS iteration
    assert len(progress.events) >= 10
    steps = [event.step for event in progress.events]
    assert steps == sorted(steps) and progress.events[-1].step == progress.events[-1].total
    assert any("val_loss" in event.metrics for event in progress.events)
    # the runner derives ETA and elapsed time from step/total: they are not figures of the model to chart
    assert not any({"eta_seconds", "elapsed_seconds"} & set(event.metrics) for event in progress.events)

    labels = np.where(frame["churned"] == "yes", 1, 0)  # sorted labels: "no" -> 0, "yes" -> 1
    _, val = split_rows(len(frame), 0.2, 0, labels)
    x_val = frame.drop(columns="churned").iloc[val]
    proba = model.raw_output(x_val)
    predicted = proba.argmax(axis=1)
    assert model.metrics["accuracy"] == pytest.approx(skm.accuracy_score(labels[val], predicted))
    assert model.metrics["f1"] == pytest.approx(skm.f1_score(labels[val], predicted))
    assert model.metrics["precision"] == pytest.approx(skm.precision_score(labels[val], predicted, zero_division=0))
    assert model.metrics["recall"] == pytest.approx(skm.recall_score(labels[val], predicted))
    assert model.metrics["roc_auc"] == pytest.approx(skm.roc_auc_score(labels[val], proba[:, 1]))
    assert model.details["confusion_matrix"] == skm.confusion_matrix(labels[val], predicted).tolist()
    assert model.metrics["accuracy"] > 0.7

    model.save(tmp_path)
    _assert_native_files(tmp_path)
    loaded = TabularModel.load(tmp_path)
    rows = [
        {k: (v.isoformat() if isinstance(v, pd.Timestamp) else v) for k, v in r.items()}
        for r in x_val.head(5).to_dict("records")
    ]
    rows = [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()} for r in rows]
    before, after = model.predict(rows), loaded.predict(rows)
    assert before.predictions == after.predictions
    assert before.probabilities is not None and after.probabilities is not None
    assert set(before.probabilities[0]) == {"no", "yes"}
    np.testing.assert_allclose([p["yes"] for p in after.probabilities], proba[:5, 1], rtol=1e-6, atol=1e-9)
    assert loaded.probe().predictions[0] in ("no", "yes")


@pytest.mark.parametrize("algorithm", REGRESSORS)
def test_regressor_metrics_equal_scikit_learn_on_the_same_split(algorithm: str, tmp_path: Path) -> None:
    frame = _shop().drop(columns="churned")
    model, progress = _fit(
        frame,
        task="regression",
        target="next_spend",
        algorithm=algorithm,
        hyperparameters=SMALL.get(algorithm, {}),
        importance_repeats=2,
    )
    # least squares is solved over 10 row chunks; the rest report their trees/epochs
    assert len(progress.events) >= 10
    _, val = split_rows(len(frame), 0.2, 0)
    y = frame["next_spend"].to_numpy()[val]
    predicted = model.raw_output(frame.drop(columns="next_spend").iloc[val])
    assert model.metrics["mae"] == pytest.approx(skm.mean_absolute_error(y, predicted))
    assert model.metrics["rmse"] == pytest.approx(np.sqrt(skm.mean_squared_error(y, predicted)))
    assert model.metrics["r2"] == pytest.approx(skm.r2_score(y, predicted))
    assert model.metrics["wape"] == pytest.approx(np.abs(y - predicted).sum() / np.abs(y).sum())
    assert "mape" not in model.metrics
    assert model.metrics["r2"] > 0.5
    assert model.details["feature_importance"][0]["feature"] == "spend"
    model.save(tmp_path)
    _assert_native_files(tmp_path)
    assert TabularModel.load(tmp_path).probe().predictions == model.probe().predictions


def test_kmeans_reports_silhouette_equal_to_scikit_learn(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [6, 6], [0, 8]])
    points = np.vstack([rng.normal(c, 0.7, size=(60, 2)) for c in centres])
    frame = pd.DataFrame(points, columns=["recency", "frequency"])
    model, progress = _fit(frame, task="clustering", algorithm="kmeans", hyperparameters={"n_clusters": 3})
    assert len(progress.events) >= 10
    _, val = split_rows(len(frame), 0.2, 0)
    x_val = frame.iloc[val]
    assert model.preprocessor is not None
    expected = skm.silhouette_score(model.preprocessor.transform(x_val), model.raw_output(x_val))
    assert model.metrics["silhouette"] == pytest.approx(expected)
    assert model.metrics["silhouette"] > 0.6
    model.save(tmp_path)
    _assert_native_files(tmp_path)
    assert TabularModel.load(tmp_path).predict([{"recency": 6.1, "frequency": 5.8}]).predictions == (
        model.predict([{"recency": 6.1, "frequency": 5.8}]).predictions
    )


def test_text_classifier_learns_spanish_reviews(tmp_path: Path) -> None:
    good = ["me encantó, llegó rápido", "excelente calidad y buen precio", "muy contento con la compra"]
    bad = ["llegó roto y tarde", "pésima calidad, no funciona", "nunca llegó el pedido, muy mal"]
    frame = pd.DataFrame({"review": (good + bad) * 10, "sentiment": (["pos"] * 3 + ["neg"] * 3) * 10})
    model, progress = _fit(frame, task="text_classification", target="sentiment", algorithm="text_classifier")
    assert len(progress.events) >= 2
    assert model.metrics["accuracy"] == 1.0
    model.save(tmp_path)
    _assert_native_files(tmp_path)
    loaded = TabularModel.load(tmp_path)
    assert loaded.predict([{"review": "producto roto, no funciona"}]).predictions == ["neg"]


def test_prediction_rows_are_checked_against_the_training_schema() -> None:
    frame = _shop().drop(columns="next_spend")
    model, _ = _fit(
        frame,
        task="classification",
        target="churned",
        algorithm="lightgbm",
        hyperparameters={"n_estimators": 10},
        importance_repeats=0,
    )
    good = {
        "spend": 120.0,
        "visits": None,
        "channel": "desconocido",
        "first_order": "2024-02-01",
        "vip": True,
    }
    assert model.predict([good]).predictions[0] in ("no", "yes")
    with pytest.raises(RowsError) as missing:
        model.predict([good, {k: v for k, v in good.items() if k != "channel"}])
    assert (missing.value.issues[0].row, missing.value.issues[0].column) == (1, "channel")
    with pytest.raises(RowsError) as wrong:
        model.predict([good, good, {**good, "spend": "mucho"}])
    issue = wrong.value.issues[0]
    assert (issue.row, issue.column) == (2, "spend")
    assert "number" in issue.message


def test_preprocessing_is_saved_as_json_with_categories_and_dates_expanded() -> None:
    frame = _shop().drop(columns="next_spend")
    model, _ = _fit(
        frame,
        task="classification",
        target="churned",
        algorithm="mlp",
        hyperparameters={"epochs": 2},
        importance_repeats=0,
    )
    assert model.preprocessor is not None
    names = model.preprocessor.feature_names
    assert {"channel=app", "channel=tienda", "channel=web"} <= set(names)
    assert {"first_order_year", "first_order_month", "first_order_dayofweek"} <= set(names)
    steps = {step["name"]: step for step in model.preprocessor.to_dict()["steps"]}
    assert steps["visits"]["fills"][0] == pytest.approx(np.nanmedian(frame["visits"]), abs=1.0)


@pytest.mark.parametrize("algorithm", ["lightgbm", "mlp", "random_forest"])
def test_cancellation_stops_the_fit(algorithm: str) -> None:
    frame = _shop().drop(columns="next_spend")
    progress = RecordingProgress(cancel_after=3)
    params = TabularParams(task="classification", target="churned", algorithm=algorithm)
    with pytest.raises(Cancelled):
        TabularKind().fit(Frames.of(dataset=frame), params, progress)
    steps = [event.step for event in progress.events]
    assert steps[-1] >= 3 and all(step < 3 for step in steps[:-1])  # stopped at the first update past 3


def test_kfold_reports_mean_metrics_and_each_fold() -> None:
    frame = _shop().drop(columns="next_spend")
    model, _ = _fit(
        frame,
        task="classification",
        target="churned",
        algorithm="logistic_regression",
        folds=3,
        importance_repeats=0,
    )
    folds = model.details["folds"]
    assert len(folds) == 3
    assert model.metrics["accuracy"] == pytest.approx(np.mean([f["accuracy"] for f in folds]))
    assert np.sum(model.details["confusion_matrix"]) == len(frame)


def test_search_runs_each_trial_as_progress_and_keeps_the_best() -> None:
    frame = _shop().drop(columns="churned")
    model, progress = _fit(
        frame,
        task="regression",
        target="next_spend",
        algorithm="lightgbm",
        importance_repeats=0,
        search={
            "space": {
                "num_leaves": {"type": "int", "low": 2, "high": 16},
                "learning_rate": {"type": "float", "low": 0.03, "high": 0.3, "log": True},
            },
            "trials": 4,
            "sampler": "random",
        },
    )
    trials = model.details["trials"]
    assert len(trials) == 4
    trial_events = [e for e in progress.events if e.message.startswith("trial ") and "rmse" in e.metrics]
    assert len(trial_events) == 4
    best = min(trials, key=lambda t: t["score"])  # the score is the validation RMSE, minimised
    assert model.hyperparameters["num_leaves"] == best["hyperparameters"]["num_leaves"]
    assert 2 <= model.hyperparameters["num_leaves"] <= 16
    assert model.metrics["rmse"] == pytest.approx(best["score"])


def test_our_permutation_importance_equals_scikit_learns() -> None:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.inspection import permutation_importance as sk_permutation_importance

    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(150, 4)), columns=["a", "b", "c", "d"])
    y = (frame["a"] - frame["c"] > 0).astype(int).to_numpy()
    forest = RandomForestClassifier(n_estimators=20, random_state=0).fit(frame, y)
    done: list[int] = []
    ours = permutation_importance(
        lambda x, target: skm.accuracy_score(target, forest.predict(x)),
        frame,
        y,
        n_repeats=4,
        seed=7,
        on_feature=lambda i, total: done.append(i),
    )
    theirs = sk_permutation_importance(forest, frame, y, scoring="accuracy", n_repeats=4, random_state=7)
    by_name = {row["feature"]: row["importance"] for row in ours}
    np.testing.assert_allclose([by_name[c] for c in frame.columns], theirs.importances_mean)
    assert done == [1, 2, 3, 4]
    assert {ours[0]["feature"], ours[1]["feature"]} == {"a", "c"}


def test_breast_cancer_lightgbm_metrics_equal_scikit_learn_on_the_same_split() -> None:
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    model, progress = _fit(frame, task="classification", target="target", algorithm="lightgbm", importance_repeats=1)
    assert len(progress.events) >= 10
    y = frame["target"].to_numpy()
    _, val = split_rows(len(frame), 0.2, 0, y)
    proba = model.raw_output(frame.drop(columns="target").iloc[val])
    assert model.metrics["accuracy"] == pytest.approx(skm.accuracy_score(y[val], proba.argmax(axis=1)))
    assert model.metrics["roc_auc"] == pytest.approx(skm.roc_auc_score(y[val], proba[:, 1]))
    assert model.metrics["accuracy"] > 0.9


def test_unusable_dataset_fails_with_the_reason_not_a_traceback() -> None:
    from tendero.training.datasets import DatasetError

    frame = _shop().drop(columns="next_spend")
    with pytest.raises(DatasetError, match="target column not found") as missing:
        _fit(frame, task="classification", target="churn", algorithm="lightgbm")
    assert missing.value.issues[0].column == "churn"
    reviews = pd.DataFrame(
        {"review": [f"texto largo de reseña número {i} con palabras" for i in range(20)], "y": [0, 1] * 10}
    )
    with pytest.raises(DatasetError, match="text_classification"):
        _fit(reviews, task="classification", target="y", algorithm="lightgbm")


def test_uploaded_csv_trains_end_to_end_from_bytes() -> None:
    from tendero.training.datasets import infer_schema, read_table

    frame = _shop().drop(columns="next_spend")
    frame["vip"] = frame["vip"].astype(object)
    frame.loc[3, "vip"] = None
    raw = frame.to_csv(index=False, sep=";", decimal=",").encode("cp1252")
    loaded = read_table(raw, "clientes.csv")
    assert loaded.delimiter == ";"
    types = {c.name: c.type for c in infer_schema(loaded.frame).columns}
    assert types["first_order"] == "datetime" and types["vip"] == "boolean" and types["spend"] == "numeric"
    model, _ = _fit(loaded.frame, task="classification", target="churned", algorithm="xgboost", importance_repeats=0)
    assert model.metrics["accuracy"] > 0.7
    assert types["churned"] == "categorical"  # yes/no are the data's own labels, returned as written
    assert model.labels == ["no", "yes"]
    row = {"spend": 80.5, "visits": 3, "channel": "web", "first_order": "2023-05-01", "vip": None}
    assert model.predict([row]).predictions[0] in ("no", "yes")


def test_two_valued_text_labels_come_back_exactly_as_the_data_wrote_them() -> None:
    """A sí/no target is the shop's words: predict, batch predictions and the confusion labels say sí/no."""
    from tendero.training.datasets import infer_schema, read_table

    frame = _shop().drop(columns="next_spend")
    frame["churned"] = np.where(frame["churned"] == "yes", "sí", "no")
    loaded = read_table(frame.to_csv(index=False).encode(), "bajas.csv")
    assert loaded.frame["churned"].isin(["sí", "no"]).all()
    assert {c.name: c.type for c in infer_schema(loaded.frame).columns}["churned"] == "categorical"
    model, _ = _fit(loaded.frame, task="classification", target="churned", algorithm="lightgbm", importance_repeats=0)
    assert model.labels == ["no", "sí"]
    rows = loaded.frame.drop(columns="churned").head(20)
    answer = model.predict(json.loads(rows.to_json(orient="records", date_format="iso")))
    assert set(answer.predictions) <= {"no", "sí"} and set(answer.probabilities[0]) == {"no", "sí"}
    batch = model.predict_frame(rows)
    assert set(batch["prediction"]) <= {"no", "sí"} and {"proba_no", "proba_sí"} <= set(batch.columns)
    assert model.details["labels"] == ["no", "sí"]


def test_no_regression_metric_explodes_on_zero_targets() -> None:
    """Zero targets (a product that sold nothing): MAPE would be ~1e15; WAPE and sMAPE stay readable."""
    from tendero.training.evaluation import regression_metrics

    y = np.array([0.0, 0.0, 10.0, 20.0])
    numbers = regression_metrics(y, np.array([1.0, 0.0, 11.0, 18.0]))
    assert "mape" not in numbers
    assert numbers["wape"] == pytest.approx(4 / 30) and numbers["smape"] == pytest.approx(
        100 * (2 + 2 / 21 + 4 / 38) / 4
    )
    assert all(abs(value) < 1e3 for value in numbers.values())
    assert "wape" not in regression_metrics(np.zeros(3), np.ones(3))  # undefined, left out
    assert regression_metrics(np.zeros(3), np.ones(3))["smape"] == pytest.approx(200.0)
