"""One table reader for imports and dataset uploads: the same file is read the same way by both."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tendero.data.imports import import_file
from tendero.data.table import open_table
from tendero.store import commerce
from tendero.training.datasets import read_table

# Windows-1252, semicolons, decimal commas, a blank line, a ragged row, a typo in a number
SHOP = "product_id;name;price\nP1;Café molido;3,25\n\nP2;Té verde;2,10;sobra\nP3;Azúcar;abc\n" + "".join(
    f"P{i};Sal {i};0,55\n" for i in range(4, 16)
)


def test_an_import_and_a_dataset_read_the_same_file_the_same_way(tmp_path: Path, tenant):
    path = tmp_path / "tienda.csv"
    path.write_bytes(SHOP.encode("cp1252"))
    report = import_file(tenant.id, "products", path)
    loaded = read_table(path)
    assert (report.details["encoding"], report.details["delimiter"]) == (loaded.encoding, loaded.delimiter)
    assert (loaded.encoding, loaded.delimiter) == ("cp1252", ";")
    # the import numbers rows as the file shows them (header = row 1), the dataset from its first data row
    by_row = {r["row"]: r for r in report.rejections}
    assert set(by_row) == {4, 5}
    assert by_row[4]["reason"] == "unreadable CSV line: row has 4 fields, header has 3; row skipped"
    assert (by_row[5]["column"], by_row[5]["value"], by_row[5]["reason"]) == ("price", "abc", "not a number")
    ragged = [i for i in loaded.report.issues if i.code == "row.fields"]
    assert [(i.row, i.message) for i in ragged] == [(3, by_row[4]["reason"])]
    typo = [i for i in loaded.report.issues if i.column == "price"]
    assert [(i.row, i.value) for i in typo] == [(4, "abc")]
    assert loaded.frame["price"].tolist()[:1] == [3.25] and loaded.frame["name"].tolist()[0] == "Café molido"
    stored = commerce.read_products(tenant.id).set_index("product_id")
    assert stored.loc["P1", "price"] == 3.25 and stored.loc["P15", "price"] == 0.55 and len(stored) == 13


def test_row_numbers_stay_exact_after_blank_lines_ragged_rows_and_quoted_newlines(tmp_path: Path, tenant):
    text = (
        'product_id,name,price\n'
        'P1,"Pan\nde molde",1.5\n'     # row 2: one record over two lines
        '\n'                           # row 3: blank
        'P2,Leche,1.5,extra\n'         # row 4: ragged
        'P3,Sal,-1\n'                  # row 5: out of range
    )  # fmt: skip
    path = tmp_path / "p.csv"
    path.write_text(text)
    report = import_file(tenant.id, "products", path)
    assert [(r["row"], r["column"]) for r in report.rejections] == [(4, None), (5, "price")]
    assert report.counts["inserted"] == 1
    assert commerce.read_products(tenant.id).set_index("product_id").loc["P1", "name"] == "Pan\nde molde"


def test_both_read_every_format_excel_and_json_arrays_included(tmp_path: Path, tenant):
    frame = pd.DataFrame({"product_id": ["X1", "X2"], "name": ["Té", "Agua"], "price": [2.5, 0.6]})
    frame.to_excel(tmp_path / "p.xlsx", index=False)
    (tmp_path / "p.json").write_text(json.dumps(frame.to_dict("records")))
    for name in ("p.xlsx", "p.json"):
        report = import_file(tenant.id, "products", tmp_path / name)
        assert report.counts["rejected"] == 0, report.rejections
        loaded = read_table(tmp_path / name)
        assert loaded.frame["price"].tolist() == [2.5, 0.6] and loaded.format == name.split(".")[1]
    assert commerce.count_rows(tenant.id)["products"] == 2


def test_a_header_with_a_repeated_or_missing_name(tmp_path: Path):
    path = tmp_path / "h.csv"
    path.write_text("a,b,\n1,2,3\n")
    table = open_table(path)
    assert table.layout.columns == ["a", "b", "column_3"]
    assert table.issues[0].message == "column 3 has no name; it is called column_3"
    path.write_text("a,b,a\n1,2,3\n")
    try:
        open_table(path)
    except ValueError as error:
        assert "column name 'a' appears twice (columns 1 and 3)" in str(error)
    else:
        raise AssertionError("a repeated column name was accepted")


def test_a_json_file_holding_its_rows_in_one_list_or_being_one_row(tmp_path: Path):
    rows = [{"x": 1, "y": "a"}, {"x": 2, "y": "b"}]
    (tmp_path / "wrapped.json").write_text(json.dumps({"rows": rows, "exported": "2024-01-01"}))
    (tmp_path / "one.json").write_text(json.dumps(rows[0]))
    assert read_table(tmp_path / "wrapped.json").frame["y"].tolist() == ["a", "b"]
    assert read_table(tmp_path / "one.json").frame["x"].tolist() == [1]
