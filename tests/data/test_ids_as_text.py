"""Ids are text exactly as the shop wrote them, in every format, less the ``.0`` a float writer adds."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from support import shared_data
from tendero.data.imports import import_file, import_records, import_sql
from tendero.store import commerce

# a customer column with blanks (the guest lines), ids with leading zeros and letters, and a
# whole-number id as a float writer prints it
LINES = "\n".join([
    "order_id,ordered_at,product_id,quantity,unit_price,customer_id",
    "1001,2024-03-01 10:00,00123,2,1.80,00042",
    "1002,2024-03-01 11:00,A-7,1,2.00,",
    "1003,2024-03-02 12:00,7.50,1,2.00,12536.0",
    "1004,2024-03-02 12:30,0042,1,2.00,ES-0007",
    "1005,2024-03-03 09:00,00123,1,1.80,00042.0",
])  # fmt: skip


def _ids(tenant_id: str) -> tuple[set[str], set[str]]:
    lines = commerce.read_order_lines(tenant_id)
    return set(lines["customer_id"].dropna()), set(lines["product_id"])


def test_csv_ids_keep_leading_zeros_letters_and_lose_only_the_float_writers_dot_zero(tmp_path, tenant):
    path = tmp_path / "ventas.csv"
    path.write_text(LINES)
    report = import_file(tenant.id, "order_lines", path)
    assert report.counts["rejected"] == 0
    customers, products = _ids(tenant.id)
    # 00042.0 was not written by a float writer (it never pads): kept as written
    assert customers == {"00042", "12536", "ES-0007", "00042.0"}
    assert products == {"00123", "A-7", "7.50", "0042"}
    orders = set(commerce.read_order_lines(tenant.id)["order_id"])
    assert orders == {"1001", "1002", "1003", "1004", "1005"}


def test_parquet_excel_and_json_numbers_as_ids_read_as_whole_numbers(tmp_path, tenant):
    frame = pd.DataFrame({
        "order_id": ["1", "2", "3"],
        "ordered_at": ["2024-03-01", "2024-03-02", "2024-03-03"],
        "product_id": ["00123", "00123", "B2"],
        "quantity": [1, 2, 3],
        "unit_price": [1.0, 1.0, 2.0],
        "customer_id": [12536.0, None, 14646.0],  # floats because of the blank, as pandas keeps them
    })  # fmt: skip
    frame.to_parquet(tmp_path / "v.parquet")
    frame.to_excel(tmp_path / "v.xlsx", index=False)
    for name in ("v.parquet", "v.xlsx"):
        report = import_file(tenant.id, "order_lines", tmp_path / name)
        assert report.counts["rejected"] == 0, name
        assert _ids(tenant.id) == ({"12536", "14646"}, {"00123", "B2"}), name
    rows = [{"order_id": 9, "ordered_at": "2024-03-04", "product_id": "00123", "quantity": 1, "unit_price": 1,
             "customer_id": 14646.0}]  # fmt: skip
    assert import_records(tenant.id, "order_lines", rows).counts["rejected"] == 0
    assert "9" in set(commerce.read_order_lines(tenant.id)["order_id"])
    assert _ids(tenant.id)[0] == {"12536", "14646"}


def test_a_sql_integer_column_with_nulls_gives_whole_number_ids(tmp_path, tenant):
    source = tmp_path / "shop.db"
    with sqlite3.connect(source) as connection:
        connection.execute("create table lineas (ticket integer, fecha text, sku text, qty real, pvp real, cli int)")
        connection.executemany(
            "insert into lineas values (?, ?, ?, ?, ?, ?)",
            [(1, "2024-03-01", "007", 1, 1.5, 12536), (2, "2024-03-01", "007", 1, 1.5, None)],
        )
    report = import_sql(tenant.id, "order_lines", f"sqlite:///{source}", "select * from lineas",
                        mapping={"ticket": "order_id", "sku": "product_id", "qty": "quantity", "pvp": "unit_price",
                                 "cli": "customer_id"})  # fmt: skip
    assert report.counts["rejected"] == 0
    assert _ids(tenant.id) == ({"12536"}, {"007"})


@pytest.mark.slow
def test_online_retail_ii_customer_ids_read_as_the_shop_numbers_them(tenant):
    """The subset's Customer ID column has blanks, so its writer printed ``12417.0``: read ``12417``."""
    path = shared_data("customers/online_retail_II_subset.csv")
    import_file(tenant.id, "order_lines", path, returns="keep")
    customers = set(commerce.read_order_lines(tenant.id)["customer_id"].dropna())
    assert len(customers) == 262
    assert "14646" in customers and not any(c.endswith(".0") for c in customers)
