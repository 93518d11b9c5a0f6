"""Reading a tenant's commerce tables as data frames (bulk Core queries, no ORM objects per row)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import JSON, Boolean, Connection, Select, func, select

from tendero.store.db import get_engine
from tendero.store.tables import Customer, Interaction, Order, OrderItem, Product, UTCDateTime, table_of

ORDER_LINE_COLUMNS = [
    "order_id", "customer_id", "ordered_at", "store", "status", "product_id",
    "category", "quantity", "unit_price", "discount", "promotion", "revenue",
]  # fmt: skip


def _frame(query: Select, columns: list[str]) -> pd.DataFrame:
    """Rows straight from the driver: no per-row type processing, so a million lines load in seconds."""
    with get_engine().connect() as connection:
        compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        rows = connection.exec_driver_sql(str(compiled)).fetchall()
    return pd.DataFrame.from_records(rows, columns=columns)


def _naive_utc(series: pd.Series) -> pd.Series:
    """Driver datetimes (PostgreSQL) or SQLite's stored text, as naive UTC timestamps."""
    if (
        series.dtype == object
        and len(series)
        and isinstance(series.dropna().iloc[0] if series.notna().any() else None, str)
    ):
        values = pd.to_datetime(series, utc=True, format="ISO8601")
    else:
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
            OrderItem.promotion,
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
    frame = _frame(query, columns)
    frame["active"] = frame["active"].astype(bool)
    return frame


def read_customers(tenant_id: str) -> pd.DataFrame:
    query = select(Customer.external_id, Customer.name, Customer.email, Customer.created_at).where(
        Customer.tenant_id == tenant_id
    )
    frame = _frame(query, ["customer_id", "name", "email", "created_at"])
    frame["created_at"] = _naive_utc(frame["created_at"])
    return frame


def read_interactions(tenant_id: str) -> pd.DataFrame:
    query = select(Interaction.user_id, Interaction.item_id, Interaction.kind, Interaction.value, Interaction.at).where(
        Interaction.tenant_id == tenant_id
    )
    frame = _frame(query, ["user_id", "item_id", "kind", "value", "at"])
    frame["at"] = _naive_utc(frame["at"])
    return frame


# entity name -> its reader: the frames the model kinds train on, and the entities a dataset can be made of
READERS: dict[str, Callable[[str], pd.DataFrame]] = {
    "order_lines": read_order_lines,
    "products": read_products,
    "customers": read_customers,
    "interactions": read_interactions,
}


def read_user_interactions_since(tenant_id: str, user_id: str, since: datetime) -> pd.DataFrame:
    """One user's interactions after ``since`` (naive UTC), oldest first: what a recommender trained up to
    ``since`` has not seen. Served per request, so it reads one user's rows through the unique key's index."""
    query = (
        select(Interaction.item_id, Interaction.kind, Interaction.value, Interaction.at)
        .where(Interaction.tenant_id == tenant_id, Interaction.user_id == user_id, Interaction.at > since)
        .order_by(Interaction.at)
    )
    with get_engine().connect() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame.from_records(rows, columns=["item_id", "kind", "value", "at"])
    frame["at"] = _naive_utc(frame["at"]) if len(frame) else pd.Series([], dtype="datetime64[ns]")
    return frame


# --- writing: upsert by external id, in bulk ---

ENTITY_TABLES = {
    "customers": (Customer, ("external_id",)),
    "products": (Product, ("external_id",)),
    "orders": (Order, ("external_id",)),
    "order_items": (OrderItem, ("order_id", "product_id")),
    "interactions": (Interaction, ("user_id", "item_id", "kind", "at")),
}


INSERT_DEFAULTS: dict[str, Any] = {"attributes": {}, "active": True, "status": "completed", "discount": 0.0}


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def _naive_times(series: pd.Series) -> pd.Series:
    values = pd.to_datetime(series, utc=True)
    return values.dt.tz_localize(None)


def _db_column(series: pd.Series, column: Any, dialect: str) -> list[Any]:
    """A frame column as the driver wants it, converted in bulk (no per-row SQLAlchemy processing)."""
    if isinstance(column.type, UTCDateTime):
        times = _naive_times(series)
        if dialect == "sqlite":  # SQLAlchemy's SQLite DATETIME storage format, built in bulk
            stamps = np.datetime_as_string(times.to_numpy(dtype="datetime64[us]"), unit="us")
            text_values = np.char.replace(stamps.astype(str), "T", " ").astype(object)
            text_values[times.isna().to_numpy()] = None
            return text_values.tolist()
        aware = times.dt.tz_localize("UTC")
        return [None if value is pd.NaT else value.to_pydatetime() for value in aware]
    if isinstance(column.type, JSON):
        return [None if value is None else json.dumps(value, sort_keys=True) for value in series]
    if not series.hasnans:
        return series.tolist()
    return series.astype(object).where(series.notna(), None).tolist()


SQLITE_ROWS_PER_INSERT = 200  # well under SQLite's 32,766 bound parameters per statement for our tables


def _bulk(connection: Connection, sql: str, frame: pd.DataFrame, table: Any) -> None:
    dialect = connection.dialect.name
    columns = [_db_column(frame[name], table.c[name], dialect) for name in frame.columns]
    if dialect == "sqlite":
        rows = list(zip(*columns, strict=True))
        if sql.startswith("INSERT") and len(rows) >= SQLITE_ROWS_PER_INSERT:
            # many rows per statement: far fewer statement steps, each of which hands the GIL back and forth
            per = SQLITE_ROWS_PER_INSERT
            whole = len(rows) // per * per
            values = sql[sql.index("VALUES") + len("VALUES") :].strip()
            many = sql + (", " + values) * (per - 1)
            batches = [tuple(chain.from_iterable(rows[i : i + per])) for i in range(0, whole, per)]
            connection.exec_driver_sql(many, batches)
            rows = rows[whole:]
        if rows:
            connection.exec_driver_sql(sql, rows)
        return
    sql = sql.replace("?", "%s")
    if not sql.startswith("INSERT"):
        connection.exec_driver_sql(sql, list(zip(*columns, strict=True)))
        return
    # PostgreSQL: COPY the new rows in, inside the caller's transaction (far faster than INSERTs), as
    # COPY's text format built column by column (a Python call per row would cost more than the COPY)
    names = ", ".join(f'"{name}"' for name in frame.columns)
    table_name = sql.split()[2]
    fields = [_copy_field(frame[name], table.c[name]) for name in frame.columns]
    lines = fields[0]
    for field in fields[1:]:
        lines = lines + "\t" + field
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table_name} ({names}) FROM STDIN") as copy:
        for start in range(0, len(lines), 50_000):
            copy.write("\n".join(lines.iloc[start : start + 50_000].tolist()) + "\n")


def _copy_field(series: pd.Series, column: Any) -> pd.Series:
    """One column as PostgreSQL COPY text fields: escaped text, ``\\N`` for missing values."""
    series = series.reset_index(drop=True)
    missing = series.isna().to_numpy()
    if isinstance(column.type, UTCDateTime):
        times = _naive_times(series).to_numpy(dtype="datetime64[us]")
        text = pd.Series(np.datetime_as_string(times, unit="us"), dtype=object) + "+00"
    elif isinstance(column.type, JSON):
        dumped = [None if value is None else json.dumps(value, sort_keys=True) for value in series]
        text = pd.Series(dumped, dtype=object)
        missing = text.isna().to_numpy()
    elif isinstance(column.type, Boolean):
        flags = np.where(missing, False, series.to_numpy(dtype=object)).astype(bool)  # no pandas downcasting
        text = pd.Series(np.where(flags, "t", "f"), dtype=object)
    elif series.dtype.kind in "fiu":
        text = pd.Series([repr(float(v)) if series.dtype.kind == "f" else str(v) for v in series.fillna(0).tolist()],
                         dtype=object)  # fmt: skip
    else:
        text = series.astype(object).where(~missing, "").astype(str)
    if not isinstance(column.type, (UTCDateTime, Boolean)) and series.dtype.kind not in "fiu":
        text = (
            text.str.replace("\\", "\\\\", regex=False)
            .str.replace("\t", "\\t", regex=False)
            .str.replace("\n", "\\n", regex=False)
            .str.replace("\r", "\\r", regex=False)
        )
    text[missing] = "\\N"
    return text


def _same(new: pd.Series, old: pd.Series) -> np.ndarray:
    """Element-wise equality where two missing values are equal and JSON/datetimes compare by value."""
    if new.dtype.kind == "M" or old.dtype.kind == "M":
        new, old = _naive_times(new), _naive_times(old)
    elif new.dtype == object and any(isinstance(v, dict) for v in new.head(50)):
        new = new.map(lambda v: json.dumps(v, sort_keys=True) if v is not None else None)
        old = old.map(lambda v: json.dumps(v if not isinstance(v, str) else json.loads(v), sort_keys=True)
                      if v is not None else None)  # fmt: skip
    both_missing = new.isna().to_numpy() & old.isna().to_numpy()
    equal = new.to_numpy(dtype=object) == old.to_numpy(dtype=object)
    if new.dtype.kind in "fi" or old.dtype.kind in "fi":
        a = pd.to_numeric(new, errors="coerce").to_numpy(dtype=float)
        b = pd.to_numeric(old, errors="coerce").to_numpy(dtype=float)
        equal = np.isclose(a, b, rtol=1e-12, atol=1e-9, equal_nan=False)
    return np.asarray(equal, dtype=bool) | both_missing


def tenant_has_rows(connection: Connection, entity: str, tenant_id: str) -> bool:
    table = ENTITY_TABLES[entity][0].__table__
    return connection.execute(select(table.c.id).where(table.c.tenant_id == tenant_id).limit(1)).first() is not None


def upsert_rows(
    connection: Connection,
    entity: str,
    tenant_id: str,
    frame: pd.DataFrame,
    *,
    may_exist: set[Any] | None = None,
) -> UpsertCounts:
    """Insert new rows and update changed ones, matched by the entity's external key; same rows change nothing.

    ``frame`` has the table's column names. Runs on the caller's connection, which owns the transaction.
    ``may_exist``: the only first-key values that can already be stored (an import into an empty table
    knows what it wrote itself), so the others are inserted without being looked up; None: any may.
    """
    table_class, key_columns = ENTITY_TABLES[entity]
    table = table_of(table_class)
    counts = UpsertCounts()
    if frame.empty:
        return counts
    frame = frame.reset_index(drop=True)
    value_columns = [c for c in frame.columns if c not in key_columns]
    first = table.c[key_columns[0]]
    wanted = [table.c.id, *[table.c[c] for c in key_columns], *[table.c[c] for c in value_columns]]
    found: list[Any] = []
    firsts = frame[key_columns[0]].dropna().unique()
    if may_exist is not None:
        firsts = [value for value in firsts.tolist() if value in may_exist]
    elif not tenant_has_rows(connection, entity, tenant_id):
        firsts = []  # a first import: nothing to match against
    else:
        firsts = firsts.tolist()
    for start in range(0, len(firsts), 5000):
        query = select(*wanted).where(table.c.tenant_id == tenant_id, first.in_(firsts[start : start + 5000]))
        found.extend(connection.execute(query).all())
    changed = np.zeros(len(frame), dtype=bool)
    if found:
        existing = pd.DataFrame(found, columns=["__id", *key_columns, *[f"{c}__old" for c in value_columns]])
        for column in key_columns:
            if isinstance(table.c[column].type, UTCDateTime):
                existing[column] = _naive_times(existing[column])
                frame[column] = _naive_times(frame[column])
        merged = frame.merge(existing, on=list(key_columns), how="left")
        is_new = merged["__id"].isna().to_numpy()
        for column in value_columns:
            changed |= ~_same(merged[column], merged[f"{column}__old"])
        changed &= ~is_new
    else:  # nothing stored under these keys: every row is new
        merged, is_new = frame, np.ones(len(frame), dtype=bool)
    if is_new.any():
        inserts = merged.loc[is_new, [*key_columns, *value_columns]].assign(tenant_id=tenant_id)
        for name, default in INSERT_DEFAULTS.items():  # raw inserts skip the ORM's Python-side defaults
            if name in table.c and name not in inserts:
                inserts[name] = [default] * len(inserts)
            elif name in inserts:
                inserts[name] = inserts[name].where(inserts[name].notna(), default)
        names = ", ".join(f'"{c}"' for c in inserts.columns)
        _bulk(connection, f'INSERT INTO {table.name} ({names}) VALUES ({", ".join("?" * len(inserts.columns))})',
              inserts, table)  # fmt: skip
        counts.inserted = int(is_new.sum())
    if changed.any():
        updates = merged.loc[changed, value_columns].copy()
        updates["id"] = merged.loc[changed, "__id"].astype("int64")
        assignments = ", ".join(f'"{c}" = ?' for c in value_columns)
        _bulk(connection, f"UPDATE {table.name} SET {assignments} WHERE id = ?", updates, table)
        counts.updated = int(changed.sum())
    counts.unchanged = len(merged) - counts.inserted - counts.updated
    return counts


# A bulk import can grow a table many times over before autovacuum samples it again; until then
# PostgreSQL plans the next read (the order-lines join) for the old, tiny table: a nested loop that
# takes minutes instead of a hash join that takes a second.
ANALYZE_AFTER_ROWS = 1000


def refresh_statistics(connection: Connection, tables: set[str], rows_written: int) -> None:
    """ANALYZE ``tables`` on PostgreSQL after an import wrote ``rows_written`` rows (a no-op on SQLite,
    whose planner needs no statistics for our indexed reads)."""
    if connection.dialect.name != "postgresql" or rows_written < ANALYZE_AFTER_ROWS:
        return
    known = {table_of(cls).name for cls, _ in ENTITY_TABLES.values()}
    for name in sorted(tables & known):
        connection.exec_driver_sql(f"ANALYZE {name}")


def known_ids(connection: Connection, entity: str, tenant_id: str) -> set[str]:
    """External ids already stored for an entity (to check references such as order → customer)."""
    table_class, key_columns = ENTITY_TABLES[entity]
    column = table_of(table_class).c[key_columns[0]]
    return set(connection.execute(select(column).where(table_of(table_class).c.tenant_id == tenant_id)).scalars())


def count_rows(tenant_id: str) -> dict[str, int]:
    with get_engine().connect() as connection:
        return {
            entity: int(
                connection.execute(
                    select(func.count()).select_from(table_of(cls)).where(table_of(cls).c.tenant_id == tenant_id)
                ).scalar_one()
            )
            for entity, (cls, _) in ENTITY_TABLES.items()
        }
