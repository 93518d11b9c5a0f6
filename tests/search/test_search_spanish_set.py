"""The Spanish labelled set: the files are what the rule gives, synonyms share no word with their titles,
and tendero's figures on it (the issue's goals; the synonym goal is not reached: see the README)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from spanish_set import FOLDER, build

from tendero.search.encoder import get_encoder
from tendero.search.evaluation import ndcg_at, recall_at
from tendero.search.index import FusionParams, ProductIndex, dense_text
from tendero.search.text import ALL_STOP_WORDS, fold, words

SYNONYM_RECALL_GOAL = 0.9
# measured 0.474 (tendero) and 0.485 (the model alone) with USE multilingual v3 (README); below this fails
SYNONYM_RECALL_FLOOR = 0.45


@pytest.fixture(scope="module")
def spanish() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict[str, float]]]:
    products = pd.read_csv(FOLDER / "products.csv", dtype={"product_id": str})
    queries = pd.read_csv(FOLDER / "queries.csv")
    labels = pd.read_csv(FOLDER / "labels.csv")
    gains = {q: dict(zip(g["product_id"], g["gain"].astype(float), strict=True)) for q, g in labels.groupby("query_id")}
    return products, queries, gains


@pytest.fixture(scope="module")
def index(spanish) -> ProductIndex:
    products = spanish[0]
    encoder = get_encoder("use-multilingual-v3")
    return ProductIndex(products, encoder.embed([dense_text(r) for r in products.to_dict("records")]), encoder)


def test_the_committed_files_are_what_the_rule_gives():
    products, queries, labels = build()
    assert len(queries) >= 100
    pd.testing.assert_frame_equal(products.reset_index(drop=True), pd.read_csv(FOLDER / "products.csv"),
                                  check_dtype=False)  # fmt: skip
    pd.testing.assert_frame_equal(queries, pd.read_csv(FOLDER / "queries.csv"))
    pd.testing.assert_frame_equal(labels, pd.read_csv(FOLDER / "labels.csv"), check_dtype=False)


def test_synonym_queries_share_no_word_with_their_titles(spanish):
    products, queries, gains = spanish
    titles = dict(zip(products["product_id"], products["name"], strict=True))
    synonyms = queries[queries["type"] == "synonym"]
    assert len(synonyms) >= 40
    for query_id, text in zip(synonyms["query_id"], synonyms["query"], strict=True):
        asked = {fold(w) for w in words(text)} - ALL_STOP_WORDS
        for product_id in gains[query_id]:
            assert not asked & {fold(w) for w in words(titles[product_id])}, (text, titles[product_id])


def _scores(index: ProductIndex, queries: pd.DataFrame, gains, kind: str, fusion=None) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    chosen = queries[queries["type"] == kind] if kind != "all" else queries
    ndcg, recall = [], []
    for query_id, text in zip(chosen["query_id"], chosen["query"], strict=True):
        ranked = [index.ids[h.row] for h in index.search(text, 10, fusion=fusion)]
        ndcg.append(ndcg_at(ranked, gains[query_id], 10))
        recall.append(recall_at(ranked, gains[query_id], 10))
    return float(np.mean(ndcg)), float(np.mean(recall))


def test_tendero_beats_bm25_by_the_margin_and_the_model_alone(spanish, index):
    _, queries, gains = spanish
    ours, _ = _scores(index, queries, gains, "all")
    words_only, _ = _scores(index, queries, gains, "all", FusionParams("lexical"))
    meaning_only, _ = _scores(index, queries, gains, "all", FusionParams("dense"))
    assert ours >= words_only + 0.04
    assert ours >= meaning_only


def test_kind_and_typo_queries_find_their_products(spanish, index):
    _, queries, gains = spanish
    for kind in ("kind", "typo"):
        assert _scores(index, queries, gains, kind)[1] >= 0.95, kind


def test_synonym_recall_stays_above_its_measured_floor(spanish, index):
    _, queries, gains = spanish
    assert _scores(index, queries, gains, "synonym")[1] >= SYNONYM_RECALL_FLOOR


@pytest.mark.xfail(strict=True, reason="blocked: the best wheel-shipped model reaches recall@10 0.47 on synonyms "
                   "that share no word with the title (README, 'Search')")  # fmt: skip
def test_synonym_queries_reach_the_recall_goal(spanish, index):
    _, queries, gains = spanish
    assert _scores(index, queries, gains, "synonym")[1] >= SYNONYM_RECALL_GOAL
