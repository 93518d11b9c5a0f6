"""The one table reader: CSV, JSON, JSON lines, Parquet and Excel files, query results and JSON batches.

Imports and dataset uploads both read through here. The reader finds the format (content first, then
the name), the encoding (UTF-8, UTF-16 by BOM, Windows-1252; a file that mixes them is refused, naming
the line and byte, because reading it either way corrupts accents), the delimiter (``,`` ``;`` tab ``|``
or runs of spaces) and the header; it refuses binary files, more columns than the limit (before
parsing anything), and more rows or time than the read's ``Budget``. It yields chunks of the table
with ``__row__``, the row number a person sees, and reports rows it cannot read as ``Issue`` s.

Values are text (``None`` for missing) except for typed sources — Parquet and query results — which keep
their types. Numbers, dates and formulas are judged by the caller, who knows what each column is.

Row numbers: with ``numbering="file"`` (imports) the header is row 1 and the first data row is row 2,
as a spreadsheet shows the file; with ``numbering="data"`` (datasets) the first data row is row 1.
Formats without a header (JSON lines, JSON, Parquet) number their records from 1 either way.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from tendero.data.budget import Budget
from tendero.data.issues import Issue, TableRejected
from tendero.data.messages import say

ROW = "__row__"
SAMPLE_BYTES = 256 * 1024
SCAN_BLOCK = 1 << 20
CHUNK_ROWS = 100_000
COUNT_BLOCK = 100_000
MAX_NAME_CHARS = 200
FIELD_LIMIT = 1 << 20  # one CSV cell; larger usually means a broken quote or a binary file
FORMATS = ("csv", "json", "jsonl", "parquet", "xlsx")
Numbering = Literal["file", "data"]
DELIMITERS = ",;\t|"
WHITESPACE = r"\s+"

_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip-compressed file (decompress it first)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive",
    b"BZh": "a bzip2-compressed file (decompress it first)",
    b"\xfd7zXZ": "an xz-compressed file (decompress it first)",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls (or other Office) file (save it as .xlsx or CSV)",
    b"SQLite format 3\x00": "an SQLite database",
    b"\x7fELF": "a program",
    b"MZ": "a Windows program",
}
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass
class TableLayout:
    """What the reader found out about a table, for reports."""

    format: str
    columns: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    typed: bool = False


class Table:
    """An opened table: its layout now, its rows as ``chunks()``; ``issues`` grow while chunks are read."""

    def __init__(self, layout: TableLayout, produce: Callable[[Table], Iterator[pd.DataFrame]],
                 budget: Budget, issues: list[Issue] | None = None) -> None:  # fmt: skip
        self.layout, self.budget = layout, budget
        self.issues: list[Issue] = list(issues or [])
        self.records = 0  # data records seen, readable or not
        self._produce = produce

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Frames with ``__row__`` and the table's columns, in file order."""
        return self._produce(self)

    @property
    def skipped(self) -> list[Issue]:
        """Rows left out because they could not be read (errors), as opposed to warnings about cells."""
        return [issue for issue in self.issues if issue.severity == "error"]


# ---------------------------------------------------------------------------------------------
# opening


def open_table(
    path: Path,
    filename: str | None = None,
    *,
    budget: Budget | None = None,
    numbering: Numbering = "file",
    chunk_rows: int = CHUNK_ROWS,
    file_format: str | None = None,
) -> Table:
    """Open a file: detect its format, encoding, delimiter and header; refuse what cannot be read."""
    budget = budget or Budget()
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head.strip():
        raise TableRejected(say("file.empty"))
    fmt = file_format or detect_format(filename or path.name, head)
    if fmt == "parquet":
        return _parquet(path, budget, chunk_rows)
    if fmt == "xlsx":
        return _xlsx(path, budget, numbering, chunk_rows)
    encoding = scan_encoding(path, head, budget)
    if fmt == "jsonl":
        return _jsonl(path, encoding, budget, chunk_rows)
    if fmt == "json":
        return _json(path, encoding, budget, chunk_rows)
    return _csv(path, head, size, encoding, budget, numbering, chunk_rows)


def detect_format(filename: str, head: bytes) -> str:
    """From the content first (magic bytes), then the file name, then the first character."""
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    for magic, kind in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise TableRejected(say("file.binary_kind", kind=kind))
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix in ("parquet", "xlsx"):
        raise TableRejected(say("file.named_but_not", suffix=suffix))
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if suffix == "json" or (suffix not in ("csv", "tsv", "txt") and start in (b"[", b"{")):
        return "jsonl" if start == b"{" and _looks_like_json_lines(head) else "json"
    return "csv"


def _looks_like_json_lines(head: bytes) -> bool:
    """Two or more lines that are each a JSON object (the last line of the sample may be cut)."""
    lines = [line for line in head.splitlines()[:5] if line.strip()]
    if len(lines) < 2:
        return False
    try:
        return all(isinstance(json.loads(line), dict) for line in lines[:-1])
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------
# encoding


def scan_encoding(path: Path, head: bytes, budget: Budget) -> str:
    """The file's one encoding, from a pass over all of its bytes.

    UTF-8 (with or without BOM) or UTF-16 (by BOM); a file that is not UTF-8 is Windows-1252, which
    Excel writes. A NUL byte means a binary file. A file whose lines are in both encodings is refused,
    naming the first line in the other one: neither reading would keep all its accents.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _scan(path, budget, codecs.getincrementaldecoder("utf-16")("strict"), "utf-16", check_nul=False)
        _check_controls(head.decode("utf-16", errors="ignore"))
        return "utf-16"
    bom = head.startswith(codecs.BOM_UTF8)
    failure = _scan(path, budget, codecs.getincrementaldecoder("utf-8")("strict"), "utf-8", check_nul=True)
    if failure is None:
        _check_controls(head.decode("utf-8", errors="ignore"))
        return "utf-8-sig" if bom else "utf-8"
    offset, line, ascii_before = failure
    if bom or not ascii_before:  # real UTF-8 text came first, then a byte that is not
        raise TableRejected(say("file.encoding_changes", byte=str(offset), line=line))
    _scan(path, budget, codecs.getincrementaldecoder("cp1252")("strict"), "cp1252", check_nul=True,
          utf8_inside=True)  # fmt: skip
    _check_controls(head.decode("cp1252", errors="replace"))
    return "cp1252"


def _scan(path: Path, budget: Budget, decoder: Any, encoding: str, *, check_nul: bool,
          utf8_inside: bool = False) -> tuple[int, int, bool] | None:  # fmt: skip
    """Decode the whole file in blocks. UTF-8: return (byte, line, all ASCII before) of the first
    invalid byte, or None. Other encodings raise at an invalid byte. ``utf8_inside``: refuse a
    Windows-1252 file holding UTF-8 sequences (the mixed case)."""
    offset, lines, ascii_so_far, tail = 0, 0, True, b""
    with path.open("rb") as handle:
        while block := handle.read(SCAN_BLOCK):
            budget.tick()
            if check_nul and (nul := block.find(b"\x00")) >= 0:
                line = lines + block.count(b"\n", 0, nul) + 1
                raise TableRejected(say("file.binary", byte=str(offset + nul), line=line))
            if utf8_inside:
                window = tail + block
                found = _UTF8_MULTIBYTE.search(window)
                if found:
                    at = offset - len(tail) + found.start()
                    line = lines - tail.count(b"\n") + window.count(b"\n", 0, found.start()) + 1
                    sample = _line_around(window, found.start()).decode("utf-8", errors="replace")
                    raise TableRejected(say("file.utf8_inside_cp1252", line=line, byte=str(at), sample=sample[:60]))
                tail = block[-3:]
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                at = offset + error.start
                line = lines + block.count(b"\n", 0, error.start) + 1
                if encoding == "utf-8":
                    return at, line, ascii_so_far and block[: error.start].isascii()
                raise TableRejected(say("file.undecodable", encoding=encoding, byte=str(at), line=line)) from None
            ascii_so_far = ascii_so_far and block.isascii()
            lines += block.count(b"\n")
            offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        if encoding == "utf-8":
            return offset, lines + 1, ascii_so_far
        raise TableRejected(say("file.undecodable", encoding=encoding, byte=str(offset), line=lines + 1)) from None
    return None


def _line_around(window: bytes, at: int) -> bytes:
    start = window.rfind(b"\n", 0, at) + 1
    end = window.find(b"\n", at)
    return window[start : end if end >= 0 else len(window)].strip()


def _check_controls(text: str) -> None:
    """Text with many control characters or undecodable bytes is a binary file, whatever its bytes decode to."""
    if not text:
        return
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > len(text) * 0.01 or text.count("\ufffd") > len(text) * 0.01:
        raise TableRejected(say("file.not_readable_text"))


# ---------------------------------------------------------------------------------------------
# header


def check_header(names: list[str], budget: Budget) -> tuple[list[str], list[Issue]]:
    """Names trimmed; unnamed columns called ``column_N``; too many, too long or repeated names refused."""
    budget.check_columns(len(names))
    out, issues = [], []
    for position, raw in enumerate(names, start=1):
        name = str(raw).strip() if raw is not None else ""
        if len(name) > MAX_NAME_CHARS:
            raise TableRejected(say("header.name_too_long", position=position, length=len(name), limit=MAX_NAME_CHARS))
        if not name:
            name = f"column_{position}"
            issues.append(Issue.of(say("header.unnamed", position=position, name=name), column=name,
                                   severity="warning"))  # fmt: skip
        out.append(name)
    first: dict[str, int] = {}
    for position, name in enumerate(out, start=1):
        if name in first:
            raise TableRejected(say("header.duplicate", name=name, first=first[name], second=position))
        first[name] = position
    return out, issues


def _first_line(head: bytes, size: int, encoding: str, budget: Budget) -> str:
    """The first non-blank line of the file's head; a first line longer than the head is refused here,
    counting its delimiters, so a million-column header is refused without being parsed."""
    text = head.decode(encoding, errors="ignore")
    stripped = text.lstrip("\ufeff\r\n")
    end = min((i for i in (stripped.find("\n"), stripped.find("\r")) if i >= 0), default=-1)
    if end < 0 and size > len(head):
        counted = max(stripped.count(mark) for mark in DELIMITERS) + 1
        if counted > budget.limits.max_columns:
            raise TableRejected(say("header.too_many_columns_at_least", columns=counted, bytes=len(head),
                                    limit=budget.limits.max_columns))  # fmt: skip
        raise TableRejected(say("header.line_too_long", bytes=len(head)))
    return stripped if end < 0 else stripped[:end]


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter among , ; tab | that splits the first lines most consistently (the csv sniffer first)."""
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    best, best_score = ",", -1.0
    for candidate in DELIMITERS:
        counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=candidate)]
        if not counts or max(counts) < 2:
            continue
        mode = max(set(counts), key=counts.count)
        score = counts.count(mode) / len(counts) + (mode / 1000.0)
        if score > best_score:
            best, best_score = candidate, score
    return best


# ---------------------------------------------------------------------------------------------
# CSV


def _csv(path: Path, head: bytes, size: int, encoding: str, budget: Budget, numbering: Numbering,
         chunk_rows: int) -> Table:  # fmt: skip
    first_line = _first_line(head, size, encoding, budget)
    widest = max(first_line.count(mark) for mark in DELIMITERS) + 1
    budget.check_columns(widest)  # before any sniffing or parsing
    if not any(mark in first_line for mark in DELIMITERS) and len(first_line.split()) > 1:
        delimiter = WHITESPACE  # columns separated by runs of spaces (e.g. CDNOW)
    else:
        text = head.decode(encoding, errors="ignore")
        lines = [line for line in text.splitlines()[:50] if line.strip()]
        if len(head) == SAMPLE_BYTES and len(lines) > 1:
            lines = lines[:-1]  # the last line of the sample may be cut
        delimiter = detect_delimiter(lines)
    layout = TableLayout("csv", encoding=encoding, delimiter=delimiter)
    count = _count_records(path, encoding, delimiter, budget)
    if count.header is None:
        raise TableRejected(say("file.no_header"))
    layout.columns, issues = check_header(count.header, budget)
    return Table(layout, lambda table: _csv_chunks(table, path, count, numbering, chunk_rows), budget, issues)


@dataclass
class _RecordCount:
    header: list[str] | None
    header_lines: int  # physical lines up to and including the header
    header_record: int  # index of the header among the file's records (blank records count)
    lengths: np.ndarray  # fields per record after the header (0: a blank line)


def _split_records(handle: Any, delimiter: str) -> Iterator[list[str]]:
    if delimiter == WHITESPACE:
        return (line.split() for line in handle)
    return csv.reader(handle, delimiter=delimiter)


def _count_records(path: Path, encoding: str, delimiter: str, budget: Budget) -> _RecordCount:
    """Fields per record, without keeping the records: finds ragged rows and blank lines (so row numbers are
    exact), and refuses too many rows before anything is parsed."""
    if encoding in ("utf-8", "utf-8-sig", "cp1252") and delimiter != WHITESPACE:
        counted = _count_unquoted(path, encoding, delimiter, budget)
        if counted is not None:
            return counted
    previous = csv.field_size_limit(FIELD_LIMIT)
    try:
        with path.open("r", encoding=encoding, newline="") as handle:
            records = _split_records(handle, delimiter)
            header, header_record = None, 0
            try:
                for header_record, record in enumerate(records):  # noqa: B007 (its index is kept)
                    if record:
                        header = record
                        break
                header_lines = getattr(records, "line_num", header_record + 1)
                blocks = []
                filled = 0
                while True:
                    budget.tick(filled)
                    block = np.fromiter(map(len, itertools.islice(records, COUNT_BLOCK)), dtype=np.int32)
                    if not len(block):
                        break
                    blocks.append(block)
                    filled += int(np.count_nonzero(block))
                    budget.check_rows(filled)
            except csv.Error as error:
                row = getattr(records, "line_num", 0)
                if "field larger than field limit" in str(error):
                    raise TableRejected(say("file.field_too_long", row=row, limit=FIELD_LIMIT)) from None
                raise TableRejected(say("file.csv_unparsable", row=row, reason=str(error)[:200])) from None
    finally:
        csv.field_size_limit(previous)
    lengths = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int32)
    return _RecordCount(header, header_lines, header_record, lengths)


def _count_unquoted(path: Path, encoding: str, delimiter: str, budget: Budget) -> _RecordCount | None:
    """The count for a file with no quote character and plain line ends, where a record is a line and its
    fields are its delimiters plus one: counted on the bytes (numpy), many times faster than the csv
    module. None when the file has quotes or bare carriage returns (the csv module counts those)."""
    mark, quote = delimiter.encode(), ord('"')
    blocks: list[np.ndarray] = []
    carry = b""
    header: list[str] | None = None
    header_record, filled = 0, 0
    with path.open("rb") as handle:
        while True:
            budget.tick(filled)
            block = handle.read(SCAN_BLOCK)
            data = carry + block
            if not block:
                if not data:
                    break
                data += b"\n"
            cut = data.rfind(b"\n") + 1
            lines, carry = data[:cut], data[cut:]
            if not lines:
                continue
            array = np.frombuffer(lines, dtype=np.uint8)
            if (array == quote).any():
                return None
            ends = np.flatnonzero(array == 10)
            starts = np.concatenate(([0], ends[:-1] + 1))
            returns = array == 13
            cr_before_end = np.zeros(len(ends), dtype=bool)
            has_end = ends > starts
            cr_before_end[has_end] = returns[ends[has_end] - 1]
            if int(returns.sum()) != int(cr_before_end.sum()):
                return None  # a carriage return inside a line
            lengths = ends - starts - cr_before_end
            marks = np.concatenate(([0], np.cumsum(array == mark[0])))
            fields = np.where(lengths > 0, marks[ends] - marks[starts] + 1, 0).astype(np.int32)
            if header is None:
                nonblank = np.flatnonzero(fields > 0)
                if not len(nonblank):
                    header_record += len(fields)
                    continue
                first = int(nonblank[0])
                header_record += first
                text = lines[starts[first] : ends[first]].decode(encoding).rstrip("\r")
                header = text.lstrip("\ufeff").split(delimiter)
                fields = fields[first + 1 :]
            blocks.append(fields)
            filled += int(np.count_nonzero(fields))
            budget.check_rows(filled)
            if not block:
                break
    lengths = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int32)
    return _RecordCount(header, header_record + 1, header_record, lengths)


def _csv_chunks(table: Table, path: Path, count: _RecordCount, numbering: Numbering,
                chunk_rows: int) -> Iterator[pd.DataFrame]:  # fmt: skip
    layout, budget = table.layout, table.budget
    width = len(layout.columns)
    lengths = count.lengths
    first = count.header_record + 2 if numbering == "file" else 1
    numbers = np.arange(first, first + len(lengths), dtype=np.int64)
    filled = lengths > 0
    ragged = filled & (lengths != width)
    table.records = int(filled.sum())
    if ragged.any() or width == 1:
        yield from _csv_rows_slowly(table, path, count, numbers, chunk_rows)
        return
    wanted = numbers[filled]
    done = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        reader = pd.read_csv(
            path, sep=layout.delimiter, encoding=layout.encoding, header=None, names=list(range(width)),
            skiprows=count.header_lines, dtype=str, na_filter=False, skip_blank_lines=True,
            chunksize=chunk_rows, engine="c", on_bad_lines="error",
        )  # fmt: skip
        try:
            for frame in reader:
                budget.tick(int(wanted[min(done, len(wanted) - 1)]) if len(wanted) else 0)
                if done + len(frame) > len(wanted):
                    raise TableRejected(say("file.csv_unparsable", row=int(wanted[-1]) if len(wanted) else 0,
                                            reason="the rows do not line up with the header"))  # fmt: skip
                frame.columns = layout.columns
                frame.insert(0, ROW, wanted[done : done + len(frame)])
                done += len(frame)
                yield frame
        except (pd.errors.ParserError, pd.errors.ParserWarning) as error:
            row = int(wanted[min(done, len(wanted) - 1)]) if len(wanted) else 0
            raise TableRejected(say("file.csv_unparsable", row=row, reason=_parser_reason(error))) from None
    if done != len(wanted):
        raise TableRejected(say("file.csv_unparsable", row=int(wanted[done]) if done < len(wanted) else 0,
                                reason="the rows do not line up with the header"))  # fmt: skip


def _parser_reason(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return re.sub(r"^Error tokenizing data\. C error: ", "", text)[:200]


def _csv_rows_slowly(table: Table, path: Path, count: _RecordCount, numbers: np.ndarray,
                     chunk_rows: int) -> Iterator[pd.DataFrame]:  # fmt: skip
    """Files with ragged rows: every record read in Python; a row with the wrong number of fields is
    reported (row, its text) and left out, the rest kept."""
    layout, budget = table.layout, table.budget
    width = len(layout.columns)
    previous = csv.field_size_limit(FIELD_LIMIT)
    try:
        with path.open("r", encoding=layout.encoding, newline="") as handle:
            records = _split_records(handle, layout.delimiter or ",")
            for _ in range(count.header_record + 1):
                next(records)
            rows: list[list[str]] = []
            kept: list[int] = []
            for index, record in enumerate(records):
                if index >= len(numbers):
                    break
                if not record:
                    continue
                if len(record) != width:
                    shown = (layout.delimiter if layout.delimiter not in (WHITESPACE, None) else " ").join(record)
                    table.issues.append(Issue.of(say("row.fields", count=len(record), width=width),
                                                 row=int(numbers[index]), value=shown[:80]))  # fmt: skip
                    continue
                rows.append(record)
                kept.append(int(numbers[index]))
                if len(rows) >= chunk_rows:
                    budget.tick(kept[-1])
                    yield _text_frame(rows, kept, layout.columns)
                    rows, kept = [], []
            if rows:
                yield _text_frame(rows, kept, layout.columns)
    finally:
        csv.field_size_limit(previous)


def _text_frame(rows: list[list[Any]], numbers: list[int], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame.insert(0, ROW, np.asarray(numbers, dtype=np.int64))
    return frame


# ---------------------------------------------------------------------------------------------
# JSON lines and JSON


def _flat(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _columns_of(records: Iterable[Any], budget: Budget) -> list[str]:
    seen: dict[str, None] = {}
    for record in records:
        if isinstance(record, dict):
            for key in record:
                if key not in seen:
                    seen[str(key)] = None
                    if len(seen) > budget.limits.max_columns:
                        budget.check_columns(len(seen))
    return list(seen)


def _record_rows(table: Table, numbered: Iterator[tuple[int, Any]], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Records (already parsed or a line to parse) to text frames; bad ones reported with their number."""
    columns = table.layout.columns
    batch: list[list[str | None]] = []
    kept: list[int] = []
    nested_reported: set[str] = set()
    for number, record in numbered:
        table.records += 1
        if isinstance(record, _BadLine):
            table.issues.append(Issue.of(say("row.json_invalid", reason=record.reason), row=number,
                                         value=record.text))  # fmt: skip
            continue
        if not isinstance(record, dict):
            table.issues.append(Issue.of(say("row.not_object"), row=number, value=_flat(record)))
            continue
        for key, value in record.items():
            if isinstance(value, dict | list) and str(key) not in nested_reported:
                nested_reported.add(str(key))
                table.issues.append(Issue.of(say("row.nested"), row=number, column=str(key), severity="warning"))
        batch.append([_flat(record.get(name)) for name in columns])
        kept.append(number)
        if len(batch) >= chunk_rows:
            table.budget.tick(number)
            yield _text_frame(batch, kept, columns)
            batch, kept = [], []
    if batch:
        yield _text_frame(batch, kept, columns)


@dataclass
class _BadLine:
    reason: str
    text: str


def _parse_line(line: str) -> Any:
    try:
        return json.loads(line)
    except ValueError as error:
        return _BadLine(getattr(error, "msg", "invalid JSON"), line[:200])


def _jsonl(path: Path, encoding: str, budget: Budget, chunk_rows: int) -> Table:
    def numbered() -> Iterator[tuple[int, Any]]:
        with path.open("r", encoding=encoding) as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield number, _parse_line(line)
                if number % COUNT_BLOCK == 0:
                    budget.tick(number)

    rows = 0

    def counted() -> Iterator[Any]:  # a first pass for the columns (every key) and the row count
        nonlocal rows
        for _, record in numbered():
            rows += 1
            budget.check_rows(rows)
            yield record

    columns, issues = check_header(_columns_of(counted(), budget), budget)
    if not columns:
        raise TableRejected(say("file.json_first_line" if rows else "file.empty"))
    layout = TableLayout("jsonl", columns=columns, encoding=encoding)
    return Table(layout, lambda table: _record_rows(table, numbered(), chunk_rows), budget, issues)


def _json(path: Path, encoding: str, budget: Budget, chunk_rows: int) -> Table:
    text = path.read_text(encoding=encoding)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise TableRejected(say("file.bad_json", reason=error.msg, line=error.lineno, column=error.colno)) from None
    if isinstance(document, dict):  # {"rows": [...]} holds the table; any other object is one row
        lists = [value for value in document.values() if isinstance(value, list)]
        document = lists[0] if len(lists) == 1 and all(isinstance(v, dict) for v in lists[0]) else [document]
    if not isinstance(document, list):
        raise TableRejected(say("file.json_shape"))
    budget.check_rows(len(document))
    columns, issues = check_header(_columns_of(document, budget), budget)
    if not columns:
        raise TableRejected(say("file.no_objects"))
    layout = TableLayout("json", columns=columns, encoding=encoding)
    return Table(layout, lambda table: _record_rows(table, enumerate(document, start=1), chunk_rows), budget,
                 issues)  # fmt: skip


def records_table(records: list[dict[str, Any]], budget: Budget | None = None, fmt: str = "json") -> Table:
    """Rows posted as JSON (a live integration's batch): the same path as files, numbered from 1."""
    budget = budget or Budget()
    budget.check_rows(len(records))
    columns, issues = check_header(_columns_of(records, budget), budget)
    layout = TableLayout(fmt, columns=columns)
    return Table(layout, lambda table: _record_rows(table, enumerate(records, start=1), CHUNK_ROWS), budget,
                 issues)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Parquet, Excel, query results


def _parquet(path: Path, budget: Budget, chunk_rows: int) -> Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError):
        raise TableRejected(say("file.bad_parquet")) from None
    budget.check_columns(len(parquet.schema_arrow.names))
    budget.check_rows(parquet.metadata.num_rows)
    columns, issues = check_header(list(parquet.schema_arrow.names), budget)
    layout = TableLayout("parquet", columns=columns, typed=True)

    def chunks(table: Table) -> Iterator[pd.DataFrame]:
        row = 1
        try:
            for batch in parquet.iter_batches(batch_size=chunk_rows):
                budget.tick(row)
                frame = batch.to_pandas()
                frame.columns = columns
                frame.insert(0, ROW, np.arange(row, row + len(frame), dtype=np.int64))
                table.records += len(frame)
                row += len(frame)
                yield frame
        except (pa.ArrowInvalid, OSError):
            raise TableRejected(say("file.bad_parquet")) from None

    return Table(layout, chunks, budget, issues)


def _xlsx(path: Path, budget: Budget, numbering: Numbering, chunk_rows: int) -> Table:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:  # a file object: openpyxl would judge a path by its extension, and uploads have none
        workbook = load_workbook(path.open("rb"), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException, IndexError):
        raise TableRejected(say("file.bad_excel")) from None
    if header is None:
        raise TableRejected(say("file.excel_empty"))
    budget.check_columns(len(header))
    columns, issues = check_header([str(c) if c is not None else "" for c in header], budget)
    layout = TableLayout("xlsx", columns=columns)
    width = len(columns)

    def cell(value: Any) -> str | None:
        if value is None:
            return None
        if hasattr(value, "isoformat"):
            return str(value.isoformat())
        return str(value)

    def chunks(table: Table) -> Iterator[pd.DataFrame]:
        batch: list[list[str | None]] = []
        kept: list[int] = []
        number = 2 if numbering == "file" else 1
        for values in rows:
            table.records += 1
            budget.check_rows(table.records)
            if values and any(v is not None for v in values):
                batch.append([cell(v) for v in values[:width]] + [None] * (width - len(values)))
                kept.append(number)
            number += 1
            if len(batch) >= chunk_rows:
                budget.tick(number)
                yield _text_frame(batch, kept, columns)
                batch, kept = [], []
        if batch:
            yield _text_frame(batch, kept, columns)
        workbook.close()

    return Table(layout, chunks, budget, issues)


def frames_table(columns: list[str], frames: Iterable[pd.DataFrame], fmt: str, budget: Budget | None = None) -> Table:
    """Typed frames (a query's result, a tenant's entity): the same checks and numbering as files."""
    budget = budget or Budget()
    names, issues = check_header([str(c) for c in columns], budget)
    layout = TableLayout(fmt, columns=names, typed=True)

    def chunks(table: Table) -> Iterator[pd.DataFrame]:
        row = 1
        for frame in frames:
            budget.tick(row)
            table.records += len(frame)
            budget.check_rows(table.records)
            frame = frame.copy()
            frame.columns = names
            frame.insert(0, ROW, np.arange(row, row + len(frame), dtype=np.int64))
            row += len(frame)
            yield frame

    return Table(layout, chunks, budget, issues)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A typed frame's values as text (ISO 8601 for dates, ``None`` for missing), ``__row__`` kept."""
    out = frame.drop(columns=[ROW]) if ROW in frame else frame
    out = out.astype(object).where(out.notna(), None)
    out = out.map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v).astype("string")
    if ROW in frame:
        out.insert(0, ROW, frame[ROW].to_numpy())
    return out
