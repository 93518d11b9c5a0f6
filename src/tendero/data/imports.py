"""Imports: files, JSON batches and SQL queries, all through the same validation and upsert.

An import runs in one database transaction: valid rows are committed together, rejected rows are
reported with their row, column, value and reason, and a crash commits nothing. A dry run does all
the same work, counts included, and rolls back.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from tendero.data.currency import country_currency
from tendero.data.issues import Issue, ReadStopped
from tendero.data.messages import Text, say, text_as_json
from tendero.data.non_products import flag_non_products
from tendero.data.readers import FileLayout, FileRejected, frame_chunks, query_chunks, read_chunks
from tendero.data.schema import ENTITIES, REFERENCES, Entity
from tendero.data.validate import ROW, Returns, check_chunk
from tendero.store import commerce
from tendero.store import imports as import_rows
from tendero.store.db import get_engine
from tendero.store.tables import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")
ID_COLUMN = {"customers": "customer_id", "products": "product_id", "orders": "order_id"}
DEFAULTS = {"status": "completed", "active": True, "discount": 0.0}
SAMPLE_REJECTIONS = 50
MAX_FLAGGED = 1000  # non-products listed in one report (a catalogue of charges this long is not a shop's)


@dataclass
class ImportReport:
    id: str
    entity: str
    status: str
    dry_run: bool
    counts: dict[str, int]
    details: dict[str, Any]
    rejections: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


class SerialWriter:
    """One thread that does an import's database work, in the order it was handed in.

    The next chunk's pandas work overlaps this chunk's writes (the driver releases the GIL while the
    database works), and the connection is only ever used by one thread. After a failure the rest is
    skipped and the error is raised to the caller at its next hand-over.
    """

    def __init__(self, depth: int = 8) -> None:
        self._tasks: queue.Queue[tuple[Callable[[], Any], threading.Event] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._abandoned = False
        self._thread = threading.Thread(target=self._run, name="tendero-import-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (task := self._tasks.get()) is not None:
            work, done = task
            if self._error is None and not self._abandoned:
                try:
                    work()
                except BaseException as error:  # raised in the caller's thread
                    self._error = error
            done.set()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(self, work: Callable[[], Any]) -> threading.Event:
        self._raise()
        done = threading.Event()
        self._tasks.put((work, done))
        return done

    def call(self, work: Callable[[], T]) -> T:
        """Run ``work`` after everything handed in before it, and return its result."""
        result: list[T] = []
        self.submit(lambda: result.append(work())).wait()
        self._raise()
        return result[0]

    def drain(self) -> None:
        """Wait until everything handed in is written; raise its error, if any."""
        self.submit(lambda: None).wait()
        self._raise()

    def close(self, abandon: bool = False) -> None:
        """Stop the thread; ``abandon`` skips work not yet started (the import is failing anyway)."""
        self._abandoned = abandon
        self._tasks.put(None)
        self._thread.join()


class Importer:
    """Validates chunks and upserts them on one connection, keeping counts and rejections."""

    def __init__(self, connection: Any, tenant_id: str, entity: Entity, returns: Returns, now: datetime) -> None:
        self.connection, self.tenant_id, self.entity = connection, tenant_id, entity
        self.writer = SerialWriter()
        self.returns, self.now = returns, now
        self.rows_read = 0
        self.merged = 0
        self.retimed = 0
        self.merged_rows: list[dict[str, int]] = []
        self.rejections: list[Issue] = []
        self.tables: dict[str, Counter[str]] = {}
        self._known: dict[str, set[str]] = {}
        self._seen: dict[Any, int] = {}
        self._stored_before: dict[str, bool] = {}
        self._written: dict[str, set[Any]] = {}
        self.currencies: Counter[str] = Counter()  # the currency column's codes, for the tenant's currency
        self.countries: Counter[str] = Counter()  # the country column's names: its currency when there is no code
        self.priced_lines = 0  # valid order lines, the base of the main country's share
        self.item_names: dict[str, Any] = {}  # the items of this import, for the non-product flags
        self.item_prices: dict[str, float] = {}

    def known(self, entity: str) -> set[str]:
        if entity not in self._known:
            self._known[entity] = self.writer.call(lambda: commerce.known_ids(self.connection, entity, self.tenant_id))
        return self._known[entity]

    def reject(
        self, frame: pd.DataFrame, mask: pd.Series | np.ndarray, column: str | None, reasons: Text | np.ndarray
    ) -> pd.DataFrame:
        """Record rejections for ``mask`` rows (``reasons``: one message, or an array aligned with frame)."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return frame
        bad = frame[mask]
        texts = reasons[mask] if isinstance(reasons, np.ndarray) else [reasons] * len(bad)
        values = bad[column] if column else [None] * len(bad)
        for row, value, reason in zip(bad[ROW], values, texts, strict=True):
            self.rejections.append(Issue.of(reason, row=int(row), column=column, value=value))
        return frame[~mask]

    def check(self, chunk: pd.DataFrame) -> tuple[int, pd.DataFrame, list[Issue]]:
        """Parse and validate a chunk; touches no state, so it may run ahead in another thread."""
        valid, rejected = check_chunk(self.entity, chunk, now=self.now, returns=self.returns)
        return len(chunk), valid, rejected

    def process(self, checked: tuple[int, pd.DataFrame, list[Issue]]) -> None:
        rows, valid, rejected = checked
        self.rows_read += rows
        self.rejections.extend(rejected)
        if valid.empty:
            return
        if "currency" in valid and valid["currency"].notna().any():
            self.currencies.update(valid["currency"].dropna().astype(str).str.strip().str.upper())
        if self.entity.name == "order_lines":
            self.priced_lines += len(valid)
            if "country" in valid:
                named = valid["country"].dropna().astype(str).str.strip()
                self.countries.update(named[named != ""])
        if self.entity.name == "order_lines":
            self._order_lines(valid)
        else:
            self._plain(valid)

    def _upsert(self, table: str, rows: pd.DataFrame) -> None:
        """Hand the upsert to the writer thread; its counts are read once the writer is drained."""
        self.writer.submit(lambda: self._upsert_now(table, rows))

    def _upsert_now(self, table: str, rows: pd.DataFrame) -> None:
        """Upsert and count; into a table this tenant had nothing in, only keys written earlier in this
        import can exist, so the rest skip the lookup (a first bulk load writes without reading)."""
        if table not in self._stored_before:
            self._stored_before[table] = commerce.tenant_has_rows(self.connection, table, self.tenant_id)
        written = None if self._stored_before[table] else self._written.setdefault(table, set())
        counts = commerce.upsert_rows(self.connection, table, self.tenant_id, rows, may_exist=written)
        if written is not None:
            written.update(rows[commerce.ENTITY_TABLES[table][1][0]].dropna().tolist())
        tally = self.tables.setdefault(table, Counter())
        tally.update({"inserted": counts.inserted, "updated": counts.updated, "unchanged": counts.unchanged})

    def _first_seen(
        self, frame: pd.DataFrame, keys: list[str], reason: str, *, unique_in_chunk: bool = False
    ) -> pd.DataFrame:
        """Reject rows whose key appeared earlier in the file (``reason``: a message code taking ``first``)."""
        key = frame[keys[0]].astype(str)
        for extra in keys[1:]:
            key = key + "\x1f" + frame[extra].astype(str)
        rows = frame[ROW].to_numpy()
        earlier = key.isin(self._seen.keys()).to_numpy() if self._seen else np.zeros(len(frame), dtype=bool)
        if unique_in_chunk:
            first_in_chunk, within = rows, np.zeros(len(frame), dtype=bool)
        else:
            first_in_chunk = frame[ROW].groupby(key.to_numpy()).transform("first").to_numpy()
            within = first_in_chunk != rows
        duplicate = earlier | within
        if duplicate.any():
            first = np.where(earlier, [self._seen.get(k, 0) for k in np.where(earlier, key, "")], first_in_chunk)
            reasons = np.empty(len(frame), dtype=object)
            reasons[duplicate] = [say(reason, first=int(r)) for r in np.asarray(first)[duplicate]]
        fresh = ~duplicate
        self._seen.update(zip(key.to_numpy()[fresh], rows[fresh].tolist(), strict=True))
        if not duplicate.any():
            return frame
        return self.reject(frame, duplicate, keys[0], reasons)

    def _check_references(self, frame: pd.DataFrame) -> pd.DataFrame:
        for column, target in REFERENCES.get(self.entity.name, {}).items():
            if column not in frame:
                continue
            known = self.known(target)
            unknown = (frame[column].notna() & ~frame[column].isin(known)).to_numpy()
            noun = target[:-1].replace("_", " ")
            reasons = _reasons_where(unknown, frame[column], "rule.unknown_reference", noun=noun, target=target)
            frame = self.reject(frame, unknown, column, reasons)
        return frame

    def _plain(self, frame: pd.DataFrame) -> None:
        entity = self.entity
        frame = self._first_seen(frame, list(entity.key), "rule.duplicate_id")
        frame = self._check_references(frame)
        if frame.empty:
            return
        present = [name for name in entity.field_names if frame[name].notna().any() or name in entity.key]
        for name, default in DEFAULTS.items():
            if name in present:
                frame[name] = frame[name].where(frame[name].notna(), default)
        rows = frame[present].copy()
        extras = [c for c in frame.columns if c.startswith("attr:")]
        if extras:
            attributes = frame[extras].rename(columns=lambda c: c[5:])
            rows["attributes"] = [
                {k: v for k, v in record.items() if v is not None and v is not pd.NA}
                for record in attributes.astype(object).where(attributes.notna(), None).to_dict("records")
            ]
        if entity.name == "products":
            self._note_items(frame["product_id"], frame.get("name"), frame.get("price"))
        if entity.name in ID_COLUMN:
            rows = rows.rename(columns={ID_COLUMN[entity.name]: "external_id"})
        self._upsert(entity.name, rows)
        if entity.name in ID_COLUMN:
            self.known(entity.name).update(frame[ID_COLUMN[entity.name]])

    def _order_lines(self, frame: pd.DataFrame) -> None:
        # an order's lines must agree on its customer; its time is its first line's (tills often write
        # the lines of one receipt across a minute boundary)
        firsts = frame.groupby("order_id", sort=False)[[ROW, "customer_id", "ordered_at"]].transform("first")
        both = frame["customer_id"].notna() & firsts["customer_id"].notna()
        differs = (both & (frame["customer_id"].astype(str) != firsts["customer_id"].astype(str))).to_numpy()
        reasons = _reasons_where(differs, firsts[ROW], "rule.other_customer", key="first")
        moved = (frame["ordered_at"] != firsts["ordered_at"]).to_numpy() & ~differs
        self.retimed += int(moved.sum())
        frame = frame.assign(ordered_at=firsts["ordered_at"])
        frame = self.reject(frame, differs, "customer_id", reasons)
        # the same product twice in one order is one line: quantities, amounts and discounts add up and
        # the unit price becomes the quantity-weighted mean, so revenue is kept to the cent
        frame = frame.copy()
        key = ["order_id", "product_id"]
        if not frame.duplicated(key).any():  # the usual case: nothing to merge, skip the aggregation
            aggregated, repeated = frame.assign(lines=1), pd.Series(False, index=frame.index)
        else:
            frame["_value"] = frame["quantity"] * frame["unit_price"]
            aggregated = frame.groupby(key, sort=False, as_index=False).agg(
                **{ROW: (ROW, "first"), "quantity": ("quantity", "sum"), "discount": ("discount", "sum"),
                   "_value": ("_value", "sum"), "lines": (ROW, "size")},
                **{c: (c, "first") for c in frame.columns if c not in (*key, ROW, "quantity", "discount", "_value")},
            )  # fmt: skip
            repeated = aggregated["lines"] > 1
            weighted = (aggregated["_value"] / aggregated["quantity"]).abs()
            aggregated["unit_price"] = aggregated["unit_price"].where(
                ~repeated | (aggregated["quantity"] == 0), weighted
            )
            aggregated = aggregated.drop(columns="_value")
            self.merged += int((aggregated["lines"] - 1).sum())
        if repeated.any() and len(self.merged_rows) < 100:
            rows = frame.merge(aggregated.loc[repeated, [*key, ROW]].rename(columns={ROW: "into"}), on=key)
            for row, into in zip(rows[ROW], rows["into"], strict=True):
                if row != into and len(self.merged_rows) < 100:
                    self.merged_rows.append({"row": int(row), "merged_into_row": int(into)})
        aggregated["quantity"] = aggregated["quantity"].where(aggregated["quantity"] != 0, np.nan)
        aggregated = self.reject(aggregated, aggregated["quantity"].isna().to_numpy(), "quantity",
                                 say("rule.lines_add_to_zero"))  # fmt: skip
        aggregated = self._first_seen(aggregated, key, "rule.duplicate_line", unique_in_chunk=True)
        if aggregated.empty:
            return
        self._write_order_lines(aggregated)

    def _write_order_lines(self, lines: pd.DataFrame) -> None:
        has = {c: bool(lines[c].notna().any()) for c in lines.columns}
        if has.get("customer_id"):
            customers = lines[lines["customer_id"].notna()].drop_duplicates("customer_id", keep="last")
            rows = pd.DataFrame({"external_id": customers["customer_id"]})
            if has.get("customer_name"):
                rows["name"] = customers["customer_name"]
            if has.get("country"):
                rows["attributes"] = [{"country": c} if isinstance(c, str) else {} for c in customers["country"]]
            self._upsert("customers", rows)
        products = lines.drop_duplicates("product_id", keep="last")
        highest = lines.groupby("product_id", sort=False)["unit_price"].max()
        named = products.set_index("product_id")["product_name"] if has.get("product_name") else None
        self._note_items(highest.index.to_series(), named.reindex(highest.index) if named is not None else None,
                         highest)  # fmt: skip
        rows = pd.DataFrame({"external_id": products["product_id"]})
        for target, source in (("name", "product_name"), ("category", "category"), ("brand", "brand"),
                               ("price", "unit_price")):  # fmt: skip
            if has.get(source):
                rows[target] = products[source]
        self._upsert("products", rows)
        orders = lines.drop_duplicates("order_id", keep="first")
        rows = pd.DataFrame({
            "external_id": orders["order_id"], "customer_id": orders["customer_id"],
            "ordered_at": orders["ordered_at"], "status": orders["status"].where(orders["status"].notna(), "completed"),
        })  # fmt: skip
        if has.get("store"):
            rows["store"] = orders["store"]
        self._upsert("orders", rows)
        items = lines[["order_id", "product_id", "quantity", "unit_price", "discount"]].copy()
        items["discount"] = pd.to_numeric(items["discount"], errors="coerce").fillna(0.0).astype(float)
        if has.get("promotion"):
            items["promotion"] = lines["promotion"]
        self._upsert("order_items", items)

    def _note_items(self, ids: pd.Series, names: pd.Series | None, prices: pd.Series | None) -> None:
        """Remember each item's name and the highest price it sold at in this import (for the flags)."""
        for position, item in enumerate(ids.astype(str).tolist()):
            if names is not None:
                name = names.iloc[position]
                if isinstance(name, str) or item not in self.item_names:
                    self.item_names[item] = name if isinstance(name, str) else None
            else:
                self.item_names.setdefault(item, None)
            if prices is not None and pd.notna(prices.iloc[position]):
                self.item_prices[item] = max(float(prices.iloc[position]), self.item_prices.get(item, float("-inf")))

    def non_products(self) -> list[dict[str, Any]]:
        """The items of this import that look like charges rather than goods, with the rule and the word."""
        if not self.item_names:
            return []
        items = pd.DataFrame({"product_id": list(self.item_names), "name": list(self.item_names.values())})
        stats = pd.DataFrame({
            "product_id": items["product_id"],
            "max_price": items["product_id"].map(self.item_prices),
        })  # fmt: skip
        flags = flag_non_products(items, stats)
        return [{"item_id": r["product_id"], "name": r["name"], "rule": r["rule"], "matched": r["matched"]}
                for r in flags.head(MAX_FLAGGED).to_dict("records")]  # fmt: skip

    def counts(self) -> dict[str, int]:
        table = "order_items" if self.entity.name == "order_lines" else self.entity.name
        tally = self.tables.get(table, Counter())
        return {
            "rows_read": self.rows_read,
            "inserted": tally["inserted"],
            "updated": tally["updated"],
            "unchanged": tally["unchanged"],
            "merged": self.merged,
            "rejected": len({r.row for r in self.rejections}),
        }


def run_import(
    tenant_id: str,
    entity_name: str,
    opened: tuple[FileLayout, Iterator[pd.DataFrame]],
    *,
    source: str,
    dry_run: bool = False,
    returns: Returns = "reject",
    import_id: str | None = None,
) -> ImportReport:
    """Validate and write every chunk in one transaction; store and return the report."""
    entity = ENTITIES[entity_name]
    layout, chunks = opened
    import_id = import_id or import_rows.start_import(tenant_id, entity_name, source, dry_run)
    engine = get_engine()
    connection = engine.connect()
    transaction = connection.begin()
    importer = Importer(connection, tenant_id, entity, returns, utcnow().replace(tzinfo=None))
    try:
        for checked in read_ahead(chunks, importer.check):
            importer.process(checked)
        importer.writer.drain()
        importer.writer.close()
        importer.rejections.extend(layout.unreadable_rows)
        importer.rows_read += len(layout.unreadable_rows)
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    except BaseException as error:
        importer.writer.close(abandon=True)  # the connection is this thread's again before the rollback
        transaction.rollback()
        connection.close()
        details = _details(layout, importer, entity_name)
        _failed(tenant_id, import_id, error, details, {"rows_read": importer.rows_read})
        raise
    connection.close()
    if not dry_run:
        written = sum(tally["inserted"] + tally["updated"] for tally in importer.tables.values())
        with engine.begin() as fresh:
            commerce.refresh_statistics(fresh, set(importer.tables), written)
    rejections = sorted(importer.rejections, key=lambda r: r.row or 0)
    import_rows.add_rejections(tenant_id, import_id, [
        {**r.as_rejection(), "code": r.code, "params": r.params} for r in rejections
    ])  # fmt: skip
    counts = importer.counts()
    details = _details(layout, importer, entity_name)
    status = "validated" if dry_run else "completed"
    import_rows.finish_import(tenant_id, import_id, status=status, counts=counts, details=details)
    return ImportReport(import_id, entity_name, status, dry_run, counts, details,
                        [r.as_rejection() for r in rejections[:SAMPLE_REJECTIONS]])  # fmt: skip


def _failed(tenant_id: str, import_id: str, error: BaseException, details: dict[str, Any],
            counts: dict[str, int]) -> None:  # fmt: skip
    """Record why an import wrote nothing: the reader's own sentence, or a general one (the error is logged)."""
    if isinstance(error, FileRejected) and error.text is not None:
        reason = error.text
    elif isinstance(error, FileRejected):
        reason = say("import.nothing", reason=str(error))
    elif isinstance(error, ReadStopped):
        reason = say("read.stopped")
    else:
        log.error("import %s failed", import_id, exc_info=error)
        reason = say("read.failed")
    text = say("import.nothing", reason=reason) if reason.code != "import.nothing" else reason
    details = {**details, "error": text_as_json(text)}
    import_rows.finish_import(tenant_id, import_id, status="failed", counts=counts, details=details, error=str(text))


def _reasons_where(mask: np.ndarray, values: pd.Series, code: str, key: str = "value", **params: Any) -> np.ndarray:
    """Messages for the masked rows only (one per row of a large chunk would cost seconds); ``values`` fill
    the parameter ``key``."""
    reasons = np.empty(len(mask), dtype=object)
    where = np.flatnonzero(mask)
    reasons[where] = [say(code, **{key: _plain(value)}, **params) for value in values.to_numpy()[where]]
    return reasons


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, np.integer) else str(value) if not isinstance(value, int) else value


def read_ahead(chunks: Iterator[pd.DataFrame], check: Callable[[pd.DataFrame], T], depth: int = 2) -> Iterator[T]:
    """Read and check the next chunks in a thread while the caller writes this one.

    Parsing and validation (pandas, Arrow) and the database writes (the driver) release the GIL for
    much of their work, so on two cores the two halves overlap. Errors are raised in the caller, in order.
    """
    results: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                results.put(("item", check(chunk)))
            results.put(("done", None))
        except BaseException as error:  # handed to the caller, which raises it
            results.put(("error", error))

    reader = threading.Thread(target=produce, name="tendero-import-reader", daemon=True)
    reader.start()
    try:
        while True:
            kind, value = results.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        while reader.is_alive():  # unblock a reader waiting on a full queue, then let it end
            with contextlib.suppress(queue.Empty):
                results.get(timeout=0.1)
        reader.join()


def reason_kind(reason: str) -> str:
    """A reason without its particulars (ids, row numbers), to count rejections by kind."""
    reason = re.sub(r"^(unknown [a-z ]+?) \S+:", r"\1:", reason)
    return re.sub(r"\d+", "N", reason)


def _details(layout: FileLayout, importer: Importer, entity: str) -> dict[str, Any]:
    reasons = Counter(reason_kind(r.message) for r in importer.rejections)
    found: dict[str, Any] = {}
    if importer.currencies:
        found["currency"] = {"found": dict(importer.currencies.most_common())}
    else:
        by_country = country_currency(importer.countries, importer.priced_lines)
        if by_country is not None:  # no currency column: what the country most lines name says (taken or why not)
            found["currency"] = {"found": {}, "from_country": by_country}
    flagged = importer.non_products()
    if flagged:
        found["non_products"] = {"count": len(flagged), "items": flagged}
    return {
        "format": layout.format,
        "encoding": layout.encoding,
        "delimiter": layout.delimiter,
        "columns": layout.mapped,
        "ignored_columns": layout.ignored,
        "attribute_columns": layout.extra,
        "tables": {name: dict(tally) for name, tally in importer.tables.items()},
        "rejection_reasons": dict(reasons.most_common()),
        "merged_rows_sample": importer.merged_rows,
        "lines_given_their_orders_time": importer.retimed,
        **found,
    }


def _open_failed(tenant_id: str, import_id: str, error: FileRejected) -> None:
    _failed(tenant_id, import_id, error, {}, {})


def import_file(
    tenant_id: str,
    entity: str,
    path: Path,
    *,
    mapping: dict[str, str] | None = None,
    filename: str | None = None,
    dry_run: bool = False,
    returns: Returns = "reject",
    constants: dict[str, str] | None = None,
) -> ImportReport:
    """Import a CSV, JSON, JSON lines, Parquet or Excel file (the format is detected from its content)."""
    shown = Path(filename or path.name).name
    import_id = import_rows.start_import(tenant_id, entity, shown, dry_run)
    try:
        opened = read_chunks(path, ENTITIES[entity], mapping or {}, filename=shown, constants=constants)
    except FileRejected as error:
        _open_failed(tenant_id, import_id, error)
        raise
    return run_import(tenant_id, entity, opened, source=shown, dry_run=dry_run, returns=returns, import_id=import_id)


def import_records(
    tenant_id: str,
    entity: str,
    records: list[dict[str, Any]],
    *,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    returns: Returns = "reject",
    constants: dict[str, str] | None = None,
) -> ImportReport:
    """A JSON batch posted by a live integration: same rules as files, rows numbered from 1."""
    import_id = import_rows.start_import(tenant_id, entity, "json batch", dry_run)
    try:
        opened = frame_chunks(records, ENTITIES[entity], mapping or {}, constants)
    except FileRejected as error:
        _open_failed(tenant_id, import_id, error)
        raise
    return run_import(tenant_id, entity, opened, source="json batch", dry_run=dry_run, returns=returns,
                      import_id=import_id)  # fmt: skip


def import_sql(
    tenant_id: str,
    entity: str,
    url: str | None,
    query: str,
    *,
    source: str | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    returns: Returns = "reject",
    chunk_rows: int = 100_000,
    constants: dict[str, str] | None = None,
) -> ImportReport:
    """Run a query on the shop's own database and import what it returns.

    ``source`` names a source an operator configured for this tenant; ``url`` is for an operator at the
    shell (``tendero import sql --url``). Either way the query runs read-only, within the configured
    time and row limits, and never on tendero's own database.
    """
    from tendero.store import sources

    shown = f"sql source {source}" if source else "sql"
    import_id = import_rows.start_import(tenant_id, entity, shown, dry_run)
    try:
        if source:
            stream = sources.open_source(tenant_id, source, query, chunk_rows)
        elif url:
            stream = sources.open_url(url, query, chunk_rows)
        else:
            raise FileRejected(say("source.unknown", name=""))
    except FileRejected as error:
        _open_failed(tenant_id, import_id, error)
        raise
    try:
        opened = query_chunks(stream.columns, stream.frames(), ENTITIES[entity], mapping or {}, constants)
    except FileRejected as error:
        stream.close()
        _open_failed(tenant_id, import_id, error)
        raise
    try:
        return run_import(tenant_id, entity, opened, source=shown, dry_run=dry_run, returns=returns,
                          import_id=import_id)  # fmt: skip
    finally:
        stream.close()
