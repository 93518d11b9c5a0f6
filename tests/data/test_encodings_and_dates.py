"""Mixed encodings are refused naming the line, never silently corrupted; dates out of range say why."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tendero.data.imports import import_file
from tendero.data.issues import TableRejected
from tendero.store import commerce
from tendero.training.datasets import DatasetError, read_table

HEADER = "customer_id,name,email\n"


def _write(tmp_path: Path, name: str, parts: list[bytes]) -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join(parts))
    return path


def test_windows_1252_then_utf8_is_refused_naming_the_line_and_nothing_is_corrupted(tmp_path, tenant):
    """The issue's file: Excel's Windows-1252 rows, then rows appended in UTF-8 (José became JosÃ©)."""
    path = _write(tmp_path, "clientes.csv", [
        HEADER.encode(), "C1,Begoña,b@x.es\n".encode("cp1252"), b"C2,Ana,a@x.es\n",
        "C3,José,j@x.es\n".encode(),
    ])  # fmt: skip
    with pytest.raises(TableRejected, match=r"line 4 \(byte \d+\) is UTF-8 text \('C3,José,j@x.es'\)") as refused:
        import_file(tenant.id, "customers", path)
    assert "Windows-1252" in str(refused.value) and "línea 4" in refused.value.rendered("es")
    assert commerce.count_rows(tenant.id)["customers"] == 0
    with pytest.raises(DatasetError, match="line 4"):
        read_table(path)


def test_utf8_then_windows_1252_is_refused_naming_the_line_and_byte(tmp_path, tenant):
    head = HEADER.encode() + "C1,José,j@x.es\n".encode()
    path = _write(tmp_path, "clientes.csv", [head, "C2,Begoña,b@x.es\n".encode("cp1252")])
    byte = len(head) + len("C2,Bego")
    with pytest.raises(TableRejected, match=rf"not valid utf-8 text after byte {byte} \(line 3\)"):
        import_file(tenant.id, "customers", path)
    with pytest.raises(DatasetError, match=r"line 3"):
        read_table(path)


def test_accents_are_kept_exactly_in_each_encoding(tmp_path, tenant):
    names = ["José", "Begoña", "Ñandú €"]
    text = HEADER + "".join(f"C{i},{name},c{i}@x.es\n" for i, name in enumerate(names))
    for encoding in ("utf-8", "utf-8-sig", "cp1252", "utf-16"):
        path = _write(tmp_path, f"c-{encoding}.csv", [text.encode(encoding)])
        import_file(tenant.id, "customers", path)
        stored = commerce.read_customers(tenant.id).set_index("customer_id")["name"]
        assert [stored[f"C{i}"] for i in range(3)] == names, encoding
        assert read_table(path).frame["name"].tolist() == names


def test_a_windows_1252_file_whose_accents_come_late_is_read_as_windows_1252(tmp_path, tenant):
    """The first 256 KiB are plain ASCII (valid in both): the first accent decides, and nothing is refused."""
    rows = "".join(f"P{i},Pan {i},1.5\n" for i in range(20_000))
    late = "P-ultimo,Café,3.2\n".encode("cp1252")
    path = _write(tmp_path, "p.csv", [b"product_id,name,price\n", rows.encode(), late])
    assert path.stat().st_size > 256 * 1024
    report = import_file(tenant.id, "products", path)
    assert report.details["encoding"] == "cp1252" and report.counts["inserted"] == 20_001
    assert commerce.read_products(tenant.id).set_index("product_id").loc["P-ultimo", "name"] == "Café"


LINES = "order_id,ordered_at,product_id,quantity,unit_price\n"


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("2999-01-01", "date is in the future"),
        ("2263-06-01", "date is in the future"),
        ("0001-01-01", "date out of range: year 1 is before 1900"),
        ("1850-06-01 10:00", "date out of range: year 1850 is before 1900"),
        ("9999-12-31", "date out of range: year 9999 is a placeholder for 'no date', not a date; leave the cell empty"),
        ("31/12/9999", "date out of range: year 9999 is a placeholder for 'no date', not a date; leave the cell empty"),
        ("2024-02-30", "unparseable date"),
        ("ayer", "unparseable date"),
    ],
)
def test_dates_out_of_range_say_why(tmp_path, tenant, date, reason):
    path = tmp_path / "lines.csv"
    path.write_text(LINES + f"A1,2024-03-01,P1,1,2.5\nA2,{date},P1,1,2.5\n")
    report = import_file(tenant.id, "order_lines", path)
    assert report.counts["inserted"] == 1
    assert report.rejections == [{"row": 3, "column": "ordered_at", "value": date, "reason": reason}]


def test_import_reasons_follow_the_requested_language(client, tenant):
    rows = [{"order_id": "A1", "ordered_at": "2999-01-01", "product_id": "P1", "quantity": 1, "unit_price": 2}]
    es, en = {**tenant.headers(), "Accept-Language": "es"}, {**tenant.headers(), "Accept-Language": "en"}
    spanish = client.post("/v1/data/order_lines", json={"rows": rows}, headers=es)
    assert spanish.json()["rejections"][0]["reason"] == "la fecha está en el futuro"
    english = client.get(f"/v1/data/imports/{spanish.json()['id']}", headers=en)
    assert english.json()["rejections"][0]["reason"] == "date is in the future"


def test_dataset_dates_out_of_range_are_set_missing_with_the_reason(tmp_path):
    days = [f"2024-01-{d:02d}" for d in range(1, 29)]
    frame = pd.DataFrame({"fecha": [*days, "9999-12-31", "0001-01-01"], "y": range(30)})
    loaded = read_table(frame.to_csv(index=False).encode(), "fechas.csv")
    assert pd.api.types.is_datetime64_any_dtype(loaded.frame["fecha"])
    assert loaded.frame["fecha"].isna().sum() == 2
    messages = {(i.row, i.message) for i in loaded.report.issues}
    assert (29, "date out of range (year 9999; dates go from 1900 to 2262); set missing") in messages
    assert (30, "date out of range (year 1; dates go from 1900 to 2262); set missing") in messages
