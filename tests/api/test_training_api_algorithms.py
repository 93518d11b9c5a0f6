"""Every algorithm of the training platform end to end over HTTP on real data bundled with scikit-learn:
upload, train through the job runner with at least 10 progress updates, register, deploy, predict the
held-out rows through the API, and find the version's metrics equal to scikit-learn's on those rows."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.datasets import load_breast_cancer, load_diabetes

from support import make_tenant, wait_for_job
from tendero.training.kind import split_rows

CASES = [
    ("logistic_regression", "classification"),
    ("random_forest", "classification"),
    ("lightgbm", "classification"),
    ("xgboost", "classification"),
    ("mlp", "classification"),
    ("linear_regression", "regression"),
    ("random_forest", "regression"),
    ("lightgbm", "regression"),
    ("xgboost", "regression"),
    ("mlp", "regression"),
    ("kmeans", "clustering"),
]


@pytest.fixture(scope="module")
def shop(client):
    tenant = make_tenant("plataforma")
    frames = {
        "classification": load_breast_cancer(as_frame=True).frame,
        "regression": load_diabetes(as_frame=True).frame,
    }
    frames["clustering"] = frames["classification"].drop(columns="target")
    datasets = {}
    for task, frame in frames.items():
        form = {"name": f"sk-{task}", "task": task}
        if task != "clustering":
            form["target"] = "target"
        answer = client.post("/v1/datasets", data=form, files={"file": (f"{task}.csv", frame.to_csv(index=False))},
                             headers=tenant.headers("analyst"))  # fmt: skip
        assert answer.status_code == 201 and answer.json()["status"] == "ready", answer.text
        datasets[task] = answer.json()["id"]
    return tenant, frames, datasets


@pytest.mark.parametrize(("algorithm", "task"), CASES, ids=[f"{a}-{t}" for a, t in CASES])
def test_each_algorithm_trains_deploys_and_predicts_over_http(client, shop, algorithm, task):
    tenant, frames, datasets = shop
    name = f"{algorithm.replace('_', '-')}-{task}"
    body = {"name": name, "dataset": datasets[task], "algorithm": algorithm, "deploy": "always", "seed": 3}
    job = client.post("/v1/training-jobs", json=body, headers=tenant.headers())  # deploying: admin
    assert job.status_code == 202, job.text
    done = wait_for_job(client, tenant, job.json()["id"], timeout=240)
    assert done["status"] == "completed", done["error"]
    events = client.get(f"/v1/jobs/{done['id']}/progress", headers=tenant.headers()).json()["events"]
    assert len(events) >= 10
    version = client.get(f"/v1/models/{name}/versions/1.0.0", headers=tenant.headers()).json()
    assert version["status"] == "deployed"
    serving = version["serving"]  # measured on the stored artifact when it was registered
    assert serving["p95_ms"] >= serving["p50_ms"] > 0 and serving["throughput_per_s"] > 0
    assert serving["peak_memory_mb"] >= 0  # resident memory the load added (tests/foundation/test_serving_figures.py)

    frame = frames[task]
    features = frame.drop(columns="target") if task != "clustering" else frame
    labels = frame["target"].to_numpy().astype(np.int64) if task == "classification" else None
    _, held_out = split_rows(len(frame), 0.2, 3, labels)
    rows = features.iloc[held_out].to_dict("records")
    answer = client.post(f"/v1/models/{name}/predict", json={"rows": rows}, headers=tenant.headers("service"))
    assert answer.status_code == 200, answer.text
    predicted = np.asarray(answer.json()["predictions"])
    assert len(predicted) == len(held_out)
    stored = version["metrics"]
    if task == "classification":
        truth = labels[held_out]
        assert stored["accuracy"] == pytest.approx(skm.accuracy_score(truth, predicted.astype(np.int64)))
        assert stored["f1"] == pytest.approx(skm.f1_score(truth, predicted.astype(np.int64)))
        assert stored["accuracy"] > 0.9  # breast cancer: every algorithm here reaches it
    elif task == "regression":
        truth = frame["target"].to_numpy()[held_out]
        assert stored["r2"] == pytest.approx(skm.r2_score(truth, predicted.astype(float)), rel=1e-6)
        assert stored["rmse"] == pytest.approx(skm.root_mean_squared_error(truth, predicted.astype(float)), rel=1e-6)
    else:
        assert len(set(predicted.tolist())) >= 2 and -1 <= stored["silhouette"] <= 1


def test_malformed_rows_are_refused_naming_row_and_column(client, shop):
    tenant, frames, datasets = shop
    body = {"name": "rechazos", "dataset": datasets["regression"], "algorithm": "linear_regression", "deploy": "always"}
    job = client.post("/v1/training-jobs", json=body, headers=tenant.headers())  # deploying: admin
    assert wait_for_job(client, tenant, job.json()["id"], timeout=240)["status"] == "completed"
    rows = frames["regression"].drop(columns="target").head(2).to_dict("records")
    rows[1] = {**rows[1], "bmi": "alto"}
    del rows[0]["age"]
    answer = client.post("/v1/models/rechazos/predict", json={"rows": rows}, headers=tenant.headers("service"))
    assert answer.status_code == 422
    assert "age" in answer.text and "bmi" in answer.text
