"""Product search as the faces use it: keep each tenant's index in step with its catalogue, answer
queries and the s1 ``query_text`` recommendations, and run the index job.

The stored state is the ``search_documents`` table (an embedding per product, re-made only when the
text it read changes) and a per-tenant version in ``search_indexes``. Every catalogue change bumps the
version; a process holds each tenant's index in memory, re-reads the version at most once a second, and
reloads (stored embeddings, a fresh BM25) when it moved, answering from the previous index meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tendero.kinds import Progress, RecommenderModel
from tendero.search.encoder import ENCODERS, get_encoder, model_for
from tendero.search.encoder import ModelMissing as ModelMissing
from tendero.search.index import ProductIndex, dense_text
from tendero.search.text import detect_language
from tendero.store import search as search_rows
from tendero.store.tables import utcnow

log = logging.getLogger(__name__)
JOB_KIND = "search_index"
INLINE_SYNC_PRODUCTS = 2000  # a first search over a catalogue this small embeds it on the spot (a few seconds)
EMBED_BATCH = 256
RECHECK_SECONDS = 1.0
MAX_RESULTS = 1000
RERANK_POOL = 50  # recommend(query_text, user_id): the recommender re-ranks this many search results


@dataclass
class SearchItem:
    product_id: str
    name: str
    category: str | None
    brand: str | None
    price: float | None
    score: float
    matched: list[str]


@dataclass
class SearchAnswer:
    query: str
    items: list[SearchItem]
    total: int
    index: dict[str, Any] = field(default_factory=dict)
    notice: str | None = None  # a code the faces translate: "no_terms", "index_building"


def text_hash(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\x1f{text}".encode()).hexdigest()


# --- keeping the index in step ---


_sync_locks: dict[str, threading.Lock] = {}
_sync_locks_guard = threading.Lock()


def sync_index(tenant_id: str, *, rebuild: bool = False, progress: Progress | None = None) -> dict[str, Any]:
    """Embed new and changed products, drop deleted ones; ``rebuild`` re-embeds everything."""
    with _sync_locks_guard:
        lock = _sync_locks.setdefault(tenant_id, threading.Lock())
    with lock:
        return _sync(tenant_id, rebuild, progress)


def _sync(tenant_id: str, rebuild: bool, progress: Progress | None) -> dict[str, Any]:
    started = time.perf_counter()
    catalogue = search_rows.read_catalogue(tenant_id)
    language = detect_language(catalogue["name"].astype(str).tolist())
    model = model_for(language)
    stored = search_rows.read_documents(tenant_id)
    known = dict(zip(stored["product_id"], zip(stored["model"], stored["text_hash"], strict=True), strict=True))
    records = catalogue.to_dict("records")
    texts = [dense_text(r) for r in records]
    hashes = [text_hash(model, t) for t in texts]
    ids = catalogue["product_id"].astype(str).tolist()
    todo = [i for i, (p, h) in enumerate(zip(ids, hashes, strict=True)) if rebuild or known.get(p) != (model, h)]
    gone = sorted(set(known) - set(ids))
    if gone:
        search_rows.delete_documents(tenant_id, gone)
    if progress is not None:
        progress.update(0, len(todo), message=f"embedding {len(todo)} of {len(ids)} products with {model}")
    if todo:
        encoder = get_encoder(model)
        for start in range(0, len(todo), EMBED_BATCH):
            batch = todo[start : start + EMBED_BATCH]
            vectors = encoder.embed([texts[i] for i in batch])
            search_rows.write_documents(tenant_id, [ids[i] for i in batch], model, [hashes[i] for i in batch], vectors)
            if progress is not None:
                progress.update(start + len(batch), len(todo), message="embedding products")
    state = search_rows.index_state(tenant_id)
    changed = bool(todo or gone) or state is None or state.get("model") != model or state.get("synced_at") is None
    fields = {"model": model, "language": language, "products": len(ids), "embedded": len(ids), "synced_at": utcnow()}
    version = search_rows.bump_version(tenant_id, **fields) if changed else int(state["version"])  # type: ignore[index]
    summary = {
        "products": len(ids),
        "embedded_now": len(todo),
        "removed": len(gone),
        "model": model,
        "language": language,
        "version": version,
        "seconds": round(time.perf_counter() - started, 3),
    }
    log.info("search index synced for %s: %s", tenant_id, summary)
    return summary


def catalogue_changed(tenant_id: str) -> str | None:
    """Call after products were imported, upserted or deleted (once the import committed): the next
    query sees the new rows at once (words, prices, active flags) and a job embeds what changed.
    Returns the job id."""
    version = search_rows.bump_version(tenant_id)
    return submit_index_job(tenant_id, idempotency_key=f"search-index:v{version}")


def follow_import(tenant_id: str, status: str, details: dict[str, Any]) -> str | None:
    """The import hook: after a committed import that inserted or updated products (a products file, or
    order lines naming new products), the index follows. Returns the index job's id, if one was queued."""
    products = (details.get("tables") or {}).get("products") or {}
    if status != "completed" or not (products.get("inserted") or products.get("updated")):
        return None
    return catalogue_changed(tenant_id)


def submit_index_job(tenant_id: str, *, rebuild: bool = False, idempotency_key: str | None = None) -> str:
    """Queue the index job (``rebuild``: re-embed every product); returns its id."""
    from tendero.config import get_settings
    from tendero.jobs.runner import get_runner
    from tendero.store import jobs as job_rows
    from tendero.store.db import session_scope

    with session_scope() as session:
        job, _ = job_rows.submit_job(
            session,
            tenant_id,
            JOB_KIND,
            {"rebuild": rebuild},
            idempotency_key=idempotency_key,
            max_attempts=get_settings().job_attempts,
        )
        job_id = job.id
    get_runner().notify(job_id)
    return job_id


def run_index_job(context: Any) -> dict[str, Any]:
    """The ``search_index`` job (runs in the job's child process)."""
    return sync_index(context.tenant_id, rebuild=bool(context.params.get("rebuild")), progress=context.progress)


def index_status(tenant_id: str) -> dict[str, Any]:
    state = search_rows.index_state(tenant_id) or {}
    return {
        "version": int(state.get("version") or 0),
        "model": state.get("model"),
        "language": state.get("language"),
        "products": int(state.get("products") or 0),
        "synced_at": state.get("synced_at"),
        "changed_at": state.get("changed_at"),
    }


# --- the served indexes ---


def load_index(tenant_id: str) -> ProductIndex:
    """The tenant's index from its stored rows: every product for words, stored embeddings whose text
    is still current for meaning (a product changed since the last sync has none until the job runs)."""
    catalogue = search_rows.read_catalogue(tenant_id)
    language = detect_language(catalogue["name"].astype(str).tolist())
    model = model_for(language)
    dimensions = ENCODERS[model].dimensions
    documents = search_rows.read_documents(tenant_id, embeddings=True)
    matrix = np.full((len(catalogue), dimensions), np.nan, dtype=np.float32)
    if not documents.empty:
        documents = documents[documents["model"] == model]
        vectors = search_rows.embedding_matrix(documents, dimensions)
        position = {p: i for i, p in enumerate(catalogue["product_id"].astype(str))}
        current = {
            p: text_hash(model, dense_text(r)) for p, r in zip(position, catalogue.to_dict("records"), strict=True)
        }
        for row, (product_id, stored_hash) in enumerate(
            zip(documents["product_id"], documents["text_hash"], strict=True)
        ):
            if current.get(product_id) == stored_hash:
                matrix[position[product_id]] = vectors[row]
    embedded = ~np.isnan(matrix).any(axis=1)
    encoder = get_encoder(model) if embedded.any() else None
    return ProductIndex(catalogue, matrix if encoder else None, encoder, language=language)


@dataclass
class _Entry:
    version: int
    index: ProductIndex
    checked: float


class ServedIndexes:
    """Each tenant's loaded index; a moved version reloads it in the background while the old one answers."""

    def __init__(self, recheck_seconds: float = RECHECK_SECONDS) -> None:
        self.recheck_seconds = recheck_seconds
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}
        self._reloading: set[str] = set()

    def get(self, tenant_id: str) -> tuple[ProductIndex, int]:
        entry = self._entries.get(tenant_id)
        now = time.monotonic()
        if entry is not None and now - entry.checked < self.recheck_seconds:
            return entry.index, entry.version
        version = search_rows.index_version(tenant_id)
        if entry is not None:
            entry.checked = now
            if entry.version != version:
                self._reload_in_background(tenant_id)
            return entry.index, entry.version
        with self._lock:
            loading = self._loading.setdefault(tenant_id, threading.Lock())
        with loading:
            entry = self._entries.get(tenant_id)
            if entry is None:
                entry = self._load(tenant_id)
            return entry.index, entry.version

    def holds(self, tenant_id: str) -> bool:
        return tenant_id in self._entries

    def refresh(self, tenant_id: str) -> None:
        """Load the current version now (after this process changed it, so its next answer shows it)."""
        self._load(tenant_id)

    def forget(self, tenant_id: str) -> None:
        with self._lock:
            self._entries.pop(tenant_id, None)

    def _load(self, tenant_id: str) -> _Entry:
        version = search_rows.index_version(tenant_id)
        entry = _Entry(version, load_index(tenant_id), time.monotonic())
        with self._lock:
            self._entries[tenant_id] = entry
        return entry

    def _reload_in_background(self, tenant_id: str) -> None:
        with self._lock:
            if tenant_id in self._reloading:
                return
            self._reloading.add(tenant_id)

        def reload() -> None:
            try:
                self._load(tenant_id)
            except Exception:
                log.exception("reloading the search index of %s failed; the previous one keeps answering", tenant_id)
            finally:
                with self._lock:
                    self._reloading.discard(tenant_id)

        threading.Thread(target=reload, name="tendero-search-reload", daemon=True).start()


served_indexes = ServedIndexes()


def ready_index(tenant_id: str) -> tuple[ProductIndex, int, str | None]:
    """The served index; a catalogue never synced is embedded now if small, or by a queued job if not
    (words answer meanwhile). The notice says when meaning is not searched yet."""
    if not served_indexes.holds(tenant_id):
        state = search_rows.index_state(tenant_id)
        if state is None or state.get("synced_at") is None:
            if search_rows.count_products(tenant_id) <= INLINE_SYNC_PRODUCTS:
                sync_index(tenant_id)
            else:
                version = state["version"] if state else 0
                submit_index_job(tenant_id, idempotency_key=f"search-index:first:v{version}")
    index, version = served_indexes.get(tenant_id)
    notice = "index_building" if len(index) and not index.embedded.any() else None
    return index, version, notice


# --- answering ---


def search(
    tenant_id: str,
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    category: str | None = None,
    min_price: float | None = None,
    max_price: float | None = None,
) -> SearchAnswer:
    """Products for ``query``, best first, each with its score and which parts matched."""
    index, version, notice = ready_index(tenant_id)
    keep = index.mask(category=category, min_price=min_price, max_price=max_price)
    signals = index.signals(query)
    if not signals.exact:
        return SearchAnswer(query, [], 0, _index_info(index, version), "no_terms")
    hits = index.rank(signals, min(MAX_RESULTS, offset + limit), keep=keep)
    lexical_only = index.embeddings is None
    total = len(hits) if lexical_only or len(hits) < offset + limit else min(int(keep.sum()), MAX_RESULTS)
    items = [_item(index, hit.row, hit.score, hit.matched) for hit in hits[offset:]]
    return SearchAnswer(query, items, total, _index_info(index, version), notice)


def recommend_for_text(
    tenant_id: str, query_text: str, *, user_id: str | None = None, limit: int = 10, model: str = "recommender"
) -> dict[str, Any]:
    """The s1 contract: products similar to a text; with ``user_id`` and a deployed recommender, the best
    search results re-ranked by that customer's recommender scores (half relevance, half taste)."""
    from tendero.errors import NotFound
    from tendero.registry.service import deployed_models

    answer = search(tenant_id, query_text, limit=max(limit, RERANK_POOL) if user_id else limit)
    items = answer.items
    reranked: dict[str, Any] | None = None
    if user_id and items:
        try:
            served = deployed_models.get(tenant_id, model, RecommenderModel)
        except NotFound:
            served = None
        if served is not None:
            taste = np.array(served.fitted.score(user_id, [i.product_id for i in items]), dtype=np.float64)
            relevance = np.array([i.score for i in items], dtype=float)
            blend = 0.5 * _unit(relevance) + 0.5 * _unit(taste)
            order = np.argsort(-blend, kind="stable")
            for i in order:
                items[i].score = float(blend[i])
            items = [items[i] for i in order]
            reranked = {"model": model, "version": served.version}
    return {
        "query": query_text,
        "user_id": user_id,
        "similar_products": [vars(i) | {"id": i.product_id} for i in items[:limit]],
        "reranked_by": reranked,
        "index": answer.index,
        "notice": answer.notice,
    }


def record_search(tenant_id: str, endpoint: str, started: float, version: str, status: int = 200) -> None:
    """An audit row for a search made outside HTTP (the CLI), as the API writes for its calls."""
    from tendero.observability.audit import AuditRecord, audit_writer

    audit_writer.add(AuditRecord(tenant_id=tenant_id, key_prefix="cli", method="CLI", endpoint=endpoint,
                                 action="predict", latency_ms=(time.perf_counter() - started) * 1000,
                                 status_code=status, model_name="search", model_version=version))  # fmt: skip
    audit_writer.flush()


def _unit(values: np.ndarray) -> np.ndarray:
    low, high = float(np.min(values)), float(np.max(values))
    return (values - low) / (high - low) if high > low else np.ones_like(values)


def _item(index: ProductIndex, row: int, score: float, matched: list[str]) -> SearchItem:
    record = index.products.iloc[row]
    price = index.price[row]
    return SearchItem(
        product_id=str(record["product_id"]),
        name=str(record.get("name") or ""),
        category=record.get("category") if isinstance(record.get("category"), str) else None,
        brand=record.get("brand") if isinstance(record.get("brand"), str) else None,
        price=float(price) if np.isfinite(price) else None,
        score=round(float(score), 6),
        matched=matched,
    )


def _index_info(index: ProductIndex, version: int) -> dict[str, Any]:
    return {
        "version": version,
        "products": len(index),
        "embedded": int(index.embedded.sum()),
        "language": index.language,
    }
