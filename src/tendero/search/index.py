"""A tenant's product index: BM25 over stemmed words fused with exact dense similarity, with filters.

Lexical and dense scores are computed for every product (BM25 from ``bm25s``' sparse matrix, the
cosine as one matrix-vector product: exact, and about 8 ms of CPU for 50,000 products), then fused.
Fusion is a weighted sum of per-query z-scores (each signal centred on its mean over the catalogue and
scaled by its spread), the method and weight chosen on the tuning half of the Home Depot queries
(README): it beat reciprocal rank fusion and min-max scaling there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import bm25s
import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from tendero.search.encoder import Encoder
from tendero.search.text import Language, detect_language, terms

FIELDS = ("name", "brand", "category", "description", "attributes")
NAME_REPEAT = 2  # the name counts twice: a word in the title says more than one in the description
TYPO_MAX_TERMS = 3  # typo tolerance for short queries only: long ones carry enough right words
TYPO_WEIGHT = 0.7  # a corrected word counts less than one typed right
MAX_QUERY_TERMS = 64
Fusion = Literal["zscore", "rrf", "lexical", "dense"]


@dataclass(frozen=True)
class FusionParams:
    method: Fusion = "zscore"
    lexical_weight: float = 0.5  # z-score fusion: share of the lexical signal
    rrf_k: int = 60


@dataclass
class Signals:
    """A query's index terms (typed, and corrected for typos) and its scores for every product."""

    exact: list[str]
    corrected: list[str]
    lexical: np.ndarray
    dense: np.ndarray | None


@dataclass
class Hit:
    row: int
    score: float
    lexical: float
    dense: float
    matched: list[str] = field(default_factory=list)  # fields whose words matched, and "meaning"


def lexical_text(product: pd.Series | dict) -> str:
    """All the searchable words of a product, the name repeated so that it weighs more."""
    return " ".join([str(product.get("name") or "")] * NAME_REPEAT + [field_text(product, f) for f in FIELDS[1:]])


def dense_text(product: pd.Series | dict) -> str:
    """What the encoder reads: name, brand, category and the start of the description."""
    parts = [str(product.get("name") or ""), field_text(product, "brand"), field_text(product, "category")]
    description = field_text(product, "description")
    if description:
        parts.append(description[:300])
    return ". ".join(p for p in parts if p)


def field_text(product: pd.Series | dict, name: str) -> str:
    value = product.get(name)
    if name == "attributes":
        if not isinstance(value, dict):
            return ""
        return " ".join(f"{k} {v}" for k, v in value.items() if v is not None and not isinstance(v, (dict, list)))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


class ProductIndex:
    """Built from a products frame (product_id, name, and optionally description, category, brand,
    price, active, attributes) and one embedding row per product (NaN rows: not embedded yet)."""

    def __init__(
        self,
        products: pd.DataFrame,
        embeddings: np.ndarray | None,
        encoder: Encoder | None,
        *,
        language: Language | None = None,
        fusion: FusionParams | None = None,
    ) -> None:
        self.products = products.reset_index(drop=True)
        self.language: Language = language or detect_language(self.products["name"].astype(str).tolist())
        self.fusion = fusion or FusionParams()
        self.encoder = encoder
        n = len(self.products)
        self.ids = self.products["product_id"].astype(str).to_numpy()
        records = self.products.to_dict("records")
        self._bm25 = bm25s.BM25()
        corpus = [terms(lexical_text(r), self.language) for r in records]
        if n:
            self._bm25.index(corpus, show_progress=False)
        self._vocabulary = list(self._bm25.vocab_dict) if n else []
        self._known = set(self._vocabulary)
        if embeddings is None or encoder is None:
            self.embeddings = None
            self.embedded = np.zeros(n, dtype=bool)
        else:
            self.embedded = ~np.isnan(embeddings).any(axis=1) if n else np.zeros(0, dtype=bool)
            self.embeddings = np.ascontiguousarray(np.nan_to_num(embeddings, nan=0.0), dtype=np.float32)
        self.category_folded = self._folded("category")
        self.price = (
            pd.to_numeric(self.products.get("price"), errors="coerce").to_numpy(dtype=float)
            if "price" in self.products
            else np.full(n, np.nan)
        )
        active = self.products["active"] if "active" in self.products else pd.Series(True, index=self.products.index)
        self.active = active.fillna(True).astype(bool).to_numpy()
        self._records = records

    def __len__(self) -> int:
        return len(self.products)

    def _folded(self, column: str) -> np.ndarray:
        from tendero.search.text import fold

        if column not in self.products:
            return np.full(len(self.products), "", dtype=object)
        return np.array([fold(str(v)) if isinstance(v, str) else "" for v in self.products[column]], dtype=object)

    # --- query side ---

    def query_terms(self, query: str) -> tuple[list[str], list[str]]:
        """The query's index terms, and close index terms for misspelt words of a short query."""
        exact = terms(query, self.language)[:MAX_QUERY_TERMS]
        corrected: list[str] = []
        if len(exact) <= TYPO_MAX_TERMS:
            for term in exact:
                if term in self._known or len(term) < 4 or term.isdigit():
                    continue
                limit = 1 if len(term) <= 5 else 2
                found = process.extract(
                    term, self._vocabulary, scorer=Levenshtein.distance, score_cutoff=limit, limit=3
                )
                corrected += [match for match, _, _ in found]
        return exact, corrected

    def lexical_scores(self, exact: list[str], corrected: list[str]) -> np.ndarray:
        n = len(self)
        scores = np.zeros(n, dtype=np.float32)
        if not n:
            return scores
        known = [t for t in exact if t in self._known]
        if known:
            scores += self._bm25.get_scores(known)
        if corrected:
            scores += TYPO_WEIGHT * self._bm25.get_scores(corrected)
        return scores

    def dense_scores(self, query: str, vector: np.ndarray | None = None) -> np.ndarray | None:
        """Cosine of every product with the query (NaN for products not embedded); ``vector``: the query's
        embedding when the caller already has it (benches embed their queries in one batch)."""
        if self.embeddings is None or self.encoder is None or not self.embedded.any():
            return None
        if vector is None:
            vector = self.encoder.embed([query])[0]
        scores = self.embeddings @ vector
        scores[~self.embedded] = np.nan
        return scores

    def mask(
        self,
        *,
        category: str | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        include_inactive: bool = False,
        only: np.ndarray | None = None,
    ) -> np.ndarray:
        from tendero.search.text import fold

        keep = np.ones(len(self), dtype=bool) if include_inactive else self.active.copy()
        if category:
            keep &= self.category_folded == fold(category.strip())
        if min_price is not None:
            keep &= self.price >= min_price
        if max_price is not None:
            keep &= self.price <= max_price
        if only is not None:
            keep &= only
        return keep

    def signals(self, query: str, vector: np.ndarray | None = None, *, dense: bool = True) -> Signals:
        """Everything a ranking of ``query`` needs, computed once (fusion settings can then be compared)."""
        exact, corrected = self.query_terms(query)
        lexical = self.lexical_scores(exact, corrected)
        similarity = self.dense_scores(query, vector) if dense and exact else None
        return Signals(exact, corrected, lexical, similarity)

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        keep: np.ndarray | None = None,
        fusion: FusionParams | None = None,
        vector: np.ndarray | None = None,
        explain: bool = True,
    ) -> list[Hit]:
        """The top ``k`` products for ``query`` among ``keep`` (a boolean mask; default: active ones)."""
        fusion = fusion or self.fusion
        if not len(self):
            return []
        return self.rank(self.signals(query, vector, dense=fusion.method != "lexical"), k, keep=keep, fusion=fusion,
                         explain=explain)  # fmt: skip

    def rank(
        self,
        signals: Signals,
        k: int = 10,
        *,
        keep: np.ndarray | None = None,
        fusion: FusionParams | None = None,
        explain: bool = True,
    ) -> list[Hit]:
        fusion = fusion or self.fusion
        keep = self.mask() if keep is None else keep
        if not len(self) or not keep.any() or not signals.exact:
            return []  # nothing searchable in the query (stop words, symbols)
        lexical, dense = signals.lexical, signals.dense if fusion.method != "lexical" else None
        if fusion.method == "dense" and dense is None:
            return []
        fused = fuse(lexical if fusion.method != "dense" else np.zeros(len(self), np.float32), dense, keep, fusion)
        candidates = np.flatnonzero(keep & np.isfinite(fused))
        if fusion.method == "lexical" or dense is None:
            candidates = candidates[lexical[candidates] > 0]
        if not len(candidates):
            return []
        top = (
            candidates[np.argsort(-fused[candidates], kind="stable")[:k]]
            if len(candidates) <= k
            else candidates[_top(fused[candidates], k)]
        )
        query_terms = set(signals.exact) | set(signals.corrected)
        return [
            self._hit(
                int(row),
                float(fused[row]),
                float(lexical[row]),
                float(dense[row]) if dense is not None and np.isfinite(dense[row]) else 0.0,
                query_terms if explain else set(),
                dense is not None and explain,
            )
            for row in top
        ]

    def _hit(self, row: int, score: float, lexical: float, dense: float, query_terms: set[str], semantic: bool) -> Hit:
        matched = []
        if lexical > 0 and query_terms:
            record = self._records[row]
            matched = [f for f in FIELDS if query_terms & set(terms(field_text(record, f), self.language))]
        if semantic and dense > 0:
            matched.append("meaning")
        return Hit(row, score, lexical, dense, matched)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


def fuse(lexical: np.ndarray, dense: np.ndarray | None, keep: np.ndarray, fusion: FusionParams) -> np.ndarray:
    """One score per product (NaN where not kept); higher is better."""
    out = np.full(len(lexical), np.nan)
    if not keep.any():
        return out
    if dense is None or fusion.method == "lexical":
        out[keep] = lexical[keep]
        return out
    has_dense = keep & np.isfinite(dense)
    if fusion.method == "dense":
        out[has_dense] = dense[has_dense]
        return out
    if fusion.method == "rrf":
        both = _rrf(lexical, keep, fusion.rrf_k, positive_only=True) + _rrf(dense, has_dense, fusion.rrf_k)
        out[keep] = both[keep]
        return out
    lexical_z = _zscore(lexical, keep)
    dense_z = _zscore(dense, has_dense)
    weight = fusion.lexical_weight
    out[keep] = weight * lexical_z[keep] + (1 - weight) * np.where(has_dense[keep], dense_z[keep], 0.0)
    return out


def _zscore(values: np.ndarray, where: np.ndarray) -> np.ndarray:
    out = np.zeros(len(values), dtype=float)
    if not where.any():
        return out
    chosen = values[where].astype(float)
    spread = chosen.std()
    if spread > 0:
        out[where] = (chosen - chosen.mean()) / spread
    return out


def _rrf(values: np.ndarray, where: np.ndarray, k: int, positive_only: bool = False) -> np.ndarray:
    """Reciprocal rank contribution of each row ranked among the ``where`` rows (0 elsewhere, and for
    rows without a lexical match when ``positive_only``)."""
    idx = np.flatnonzero(where)
    order = idx[np.argsort(-values[idx], kind="stable")]
    contribution = np.zeros(len(values))
    contribution[order] = 1.0 / (k + np.arange(1, len(order) + 1))
    if positive_only:
        contribution[values <= 0] = 0.0
    return contribution
