"""Reading uploaded files, typing columns, inferring the schema and checking the task."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from tendero.training.datasets import DatasetError, infer_schema, read_table, validate_task


def test_semicolon_cp1252_csv_with_decimal_commas_is_detected_and_typed() -> None:
    text = "producto;precio;fecha;activo\nCafé molido;3,50;2024-01-05;sí\nTé verde;2,25;2024-01-06;no\n"
    loaded = read_table(text.encode("cp1252"), "precios.csv")
    assert loaded.delimiter == ";"
    assert loaded.encoding == "cp1252"
    frame = loaded.frame
    assert frame["producto"].tolist() == ["Café molido", "Té verde"]
    assert frame["precio"].tolist() == [3.5, 2.25]
    assert pd.api.types.is_datetime64_any_dtype(frame["fecha"])
    assert frame["activo"].tolist() == ["sí", "no"]  # the shop's words, not booleans


def test_ragged_row_is_reported_with_its_row_and_the_rest_kept() -> None:
    text = "a,b,c\n1,2,3\n4,5\n7,8,9\n"
    loaded = read_table(text.encode(), "x.csv")
    assert loaded.frame["a"].tolist() == [1, 7]
    assert loaded.report.rows_read == 3
    assert loaded.report.rows_kept == 2
    [issue] = loaded.report.issues
    assert issue.row == 2
    assert "2 fields" in issue.message


def test_unparseable_cell_in_numeric_column_is_reported_and_set_missing() -> None:
    rows = "\n".join(f"{i},{i * 1.5}" for i in range(20))
    text = "id,amount\n" + rows + "\n20,abc\n"
    loaded = read_table(text.encode(), "x.csv")
    assert pd.api.types.is_float_dtype(loaded.frame["amount"])
    assert pd.isna(loaded.frame["amount"].iloc[20])
    [issue] = loaded.report.issues
    assert (issue.row, issue.column, issue.value) == (21, "amount", "abc")


def test_json_list_json_lines_and_parquet_read_to_the_same_frame() -> None:
    records = [{"x": 1.5, "y": "a"}, {"x": 2.5, "y": "b"}]
    as_json = read_table(json.dumps(records).encode(), "d.json").frame
    as_lines = read_table("\n".join(json.dumps(r) for r in records).encode(), "d.jsonl").frame
    buffer = io.BytesIO()
    pd.DataFrame(records).to_parquet(buffer)
    as_parquet = read_table(buffer.getvalue(), "d.parquet")
    assert as_parquet.format == "parquet"
    for frame in (as_json, as_lines, as_parquet.frame):
        assert frame["x"].tolist() == [1.5, 2.5]
        assert frame["y"].tolist() == ["a", "b"]


def test_bad_json_line_is_reported_by_line_number() -> None:
    text = '{"x": 1}\n{"x": 2\n{"x": 3}\n'
    loaded = read_table(text.encode(), "d.jsonl")
    assert loaded.frame["x"].tolist() == [1, 3]
    assert loaded.report.issues[0].row == 2


@pytest.mark.parametrize(
    ("payload", "message"),
    [(b"", "empty"), (b"a,a\n1,2\n", "header"), (b"{not json", "JSON")],
)
def test_unusable_files_raise_a_clear_error(payload: bytes, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        read_table(payload, "d.json" if payload.startswith(b"{") else "d.csv")


def test_schema_names_types_cardinality_and_missing_share() -> None:
    frame = pd.DataFrame(
        {
            "amount": [1.0, 2.0, None, 4.0],
            "city": ["Madrid", "Lima", "Madrid", None],
            "review": [
                "llegó tarde y la caja rota",
                "muy buen producto, lo recomiendo",
                "no funciona como esperaba",
                "perfecto para regalar a mi madre",
            ],
            "when": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
            "vip": [True, False, True, False],
        }
    )
    schema = infer_schema(frame)
    types = {column.name: column.type for column in schema.columns}
    assert types == {
        "amount": "numeric",
        "city": "categorical",
        "review": "text",
        "when": "datetime",
        "vip": "boolean",
    }
    city = schema.column("city")
    assert city.cardinality == 2
    assert city.missing_share == 0.25
    assert city.categories == ["Lima", "Madrid"]


def test_task_validation_defaults_features_and_rejects_mismatches() -> None:
    frame = pd.DataFrame({"a": [1, 2, 3, 4], "b": ["x", "y", "x", "y"], "label": ["s", "t", "s", "t"]})
    spec = validate_task(frame, "classification", "label")
    assert spec.features == ["a", "b"]
    with pytest.raises(DatasetError, match="target column not found") as missing:
        validate_task(frame, "classification", "nope")
    assert missing.value.issues[0].column == "nope"
    with pytest.raises(DatasetError, match="numeric target"):
        validate_task(frame, "regression", "label")
    with pytest.raises(DatasetError, match="no target"):
        validate_task(frame, "clustering", "label")
    with pytest.raises(DatasetError, match="feature column not found"):
        validate_task(frame, "classification", "label", ["a", "zzz"])
    with pytest.raises(DatasetError, match="2 classes"):
        validate_task(frame.assign(label="s"), "classification", "label")
