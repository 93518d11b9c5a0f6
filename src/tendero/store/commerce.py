"""Reading a tenant's commerce tables as data frames (bulk Core queries, no ORM objects per row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Select, bindparam, func, select

from tendero.store.db import get_engine
from tendero.store.tables import Customer, Interaction, Order, OrderItem, Product

ORDER_LINE_COLUMNS = [
    "order_id", "customer_id", "ordered_at", "store", "status", "product_id",
    "category", "quantity", "unit_price", "discount", "revenue",
]  # fmt: skip


def _frame(query: Select, columns: list[str]) -> pd.DataFrame:
    with get_engine().connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame.from_records(rows, columns=columns)


def _naive_utc(series: pd.Series) -> pd.Series:
    values = pd.to_datetime(series, utc=True)
    return values.dt.tz_convert("UTC").dt.tz_localize(None)


def read_order_lines(tenant_id: str) -> pd.DataFrame:
    query = (
        select(
            Order.external_id,
            Order.customer_id,
            Order.ordered_at,
            Order.store,
            Order.status,
            OrderItem.product_id,
            Product.category,
            OrderItem.quantity,
            OrderItem.unit_price,
            OrderItem.discount,
        )
        .join(OrderItem, (OrderItem.tenant_id == Order.tenant_id) & (OrderItem.order_id == Order.external_id))
        .outerjoin(
            Product,
            (Product.tenant_id == OrderItem.tenant_id) & (Product.external_id == OrderItem.product_id),
        )
        .where(Order.tenant_id == tenant_id)
        .order_by(Order.ordered_at, Order.external_id)
    )
    frame = _frame(query, ORDER_LINE_COLUMNS[:-1])
    frame["ordered_at"] = _naive_utc(frame["ordered_at"])
    for column in ("quantity", "unit_price", "discount"):
        frame[column] = frame[column].astype(float)
    frame["revenue"] = frame["quantity"] * frame["unit_price"] - frame["discount"].fillna(0.0)
    return frame


def read_products(tenant_id: str) -> pd.DataFrame:
    query = select(
        Product.external_id, Product.name, Product.description, Product.category, Product.brand,
        Product.price, Product.cost, Product.active,
    ).where(Product.tenant_id == tenant_id)  # fmt: skip
    columns = ["product_id", "name", "description", "category", "brand", "price", "cost", "active"]
    return _frame(query, columns)


def read_customers(tenant_id: str) -> pd.DataFrame:
    query = select(Customer.external_id, Customer.name, Customer.email, Customer.created_at).where(
        Customer.tenant_id == tenant_id
    )
    frame = _frame(query, ["customer_id", "name", "email", "created_at"])
    frame["created_at"] = _naive_utc(frame["created_at"])
    return frame


def read_interactions(tenant_id: str) -> pd.DataFrame:
    query = select(
        Interaction.user_id, Interaction.item_id, Interaction.kind, Interaction.value, Interaction.at
    ).where(Interaction.tenant_id == tenant_id)
    frame = _frame(query, ["user_id", "item_id", "kind", "value", "at"])
    frame["at"] = _naive_utc(frame["at"])
    return frame


# --- writing: upsert by external id, in bulk ---

ENTITY_TABLES = {
    "customers": (Customer, ("external_id",)),
    "products": (Product, ("external_id",)),
    "orders": (Order, ("external_id",)),
    "order_items": (OrderItem, ("order_id", "product_id")),
    "interactions": (Interaction, ("user_id", "item_id", "kind", "at")),
}


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def _comparable(value: Any) -> Any:
    if isinstance(value, datetime):
        return (
            value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
        )
    if isinstance(value, float) and value != value:
        return None
    return value


def upsert_rows(
    connection: Connection, entity: str, tenant_id: str, rows: list[dict[str, Any]]
) -> UpsertCounts:
    """Insert new rows and update changed ones, matched by the entity's external key; same rows change nothing.

    Runs on the caller's connection so that the caller decides the transaction (all or nothing).
    """
    table_class, key_columns = ENTITY_TABLES[entity]
    table = table_class.__table__
    counts = UpsertCounts()
    if not rows:
        return counts
    value_columns = [c for c in rows[0] if c not in key_columns]
    key_of = (
        (lambda r: r[key_columns[0]])
        if len(key_columns) == 1
        else (lambda r: tuple(_comparable(r[c]) for c in key_columns))
    )
    existing: dict[Any, Any] = {}
    if len(key_columns) == 1:
        column = table.c[key_columns[0]]
        keys = [r[key_columns[0]] for r in rows]
        for start in range(0, len(keys), 5000):
            chunk = keys[start : start + 5000]
            query = select(table.c.id, column, *[table.c[c] for c in value_columns]).where(
                table.c.tenant_id == tenant_id, column.in_(chunk)
            )
            for found in connection.execute(query):
                existing[found[1]] = found
    else:
        first = table.c[key_columns[0]]
        firsts = sorted({r[key_columns[0]] for r in rows})
        for start in range(0, len(firsts), 5000):
            chunk = firsts[start : start + 5000]
            query = select(
                table.c.id, *[table.c[c] for c in key_columns], *[table.c[c] for c in value_columns]
            ).where(table.c.tenant_id == tenant_id, first.in_(chunk))
            for found in connection.execute(query):
                key = tuple(_comparable(v) for v in found[1 : 1 + len(key_columns)])
                existing[key] = (found[0], *found[1 + len(key_columns) :])
    inserts, updates = [], []
    offset = 1 if len(key_columns) == 1 else 0
    for row in rows:
        current = existing.get(key_of(row))
        if current is None:
            inserts.append({"tenant_id": tenant_id, **row})
            continue
        stored = current[1 + offset :] if offset else current[1:]
        if all(_comparable(a) == _comparable(row[c]) for a, c in zip(stored, value_columns, strict=True)):
            counts.unchanged += 1
        else:
            updates.append({"_id": current[0], **{c: row[c] for c in value_columns}})
    if inserts:
        connection.execute(table.insert(), inserts)
        counts.inserted = len(inserts)
    if updates:
        statement = (
            table.update()
            .where(table.c.id == bindparam("_id"))
            .values({c: bindparam(c) for c in value_columns})
        )
        connection.execute(statement, updates)
        counts.updated = len(updates)
    return counts


def known_ids(connection: Connection, entity: str, tenant_id: str) -> set[str]:
    """External ids already stored for an entity (to check references such as order → customer)."""
    table_class, key_columns = ENTITY_TABLES[entity]
    column = table_class.__table__.c[key_columns[0]]
    return set(
        connection.execute(select(column).where(table_class.__table__.c.tenant_id == tenant_id)).scalars()
    )


def count_rows(tenant_id: str) -> dict[str, int]:
    with get_engine().connect() as connection:
        return {
            entity: int(
                connection.execute(
                    select(func.count())
                    .select_from(cls.__table__)
                    .where(cls.__table__.c.tenant_id == tenant_id)
                ).scalar_one()
            )
            for entity, (cls, _) in ENTITY_TABLES.items()
        }
