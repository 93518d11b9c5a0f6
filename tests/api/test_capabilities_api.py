"""The capabilities over HTTP, trained through the job runner on a generated store: forecasts, customers,
recommendations, and the training platform's datasets and training jobs."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from support import load_demo, make_tenant, wait_for_job
from tendero.data.demo import generate_store, route_costs


@pytest.fixture(scope="module")
def shop(client):
    tenant = make_tenant("capabilities")
    load_demo(tenant.id, generate_store(seed=5, customers=250, days=400))
    return tenant


def _train(client, shop, model: str, kind: str, params: dict, **extra) -> dict:
    body = {"kind": kind, "params": params, "deploy": "always", **extra}
    answer = client.post(f"/v1/models/{model}/train", json=body, headers=shop.headers())
    assert answer.status_code == 202, answer.text
    job = wait_for_job(client, shop, answer.json()["id"], timeout=240)
    assert job["status"] == "completed", job["error"]
    return job


def test_forecasts_dashboard_and_demand(client, shop):
    answer = client.post("/v1/forecasts/train", json={"level": "category", "freq": "M", "horizon": 3,
                                                      "history_months": 12}, headers=shop.headers())  # fmt: skip
    assert answer.status_code == 202, answer.text
    job = wait_for_job(client, shop, answer.json()["id"], timeout=240)
    assert job["status"] == "completed", job["error"]
    got = client.get("/v1/forecasts?level=category&freq=M&level_pct=80,95", headers=shop.headers("service")).json()
    assert got["model"]["name"] == "forecast-category-M" and got["choice"]
    rows = pd.DataFrame(got["forecast"])
    assert {"unique_id", "ds", "yhat", "lo-80", "hi-80", "lo-95", "hi-95"} <= set(rows.columns)
    assert (rows["lo-95"] <= rows["lo-80"]).all() and (rows["hi-80"] <= rows["hi-95"]).all()
    assert (rows["lo-95"] >= 0).all()
    # the total adds the categories' expected units (``mean``; a count's point may be its median)
    categories = rows[rows["unique_id"] != "total"].groupby("ds")["mean"].sum()
    total = rows[rows["unique_id"] == "total"].set_index("ds")["yhat"]
    assert categories.round(6).equals(total.loc[categories.index].round(6)) or (categories - total).abs().max() < 1e-6
    dashboard = client.get("/v1/dashboard/sales?historic_months=6&prediction_months=3", headers=shop.headers()).json()
    assert {"model_info", "key_metrics", "historical_data", "predictions", "predictions_by_category"} <= set(dashboard)
    assert dashboard["model_info"]["version"] == "1.0.0"
    bad = client.get("/v1/forecasts?level=galaxy", headers=shop.headers())
    assert bad.status_code == 422
    missing = client.get("/v1/forecasts/demand/7", headers=shop.headers())
    assert missing.status_code == 404 and "forecasts/train" in missing.json()["detail"]
    out_of_bounds = client.post("/v1/forecasts/train", json={"freq": "M", "horizon": 24}, headers=shop.headers())
    assert out_of_bounds.status_code == 422 and "horizon" in out_of_bounds.text


def test_customer_intelligence(client, shop):
    _train(client, shop, "customers", "customers", {})
    segments = client.get("/v1/customers/segments?limit=5", headers=shop.headers()).json()
    assert len(segments["summary"]) >= 3 and segments["members"]["total"] > 0
    assert sum(s["customers"] for s in segments["summary"]) == segments["members"]["total"]
    customer = segments["members"]["items"][0]["customer_id"]
    insight = client.get(f"/v1/customers/{customer}/insights", headers=shop.headers()).json()
    assert {"segment", "churn_probability", "p_alive", "expected_purchases_30d", "expected_purchases_90d",
            "clv"} <= set(insight)  # fmt: skip
    churn = client.post(f"/v1/predict/churn/{customer}", headers=shop.headers("service")).json()
    assert 0 <= churn["churn_probability"] <= 1 and churn["top_reasons"]
    english = client.post(f"/v1/predict/churn/{customer}", headers={**shop.headers("service"),
                          "Accept-Language": "en-GB,en;q=0.9"}).json()  # fmt: skip
    assert english["top_reasons"][0]["text"] != churn["top_reasons"][0]["text"]
    risk = client.get("/v1/customers/at-risk?limit=10", headers=shop.headers()).json()["items"]
    values = [r["value_at_risk"] for r in risk]
    assert values == sorted(values, reverse=True)
    buyers = client.get("/v1/customers/likely-buyers?days=7&limit=5", headers=shop.headers()).json()["items"]
    assert buyers and all(0 <= b["p_purchase"] <= 1 for b in buyers)
    nobody = client.get("/v1/customers/nobody/insights", headers=shop.headers())
    assert nobody.status_code == 404 and "'nobody'" in nobody.json()["detail"]
    assert nobody.json()["errors"] == [{"field": "path.customer_id", "value": "nobody",
                                        "message": nobody.json()["detail"]}]  # fmt: skip
    english = client.post("/v1/predict/churn/nobody", headers={**shop.headers("service"), "Accept-Language": "en"})
    assert english.status_code == 404 and english.json()["detail"].startswith("customer 'nobody' is not in model")
    assert client.get("/v1/customers/segments?segment=galaxy", headers=shop.headers()).status_code == 422


def test_recommendations_rules_then_model(client, shop):
    rules = client.post("/v1/recommendations", json={"user_id": "C00001", "k": 5}, headers=shop.headers("service"))
    assert rules.status_code == 200 and rules.json()["path"] == "rules" and rules.json()["known"] is True
    _train(client, shop, "recommender", "recommender", {})
    body = {"user_id": "C00003", "k": 5, "filters": {"max_per_category": 2}}
    answer = client.post("/v1/recommendations", json=body, headers=shop.headers("service")).json()
    assert answer["path"] == "model" and answer["version"] == "1.0.0" and len(answer["items"]) == 5
    version = client.get("/v1/models/recommender/versions/1.0.0", headers=shop.headers()).json()
    tuning = version["tuning"]  # which blend ranks, and why: each blend's inner NDCG and the ranker's gain
    assert tuning["blend"] in tuning["blend_inner_ndcg"] or tuning["blend"] in ("neighbour", "recent")
    assert {"over", "mean", "standard_error"} <= set(tuning.get("ranker_gain_inner", {"over", "mean",
                                                                                      "standard_error"}))  # fmt: skip
    assert all(0 <= item["score"] <= 1 and item["reason"] for item in answer["items"])
    categories = {}
    products = client.get("/v1/data/profile", headers=shop.headers()).json()
    assert products["counts"]["products"] > 0
    assert answer["known"] is True and "fallback" not in answer
    cold = client.post("/v1/recommendations", json={"user_id": "nuevo", "k": 3}, headers=shop.headers()).json()
    assert cold["items"] and all(item["source"] == "popular" for item in cold["items"])
    assert cold["known"] is False and cold["fallback"]["code"] == "unknown_customer"
    assert cold["fallback"]["answered_by"] == "popular" and "'nuevo'" in cold["fallback"]["message"]
    told = client.post("/v1/recommendations", json={"user_id": "nuevo", "k": 3, "history": [answer["items"][0][
        "item_id"]]}, headers=shop.headers()).json()  # fmt: skip
    assert told["known"] is False and "fallback" not in told
    anonymous = client.post("/v1/recommendations", json={"k": 3}, headers=shop.headers()).json()
    assert anonymous["known"] is None
    item = answer["items"][0]["item_id"]
    scores = client.post("/v1/predict", json={"user_id": "C00003", "candidate_books": [item, "no-such-item"]},
                         headers=shop.headers("service")).json()  # fmt: skip
    assert len(scores["scores"]) == 2 and scores["scores"][1] == 0.0
    similar = client.get(f"/v1/items/{item}/similar?k=3", headers=shop.headers()).json()
    assert len(similar["items"]) == 3 and item not in [i["item_id"] for i in similar["items"]]
    nothing = client.get("/v1/items/nothing/bought-together", headers=shop.headers())
    assert nothing.status_code == 404 and "'nothing'" in nothing.json()["detail"]
    assert nothing.json()["errors"][0]["field"] == "path.item_id"
    unknown_similar = client.get("/v1/items/nothing/similar", headers={**shop.headers(), "Accept-Language": "es"})
    assert unknown_similar.status_code == 404 and "el artículo 'nothing'" in unknown_similar.json()["detail"]
    feedback = {"user_id": "C00003", "item_ids": [item], "event": "impression", "version": "1.0.0"}
    assert (
        client.post("/v1/recommendations/feedback", json=feedback, headers=shop.headers("service")).status_code == 202
    )
    feedback["event"] = "click"
    client.post("/v1/recommendations/feedback", json=feedback, headers=shop.headers("service"))
    usage = client.get("/v1/usage?hours=1", headers=shop.headers()).json()["recommendations"]
    assert usage[0]["impressions"] == 1 and usage[0]["ctr"] == 1.0
    assert not categories


def test_training_platform_dataset_job_deploy_predict(client, shop):
    frame = route_costs(seed=3, rows=400)
    upload = client.post("/v1/datasets", data={"name": "rutas", "task": "regression", "target": "cost_eur"},
                         files={"file": ("rutas.csv", frame.to_csv(index=False).encode())},
                         headers=shop.headers("analyst"))  # fmt: skip
    assert upload.status_code == 201, upload.text
    dataset = upload.json()
    assert dataset["status"] == "ready" and dataset["rows"] == 400
    assert {c["name"] for c in dataset["schema"]["columns"]} >= {"distance_km", "vehicle", "cost_eur"}
    fetched = client.get(f"/v1/datasets/{dataset['id']}", headers=shop.headers()).json()
    assert fetched["status"] == "ready"
    bad = client.post("/v1/training-jobs", json={"name": "rutas-lgbm", "dataset": dataset["id"],
                      "hyperparameters": {"n_estimatorz": 5}}, headers=shop.headers())  # fmt: skip
    assert bad.status_code == 422 and "n_estimatorz" in bad.text
    body = {"name": "rutas-lgbm", "dataset": dataset["id"], "algorithm": "lightgbm",
            "hyperparameters": {"n_estimators": 60}, "deploy": "always"}  # fmt: skip
    job = client.post("/v1/training-jobs", json=body, headers=shop.headers())
    assert job.status_code == 202, job.text
    assert job.json()["estimated_seconds"] is None or job.json()["estimated_seconds"] > 0
    done = wait_for_job(client, shop, job.json()["id"], timeout=240)
    assert done["status"] == "completed", done["error"]
    progress = client.get(f"/v1/jobs/{done['id']}/progress", headers=shop.headers()).json()["events"]
    assert len(progress) >= 10
    version = client.get("/v1/models/rutas-lgbm/versions/1.0.0", headers=shop.headers()).json()
    assert {"rmse", "mae", "r2"} <= set(version["metrics"])
    rows = frame.drop(columns="cost_eur").head(3).to_dict("records")
    predicted = client.post("/v1/models/rutas-lgbm/predict", json={"rows": rows}, headers=shop.headers("service"))
    assert predicted.status_code == 200, predicted.text
    assert len(predicted.json()["predictions"]) == 3
    broken = client.post("/v1/models/rutas-lgbm/predict", json={"rows": [{"distance_km": "lejos"}]},
                         headers=shop.headers("service"))  # fmt: skip
    assert broken.status_code == 422
    refused = client.delete(f"/v1/datasets/{dataset['id']}", headers=shop.headers("analyst"))
    assert refused.status_code == 403
    assert client.delete(f"/v1/datasets/{dataset['id']}", headers=shop.headers()).status_code == 204
    assert client.get(f"/v1/datasets/{dataset['id']}", headers=shop.headers()).status_code == 404


def test_bad_dataset_files_get_a_report(client, shop):
    answer = client.post("/v1/datasets", data={"name": "roto", "task": "regression", "target": "y"},
                         files={"file": ("x.csv", io.BytesIO(b"a,b\n1,2\n3,4\n"))}, headers=shop.headers())  # fmt: skip
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "error" and "target" in body["error"]


def test_batch_prediction_job_writes_a_downloadable_file(client, shop):
    frame = route_costs(seed=4, rows=300)
    dataset = client.post("/v1/datasets", data={"name": "rutas-b", "task": "regression", "target": "cost_eur"},
                          files={"file": ("r.csv", frame.to_csv(index=False).encode())},
                          headers=shop.headers()).json()  # fmt: skip
    job = client.post("/v1/training-jobs", json={"name": "rutas-b", "dataset": dataset["id"], "deploy": "always",
                      "hyperparameters": {"n_estimators": 30}}, headers=shop.headers()).json()  # fmt: skip
    assert wait_for_job(client, shop, job["id"], timeout=240)["status"] == "completed"
    not_yet = client.get(f"/v1/jobs/{job['id']}/download", headers=shop.headers())
    assert not_yet.status_code == 409
    batch = client.post("/v1/models/rutas-b/batch-predictions", json={"dataset": dataset["id"], "format": "csv"},
                        headers=shop.headers("service"))  # fmt: skip
    assert batch.status_code == 202, batch.text
    done = wait_for_job(client, shop, batch.json()["id"], timeout=120)
    assert done["status"] == "completed", done["error"]
    file = client.get(f"/v1/jobs/{done['id']}/download", headers=shop.headers("service"))
    assert file.status_code == 200 and file.headers["content-type"].startswith("text/csv")
    predicted = pd.read_csv(io.BytesIO(file.content))
    assert len(predicted) == 300 and "prediction" in predicted.columns
    other = make_tenant("other-batch")
    assert client.get(f"/v1/jobs/{done['id']}/download", headers=other.headers()).status_code == 404
