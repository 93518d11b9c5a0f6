"""10,000 random queries over 10 tenants whose catalogues share their words: no answer ever names a product
of another tenant."""

from __future__ import annotations

import random

import pytest
from search_support import import_products

from support import make_tenant
from tendero.services import search as search_service
from tendero.store import search as search_rows

KINDS = ["Cerveza", "Leche entera", "Pan de molde", "Champú", "Lavavajillas", "Manzanas", "Café en grano", "Pizza"]
BRANDS = ["Marisol", "Nórdica", "Tendero", "EcoVida"]
EXTRA = ["gaseosa", "beer", "para lavar los platos", "desayuno", "de la", "🍺", "OR 1=1", "*", "xyzzy", "bebida fría"]


@pytest.mark.slow
@pytest.mark.timeout(1800)  # 10,000 searches through the service, each embedding its query
def test_ten_thousand_random_queries_over_ten_tenants_never_cross_tenants():
    rng = random.Random(18)
    owners: dict[str, set[str]] = {}
    for t in range(10):
        tenant = make_tenant(f"search{t}")
        rows = [{"product_id": f"T{t}-{i:02d}", "name": f"{kind} {brand} {rng.choice(['1 L', '500 g', 'pack 6'])}",
                 "category": "Varios", "price": round(rng.uniform(0.5, 9), 2)}
                for i, (kind, brand) in enumerate((k, b) for k in KINDS for b in rng.sample(BRANDS, 2))]  # fmt: skip
        import_products(tenant.id, rows)
        search_service.sync_index(tenant.id)
        owners[tenant.id] = {r["product_id"] for r in rows}
    words = [w for kind in KINDS for w in kind.lower().split()] + [b.lower() for b in BRANDS]
    tenants = list(owners)
    leaks, answered = [], 0
    for _ in range(10_000):
        tenant_id = rng.choice(tenants)
        query = " ".join(rng.sample(words, rng.randint(1, 3))) if rng.random() < 0.8 else rng.choice(EXTRA)
        answer = search_service.search(tenant_id, query, limit=rng.choice([5, 10, 20]))
        found = {item.product_id for item in answer.items}
        answered += bool(found)
        leaks += [(tenant_id, query, p) for p in found - owners[tenant_id]]
    assert leaks == []
    assert answered > 8_000  # the queries did find products: the check above had something to check
    for tenant_id in tenants:  # and each tenant's stored documents are its own
        assert set(search_rows.read_documents(tenant_id)["product_id"]) == owners[tenant_id]
