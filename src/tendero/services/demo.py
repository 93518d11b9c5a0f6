"""``tendero demo``: a demo tenant with the generated store, and a training job for every model kind; and the
generated store as CSV files (``tendero data generate``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tendero.data.demo import DemoStore, generate_store, route_costs
from tendero.data.formulas import write_csv
from tendero.errors import NotFound
from tendero.kinds import get_kind, kind_names
from tendero.store import commerce, tenants
from tendero.store.db import get_engine, session_scope
from tendero.store.migrate import upgrade_database

DEMO_TENANT = "demo"
# every model kind, trained on the demo store: (model name, kind, params)
DEMO_MODELS: list[tuple[str, str, dict]] = [
    ("baseline", "baseline", {}),
    ("forecast-category-M", "forecast", {"level": "category", "freq": "M", "horizon": 3, "history_months": 24}),
    ("forecast-total-D", "forecast", {"level": "total", "freq": "D", "horizon": 30, "history_months": 24}),
    ("forecast-product-W", "forecast", {"level": "product", "freq": "W", "horizon": 8, "history_months": 24}),
    ("customers", "customers", {}),
    ("recommender", "recommender", {}),
    ("costes-rutas", "tabular", {"task": "regression", "target": "cost_eur", "algorithm": "lightgbm"}),
    ("pricing", "pricing", {}),
]


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
    from tendero.registry.service import OPERATOR, submit_training

    upgrade_database()
    with session_scope() as session:
        try:
            tenant = tenants.find_tenant(session, DEMO_TENANT)
        except NotFound:
            tenant, _ = tenants.create_tenant(session, DEMO_TENANT)
        tenant_id = tenant.id
        key = tenants.create_key(session, tenant_id, name="demo", role="admin")
    if commerce.count_rows(tenant_id)["orders"] == 0:
        log("generating the demo store ...")
        counts = load_store(tenant_id, generate_store(seed=seed))
        log("loaded " + ", ".join(f"{n} {entity}" for entity, n in counts.items()))
    dataset_id = _demo_dataset(tenant_id, seed)
    models = []
    with session_scope() as session:
        for model, kind, params in DEMO_MODELS:
            request = {"model": model, "kind": kind, "params": params, "deploy": "always"}
            if "dataset" in get_kind(kind).needs:
                request["dataset"] = dataset_id
            submit_training(session, tenant_id, request, idempotency_key=f"demo:{model}:{seed}", role=OPERATOR)
            models.append(model)
    from tendero.services.search import submit_index_job

    submit_index_job(tenant_id, idempotency_key=f"demo:search-index:{seed}")  # the product search index
    missing = set(kind_names()) - {kind for _, kind, _ in DEMO_MODELS}
    if missing:
        log(f"kinds without a demo model: {', '.join(sorted(missing))}")
    return DemoReady(DEMO_TENANT, key.secret, models)


def _demo_dataset(tenant_id: str, seed: int) -> str:
    """The route-cost table of the demo's delivery service, as a training-platform dataset."""
    from tendero.data.datasets import create_from_frame
    from tendero.store import datasets as dataset_rows

    with session_scope() as session:
        existing, _ = dataset_rows.list_datasets(session, tenant_id, 100, 0)
        for row in existing:
            if row.name == "rutas" and row.status == "ready":
                return row.id
    row = create_from_frame(tenant_id, route_costs(seed), "demo: rutas de reparto", "rutas", "regression", "cost_eur")
    return row.id


STORE_TABLES = ("customers", "products", "orders", "order_items", "interactions")


def write_store_csv(out: Path, seed: int = 7, customers: int = 1500, days: int = 730) -> list[tuple[Path, int]]:
    """The generated demo store as one CSV file per table in ``out``; each file with its number of rows."""
    store = generate_store(seed=seed, customers=customers, days=days)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in STORE_TABLES:
        frame = getattr(store, name)
        write_csv(frame, out / f"{name}.csv")
        written.append((out / f"{name}.csv", len(frame)))
    return written
