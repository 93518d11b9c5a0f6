"""``tendero demo``: a demo tenant with the generated store, and a training job for every model kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tendero.data.demo import DemoStore, generate_store
from tendero.kinds import get_kind, kind_names
from tendero.store import commerce, tenants
from tendero.store.db import get_engine, session_scope
from tendero.store.migrate import upgrade_database

DEMO_TENANT = "demo"


@dataclass(frozen=True)
class DemoReady:
    tenant: str
    api_key: str
    models: list[str]


def load_store(tenant_id: str, store: DemoStore) -> dict[str, int]:
    """Write a generated store in one transaction: all of it or, if anything fails, none."""
    frames = {
        "customers": store.customers.rename(columns={"customer_id": "external_id"}),
        "products": store.products.rename(columns={"product_id": "external_id"}),
        "orders": store.orders.rename(columns={"order_id": "external_id"}),
        "order_items": store.order_items,
        "interactions": store.interactions,
    }
    inserted = {}
    with get_engine().begin() as connection:
        for entity, frame in frames.items():
            inserted[entity] = commerce.upsert_rows(connection, entity, tenant_id, frame).inserted
    return inserted


def prepare_demo(seed: int = 7, log: Callable[[str], None] = print) -> DemoReady:
    from tendero.registry.service import submit_training

    upgrade_database()
    with session_scope() as session:
        try:
            tenant = tenants.find_tenant(session, DEMO_TENANT)
        except tenants.NotFound:
            tenant, _ = tenants.create_tenant(session, DEMO_TENANT)
        tenant_id = tenant.id
        key = tenants.create_key(session, tenant_id, name="demo", role="admin")
    if commerce.count_rows(tenant_id)["orders"] == 0:
        log("generating the demo store ...")
        counts = load_store(tenant_id, generate_store(seed=seed))
        log("loaded " + ", ".join(f"{n} {entity}" for entity, n in counts.items()))
    models = []
    with session_scope() as session:
        for name in kind_names():
            kind = get_kind(name)
            if "dataset" in kind.needs:
                continue  # trained on a user's uploaded table, not on the store's data
            submit_training(
                session,
                tenant_id,
                {"model": name, "kind": name, "params": {}, "deploy": "always"},
                idempotency_key=f"demo:{name}:{seed}",
            )
            models.append(name)
    return DemoReady(DEMO_TENANT, key.secret, models)
