"""Product suggestions: bundles with their statistics checked against scipy, statsmodels and mlxtend, no bundle
from one huge order or one customer, slow movers, seasonal products, and POST /v1/suggestions/products."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact

from support import load_demo, make_tenant
from tendero.insights.suggestions.baskets import benjamini_hochberg, build_baskets, fisher_greater, pair_counts
from tendero.insights.suggestions.bundles import BundleRules, find_bundles
from tendero.insights.suggestions.products import TYPES, suggest


def _lines(rows: list[tuple[str, str | None, str, float, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "product_id", "quantity", "ordered_at"])
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"])
    frame["day"] = frame["ordered_at"].dt.normalize()
    frame["revenue"] = frame["quantity"] * 2.0
    frame["category"] = None
    return frame


def _market(seed: int = 0) -> list[tuple[str, str | None, str, float, str]]:
    """200 orders of 40 customers over random products, plus a real pair: A and B together in 12 orders."""
    rng = np.random.default_rng(seed)
    rows = []
    for order in range(200):
        for product in rng.choice([f"R{i}" for i in range(30)], size=3, replace=False):
            rows.append((f"O{order}", f"C{order % 40}", str(product), 1.0, "2026-01-05"))
        if order < 12:
            rows += [(f"O{order}", f"C{order % 40}", "A", 1.0, "2026-01-05"),
                     (f"O{order}", f"C{order % 40}", "B", 1.0, "2026-01-05")]  # fmt: skip
    return rows


def test_a_pair_bought_together_by_several_customers_is_a_bundle():
    found = find_bundles(build_baskets(_lines(_market()), "product_id"), pd.Series(dtype=float), BundleRules(), 50)
    pairs = [tuple(sorted(item["items"])) for item in found["items"] if len(item["items"]) == 2]
    assert ("A", "B") in pairs
    item = next(i for i in found["items"] if sorted(i["items"]) == ["A", "B"])
    assert item["orders"] == 12 and item["customers"] == 12 and item["support"] == pytest.approx(12 / 200)
    assert item["lift"] == pytest.approx(200 / 12) and item["confidence"] == pytest.approx(1.0)


def test_one_huge_order_or_one_customer_never_makes_a_bundle():
    rows = _market(1)
    rows += [("HUGE", "C999", "X", 50.0, "2026-01-05"), ("HUGE", "C999", "Y", 80.0, "2026-01-05")]
    rows += [("HUGE", "C999", "X", 5.0, "2026-01-05")] * 10  # the same product many times: still one order
    rows += [(f"S{i}", "LOYAL", p, 1.0, "2026-01-05") for i in range(8) for p in ("P", "Q")]  # one customer
    found = find_bundles(build_baskets(_lines(rows), "product_id"), pd.Series(dtype=float), BundleRules(), 200)
    together = [set(item["items"]) for item in found["items"]]
    assert not any({"X", "Y"} <= s for s in together) and not any({"P", "Q"} <= s for s in together)


def test_pair_counts_and_statistics_match_mlxtend_scipy_and_statsmodels():
    pytest.importorskip("mlxtend")
    from mlxtend.frequent_patterns import fpgrowth
    from statsmodels.stats.multitest import multipletests

    baskets = build_baskets(_lines(_market(2)), "product_id")
    a, b, both = pair_counts(baskets)
    onehot = pd.DataFrame(baskets.matrix.toarray().astype(bool), columns=list(baskets.keys))
    frequent = fpgrowth(onehot, min_support=1 / baskets.n_orders, max_len=2, use_colnames=True)
    theirs = {frozenset(s): round(v * baskets.n_orders) for s, v in zip(frequent["itemsets"], frequent["support"],
              strict=True) if len(s) == 2}  # fmt: skip
    ours = {frozenset((baskets.keys[i], baskets.keys[j])): int(c) for i, j, c in zip(a, b, both, strict=True)}
    assert ours == theirs
    counts = baskets.counts()
    p = fisher_greater(both, counts[a], counts[b], baskets.n_orders)
    for k in range(0, len(both), max(1, len(both) // 25)):
        n_a, n_b, n_ab = counts[a[k]], counts[b[k]], both[k]
        table = [[n_ab, n_a - n_ab], [n_b - n_ab, baskets.n_orders - n_a - n_b + n_ab]]
        assert p[k] == pytest.approx(fisher_exact(table, alternative="greater").pvalue, rel=1e-6)
    assert benjamini_hochberg(p) == pytest.approx(multipletests(p, method="fdr_bh")[1])


def test_slow_movers_and_seasonal_products_on_a_small_shop():
    rows = []
    for d in pd.date_range("2025-01-01", "2026-06-30", freq="D"):
        for i in range(3):
            rows.append((f"{d:%Y%m%d}-{i}", f"C{i}", "FAST", 2.0, str(d)))
        if d.month == 7:  # last July it sold a lot
            rows.append((f"{d:%Y%m%d}-s", "C9", "SUMMER", 3.0, str(d)))
        elif d.day == 1:
            rows.append((f"{d:%Y%m%d}-s", "C9", "SUMMER", 1.0, str(d)))
    rows += [("old-1", "C1", "SLOW", 1.0, "2025-02-01 00:00:00"), ("old-2", "C1", "SLOW", 1.0, "2026-02-01 00:00:00")]
    lines = _lines(rows)
    products = pd.DataFrame({"product_id": ["FAST", "SUMMER", "SLOW"], "name": ["Pan", "Helado", "Paraguas"],
                             "category": None, "active": True})  # fmt: skip
    out = suggest(lines, products, ["slow_movers", "seasonal"], as_of=pd.Timestamp("2026-06-30"))
    slow = out["slow_movers"]["items"]
    assert [s["id"] for s in slow] == ["SLOW"] and slow[0]["days_since_last_sale"] == 149
    assert "Paraguas" in slow[0]["text"]["es"] and "Paraguas" in slow[0]["text"]["en"]
    seasonal = out["seasonal"]["items"]
    assert [s["id"] for s in seasonal] == ["SUMMER"] and seasonal[0]["last_year_units"] == pytest.approx(3.0 * 28)
    assert "temporada" in seasonal[0]["text"]["es"] and "season" in seasonal[0]["text"]["en"]


@pytest.mark.parametrize("end", ["2026-01-15", "2026-07-01", "2026-12-06"])
def test_the_demo_shops_planted_pairs_are_found_whatever_the_day(end):
    """The demo plants partner products (bread and butter...); its bundles must not depend on today's date, which
    its calendar follows (the suggestions found no bundle on some days before the pairs were planted)."""
    from tendero.data.demo import COMPLEMENTS, generate_store

    store = generate_store(seed=3, customers=120, days=120, end=pd.Timestamp(end).date())
    lines = store.order_items.merge(store.orders[store.orders["status"] == "completed"], on="order_id")
    lines["revenue"] = lines["quantity"] * lines["unit_price"] - lines["discount"]
    kind = {row.product_id: next((k for pair in COMPLEMENTS for k in pair if row.name.startswith(k + " ")), None)
            for row in store.products.itertuples()}  # fmt: skip
    found = suggest(lines, store.products, ["bundles"])["bundles"]["items"]
    planted = [item for item in found if len(item["items"]) == 2 and tuple(sorted(kind[i] or "" for i in item["items"]))
               in {tuple(sorted(pair)) for pair in COMPLEMENTS}]  # fmt: skip
    assert len(planted) >= 2, found


@pytest.fixture(scope="module")
def shop(client, demo_store):
    tenant = make_tenant("sugerencias")
    load_demo(tenant.id, demo_store)
    return tenant


def test_suggestions_over_http_every_type_in_both_languages(client, shop):
    answer = client.post("/v1/suggestions/products", json={"type": "all"}, headers=shop.headers("service"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(TYPES) <= set(body)
    assert body["bundles"]["items"], body["bundles"]
    for section in TYPES:
        items = body[section].get("items", []) + body[section].get("rising", []) + body[section].get("falling", [])
        for item in items:
            assert item["text"]["es"] and item["text"]["en"] and item["recommendations"][0]["es"]
    one = client.post("/v1/suggestions/products", json={"type": "bundles", "limit": 3}, headers=shop.headers()).json()
    assert set(one) & set(TYPES) == {"bundles"} and len(one["bundles"]["items"]) <= 3


@pytest.mark.parametrize(
    ("body", "field"),
    [({"type": "magic"}, "body.type"), ({"as_of": "yesterday"}, "body.as_of"), ({"as_of": "1990-01-01"}, "body.as_of")],
    ids=["unknown-type", "bad-date", "before-any-sale"],
)
def test_bad_suggestion_requests_get_a_clear_422(client, shop, body, field):
    answer = client.post("/v1/suggestions/products", json=body, headers=shop.headers())
    assert answer.status_code == 422, answer.text
    assert any(e["field"].startswith(field) for e in answer.json()["errors"])


def test_a_shop_without_sales_gets_404_not_another_shops_suggestions(client, shop):
    other = make_tenant("vacia")
    answer = client.post("/v1/suggestions/products", json={"type": "all"}, headers=other.headers())
    assert answer.status_code == 404 and "no tiene líneas de pedido" in answer.json()["detail"]  # es unless asked
    english = client.post("/v1/suggestions/products", json={"type": "all"},
                          headers={**other.headers(), "accept-language": "en"})  # fmt: skip
    assert english.status_code == 404 and "no order lines" in english.json()["detail"]
