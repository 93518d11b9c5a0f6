"""Imports' view of a table: the one reader's chunks, with columns mapped to an entity's fields.

Each chunk carries ``__row__``, the row number a person sees in the file (the header is row 1), and
canonical column names after the caller's mapping and the entity's aliases, every value as text.
Problems with the file as a whole raise ``FileRejected`` with a sentence that says what is wrong and
what to do; rows the reader cannot read are reported as rejections.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tendero.data.budget import Budget, Limits
from tendero.data.issues import Issue, TableRejected
from tendero.data.messages import names, say
from tendero.data.schema import Entity
from tendero.data.table import ROW, Table, as_text, frames_table, open_table, records_table

CHUNK_ROWS = 100_000
FileRejected = TableRejected  # the name importers and their callers know


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
    unreadable_rows: list[Issue] = field(default_factory=list)


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
    fields = names(entity.field_names, limit=len(entity.field_names))
    unknown_constants = [name for name in constants if name not in entity.field_names]
    if unknown_constants:
        raise FileRejected(say("map.unknown_set", names=names(unknown_constants), entity=entity.name, fields=fields))
    layout.constants = constants
    unknown_targets = [target for target in mapping.values() if target not in entity.field_names]
    if unknown_targets:
        raise FileRejected(say("map.unknown_targets", names=names(unknown_targets), entity=entity.name,
                               fields=fields))  # fmt: skip
    present = set(columns)
    missing_sources = [source for source in mapping if source not in present]
    if missing_sources:
        raise FileRejected(say("map.missing_sources", names=names(missing_sources), columns=names(columns)))
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
            raise FileRejected(say("map.no_header", first=names(columns, limit=6), fields=fields))
        raise FileRejected(say("map.missing_required", entity=entity.name, missing=names(missing),
                               columns=names(columns)))  # fmt: skip
    return layout


def _looks_like_value(text: str) -> bool:
    text = str(text).strip()
    if not text:
        return False
    if re.fullmatch(r"-?\d+([.,]\d+)?", text):
        return True
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}.*|\d{1,2}/\d{1,2}/\d{2,4}.*", text))


def canonical_chunk(frame: pd.DataFrame, layout: FileLayout) -> pd.DataFrame:
    """A reader chunk (``__row__`` + file columns) with the entity's field names, values as text."""
    rows = frame[ROW].to_numpy()
    out = frame.rename(columns=layout.mapped)
    out = out[[*layout.mapped.values(), *layout.extra]].copy()
    for name, value in layout.constants.items():
        out[name] = value
    if layout.extra:
        out = out.rename(columns={c: f"attr:{c}" for c in layout.extra})
    out.insert(0, ROW, rows)
    return out


def _mapped(table: Table, entity: Entity, mapping: dict[str, str],
            constants: dict[str, str] | None) -> tuple[FileLayout, Iterator[pd.DataFrame]]:  # fmt: skip
    layout = resolve_columns(entity, table.layout.columns, mapping, constants)
    layout.format, layout.encoding = table.layout.format, table.layout.encoding
    layout.delimiter = table.layout.delimiter

    def chunks() -> Iterator[pd.DataFrame]:
        for frame in table.chunks():
            yield canonical_chunk(as_text(frame) if table.layout.typed else frame, layout)
        layout.unreadable_rows.extend(table.skipped)

    return layout, chunks()


def import_budget() -> Budget:
    """The configured limits (``TENDERO_MAX_ROWS`` ...), the clock starting now."""
    return Budget(Limits.from_settings())


def read_chunks(
    path: Path,
    entity: Entity,
    mapping: dict[str, str],
    filename: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    constants: dict[str, str] | None = None,
    budget: Budget | None = None,
) -> tuple[FileLayout, Iterator[pd.DataFrame]]:
    """Open a file and return its layout and an iterator of canonical text chunks."""
    table = open_table(path, filename or path.name, budget=budget or import_budget(), numbering="file",
                       chunk_rows=chunk_rows)  # fmt: skip
    return _mapped(table, entity, mapping, constants)


def frame_chunks(
    records: list[dict[str, Any]],
    entity: Entity,
    mapping: dict[str, str],
    constants: dict[str, str] | None = None,
    budget: Budget | None = None,
) -> tuple[FileLayout, Iterator[pd.DataFrame]]:
    """JSON batches posted over HTTP: the same path as files; ``__row__`` is the 1-based item number."""
    return _mapped(records_table(records, budget or import_budget()), entity, mapping, constants)


def query_chunks(
    columns: list[str],
    frames: Iterator[pd.DataFrame],
    entity: Entity,
    mapping: dict[str, str],
    constants: dict[str, str] | None = None,
    budget: Budget | None = None,
) -> tuple[FileLayout, Iterator[pd.DataFrame]]:
    """A SQL query's result: typed frames, rows numbered from 1."""
    return _mapped(frames_table(columns, frames, "sql", budget or import_budget()), entity, mapping, constants)
