"""Streaming readers for uploaded files: CSV, JSON lines, Parquet and Excel, in chunks of string columns.

Each chunk carries ``__row__``, the row number a person sees in the file (the header is row 1), and
canonical column names after the caller's mapping and the entity's aliases. Problems with the file as
a whole raise ``FileRejected`` with a sentence that says what is wrong and what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tendero.data.schema import Entity
from tendero.data.validate import ROW, Rejection

CHUNK_ROWS = 100_000
SAMPLE_BYTES = 256 * 1024
FORMATS = ("csv", "jsonl", "parquet", "xlsx")


class FileRejected(Exception):
    """The file cannot be read at all; nothing was written."""


@dataclass
class FileLayout:
    """What the reader found out about a file, for the report."""

    format: str
    encoding: str | None = None
    delimiter: str | None = None
    columns: list[str] = field(default_factory=list)
    mapped: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    constants: dict[str, str] = field(default_factory=dict)
    unreadable_rows: list[Rejection] = field(default_factory=list)


def detect_format(filename: str, head: bytes) -> str:
    """From the content first (magic bytes), then the file name."""
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson") or (suffix == "json" and head.lstrip().startswith(b"{")):
        return "jsonl"
    if suffix in ("parquet", "xlsx"):
        raise FileRejected(f"the file is named .{suffix} but its content is not a valid {suffix} file")
    return "csv"


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 by BOM; otherwise Windows-1252, which Excel writes."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise FileRejected("the file is not text: it contains binary data (NUL bytes); upload CSV, JSON lines, "
                           "Parquet or Excel .xlsx")  # fmt: skip
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 4:  # a character cut by the end of the sample
            return "utf-8"
    text = sample.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > len(text) * 0.01 or text.count("\ufffd") > len(text) * 0.01:
        raise FileRejected("the file is not readable text in UTF-8 or Windows-1252; is it a binary file?")
    return "cp1252"


def normalise(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def resolve_columns(
    entity: Entity, columns: list[str], mapping: dict[str, str], constants: dict[str, str] | None = None
) -> FileLayout:
    """Map file columns to the entity's fields: explicit mapping, then exact/normalised names, then aliases.

    ``constants`` give a field one value for every row (``--set product_id=cd``).
    """
    layout = FileLayout(format="")
    layout.columns = list(columns)
    constants = dict(constants or {})
    unknown_constants = [name for name in constants if name not in entity.field_names]
    if unknown_constants:
        raise FileRejected(f"set fields {unknown_constants} are not fields of {entity.name}; "
                           f"fields are: {', '.join(entity.field_names)}")  # fmt: skip
    layout.constants = constants
    unknown_targets = [target for target in mapping.values() if target not in entity.field_names]
    if unknown_targets:
        raise FileRejected(f"mapping targets {unknown_targets} are not fields of {entity.name}; "
                           f"fields are: {', '.join(entity.field_names)}")  # fmt: skip
    missing_sources = [source for source in mapping if source not in columns]
    if missing_sources:
        raise FileRejected(f"mapped columns {missing_sources} are not in the file; its columns are: "
                           f"{', '.join(columns)}")  # fmt: skip
    by_field: dict[str, str] = {}
    for source, target in mapping.items():
        by_field[target] = source
    for column in columns:
        if column in mapping or column in constants:
            continue
        key = normalise(column)
        for spec in entity.fields:
            if spec.name in by_field:
                continue
            if key == spec.name or key in spec.aliases:
                by_field[spec.name] = column
                break
    layout.mapped = {column: name for name, column in by_field.items()}
    leftover = [c for c in columns if c not in layout.mapped]
    if entity.keeps_extra_as_attributes:
        layout.extra = leftover
    else:
        layout.ignored = leftover
    provided = set(by_field) | set(constants)
    missing = [f.name for f in entity.fields if f.required and f.name not in provided]
    missing += [" or ".join(group) for group in entity.one_of if not provided & set(group)]
    if missing:
        looks_like_data = sum(_looks_like_value(c) for c in columns) >= max(1, len(columns) // 2)
        if looks_like_data:
            raise FileRejected(
                f"the file has no header row: its first row ({', '.join(columns[:6])}) looks like data; "
                f"add a header naming the columns ({', '.join(entity.field_names)})"
            )
        raise FileRejected(
            f"missing required columns for {entity.name}: {', '.join(missing)}; the file has "
            f"{', '.join(columns) or 'no columns'}; map yours with --map your_column=field"
        )
    return layout


def _looks_like_value(text: str) -> bool:
    text = str(text).strip()
    if not text:
        return False
    if re.fullmatch(r"-?\d+([.,]\d+)?", text):
        return True
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}.*|\d{1,2}/\d{1,2}/\d{2,4}.*", text))


def canonical_chunk(frame: pd.DataFrame, layout: FileLayout, first_row: int) -> pd.DataFrame:
    rows = frame[ROW].to_numpy() if ROW in frame else range(first_row, first_row + len(frame))
    out = frame.rename(columns=layout.mapped)
    out = out[[*layout.mapped.values(), *layout.extra]].copy()
    for name, value in layout.constants.items():
        out[name] = value
    if layout.extra:
        out = out.rename(columns={c: f"attr:{c}" for c in layout.extra})
    out.insert(0, ROW, rows)
    return out


def read_chunks(
    path: Path,
    entity: Entity,
    mapping: dict[str, str],
    filename: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    constants: dict[str, str] | None = None,
) -> tuple[FileLayout, Iterator[pd.DataFrame]]:
    """Open a file and return its layout and an iterator of canonical string chunks."""
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head.strip():
        raise FileRejected("the file is empty")
    fmt = detect_format(filename or path.name, head)
    reader = {"csv": _csv, "jsonl": _jsonl, "parquet": _parquet, "xlsx": _xlsx}[fmt]
    return reader(path, head, entity, mapping, chunk_rows, constants or {})


def _csv(
    path: Path,
    head: bytes,
    entity: Entity,
    mapping: dict[str, str],
    chunk_rows: int,
    constants: dict[str, str],
):  # type: ignore[no-untyped-def]
    encoding = detect_encoding(head)
    text = head.decode(encoding, errors="ignore")
    first_lines = "\n".join(text.splitlines()[:20])
    first_line = first_lines.split("\n", 1)[0]
    if not any(mark in first_line for mark in ",;\t|") and len(first_line.split()) > 1:
        delimiter = r"\s+"  # columns separated by runs of spaces (e.g. CDNOW)
        header_line = first_line.split()
    else:
        try:
            delimiter = csv.Sniffer().sniff(first_lines, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
        header_line = next(csv.reader(io.StringIO(first_lines), delimiter=delimiter), [])
    layout = resolve_columns(entity, [c.strip() for c in header_line], mapping, constants)
    layout.format, layout.encoding, layout.delimiter = "csv", encoding, delimiter

    def chunks() -> Iterator[pd.DataFrame]:
        row = 2
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            reader = pd.read_csv(
                path, sep=delimiter, encoding=encoding, dtype=str, keep_default_na=False, chunksize=chunk_rows,
                on_bad_lines="warn", skipinitialspace=False, encoding_errors="strict",
            )  # fmt: skip
            try:
                for frame in reader:
                    frame.columns = [str(c).strip() for c in frame.columns]
                    for warning in caught:
                        layout.unreadable_rows.extend(_bad_lines(str(warning.message)))
                    caught.clear()
                    out = canonical_chunk(frame, layout, row)
                    row += len(frame)
                    yield out
            except UnicodeDecodeError as error:
                raise FileRejected(f"the file is not valid {encoding} text after byte {error.start}") from error
            except pd.errors.ParserError as error:
                raise FileRejected(f"the CSV cannot be parsed: {error}") from error
            for warning in caught:
                layout.unreadable_rows.extend(_bad_lines(str(warning.message)))

    return layout, chunks()


def _bad_lines(message: str) -> list[Rejection]:
    found = re.findall(r"Skipping line (\d+): (.*)", message)
    return [Rejection(int(line), None, None, f"unreadable CSV line: {why.strip()}") for line, why in found]


def _jsonl(
    path: Path,
    head: bytes,
    entity: Entity,
    mapping: dict[str, str],
    chunk_rows: int,
    constants: dict[str, str],
):  # type: ignore[no-untyped-def]
    encoding = detect_encoding(head)
    first = next((line for line in head.decode(encoding, errors="ignore").splitlines() if line.strip()), "{}")
    try:
        columns = list(json.loads(first))
    except (json.JSONDecodeError, TypeError) as error:
        raise FileRejected(f"the first line is not a JSON object: {error}") from error
    layout = resolve_columns(entity, columns, mapping, constants)
    layout.format, layout.encoding = "jsonl", encoding

    def chunks() -> Iterator[pd.DataFrame]:
        batch: list[dict[str, Any]] = []
        with path.open("r", encoding=encoding, errors="strict") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    if not isinstance(record, dict):
                        raise ValueError("not an object")
                except ValueError as error:
                    layout.unreadable_rows.append(Rejection(number, None, line[:200], f"not a JSON object: {error}"))
                    continue
                record = {k: (None if v is None else v if isinstance(v, str) else json.dumps(v) if isinstance(
                    v, (dict, list)) else str(v)) for k, v in record.items()}  # fmt: skip
                record[ROW] = number
                batch.append(record)
                if len(batch) >= chunk_rows:
                    yield _records_frame(batch, layout)
                    batch = []
        if batch:
            yield _records_frame(batch, layout)

    return layout, chunks()


def _records_frame(records: list[dict[str, Any]], layout: FileLayout) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records)
    for column in [*layout.mapped, *layout.extra]:
        if column not in frame:
            frame[column] = None
    return canonical_chunk(frame, layout, 0)


def _parquet(
    path: Path,
    head: bytes,
    entity: Entity,
    mapping: dict[str, str],
    chunk_rows: int,
    constants: dict[str, str],
):  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise FileRejected(f"not a valid Parquet file: {error}") from error
    layout = resolve_columns(entity, list(parquet.schema_arrow.names), mapping, constants)
    layout.format = "parquet"

    def chunks() -> Iterator[pd.DataFrame]:
        row = 1
        for batch in parquet.iter_batches(batch_size=chunk_rows):
            frame = batch.to_pandas()
            frame = frame.astype(object).where(frame.notna(), None)
            frame = frame.map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
            frame = frame.astype("string")
            out = canonical_chunk(frame, layout, row)
            row += len(frame)
            yield out

    return layout, chunks()


def _xlsx(
    path: Path,
    head: bytes,
    entity: Entity,
    mapping: dict[str, str],
    chunk_rows: int,
    constants: dict[str, str],
):  # type: ignore[no-untyped-def]
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:  # a file object: openpyxl would judge a path by its extension, and uploads have none
        workbook = load_workbook(path.open("rb"), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as error:
        raise FileRejected(f"not a valid Excel .xlsx file: {error}") from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise FileRejected("the first sheet of the workbook is empty")
    columns = [str(c).strip() if c is not None else f"column_{i + 1}" for i, c in enumerate(header)]
    layout = resolve_columns(entity, columns, mapping, constants)
    layout.format = "xlsx"

    def cell(value: Any) -> str | None:
        if value is None:
            return None
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)

    def chunks() -> Iterator[pd.DataFrame]:
        batch: list[list[str | None]] = []
        row = 2
        for values in rows:
            batch.append([cell(v) for v in values[: len(columns)]] + [None] * (len(columns) - len(values)))
            if len(batch) >= chunk_rows:
                yield canonical_chunk(pd.DataFrame(batch, columns=columns, dtype="string"), layout, row)
                row += len(batch)
                batch = []
        if batch:
            yield canonical_chunk(pd.DataFrame(batch, columns=columns, dtype="string"), layout, row)
        workbook.close()

    return layout, chunks()


def frame_chunks(
    records: list[dict[str, Any]],
    entity: Entity,
    mapping: dict[str, str],
    constants: dict[str, str] | None = None,
) -> tuple[FileLayout, Iterator[pd.DataFrame]]:
    """JSON batches posted over HTTP: the same path as files; ``__row__`` is the 1-based item number."""
    columns: list[str] = []
    for record in records:
        for key in record:
            if key not in columns:
                columns.append(key)
    layout = resolve_columns(entity, columns, mapping, constants)
    layout.format = "json"
    prepared = [
        {**{k: (None if v is None else v if isinstance(v, str) else str(v)) for k, v in r.items()}, ROW: i}
        for i, r in enumerate(records, start=1)
    ]
    return layout, iter([_records_frame(prepared, layout)] if prepared else [])
