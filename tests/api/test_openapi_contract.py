"""The server and its OpenAPI schema agree: every operation documents the problems it can answer as
``application/problem+json`` with the one Problem schema, undeclared methods get 405 with the path's
whole ``Allow``, and Schemathesis with ``--checks all`` over every operation finds nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema_rs
import pytest

from support import load_demo, wait_for_job

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def schema(client) -> dict:  # type: ignore[no-untyped-def]
    return client.get("/openapi.json").json()


def _operations(schema: dict):  # type: ignore[no-untyped-def]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_error_an_operation_can_answer_is_a_documented_problem(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        assert {"413", "500"} <= set(responses), (method, path)
        if path.startswith("/v1/"):
            assert {"401", "429"} <= set(responses) and operation["security"] == [{"bearer": []}], (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        for status, response in responses.items():
            if int(status) >= 400 and not (path == "/ready" and status == "503"):
                assert response["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (method, path, status)
    assert "HTTPValidationError" not in json.dumps(schema)
    segments = schema["paths"]["/v1/customers/segments"]["get"]["responses"]
    assert "403" in segments and "No customer model" in segments["404"]["description"]
    assert "403" not in schema["paths"]["/v1/recommendations"]["post"]["responses"]  # every role may predict


def test_problems_the_server_sends_match_the_documented_schema(client, tenant, schema):
    problem = json.loads(json.dumps(schema["components"]["schemas"]["Problem"]))
    problem["properties"]["errors"]["items"] = schema["components"]["schemas"]["ProblemFieldError"]
    validator = jsonschema_rs.validator_for(problem)
    answers = [
        client.get("/v1/models"),
        client.get("/v1/keys", headers=tenant.headers("service")),
        client.get("/v1/models/nada", headers=tenant.headers()),
        client.get("/v1/jobs?limit=0", headers=tenant.headers()),
        client.get("/v1/customers/segments", headers=tenant.headers()),
        client.delete("/v1/models", headers=tenant.headers()),
    ]
    assert [answer.status_code for answer in answers] == [401, 403, 404, 422, 404, 405]
    for answer in answers:
        assert answer.headers["content-type"] == "application/problem+json"
        validator.validate(answer.json())


def test_undeclared_methods_get_405_with_every_method_of_the_path(client, tenant):
    options = client.options("/v1/datasets/abc", headers=tenant.headers())
    assert options.status_code == 405 and options.headers["allow"] == "DELETE, GET"
    for path in ("/v1/data/entities", "/v1/data/profile", "/v1/data/imports"):  # not taken for an entity name
        answer = client.post(path, headers=tenant.headers())
        assert answer.status_code == 405 and answer.headers["allow"] == "GET", (path, answer.text)
    # a literal path is its own resource, though a template of another route matches it too
    sales = client.options("/v1/insights/sales", headers=tenant.headers())
    assert sales.status_code == 405 and sales.headers["allow"] == "POST"
    assert client.options("/v1/insights/abc", headers=tenant.headers()).headers["allow"] == "GET"


def test_the_schema_says_what_is_valid_and_state_conflicts_are_409(client, tenant, schema, demo_store):
    predict = schema["components"]["schemas"]["PredictIn"]
    assert {"required": ["candidate_items"], "properties": {"candidate_items": {"type": "array"}}} in predict["oneOf"]
    train = schema["components"]["schemas"]["TrainRequestIn"]["properties"]["kind"]
    assert {"baseline", "customers", "forecast", "recommender", "tabular"} <= set(train["enum"])
    forecast = client.post("/v1/forecasts/train", json={"freq": "W", "horizon": 53}, headers=tenant.headers())
    assert forecast.status_code == 422 and "horizon" in forecast.text
    ok = client.post("/v1/forecasts/train", json={"freq": "W", "horizon": 52}, headers=tenant.headers())
    assert ok.status_code == 202, ok.text
    client.post(f"/v1/jobs/{ok.json()['id']}/cancel", headers=tenant.headers())
    load_demo(tenant.id, demo_store)
    job = client.post("/v1/models/tomado/train", json={"kind": "baseline"}, headers=tenant.headers()).json()
    assert wait_for_job(client, tenant, job["id"])["status"] == "completed"
    taken = client.post("/v1/models/tomado/train", json={"kind": "customers"}, headers=tenant.headers())
    assert taken.status_code == 409 and "baseline" in taken.json()["detail"]


@pytest.mark.contract
@pytest.mark.slow  # a served tenant with a model of every kind, then 300+ generated requests (277 s at load ~19)
@pytest.mark.timeout(900)
def test_schemathesis_with_every_check_finds_nothing():
    """The run ``.ci/run`` makes, with fewer examples per operation (see contract_run.py)."""
    run = subprocess.run([sys.executable, str(HERE / "contract_run.py"), "--max-examples", "8", "--json"],
                         capture_output=True, text=True, timeout=870, check=False)  # fmt: skip
    lines = run.stdout.strip().splitlines()
    figures = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    report = "\n".join(lines[-200:]) + run.stderr[-3000:]
    assert run.returncode == 0 and figures.get("unique_failures") == 0 and figures.get("errors") == 0, report
    assert figures["cases"] > 300, report
