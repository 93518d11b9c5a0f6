"""Lists of products name goods: the sales analysis (movers, anomaly drivers, the largest product, returns), the
product suggestions and the assistant's top products leave the tenant's non-products out; totals keep them."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from support import load_demo, make_tenant
from tendero.insights.analysis.period import parse_period
from tendero.insights.analysis.sales import AnalysisSettings, analyze
from tendero.insights.suggestions.products import suggest

POSTAGE = "POST"


def _shop_with_postage() -> pd.DataFrame:
    """Four months of orders of two or three goods each; an order with a mug (bulky) pays postage, worth more than
    any good; postage refunds among the returns; one day of triple sales (an anomaly)."""
    rng = np.random.default_rng(4)
    rows = []
    for day in pd.date_range("2025-01-01", "2025-04-30"):
        orders = 30 if day == pd.Timestamp("2025-04-16") else 10
        for n in range(orders):
            order, customer = f"{day:%m%d}-{n}", f"C{rng.integers(60)}"
            goods = rng.choice(["MUG", "TEA", "JAM", "CUP"], size=int(rng.integers(2, 4)), replace=False)
            for product in [*goods, POSTAGE] if "MUG" in goods else goods:
                price = 25.0 if product == POSTAGE else {"MUG": 8.0, "TEA": 5.0, "JAM": 4.0, "CUP": 6.0}[product]
                rows.append((order, customer, day + pd.Timedelta(hours=10), product, 1.0, price))
        rows.append((f"R{day:%m%d}", "C1", day + pd.Timedelta(hours=12), POSTAGE, -1.0, 25.0))
    columns = ["order_id", "customer_id", "ordered_at", "product_id", "quantity", "unit_price"]
    lines = pd.DataFrame(rows, columns=columns)
    categories = {"MUG": "Hogar", "CUP": "Hogar", "TEA": "Despensa", "JAM": "Despensa"}
    lines["category"] = lines["product_id"].map(categories)
    lines["revenue"] = lines["quantity"] * lines["unit_price"]
    return lines.assign(store="web", status="completed", discount=0.0)


def _named_products(analysis: dict) -> set[str]:
    named = {row["id"] for row in analysis["movers"]["products"]}
    named |= {p["id"] for item in analysis["anomalies"]["items"] for p in item["top_products"]}
    named |= {analysis["concentration"]["products"]["largest"]["id"]}
    named |= {row["id"] for row in analysis["returns"]["top_products"]}
    return named


def test_the_sales_analysis_names_no_non_product_but_counts_it_in_the_totals():
    lines = _shop_with_postage()
    april = parse_period("2025-04")
    everything = analyze(lines, april, settings=AnalysisSettings(top=5))
    goods = analyze(lines, april, settings=AnalysisSettings(top=5, exclude_items=frozenset({POSTAGE})))
    assert POSTAGE in _named_products(everything)  # the rule off: postage is the largest product, and returned
    assert goods["anomalies"]["items"], "the triple-sales day is flagged"
    assert POSTAGE not in _named_products(goods) and _named_products(goods) <= {"MUG", "TEA", "JAM", "CUP"}
    assert goods["concentration"]["products"]["total"] == 4  # four goods sold
    assert goods["kpis"]["revenue"] == everything["kpis"]["revenue"]  # totals keep postage


def test_product_suggestions_never_suggest_postage():
    lines = _shop_with_postage()
    everything = suggest(lines, pd.DataFrame(columns=["product_id", "name", "active"]), ("bundles", "slow_movers"))
    goods = suggest(lines, pd.DataFrame(columns=["product_id", "name", "active"]), ("bundles", "slow_movers"),
                    exclude_items=frozenset({POSTAGE}))  # fmt: skip
    assert POSTAGE in json.dumps(everything["bundles"])  # postage goes with mugs: a "bundle" when counted
    assert POSTAGE not in json.dumps(goods)


@pytest.fixture(scope="module")
def demo_shop():
    from tendero.data.demo import generate_store

    tenant = make_tenant("top-goods")
    load_demo(tenant.id, generate_store(seed=5, customers=150, days=120, end=date(2026, 11, 17)))
    return tenant


def test_the_assistants_top_products_follow_the_tenants_rule(client, demo_shop):
    from tendero.services import assistant

    def top_ids() -> list[str]:
        answer = assistant.ask(demo_shop.id, "top 5 products last month", today=date(2026, 11, 18), store=False)
        assert answer["intent"] == "top_products", answer
        return [item["product_id"] for item in answer["data"]["items"]]

    first = top_ids()[0]
    marked = client.patch("/v1/settings", json={"mark_non_products": [first]}, headers=demo_shop.headers())
    assert marked.status_code == 200, marked.text
    assert first not in top_ids()  # an item the admin marked as a non-product is no top product
    client.patch("/v1/settings", json={"exclude_non_products": False}, headers=demo_shop.headers())
    assert top_ids()[0] == first  # the rule off: it is listed again
