"""A postage line is not a purchase of a product: the customer model counts goods only (spend, purchases,
likely buyers, value at risk), by the tenant's non-product rule — the one recommendations use."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from support import make_tenant, wait_for_job
from tendero.customers.kind import CustomersKind, CustomersParams
from tendero.customers.transactions import transaction_log
from tendero.kinds import Frames, RecordingProgress

POSTAGE = 4.95
START = datetime(2025, 1, 6, 10, 0)


def _small_shop() -> list[dict[str, object]]:
    """40 customers buying a product every 9 to 48 days for a year, each order with a postage line; one customer
    who only ever paid postage (three orders of it and nothing else)."""
    lines: list[dict[str, object]] = []
    for c in range(40):
        gap = 9 + c  # days between orders: every customer has their own rhythm
        quiet_after = 200 + 4 * c  # some stop buying before the end, so some are at risk
        day, n = c % 7, 0
        while day < min(360, quiet_after):
            at = (START + timedelta(days=day)).isoformat(sep=" ")
            order = f"O{c:02d}-{n}"
            lines.append({"order_id": order, "customer_id": f"C{c:02d}", "ordered_at": at,
                          "product_id": f"SKU-{c % 5}", "quantity": 1, "unit_price": 10.0 + c})  # fmt: skip
            lines.append({"order_id": order, "customer_id": f"C{c:02d}", "ordered_at": at, "product_id": "POSTAGE",
                          "quantity": 1, "unit_price": POSTAGE})  # fmt: skip
            day, n = day + gap, n + 1
    for n, day in enumerate((30, 150, 300)):
        at = (START + timedelta(days=day)).isoformat(sep=" ")
        lines.append({"order_id": f"P-{n}", "customer_id": "ONLY-POST", "product_id": "POSTAGE", "quantity": 1,
                      "ordered_at": at, "unit_price": POSTAGE})  # fmt: skip
    return lines


def test_the_transaction_log_counts_goods_and_names_the_lines_left_out():
    lines = pd.DataFrame(_small_shop()).assign(ordered_at=lambda f: pd.to_datetime(f["ordered_at"]))
    lines["revenue"] = lines["quantity"] * lines["unit_price"]
    everything = transaction_log(lines)
    goods = transaction_log(lines, frozenset({"POSTAGE"}))
    postage = int((lines["product_id"] == "POSTAGE").sum())
    assert goods.dropped["non_product_lines"] == postage and everything.dropped["non_product_lines"] == 0
    assert "ONLY-POST" not in set(goods.orders["customer_id"])  # postage alone is no purchase
    c03 = goods.orders[goods.orders["customer_id"] == "C03"]
    assert (c03["revenue"] == 13.0).all()  # the order's goods, not goods plus postage
    assert len(goods.orders) == len(everything.orders) - 3


def test_the_kind_reads_the_non_products_frame_and_reports_what_it_left_out():
    lines = pd.DataFrame(_small_shop()).assign(ordered_at=lambda f: pd.to_datetime(f["ordered_at"]))
    params = CustomersParams(churn_window_days=60, n_estimators=30, clusters=0)
    frames = Frames.of(order_lines=lines, non_products=pd.DataFrame({"product_id": ["POSTAGE"]}))
    model = CustomersKind().fit(frames, params, RecordingProgress())
    assert model.metrics["dropped_non_product_lines"] == float((lines["product_id"] == "POSTAGE").sum())
    assert not model.knows_customer("ONLY-POST")
    assert model.insights("C03")["monetary"] == pytest.approx(13.0 * model.insights("C03")["frequency"])


@pytest.fixture(scope="module")
def shop(client, tmp_path_factory):  # type: ignore[no-untyped-def]
    from tendero.data.imports import import_file

    tenant = make_tenant("postage")
    path: Path = tmp_path_factory.mktemp("postage") / "orders.csv"
    rows = _small_shop()
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = import_file(tenant.id, "order_lines", path)
    assert not report.rejections and report.counts["inserted"] == len(rows), report
    params = {"churn_window_days": 60, "n_estimators": 30, "clusters": 0}
    answer = client.post("/v1/models/customers/train", json={"kind": "customers", "params": params,
                                                            "deploy": "always"}, headers=tenant.headers())  # fmt: skip
    assert answer.status_code == 202, answer.text
    job = wait_for_job(client, tenant, answer.json()["id"], timeout=600)
    assert job["status"] == "completed", job["error"]
    return tenant


def test_the_shops_customer_answers_leave_postage_out(client, shop):
    rows = _small_shop()
    postage_lines = sum(1 for row in rows if row["product_id"] == "POSTAGE")
    versions = client.get("/v1/models/customers/versions", headers=shop.headers()).json()["items"]
    assert len(versions) == 1 and versions[0]["metrics"]["dropped_non_product_lines"] == postage_lines
    # a customer who only ever paid postage never bought anything
    assert client.get("/v1/customers/ONLY-POST/insights", headers=shop.headers()).status_code == 404
    insight = client.get("/v1/customers/C03/insights", headers=shop.headers()).json()
    c03 = [row for row in rows if row["customer_id"] == "C03"]
    goods = sum(float(str(row["unit_price"])) for row in c03 if row["product_id"] != "POSTAGE")
    assert insight["monetary"] == pytest.approx(goods)  # spend is what the goods cost
    assert insight["frequency"] == len(c03) // 2  # one purchase per order of goods and postage
    likely = client.get("/v1/customers/likely-buyers?days=30&limit=100", headers=shop.headers()).json()["items"]
    assert likely and "ONLY-POST" not in {row["customer_id"] for row in likely}
    at_risk = client.get("/v1/customers/at-risk?limit=100", headers=shop.headers()).json()["items"]
    assert at_risk and "ONLY-POST" not in {row["customer_id"] for row in at_risk}
    # the command line answers from the same model
    from tendero.cli import app

    shown = CliRunner().invoke(app, ["customers", "likely-buyers", "--tenant", shop.name, "--json"])
    assert shown.exit_code == 0, shown.output
    assert "ONLY-POST" not in shown.stdout and json.loads(shown.stdout)


def test_the_non_products_frame_follows_the_tenants_rule(client, shop):
    from tendero.data.frames import tenant_frames

    def left_out() -> list[str]:
        return list(tenant_frames(shop.id, ("non_products",))["non_products"]["product_id"])

    assert left_out() == ["POSTAGE"]
    try:
        client.patch("/v1/settings", json={"mark_products": ["POSTAGE"]}, headers=shop.headers())
        assert left_out() == []  # an admin said it is a product: it counts as one again
        client.patch("/v1/settings", json={"clear_marks": ["POSTAGE"], "exclude_non_products": False},
                     headers=shop.headers())  # fmt: skip
        assert left_out() == []  # the rule is off
        client.patch("/v1/settings", json={"exclude_non_products": True, "mark_non_products": ["SKU-1"]},
                     headers=shop.headers())  # fmt: skip
        assert left_out() == ["POSTAGE", "SKU-1"]
    finally:
        client.patch("/v1/settings", json={"exclude_non_products": True, "clear_marks": ["POSTAGE", "SKU-1"]},
                     headers=shop.headers())  # fmt: skip
