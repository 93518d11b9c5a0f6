"""POST /v1/predict/price on the real app: order lines imported over HTTP, the pricing kind trained by the job
runner, suggestions inside the guardrails and above cost, "cannot estimate" with the category's figure."""

from __future__ import annotations

import pandas as pd
import pytest
from test_pricing_domain import synthetic_panel

from support import TenantKeys, make_tenant, wait_for_job


@pytest.fixture(scope="module")
def priced_shop(client) -> tuple[TenantKeys, pd.DataFrame]:
    tenant = make_tenant("precios")
    panel, _ = synthetic_panel(seed=4)
    shift = pd.Timestamp.now().normalize() - pd.Timedelta(days=3) - panel["period"].max()
    panel["period"] = panel["period"] + shift
    last = panel.sort_values("period").groupby("product_id").tail(1)
    products = [{"product_id": r.product_id, "name": f"Zumo {r.product_id}", "category": "Bebidas",
                 "price": round(r.price, 2), "cost": round(0.5 * r.price, 2)} for r in last.itertuples()]  # fmt: skip
    answer = client.post("/v1/data/products", json={"rows": products}, headers=tenant.headers())
    assert answer.status_code == 201, answer.text
    lines = [{"order_id": f"O{i}", "ordered_at": r.period.isoformat(), "product_id": r.product_id,
              "quantity": round(r.units, 2), "unit_price": round(r.price, 4), "category": "Bebidas"}
             for i, r in enumerate(panel.itertuples())]  # fmt: skip
    answer = client.post("/v1/data/order_lines", json={"rows": lines}, headers=tenant.headers())
    assert answer.status_code == 201 and answer.json()["rejected"] == 0, answer.text
    job = client.post("/v1/models/pricing/train", json={"kind": "pricing", "deploy": "always"},
                      headers=tenant.headers()).json()  # fmt: skip
    finished = wait_for_job(client, tenant, job["id"], timeout=120)
    assert finished["status"] == "completed", finished["error"]
    return tenant, last.set_index("product_id")


def test_a_product_with_price_changes_gets_a_price_inside_the_guardrail(client, priced_shop):
    tenant, _ = priced_shop
    answer = client.post("/v1/predict/price", json={"product_id": "P0"}, headers=tenant.headers("service"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    current = body["current_price"]
    assert body["status"] == "estimated" and body["currency"] == "EUR" and body["model"]["version"]
    assert current * 0.9 - 1e-9 <= body["suggested_price"] <= current * 1.1 + 1e-9
    low, high = body["suggestion"]["interval"]
    assert low <= body["suggested_price"] <= high
    assert body["elasticity"]["low"] < body["elasticity"]["value"] < body["elasticity"]["high"]
    assert body["message"].startswith("Precio sugerido")


def test_margin_objective_with_a_cost_never_goes_under_cost(client, priced_shop):
    tenant, last = priced_shop
    current = round(float(last.loc["P3", "price"]), 2)
    body = client.post("/v1/predict/price", json={"product_id": "P3", "cost": current * 0.98, "objective": "margin",
                       "max_change": 0.2}, headers={**tenant.headers(), "accept-language": "en"}).json()  # fmt: skip
    assert body["objective"] == "margin" and body["suggested_price"] >= current * 0.98 - 1e-9
    assert body["suggestion"]["expected"]["margin"] is not None
    assert body["message"].startswith("Suggested price")


def test_a_product_whose_price_never_moved_cannot_be_estimated_and_gets_its_category(client, priced_shop):
    tenant, _ = priced_shop
    body = client.post("/v1/predict/price", json={"product_id": "P11"}, headers=tenant.headers()).json()
    assert body["status"] == "cannot_estimate" and body["suggested_price"] is None
    assert body["category"] == "Bebidas" and body["category_elasticity"]["value"] < 0
    assert "Bebidas" in body["message"]


def test_mistakes_get_clear_answers(client, priced_shop, other_tenant):
    tenant, _ = priced_shop
    unknown = client.post("/v1/predict/price", json={"product_id": "NOPE"}, headers=tenant.headers())
    assert unknown.status_code == 404 and "'NOPE'" in unknown.json()["detail"]
    assert unknown.json()["errors"][0]["field"] == "body.product_id"
    bad = client.post("/v1/predict/price", json={"product_id": "P0", "objective": "profit"}, headers=tenant.headers())
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.objective"
    negative = client.post("/v1/predict/price", json={"product_id": "P0", "cost": -1}, headers=tenant.headers())
    assert negative.status_code == 422
    other = client.post("/v1/predict/price", json={"product_id": "P0"}, headers=other_tenant.headers())
    assert other.status_code == 404 and "train one" in other.json()["detail"]
    assert client.get("/v1/pricing/elasticities", headers=other_tenant.headers()).status_code == 404


def test_elasticities_are_listed_with_their_source(client, priced_shop):
    tenant, _ = priced_shop
    page = client.get("/v1/pricing/elasticities", params={"limit": 5}, headers=tenant.headers("analyst")).json()
    assert page["total"] == 12 and len(page["items"]) == 5 and page["items"][0]["source"] == "product"
    last = client.get("/v1/pricing/elasticities", params={"offset": 11}, headers=tenant.headers()).json()
    assert last["items"][0]["product_id"] == "P11" and last["items"][0]["source"] == "category"
