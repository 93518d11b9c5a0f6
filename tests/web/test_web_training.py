"""The dashboard's training platform over HTTP: datasets with schema and report, the train form built from the
algorithm's Params (errors beside the field, what was typed kept), versions compared, deploy and its request,
predictions from a form and a file, and no second "train" while one runs (the API's 409 names the job)."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from web_helpers import browser, sign_in

from support import make_tenant, wait_for_job


def _table(rows: int = 160, seed: int = 3) -> bytes:
    """A small churn-like table: a numeric, a categorical with blanks, and a two-valued Spanish target."""
    rng = np.random.default_rng(seed)
    lines = ["visitas,plan,gasto,baja"]
    for i in range(rows):
        visits = int(rng.integers(0, 30))
        plan = ["basico", "plus", ""][i % 3]
        spend = round(float(rng.uniform(5, 90)), 2)
        leaves = "sí" if visits < 8 else "no"
        lines.append(f"{visits},{plan},{spend},{leaves}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def shop(client):
    return make_tenant("entrena")


def _upload(web, token: str, body: bytes, name: str = "clientes", target: str = "baja", task: str = "classification"):
    return web.post("/app/datasets", data={"csrf": token, "name": name, "task": task, "target": target},
                    files={"file": (f"{name}.csv", body, "text/csv")})  # fmt: skip


def _dataset_id(answer) -> str:
    assert answer.status_code == 303, answer.text
    found = re.match(r"/app/datasets/([0-9a-f]+)$", answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


def test_dataset_page_shows_schema_missing_values_and_the_import_report(client, shop):
    web = browser(client)
    token = sign_in(web, shop)
    body = _table() + b"=SUM(A1),plus,3.5,no\n"  # a spreadsheet formula: set missing and reported
    dataset_id = _dataset_id(_upload(web, token, body))
    page = web.get(f"/app/datasets/{dataset_id}").text
    assert 'data-column="visitas" data-type="numeric"' in page
    assert 'data-column="plan" data-type="categorical"' in page
    assert re.search(r'data-column="plan".*?data-role="missing">32.9 %', page, re.S)  # 53 of 161 are blank
    report = page[page.index('id="dataset-report"') :]
    assert "161 rows read, 161 kept" in report
    assert re.search(r'<td class="num">161</td><td>visitas</td><td class="clip">=SUM\(A1\)</td>', report)
    assert f"/app/train?dataset={dataset_id}" in page
    es = browser(client)
    sign_in(es, shop)
    spanish = es.get(f"/app/datasets/{dataset_id}", headers={"accept-language": "es"}).text
    assert "Informe de importación" in spanish and "categoría" in spanish


def test_a_refused_file_is_a_dataset_in_error_with_its_reason(client, shop):
    web = browser(client)
    token = sign_in(web, shop)
    answer = _upload(web, token, _table(), name="sin-objetivo", target="no_existe")
    page = web.get(answer.headers["location"]).text
    assert 'id="dataset-error"' in page and "no_existe" in html.unescape(page)
    assert "Traceback" not in page


def test_train_form_shows_each_setting_and_keeps_what_was_typed_on_an_error(client, shop):
    web = browser(client)
    token = sign_in(web, shop, "analyst")
    dataset_id = _dataset_id(_upload(web, token, _table(), name="form"))
    form = web.get(f"/app/train?dataset={dataset_id}&algorithm=random_forest").text
    row = form[form.index('data-param="n_estimators"') :]
    row = row[: row.index("</tr>")]
    assert "number of trees" in row and "1 ≤ x ≤ 5\u202f000" in row and "<code>200</code>" in row
    assert '<option value="classification" selected' in form and 'value="baja" selected' in form
    answer = web.post("/app/train", data={"csrf": token, "kind": "tabular", "dataset": dataset_id,
                                          "task": "classification", "algorithm": "random_forest", "target": "baja",
                                          "model": "bajas", "n_estimators": "0", "min_samples_leaf": "3"})  # fmt: skip
    assert answer.status_code == 422
    page = answer.text
    assert re.search(r'data-error-for="n_estimators">Not accepted here. Allowed: whole number, 1 ≤ x', page)
    assert 'name="n_estimators" value="0"' in page and 'name="min_samples_leaf" value="3"' in page
    assert 'name="model" value="bajas"' in page
    spanish = web.post("/app/train", headers={"accept-language": "es"},
                       data={"csrf": token, "kind": "tabular", "dataset": dataset_id, "task": "classification",
                             "algorithm": "random_forest", "target": "baja", "model": "../x"})  # fmt: skip
    assert spanish.status_code == 422 and 'data-error-for="model">Letras, cifras' in spanish.text


def test_train_compare_request_deploy_predict_a_row_and_a_file(client, shop):
    analyst, admin = browser(client), browser(client)
    token = sign_in(analyst, shop, "analyst")
    admin_token = sign_in(admin, shop, "admin")
    dataset_id = _dataset_id(_upload(admin, admin_token, _table(), name="bajas"))
    jobs = []
    for leaf in ("1", "5"):
        answer = admin.post("/app/train", data={"csrf": admin_token, "kind": "tabular", "dataset": dataset_id,
                                                "task": "classification", "algorithm": "random_forest",
                                                "target": "baja", "model": "bajas", "n_estimators": "20",
                                                "min_samples_leaf": leaf,
                                                "deploy": "never" if jobs else "always"})  # fmt: skip
        assert answer.status_code == 303, answer.text
        job_id = answer.headers["location"].rsplit("/", 1)[1]
        job_page = admin.get(answer.headers["location"]).text
        assert f'data-job="{job_id}"' in job_page and "/app/models/bajas/versions" in job_page
        assert wait_for_job(client, shop, job_id, timeout=120)["status"] == "completed"
        jobs.append(job_id)
    again = analyst.get("/app/train?kind=tabular&model=bajas").text  # "train again" starts from the last version
    assert f'<option value="{dataset_id}" selected' in again and '<option value="random_forest" selected' in again
    assert 'name="n_estimators" value="20"' in again and 'name="min_samples_leaf" value="5"' in again
    compare = analyst.get("/app/models/bajas/versions").text
    assert 'data-metric="accuracy"' in compare and "higher is better" in compare
    assert compare.count('data-action="request-deploy"') == 1 and 'data-action="deploy"' not in compare
    asked = analyst.post("/app/models/bajas/versions/1.1.0/request-deploy", data={"csrf": token})
    assert asked.status_code == 303
    seen = admin.get("/app/models/bajas/versions").text
    assert 'id="deploy-requested"' in seen and "deploy requested: 1.1.0" in seen
    assert admin.post("/app/models/bajas/versions/1.1.0/deploy-compared", data={"csrf": admin_token}).status_code == 303
    after = admin.get("/app/models/bajas/versions").text
    assert 'id="deploy-requested"' not in after and re.search(
        r'data-version="1.1.0">1.1.0 <span class="badge deployed"', after
    )
    # one row from a form built from the dataset's schema
    form = analyst.get("/app/models/bajas/predict").text
    assert 'name="col:visitas"' in form and '<option value="plus"' in form and 'name="col:baja"' not in form
    answer = analyst.post("/app/models/bajas/predict", data={"csrf": token, "col:visitas": "2", "col:plan": "plus",
                                                            "col:gasto": "40,5"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert re.search(r'data-role="prediction">[^<]+</p>', answer.text)
    refused = analyst.post("/app/models/bajas/predict", data={"csrf": token, "col:visitas": "muchas",
                                                             "col:plan": "plus", "col:gasto": "4"})  # fmt: skip
    assert refused.status_code == 422 and 'data-error-for="visitas"' in refused.text
    assert 'value="muchas"' in refused.text
    # a file of rows: a batch job, then its CSV
    rows = b"visitas,plan,gasto\n1,plus,10\n25,basico,80\n"
    queued = analyst.post("/app/models/bajas/predict-file", data={"csrf": token},
                          files={"file": ("nuevos.csv", rows, "text/csv")})  # fmt: skip
    assert queued.status_code == 303 and queued.headers["location"].startswith("/app/jobs/")
    batch_id = queued.headers["location"].rsplit("/", 1)[1]
    assert wait_for_job(client, shop, batch_id)["status"] == "completed"
    download = analyst.get(f"/app/jobs/{batch_id}/download")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    lines = download.text.strip().splitlines()
    assert lines[0].startswith("visitas,plan,gasto,prediction") and len(lines) == 3
    assert "job.download" not in admin.get(f"/app/jobs/{batch_id}").text


def test_no_second_training_while_one_runs(client, shop):
    headers = shop.headers()
    quick = client.post("/v1/models/ocupado/train", json={"kind": "slow", "params": {"steps": 1,
                        "seconds_per_step": 0}}, headers=headers)  # fmt: skip
    assert wait_for_job(client, shop, quick.json()["id"])["status"] == "completed"
    first = client.post("/v1/models/ocupado/train", json={"kind": "slow", "params": {"steps": 60,
                        "seconds_per_step": 0.2}}, headers=headers)  # fmt: skip
    assert first.status_code == 202
    job_id = first.json()["id"]
    try:
        second = client.post("/v1/models/ocupado/train", json={"kind": "slow", "params": {"steps": 1}},
                             headers=headers)  # fmt: skip
        assert second.status_code == 409 and job_id in second.json()["detail"]
        dataset = client.post("/v1/datasets", data={"name": "ocupado-datos", "task": "classification",
                              "target": "baja"}, files={"file": ("d.csv", _table(60), "text/csv")},
                              headers=headers).json()  # fmt: skip
        for lang, says, state in (("es", "ya se está entrenando", ("en cola", "en marcha")),
                                  ("en", "already being trained", ("queued", "running"))):  # fmt: skip
            asked = {**headers, "accept-language": lang}
            again = client.post("/v1/models/ocupado/train", json={"kind": "slow", "params": {"steps": 1}},
                                headers=asked)  # fmt: skip
            # the dataset route queues through the same service as the dashboard, and refuses the same way
            on_dataset = client.post("/v1/training-jobs", json={"name": "ocupado", "dataset": dataset["id"]},
                                     headers=asked)  # fmt: skip
            for refused in (again, on_dataset):
                problem = refused.json()
                assert refused.status_code == 409, refused.text
                assert says in problem["detail"] and job_id in problem["detail"]
                assert any(f"({word})" in problem["detail"] for word in state), problem["detail"]
                assert problem["errors"][0]["job_id"] == job_id and job_id in problem["errors"][0]["message"]
                assert ("trabajo" in problem["errors"][0]["message"]) == (lang == "es")
        web = browser(client)
        token = sign_in(web, shop, "analyst")
        models = web.get("/app/models").text
        assert f'data-role="training-now" href="/app/jobs/{job_id}"' in models
        assert "/app/train?kind=slow&amp;model=ocupado" not in models
        page = web.get("/app/train?kind=slow&model=ocupado").text
        assert 'id="train-busy"' in page and job_id in page
        refused = web.post("/app/train", data={"csrf": token, "kind": "slow", "model": "ocupado", "steps": "2"})
        assert refused.status_code == 409 and job_id in refused.text and 'name="steps" value="2"' in refused.text
        progress = web.get(f"/app/jobs/progress.json?ids={job_id}").json()["jobs"][job_id]
        assert "elapsed_seconds" in progress and all("eta_seconds" in e for e in progress["events"])
    finally:
        client.post(f"/v1/jobs/{job_id}/cancel", headers=headers)
    assert wait_for_job(client, shop, job_id)["status"] == "cancelled"
    again = client.post("/v1/models/ocupado/train", json={"kind": "slow", "params": {"steps": 1,
                        "seconds_per_step": 0}}, headers=headers)  # fmt: skip
    assert again.status_code == 202  # once it ended, training is offered again
    wait_for_job(client, shop, again.json()["id"])


def test_another_shops_datasets_jobs_and_models_are_not_found(client, shop):
    web = browser(client)
    token = sign_in(web, shop)
    dataset_id = _dataset_id(_upload(web, token, _table(40), name="privado"))
    queued = web.post("/app/train", data={"csrf": token, "kind": "slow", "model": "privado", "steps": "1",
                                          "seconds_per_step": "0"})  # fmt: skip
    job_id = queued.headers["location"].rsplit("/", 1)[1]
    assert wait_for_job(client, shop, job_id)["status"] == "completed"
    intruder = make_tenant("intruso")
    other = browser(client)
    other_token = sign_in(other, intruder)
    for path in (f"/app/datasets/{dataset_id}", f"/app/jobs/{job_id}", f"/app/jobs/{job_id}/download",
                 "/app/models/privado/versions"):  # fmt: skip
        answer = other.get(path)
        assert answer.status_code == 404 and "Traceback" not in answer.text, path
    for path in (
        "/app/models/privado/versions/1.0.0/request-deploy",
        "/app/models/privado/versions/1.0.0/deploy-compared",
    ):
        assert other.post(path, data={"csrf": other_token}).status_code == 404, path
    assert dataset_id not in other.get("/app/datasets").text
    offered = other.get(f"/app/train?dataset={dataset_id}").text  # only its own datasets are offered
    assert f'<option value="{dataset_id}"' not in offered and 'id="train-form"' not in offered
    assert "privado" not in other.get("/app/models").text
