"""The proof on real data: the Online Retail II subset, imported as the README says (``--returns keep``).
November 2011 against October 2011 lists the same top movers as a pandas groupby written here, and every
KPI equals pandas on the file's own rows."""

from __future__ import annotations

import pandas as pd
import pytest

from support import make_tenant, shared_data
from tendero.data.imports import import_file

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def retail(client):
    path = shared_data("customers/online_retail_II_subset.csv")
    tenant = make_tenant("retail")
    report = import_file(tenant.id, "order_lines", path, returns="keep")
    assert report.counts["rejected"] == 0
    raw = pd.read_csv(path, dtype={"Invoice": str, "StockCode": str, "Customer ID": str})
    raw["at"] = pd.to_datetime(raw["InvoiceDate"])
    raw["revenue"] = raw["Quantity"] * raw["Price"]
    return tenant, raw


def _month(raw: pd.DataFrame, month: str) -> pd.DataFrame:
    return raw[raw["at"].dt.strftime("%Y-%m") == month]


def test_november_2011_against_october_lists_the_same_top_movers_as_a_pandas_groupby(client, retail):
    tenant, raw = retail
    answer = client.post("/v1/insights/sales", json={"period": "2011-11", "compare_to": "2011-10", "currency": "GBP",
                         "top": 10}, headers=tenant.headers())  # fmt: skip
    assert answer.status_code == 200, answer.text
    analysis = answer.json()
    now = _month(raw, "2011-11").groupby("StockCode")["revenue"].sum()
    before = _month(raw, "2011-10").groupby("StockCode")["revenue"].sum()
    change = now.sub(before, fill_value=0.0)
    # postage, manual adjustments...: flagged at import and left out of product lists (the totals keep them)
    flagged = {row["item_id"] for row in client.get("/v1/settings", headers=tenant.headers()).json()["non_products"]}
    assert {"POST", "M"} <= flagged
    expected = change.drop(list(flagged), errors="ignore").abs().sort_values(ascending=False).head(10)
    movers = analysis["movers"]["products"]
    assert [m["id"] for m in movers] == list(expected.index)
    assert [m["change"] for m in movers] == pytest.approx([change[i] for i in expected.index], abs=0.01)
    assert change.sum() == pytest.approx(analysis["kpis"]["revenue"]["change"], abs=0.01)
    assert analysis["movers"]["note"] == "no_categories"  # the file has no categories: said, not invented
    named = {m["id"]: m["name"] for m in movers}
    descriptions = raw.drop_duplicates("StockCode").set_index("StockCode")["Description"]
    assert any(named[i] == descriptions[i] for i in named)  # the product names come from the import
    sentence = next(i for i in analysis["insights"] if i["type"] == "product_mover")
    assert "£" in sentence["text"]["en"] and "£" in sentence["text"]["es"]


@pytest.mark.parametrize("month", ["2011-11", "2010-12"])
def test_every_kpi_equals_pandas_on_the_files_rows(client, retail, month):
    tenant, raw = retail
    analysis = client.post("/v1/insights/sales", json={"period": month}, headers=tenant.headers()).json()
    part = _month(raw, month)
    sold = part[part["Quantity"] > 0]
    first = raw[(raw["Quantity"] > 0) & raw["Customer ID"].notna()].groupby("Customer ID")["at"].min()
    buyers = sold["Customer ID"].dropna().unique()
    new = int((first[buyers].dt.strftime("%Y-%m") == month).sum())
    expected = {
        "revenue": part["revenue"].sum(), "gross_revenue": sold["revenue"].sum(), "units": part["Quantity"].sum(),
        "orders": sold["Invoice"].nunique(), "customers": len(buyers),
        "average_ticket": sold["revenue"].sum() / sold["Invoice"].nunique(), "new_customers": new,
        "returning_customers": len(buyers) - new, "returns_value": -part.loc[part["Quantity"] < 0, "revenue"].sum(),
    }  # fmt: skip
    for name, value in expected.items():
        assert analysis["kpis"][name]["current"] == pytest.approx(value, abs=0.01), name
    returns = next(i for i in analysis["insights"] if i["type"] == "returns")
    assert returns["numbers"]["value"] == pytest.approx(expected["returns_value"], abs=0.01)
    assert analysis["kpis"]["return_lines"]["current"] > 0  # returns are counted, and said


def test_the_current_month_of_the_file_is_partial_and_says_so(client, retail):
    tenant, raw = retail
    analysis = client.post("/v1/insights/sales", json={"period": "2011-12"}, headers=tenant.headers()).json()
    last = raw["at"].max().date()
    assert analysis["period"]["partial"] and analysis["period"]["covered"]["end"] == last.isoformat()
    partial = analysis["insights"][0]
    assert partial["type"] == "partial_period" and f"{last:%d/%m/%Y}" in partial["text"]["es"]


def test_bundles_on_the_real_baskets_are_significant_and_never_from_one_order(client, retail):
    tenant, raw = retail
    body = client.post("/v1/suggestions/products", json={"type": "bundles", "limit": 20},
                       headers=tenant.headers()).json()  # fmt: skip
    items = body["bundles"]["items"]
    assert items, body
    sold = raw[raw["Quantity"] > 0]
    baskets = sold.groupby("Invoice")["StockCode"].apply(set)
    for item in items:
        assert item["q_value"] < 0.05 and item["orders"] >= 5 and item["customers"] >= 3 and item["lift"] >= 1.5
        holding = baskets[baskets.map(lambda s, need=set(item["items"]): need <= s)]
        recent = sold[sold["Invoice"].isin(holding.index)]
        assert recent["Invoice"].nunique() >= item["orders"]  # a year's window of the same baskets
