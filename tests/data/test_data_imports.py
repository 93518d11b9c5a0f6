"""Imports: every rule with its reason, upsert semantics, dry runs, atomicity, formats, sources."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from tendero.data.imports import import_file, import_records, import_sql, run_import
from tendero.data.readers import FileRejected, read_chunks
from tendero.data.schema import ENTITIES
from tendero.store import commerce

PRODUCTS = "product_id,name,category,price\nP1,Pan de molde,Panadería,1.80\nP2,Leche,Lácteos,0.95\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_products_import_and_reimport_changes_nothing(tmp_path, tenant):
    path = write(tmp_path, "products.csv", PRODUCTS)
    first = import_file(tenant.id, "products", path)
    assert first.counts == {
        "rows_read": 2,
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "merged": 0,
        "rejected": 0,
    }
    again = import_file(tenant.id, "products", path)
    assert again.counts["unchanged"] == 2 and again.counts["inserted"] == 0
    changed = write(tmp_path, "products2.csv", PRODUCTS.replace("0.95", "1.05"))
    third = import_file(tenant.id, "products", changed)
    assert (third.counts["updated"], third.counts["unchanged"]) == (1, 1)
    stored = commerce.read_products(tenant.id).set_index("product_id")
    assert stored.loc["P2", "price"] == pytest.approx(1.05) and stored.loc["P1", "category"] == "Panadería"


def test_every_rejection_reason_names_row_column_and_value(tmp_path, tenant):
    import_file(tenant.id, "products", write(tmp_path, "p.csv", PRODUCTS))
    future = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d")
    lines = "\n".join([
        "order_id,ordered_at,product_id,quantity,unit_price,customer_id",
        "A1,2024-03-01 10:00,P1,2,1.80,C1",      # row 2: fine
        "A2,2024-03-01 10:00,P1,-1,1.80,C1",     # row 3: negative quantity
        "A3,not a date,P1,1,1.80,C2",            # row 4: unparseable date
        f"A4,{future},P1,1,1.80,C2",             # row 5: future date
        "A5,2024-03-02,,1,1.80,C2",              # row 6: missing product
        "A6,2024-03-02,P2,1,-3,C2",              # row 7: negative price
        "A7,2024-03-02,P2,abc,1,C2",             # row 8: not a number
        "A1,2024-03-01 10:00,P2,1,0.95,C9",      # row 9: same order, another customer
        "A8,2024-03-03,P2,0,0.95,C3",            # row 10: zero quantity
        "A9,2024-03-03,=HYPERLINK(\"x\"),1,0.95,C3",  # row 11: formula injection
    ])  # fmt: skip
    report = import_file(tenant.id, "order_lines", write(tmp_path, "lines.csv", lines))
    by_row = {r["row"]: r for r in report.rejections}
    assert report.counts["rows_read"] == 10 and report.counts["inserted"] == 1
    assert report.counts["rejected"] == 9 == len(report.rejections)
    assert by_row[3]["column"] == "quantity" and "negative quantity" in by_row[3]["reason"]
    assert by_row[4] == {
        "row": 4,
        "column": "ordered_at",
        "value": "not a date",
        "reason": "unparseable date",
    }
    assert "future" in by_row[5]["reason"]
    assert by_row[6]["reason"] == "missing required field product_id"
    assert by_row[7]["column"] == "unit_price" and "out of range" in by_row[7]["reason"]
    assert by_row[8]["reason"] == "not a number" and by_row[8]["value"] == "abc"
    assert by_row[9]["column"] == "customer_id" and "row 2" in by_row[9]["reason"]
    assert "must not be zero" in by_row[10]["reason"]
    assert "formula" in by_row[11]["reason"]


def test_unknown_references_and_duplicate_ids_are_rejected(tmp_path, tenant):
    import_file(tenant.id, "products", write(tmp_path, "p.csv", PRODUCTS))
    customers = "customer_id,name\nC1,Ana\nC2,Luis\nC1,Ana otra vez\n"
    report = import_file(tenant.id, "customers", write(tmp_path, "c.csv", customers))
    assert report.counts["inserted"] == 2
    assert report.rejections == [{"row": 4, "column": "customer_id", "value": "C1",
                                  "reason": "duplicate id in file (first at row 2)"}]  # fmt: skip
    orders = "order_id,customer_id,ordered_at\nO1,C1,2024-01-02\nO2,C404,2024-01-02\n"
    report = import_file(tenant.id, "orders", write(tmp_path, "o.csv", orders))
    assert report.rejections[0]["row"] == 3 and "unknown customer C404" in report.rejections[0]["reason"]
    items = "order_id,product_id,quantity,unit_price\nO1,P1,1,1.8\nO1,P404,1,1\nO404,P1,1,1\n"
    report = import_file(tenant.id, "order_items", write(tmp_path, "i.csv", items))
    reasons = [r["reason"] for r in report.rejections]
    assert report.counts["inserted"] == 1
    assert any("unknown product P404" in r for r in reasons) and any("unknown order O404" in r for r in reasons)


def test_dry_run_counts_but_writes_nothing(tmp_path, tenant):
    report = import_file(tenant.id, "products", write(tmp_path, "p.csv", PRODUCTS), dry_run=True)
    assert report.status == "validated" and report.counts["inserted"] == 2
    assert commerce.count_rows(tenant.id)["products"] == 0


def test_a_crash_halfway_commits_nothing(tmp_path, tenant):
    path = write(tmp_path, "p.csv", PRODUCTS)
    layout, chunks = read_chunks(path, ENTITIES["products"], {})

    def crashing():
        yield next(chunks)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        run_import(tenant.id, "products", (layout, crashing()), source="p.csv")
    assert commerce.count_rows(tenant.id)["products"] == 0


def test_mapping_aliases_attributes_and_decimal_commas(tmp_path, tenant):
    text = "Código;Producto;Precio;Color\nX1;Café molido;3,25;marrón\n"
    report = import_file(tenant.id, "products", write(tmp_path, "es.csv", text, "cp1252"),
                         mapping={"Código": "product_id", "Producto": "name", "Precio": "price"})  # fmt: skip
    assert report.details["encoding"] == "cp1252" and report.details["delimiter"] == ";"
    assert report.details["attribute_columns"] == ["Color"]
    stored = commerce.read_products(tenant.id).iloc[0]
    assert stored["name"] == "Café molido" and stored["price"] == pytest.approx(3.25)


def test_returns_kept_as_returned_orders_when_asked(tmp_path, tenant):
    lines = "order_id,ordered_at,product_id,quantity,unit_price\nC1,2024-01-05,P1,-2,1.5\nS1,2024-01-04,P1,3,1.5\n"
    report = import_file(tenant.id, "order_lines", write(tmp_path, "r.csv", lines), returns="keep")
    assert report.counts["inserted"] == 2 and report.counts["rejected"] == 0
    frame = commerce.read_order_lines(tenant.id).set_index("order_id")
    assert frame.loc["C1", "status"] == "returned" and frame.loc["C1", "revenue"] == pytest.approx(-3.0)
    assert frame["revenue"].sum() == pytest.approx(1.5)


def test_jsonl_parquet_and_excel_import_the_same(tmp_path, tenant):
    frame = pd.DataFrame({"product_id": ["J1", "J2"], "name": ["Té", "Agua"], "price": [2.5, 0.6]})
    (tmp_path / "p.jsonl").write_text("\n".join(json.dumps(r) for r in frame.to_dict("records")))
    frame.to_parquet(tmp_path / "p.parquet")
    frame.to_excel(tmp_path / "p.xlsx", index=False)
    formats = []
    for name in ("p.jsonl", "p.parquet", "p.xlsx"):
        report = import_file(tenant.id, "products", tmp_path / name)
        formats.append(report.details["format"])
        assert report.counts["rejected"] == 0
    assert formats == ["jsonl", "parquet", "xlsx"]
    assert commerce.count_rows(tenant.id)["products"] == 2


def test_json_batch_rows_are_numbered_from_one(tenant):
    rows = [{"customer_id": "C1", "name": "Ana"}, {"name": "sin id"}]
    report = import_records(tenant.id, "customers", rows)
    assert report.counts["inserted"] == 1
    assert report.rejections == [{"row": 2, "column": "customer_id", "value": None,
                                  "reason": "missing required field customer_id"}]  # fmt: skip


def test_sql_source_streams_a_query(tmp_path, tenant):
    source = tmp_path / "shop.db"
    with sqlite3.connect(source) as connection:
        connection.execute("create table articulos (sku text, titulo text, pvp real)")
        connection.executemany("insert into articulos values (?, ?, ?)", [("S1", "Sal", 0.5), ("S2", "Azúcar", 1.1)])
    report = import_sql(tenant.id, "products", f"sqlite:///{source}", "select sku, titulo, pvp from articulos",
                        mapping={"titulo": "name", "pvp": "price"})  # fmt: skip
    assert report.counts["inserted"] == 2 and report.details["format"] == "sql"
    assert commerce.read_products(tenant.id).set_index("product_id").loc["S2", "name"] == "Azúcar"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (bytes(range(256)) * 20, "not text"),
        (b"1,2024-01-01,P1\n2,2024-01-02,P2\n", "no header"),
        (b"nombre,precio\nx,1\n", "missing required columns"),
        (b"", "empty"),
        (b"PAR1garbage", "not a valid Parquet"),
        (b"PK\x03\x04garbage", "not a valid Excel"),
    ],
)
def test_malformed_files_are_refused_with_a_reason_and_write_nothing(tmp_path, tenant, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(FileRejected, match=message):
        import_file(tenant.id, "order_lines" if b"2024" in content else "products", path)
    assert sum(commerce.count_rows(tenant.id).values()) == 0


def test_unreadable_csv_lines_are_reported_not_dropped(tmp_path, tenant):
    text = "product_id,name,price\nP1,Pan,1\nP2,Leche,1,extra,fields\nP3,Sal,2\n"
    report = import_file(tenant.id, "products", write(tmp_path, "p.csv", text))
    assert report.counts["rows_read"] == 3 and report.counts["inserted"] == 2
    assert report.rejections[0]["row"] == 3 and "unreadable CSV line" in report.rejections[0]["reason"]


def test_utf16_and_bom_files_decode(tmp_path, tenant):
    import_file(tenant.id, "products", write(tmp_path, "a.csv", "\ufeff" + PRODUCTS))
    report = import_file(tenant.id, "products", write(tmp_path, "b.csv", PRODUCTS, "utf-16"))
    assert report.counts["unchanged"] == 2


def test_upload_names_are_never_paths(tmp_path, tenant):
    report = import_file(tenant.id, "products", write(tmp_path, "p.csv", PRODUCTS), filename="../../etc/passwd.csv")
    from tendero.store.imports import get_import

    assert get_import(tenant.id, report.id).source == "passwd.csv"


def test_a_first_import_in_small_chunks_matches_keys_written_by_earlier_chunks(tmp_path, tenant):
    """A first import skips lookups for keys it never wrote; keys from its own earlier chunks still merge."""
    text = (
        "order_id,ordered_at,customer_id,product_id,quantity,unit_price\n"
        "A1,2024-03-01 10:00,C1,P1,1,2.00\n"
        "A1,2024-03-01 10:00,C1,P2,2,3.00\n"
        "A2,2024-03-02 10:00,C2,P1,1,2.50\n"  # the next chunk: P1 again, at a new price
        "A1,2024-03-01 10:00,C1,P3,1,1.00\n"  # order A1 again, from a later chunk
        "A3,2024-03-03 10:00,C1,P2,4,3.00\n"
    )
    path = write(tmp_path, "lines.csv", text)
    report = run_import(tenant.id, "order_lines", read_chunks(path, ENTITIES["order_lines"], {}, chunk_rows=2),
                        source="lines.csv")  # fmt: skip
    assert report.counts["inserted"] == 5 and report.counts["rejected"] == 0, report
    assert report.details["tables"]["orders"]["inserted"] == 3
    assert report.details["tables"]["products"]["inserted"] == 3
    stored = commerce.count_rows(tenant.id)
    assert (stored["orders"], stored["order_items"], stored["products"], stored["customers"]) == (3, 5, 3, 2)
    assert commerce.read_products(tenant.id).set_index("product_id").loc["P1", "price"] == pytest.approx(2.50)
    again = run_import(tenant.id, "order_lines", read_chunks(path, ENTITIES["order_lines"], {}, chunk_rows=2),
                       source="lines.csv")  # fmt: skip
    assert (again.counts["inserted"], again.counts["unchanged"]) == (0, 5)


def test_read_ahead_keeps_order_raises_errors_in_place_and_stops_its_reader():
    import threading

    from tendero.data.imports import read_ahead

    def numbers():
        yield from range(5)
        raise ValueError("row 6: bad bytes")

    seen = []
    with pytest.raises(ValueError, match="row 6"):
        for value in read_ahead(numbers(), lambda n: n * 10):
            seen.append(value)
    assert seen == [0, 10, 20, 30, 40]
    endless = read_ahead(iter(range(10**9)), lambda n: n, depth=1)
    assert next(endless) == 0
    endless.close()  # the consumer stops early: the reader thread must end, not block on a full queue
    assert not any(thread.name == "tendero-import-reader" for thread in threading.enumerate())


def test_awkward_text_survives_the_bulk_write_exactly(tenant):
    """Tabs, newlines, backslashes, quotes and accents in values come back as they went in (COPY on PostgreSQL)."""
    names = ["Tab\there", "Two\nlines\r\n", "C:\\ruta\\N", 'Comillas "dobles", y coma', "Ñandú €", "\\N"]
    records = [{"product_id": f"Q{i}", "name": name, "price": 1.5 + i, "Color": "rojo\tvivo" if i == 0 else None}
               for i, name in enumerate(names)]  # fmt: skip
    report = import_records(tenant.id, "products", records)
    assert report.counts["inserted"] == len(names), report.rejections
    stored = commerce.read_products(tenant.id).set_index("product_id").sort_index()
    assert stored["name"].tolist() == [name.strip() for name in names]
    assert stored["price"].tolist() == pytest.approx([1.5 + i for i in range(len(names))])
    again = import_records(tenant.id, "products", records)
    assert again.counts["unchanged"] == len(names), again.counts


def test_the_import_writer_keeps_order_and_stops_at_the_first_error():
    from tendero.data.imports import SerialWriter

    writer = SerialWriter(depth=2)
    done: list[int] = []
    for n in range(5):
        writer.submit(lambda n=n: done.append(n))
    assert writer.call(lambda: len(done)) == 5 and done == [0, 1, 2, 3, 4]

    def fail() -> None:
        raise OSError("disk full")

    writer.submit(fail)
    with pytest.raises(OSError, match="disk full"):
        writer.drain()
    with pytest.raises(OSError, match="disk full"):
        writer.submit(lambda: done.append(99))
    writer.close(abandon=True)
    assert 99 not in done


def test_a_large_import_refreshes_postgresql_planner_statistics(tmp_path, tenant):
    """Without fresh statistics PostgreSQL plans the order-lines join for an empty table (minutes)."""
    import time

    from sqlalchemy import text

    from tendero.store.db import get_engine

    engine = get_engine()
    if engine.dialect.name != "postgresql":
        pytest.skip("planner statistics are a PostgreSQL matter (runs with TENDERO_TEST_DATABASE_URL)")
    import_file(tenant.id, "products", write(tmp_path, "p.csv", PRODUCTS))
    customers = "customer_id,name\n" + "".join(f"C{i},Cliente {i}\n" for i in range(50))
    import_file(tenant.id, "customers", write(tmp_path, "c.csv", customers))
    rows = commerce.ANALYZE_AFTER_ROWS + 200
    lines = ["order_id,ordered_at,product_id,quantity,unit_price,customer_id"]
    lines += [f"O{i},2024-03-01 10:00,P{1 + i % 2},1,2.5,C{i % 50}" for i in range(rows)]
    query = text(
        "SELECT relname FROM pg_stat_user_tables WHERE relname IN ('orders', 'order_items') AND last_analyze >= :since"
    )
    with engine.connect() as connection:
        since = connection.execute(text("SELECT now()")).scalar_one()
    report = import_file(tenant.id, "order_lines", write(tmp_path, "lines.csv", "\n".join(lines) + "\n"))
    assert report.counts["inserted"] == rows, (report.counts, report.rejections[:3])
    analysed: set[str] = set()
    for _ in range(50):  # the statistics views may lag the ANALYZE by a moment
        with engine.connect() as connection:
            analysed = set(connection.execute(query, {"since": since}).scalars())
        if analysed == {"orders", "order_items"}:
            break
        time.sleep(0.1)
    assert analysed == {"orders", "order_items"}


def test_a_file_whose_encoding_changes_after_the_sniffed_head_is_refused_whole(tmp_path, tenant):
    """Detected as UTF-8 from its first 256 KiB, then Windows-1252 bytes: a clear error naming where,
    and nothing of the file written (not the valid rows before it either)."""
    head = "product_id,name,category,price\n" + "".join(f"P{i},Pan {i},Panadería,1.5\n" for i in range(12_000))
    path = tmp_path / "mixed.csv"
    path.write_bytes(head.encode("utf-8") + "P999999,Café molido,Café,3.2\n".encode("cp1252"))
    assert len(head.encode("utf-8")) > 256 * 1024
    with pytest.raises(FileRejected, match=r"not valid utf-8 text after byte \d+"):
        import_file(tenant.id, "products", path)
    assert commerce.count_rows(tenant.id)["products"] == 0
