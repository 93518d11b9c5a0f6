"""What every item answer needs from the catalogue: a name and a category per item id, and how each item
sold (for the non-product rule), tenant-scoped like every read."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import func, select

from tendero.store.db import get_engine
from tendero.store.tables import OrderItem, Product

CHUNK = 900  # ids per IN list (SQLite's bound-parameter limit is 999 on old builds)


def read_item_facts(tenant_id: str, item_ids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """``{item_id: (name, category)}`` for the ids the catalogue knows (the others are left out)."""
    wanted = list(dict.fromkeys(str(i) for i in item_ids))
    found: dict[str, tuple[str | None, str | None]] = {}
    with get_engine().connect() as connection:
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            rows = connection.execute(
                select(Product.external_id, Product.name, Product.category).where(
                    Product.tenant_id == tenant_id, Product.external_id.in_(chunk)
                )
            )
            found.update({row[0]: (row[1], row[2]) for row in rows})
    return found


def read_item_names(tenant_id: str) -> pd.DataFrame:
    """Every product's id and name (``product_id``, ``name``)."""
    with get_engine().connect() as connection:
        rows = connection.execute(
            select(Product.external_id, Product.name).where(Product.tenant_id == tenant_id)
        ).fetchall()
    return pd.DataFrame.from_records(rows, columns=["product_id", "name"])


def read_item_line_stats(tenant_id: str) -> pd.DataFrame:
    """Per product sold: the highest unit price it sold at (``product_id``, ``max_price``)."""
    query = (
        select(OrderItem.product_id, func.max(OrderItem.unit_price))
        .where(OrderItem.tenant_id == tenant_id)
        .group_by(OrderItem.product_id)
    )
    with get_engine().connect() as connection:
        rows = connection.execute(query).fetchall()
    return pd.DataFrame.from_records(rows, columns=["product_id", "max_price"])
