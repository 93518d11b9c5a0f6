"""Model output over HTTP as issue 14 asks: tabular rows checked against the training data (refused or
flagged, per request), every read of model output audited, the customer clusters answered, the rules
fallback when the deployed recommender will not load, and /ready under ``serve --no-jobs``."""

from __future__ import annotations

import io
import json
import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from support import load_demo, make_tenant, wait_for_job
from tendero.data.demo import generate_store, route_costs

GOOD = {"distance_km": 20.0, "stops": 12, "load_kg": 600.0, "vehicle": "furgoneta", "zone": "norte", "hour": 10,
        "fuel_price": 1.65}  # fmt: skip
# a small recommender: one setting of each generator, no ranker (these tests check serving, not quality)
QUICK_RECOMMENDER = {"hybrid": {"als_trials": 1, "ease_grid": [150.0], "half_life_grid": [None], "ranker": "none"}}


def _train(client, shop, model: str, kind: str, params: dict) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(f"/v1/models/{model}/train", json={"kind": kind, "params": params, "deploy": "always"},
                         headers=shop.headers())  # fmt: skip
    assert answer.status_code == 202, answer.text
    job = wait_for_job(client, shop, answer.json()["id"], timeout=300)
    assert job["status"] == "completed", job["error"]


@pytest.fixture(scope="module")
def shop(client):  # type: ignore[no-untyped-def]
    tenant = make_tenant("salida")
    load_demo(tenant.id, generate_store(seed=4, customers=150, days=400))
    _train(client, tenant, "customers", "customers", {})
    _train(client, tenant, "recommender", "recommender", QUICK_RECOMMENDER)
    _train(client, tenant, "forecast-category-M", "forecast",
           {"level": "category", "freq": "M", "horizon": 3, "history_months": 12, "n_windows": 1})  # fmt: skip
    return tenant


@pytest.fixture(scope="module")
def routes_model(client, shop):  # type: ignore[no-untyped-def]
    frame = route_costs(seed=8, rows=300)
    form = {"name": "rutas", "task": "regression", "target": "cost_eur"}
    files = {"file": ("rutas.csv", frame.to_csv(index=False).encode())}
    upload = client.post("/v1/datasets", data=form, files=files, headers=shop.headers())
    assert upload.status_code == 201, upload.text
    body = {
        "name": "rutas",
        "dataset": upload.json()["id"],
        "deploy": "always",
        "hyperparameters": {"n_estimators": 20},
    }
    job = client.post("/v1/training-jobs", json=body, headers=shop.headers())
    assert wait_for_job(client, shop, job.json()["id"], timeout=300)["status"] == "completed"
    return frame


def _predict(client, shop, text: str, language: str = "es"):  # type: ignore[no-untyped-def]
    """A raw JSON body, so that NaN and Infinity go out as the tokens Python's json reads."""
    headers = {**shop.headers("service"), "content-type": "application/json", "accept-language": language}
    return client.post("/v1/models/rutas/predict", content=text.encode(), headers=headers)


def test_predict_refuses_nan_and_infinity_naming_row_and_column(client, shop, routes_model):
    for token in ("NaN", "Infinity", "-Infinity"):
        text = json.dumps({"rows": [GOOD, {**GOOD, "load_kg": "TOKEN"}]}).replace('"TOKEN"', token)
        answer = _predict(client, shop, text, "en")
        assert answer.status_code == 422, (token, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        error = answer.json()["errors"][0]
        assert (error["field"], error["row"], error["column"]) == ("body.rows.1.load_kg", 1, "load_kg")
        assert error["code"] == ("missing_value" if token == "NaN" else "not_finite")
        assert answer.json()["detail"].startswith("row 1, column 'load_kg'")


def test_predict_answers_out_of_range_and_unseen_values_with_warnings_per_row(client, shop, routes_model):
    rows = [GOOD, {**GOOD, "hour": 22}, {**GOOD, "vehicle": "patinete"}, {**GOOD, "stops": -5}]
    answer = _predict(client, shop, json.dumps({"rows": rows}))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["predictions"]) == 4 and body["input_checks"] == {"profile": True}
    warnings = [(w["row"], w["column"], w["code"]) for w in body["warnings"]]
    assert warnings == [(1, "hour", "out_of_range"), (2, "vehicle", "unseen_category"), (3, "stops", "out_of_range")]
    assert "fuera del rango visto al entrenar" in body["warnings"][0]["message"]
    rejected = _predict(client, shop, json.dumps({"rows": rows, "on_invalid": "reject"}))
    assert rejected.status_code == 422 and [e["code"] for e in rejected.json()["errors"]] == [c for *_, c in warnings]
    nan_row = json.dumps({"rows": [GOOD, {**GOOD, "load_kg": "TOKEN"}], "on_invalid": "warn"}).replace('"TOKEN"', "NaN")
    warned = _predict(client, shop, nan_row)
    assert warned.status_code == 200 and warned.json()["warnings"][0]["code"] == "missing_value"
    bad_policy = _predict(client, shop, json.dumps({"rows": [GOOD], "on_invalid": "ignorar"}))
    assert bad_policy.status_code == 422 and bad_policy.json()["errors"][0]["field"] == "body.on_invalid"
    absent = _predict(client, shop, json.dumps({"data": [GOOD]}), "en")  # not "row None, column 'rows'"
    assert absent.status_code == 422 and "None" not in absent.text
    assert absent.json()["errors"] == [{"field": "body.rows", "code": "rows_absent", "message": absent.json()[
        "detail"].removeprefix("rows: ")}]  # fmt: skip
    assert absent.json()["detail"].startswith("rows: the body has no 'rows' (it has 'data')")
    impossible = _predict(client, shop, json.dumps({"rows": [GOOD, {**GOOD, "hour": 25}]}), "en")
    assert impossible.status_code == 422 and impossible.json()["errors"][0]["code"] == "impossible"
    assert impossible.json()["detail"] == "row 1, column 'hour': 25 is not a possible hour (0 to 23)"
    audit = client.get("/v1/audit?action=predict&model=rutas", headers=shop.headers()).json()["items"]
    assert {row["status_code"] for row in audit} >= {200, 422}


def test_batch_predictions_write_each_rows_warnings(client, shop, routes_model):
    rows = pd.DataFrame([GOOD, {**GOOD, "hour": 22}, GOOD, {**GOOD, "vehicle": "patinete"}])
    files = {"file": ("p.csv", rows.to_csv(index=False).encode())}
    upload = client.post("/v1/datasets", data={"name": "a-predecir", "task": "clustering"}, files=files,
                         headers=shop.headers())  # fmt: skip
    assert upload.status_code == 201, upload.text
    batch = client.post("/v1/models/rutas/batch-predictions", json={"dataset": upload.json()["id"]},
                        headers={**shop.headers("service"), "accept-language": "en"})  # fmt: skip
    assert batch.status_code == 202, batch.text
    done = wait_for_job(client, shop, batch.json()["id"], timeout=120)
    assert done["status"] == "completed", done["error"]
    file = client.get(f"/v1/jobs/{done['id']}/download", headers=shop.headers("service"))
    out = pd.read_csv(io.BytesIO(file.content), keep_default_na=False)
    assert list(out["warnings"]) == ["", "hour: 22 is outside the range seen in training (6 to 20)", "",
                                     "vehicle: 'patinete' is a category not seen in training"]  # fmt: skip
    assert out["prediction"].astype(float).notna().all()
    strict = client.post("/v1/models/rutas/batch-predictions", json={"dataset": upload.json()["id"],
                         "on_invalid": "reject"}, headers=shop.headers("service"))  # fmt: skip
    failed = wait_for_job(client, shop, strict.json()["id"], timeout=120)
    assert failed["status"] == "failed" and "fila 2" in failed["error"] and "hour" in failed["error"]


def test_segments_answer_the_clusters_with_their_members(client, shop):
    body = client.get("/v1/customers/segments?limit=1", headers={**shop.headers(), "accept-language": "en"}).json()
    clusters = body["clusters"]
    assert isinstance(clusters, list) and len(clusters) >= 2
    assert sum(c["customers"] for c in clusters) == body["members"]["total"]
    assert all(c["description"].startswith("Customers who") and c["customers"] > 0 for c in clusters)
    assert sum(c["share"] for c in clusters) == pytest.approx(1.0)


# (endpoint, the model that answers it, a request of it that answers 404 and the version its audit row
# names: None when no model answered; no such request when the endpoint always has its model)
READS = [
    ("/v1/dashboard/sales", "forecast-category-M", None, None),
    ("/v1/forecasts/candidates", "forecast-category-M", "/v1/forecasts/candidates?level=product&freq=W", None),
    ("/v1/customers/segments", "customers", "/v1/customers/segments?model=nadie", None),
    ("/v1/customers/at-risk", "customers", "/v1/customers/at-risk?model=nadie", None),
    ("/v1/customers/likely-buyers", "customers", "/v1/customers/likely-buyers?model=nadie", None),
    ("/v1/customers/{customer_id}/insights", "customers", "/v1/customers/nadie/insights", "1.0.0"),
    ("/v1/items/{item_id}/similar", "recommender", "/v1/items/nada/similar", "1.0.0"),
    ("/v1/items/{item_id}/bought-together", "recommender", "/v1/items/nada/bought-together", "1.0.0"),
]


def _new_reads(client, shop, before: list[dict]) -> list[tuple]:  # type: ignore[no-untyped-def]
    after = client.get("/v1/audit?action=read", headers=shop.headers()).json()["items"]
    seen = {row["id"] for row in before}
    return [
        (r["endpoint"], r["model_name"], r["model_version"], r["status_code"]) for r in after if r["id"] not in seen
    ]


@pytest.mark.parametrize(("endpoint", "model", "missing", "missing_version"), READS, ids=[r[0] for r in READS])
def test_each_read_of_model_output_is_audited(client, shop, endpoint, model, missing, missing_version):
    customer = client.get("/v1/customers/segments?limit=1", headers=shop.headers()).json()["members"]["items"][0]
    item = client.post("/v1/recommendations", json={"user_id": customer["customer_id"], "k": 1},
                       headers=shop.headers()).json()["items"][0]["item_id"]  # fmt: skip
    path = endpoint.format(customer_id=customer["customer_id"], item_id=item)
    before = client.get("/v1/audit?action=read", headers=shop.headers()).json()["items"]
    answer = client.get(path, headers=shop.headers("analyst"))
    assert answer.status_code == 200, answer.text
    assert _new_reads(client, shop, before) == [(endpoint, model, "1.0.0", 200)]
    row = client.get("/v1/audit?action=read", headers=shop.headers()).json()["items"][0]
    assert shop.analyst.startswith(row["key_prefix"])
    if missing is not None:
        before = client.get("/v1/audit?action=read", headers=shop.headers()).json()["items"]
        assert client.get(missing, headers=shop.headers()).status_code == 404
        [(where, _, version, status)] = _new_reads(client, shop, before)
        assert (where, version, status) == (endpoint, missing_version, 404)


def test_a_deployed_recommender_that_will_not_load_falls_back_to_rules(client, caplog):
    from tendero.config import get_settings
    from tendero.registry.service import deployed_models

    shop = make_tenant("roto")
    load_demo(shop.id, generate_store(seed=6, customers=80, days=200))
    _train(client, shop, "recommender", "recommender", QUICK_RECOMMENDER)
    served = client.post("/v1/recommendations", json={"user_id": "C00001", "k": 3}, headers=shop.headers()).json()
    assert served["path"] == "model" and "fallback_reason" not in served
    version = client.get("/v1/models/recommender/versions/1.0.0", headers=shop.headers()).json()
    cache = get_settings().home / "cache" / "artifacts" / version["artifact_sha256"]
    stored = Path(get_settings().artifacts) / shop.id
    damaged = 0
    for folder in (cache, *[p.parent for p in stored.rglob("manifest.json")]):
        for file in sorted(folder.iterdir()):
            if file.name != "manifest.json" and file.is_file():
                file.write_bytes(b"not the model any more")
                damaged += 1
    assert damaged
    deployed_models.invalidate(shop.id, "recommender")  # as a restart (or another process) would load it
    with caplog.at_level(logging.ERROR, logger="tendero.recommendations"):
        answer = client.post("/v1/recommendations", json={"user_id": "C00001", "k": 3},
                             headers={**shop.headers(), "accept-language": "en"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["path"] == "rules" and body["items"] and body["version"] is None
    assert (
        body["fallback_reason"]["code"] == "load_failed" and "ArtifactCorrupted" in body["fallback_reason"]["message"]
    )
    assert any("failed to load" in record.getMessage() and shop.id in record.getMessage() for record in caplog.records)
    item = body["items"][0]["item_id"]
    for kind in ("similar", "bought-together"):
        other = client.get(f"/v1/items/{item}/{kind}", headers=shop.headers()).json()
        assert other["path"] == "rules" and other["fallback_reason"]["code"] == "load_failed"
    scores = client.post("/v1/predict", json={"candidate_items": [item]}, headers=shop.headers()).json()
    assert scores["path"] == "rules" and len(scores["scores"]) == 1
    none = make_tenant("sin-modelo")
    plain = client.post("/v1/recommendations", json={"k": 3}, headers=none.headers()).json()
    assert plain["path"] == "rules" and plain["fallback_reason"]["code"] == "no_model"
    shutil.rmtree(cache, ignore_errors=True)


def test_ready_is_ready_under_serve_no_jobs():
    from tendero.app import create_app

    with TestClient(create_app(run_jobs=False, migrate=False)) as no_jobs:
        ready = no_jobs.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "jobs": "not run in this process", "artifacts": "ok"}
