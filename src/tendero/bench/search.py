"""`tendero bench search`: tendero's fused product search against plain ``bm25s`` and the embedding model
alone, every query over the whole catalogue, unjudged products gain 0.

Data: three CSV files (``--products`` product_id,name[,description,category,brand,price];
``--queries`` query_id,query; ``--labels`` query_id,product_id,gain), or ``--format homedepot FILE``
(Home Depot's judged pairs: every title indexed, gain = relevance - 1), or ``--synthetic N`` (a generated
catalogue of N products built from the demo store's kinds, for speed at size; its quality means little).
Home Depot's queries are split in two halves by a hash of the query text: ``tune`` chose the fusion,
``test`` (the default there) reports it. ``--sweep`` adds every fusion setting tried, as extra methods.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tendero.bench.report import bench_report, emit, log, percentile_ms

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

SWEEP_WEIGHTS = (0.3, 0.4, 0.6, 0.7)  # and 0.5, tendero's default
SWEEP_RRF_K = (60,)


def command(
    products: Annotated[
        Path | None, typer.Option("--products", help="CSV: product_id,name[,description,category]")
    ] = None,
    queries: Annotated[Path | None, typer.Option("--queries", help="CSV: query_id,query")] = None,
    labels: Annotated[Path | None, typer.Option("--labels", help="CSV: query_id,product_id,gain")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="homedepot: read Home Depot's file (the argument)")
    ] = None,
    file: Annotated[Path | None, typer.Argument(help="with --format homedepot: homedepot_relevance.csv.gz")] = None,
    synthetic: Annotated[
        int | None, typer.Option("--synthetic", min=100, help="a generated catalogue of N products")
    ] = None,
    part: Annotated[
        str | None, typer.Option("--part", help="all | tune | test (default: test for homedepot, else all)")
    ] = None,
    sweep: Annotated[bool, typer.Option("--sweep", help="also report every fusion setting tried")] = False,
    latency_queries: Annotated[int, typer.Option("--latency-queries", min=10, help="queries timed one by one")] = 1000,
    max_queries: Annotated[
        int | None, typer.Option("--max-queries", min=10, help="only the first N queries of the part (file order)")
    ] = None,
    embeddings_cache: Annotated[
        Path | None, typer.Option("--embeddings-cache", help="folder keeping catalogue embeddings between runs")
    ] = None,
    ceiling: Annotated[
        bool,
        typer.Option("--ceiling", help="also settings tuned on these answers and a per-query oracle (upper bounds)"),
    ] = False,
    query_type: Annotated[
        str | None, typer.Option("--query-type", help="only queries of this type (the queries file's type column)")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json/--no-json", help="one JSON object on stdout")] = False,
) -> None:
    """Rank a catalogue for every query; print nDCG@10, recall@100, MRR@10, latency, index time and memory."""
    if fmt not in (None, "homedepot"):
        raise typer.BadParameter("--format must be homedepot")
    if fmt == "homedepot":
        if file is None:
            raise typer.BadParameter("--format homedepot needs the file: tendero bench search --format homedepot FILE")
        catalogue, asked, judged = read_homedepot(file)
        data, default_part = str(file), "test"
    elif synthetic is not None:
        catalogue, asked, judged = synthetic_catalogue(synthetic)
        data, default_part = f"synthetic:{synthetic}", "all"
    else:
        if products is None or queries is None or labels is None:
            raise typer.BadParameter(
                "give --products, --queries and --labels, or --format homedepot FILE, or --synthetic N"
            )
        try:
            catalogue, asked, judged = read_files(products, queries, labels)
        except BadData as error:
            log(f"error: {error}")
            raise typer.Exit(2) from None
        data, default_part = str(products), "all"
    chosen = part or default_part
    if chosen not in ("all", "tune", "test"):
        raise typer.BadParameter("--part must be all, tune or test")
    asked = select_part(asked, chosen)
    if query_type is not None:
        if "type" not in asked.columns:
            raise typer.BadParameter("--query-type needs a type column in the queries file")
        asked = asked[asked["type"] == query_type]
        if asked.empty:
            raise typer.BadParameter(f"no query of type {query_type!r}")
    if max_queries is not None:
        asked = asked.head(max_queries)
    if ceiling:
        from tendero.bench.search_ceiling import ceiling_results

        results, params = ceiling_results(catalogue, asked, judged, cache=embeddings_cache)
        params.update({"part": chosen, "queries": len(asked), "products": len(catalogue), "query_type": query_type})
        emit(bench_report("search", data, params, results), json_output)
        return
    results, params = run_bench(
        catalogue, asked, judged, sweep=sweep, latency_queries=latency_queries, cache=embeddings_cache
    )
    params.update({"part": chosen, "queries": len(asked), "products": len(catalogue)})
    emit(bench_report("search", data, params, results), json_output)


# --- data ---


class BadData(ValueError):
    """A data file the bench cannot read: the message names the file, row and column."""


def read_files(products: Path, queries: Path, labels: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three CSV files, checked: a clear error names the file and the missing column."""
    import numpy as np
    import pandas as pd

    frames = []
    for path, needed in (
        (products, ("product_id", "name")),
        (queries, ("query_id", "query")),
        (labels, ("query_id", "product_id", "gain")),
    ):
        if not path.is_file():
            raise BadData(f"no file {path}")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise BadData(f"{path}: missing column(s) {', '.join(missing)}; it has {', '.join(frame.columns)}")
        frames.append(frame)
    catalogue, asked, judged = frames
    if "price" in catalogue:
        catalogue["price"] = pd.to_numeric(catalogue["price"], errors="coerce")
    raw = judged["gain"]
    judged["gain"] = pd.to_numeric(raw, errors="coerce")
    bad = judged["gain"].isna()
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise BadData(f"{labels}: row {first + 2}: column gain: {raw.iloc[first]!r} is not a number")
    return catalogue, asked, judged


def read_homedepot(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Home Depot's training file: every distinct title is a product; gain = mean relevance - 1 (0..2)."""
    import pandas as pd

    frame = pd.read_csv(path, encoding="latin-1", dtype={"product_uid": str})
    catalogue = frame.drop_duplicates("product_uid")[["product_uid", "product_title"]].rename(
        columns={"product_uid": "product_id", "product_title": "name"}
    )
    terms = frame["search_term"].astype(str)
    query_ids = {text: f"q{i}" for i, text in enumerate(dict.fromkeys(terms))}
    asked = pd.DataFrame({"query_id": list(query_ids.values()), "query": list(query_ids)})
    judged = pd.DataFrame(
        {
            "query_id": terms.map(query_ids),
            "product_id": frame["product_uid"],
            "gain": frame["relevance"].astype(float) - 1.0,
        }
    )
    judged = judged.groupby(["query_id", "product_id"], as_index=False)["gain"].mean()
    return catalogue.reset_index(drop=True), asked, judged


def synthetic_catalogue(n: int, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """N products combining the demo store's kinds, brands and sizes with model words. Three queries per kind
    (the kind; the kind and a model word; the kind and a brand): its products gain 1, those that also carry
    the word or brand 2."""
    import numpy as np
    import pandas as pd

    from tendero.data.demo import BRANDS, CATALOGUE

    rng = np.random.default_rng(seed)
    kinds = [(category, kind, spec["sizes"]) for category, spec in CATALOGUE.items() for kind in spec["kinds"]]
    extra = ["clásico", "ecológico", "premium", "ahorro", "familiar", "sin gluten", "light", "original", "intenso"]
    rows = []
    for i, k in enumerate(rng.integers(0, len(kinds), n)):
        category, kind, sizes = kinds[k]
        word, brand = extra[rng.integers(len(extra))], BRANDS[rng.integers(len(BRANDS))]
        name = f"{kind} {word} {brand} {rng.integers(1, 400)} {sizes[rng.integers(len(sizes))]}"
        rows.append({"product_id": f"S{i:06d}", "name": name, "category": category, "kind": kind, "word": word,
                     "brand": brand, "price": round(float(rng.lognormal(1.0, 0.5)), 2)})  # fmt: skip
    catalogue = pd.DataFrame(rows)
    queries: list[dict[str, str]] = []
    labels: list[dict[str, Any]] = []
    for _, kind, _ in kinds:
        word, brand = extra[rng.integers(len(extra))], BRANDS[rng.integers(len(BRANDS))]
        of_kind = catalogue[catalogue["kind"] == kind]
        for text, also in ((kind, None), (f"{kind} {word}", ("word", word)), (f"{kind} {brand}", ("brand", brand))):
            query_id = f"q{len(queries)}"
            queries.append({"query_id": query_id, "query": text.lower()})
            better = of_kind[also[0]] == also[1] if also else pd.Series(False, index=of_kind.index)
            labels += [{"query_id": query_id, "product_id": p, "gain": 2.0 if b else 1.0}
                       for p, b in zip(of_kind["product_id"], better, strict=True)]  # fmt: skip
    return catalogue.drop(columns=["kind", "word"]), pd.DataFrame(queries), pd.DataFrame(labels)


def select_part(asked: pd.DataFrame, part: str) -> pd.DataFrame:
    """Half the queries by a stable hash of their text: ``tune`` and ``test`` never share a query."""
    import hashlib

    if part == "all":
        return asked
    digits = asked["query"].map(lambda q: int(hashlib.sha1(str(q).encode()).hexdigest()[:8], 16) % 2)
    return asked[digits == (0 if part == "tune" else 1)].reset_index(drop=True)


# --- methods ---


def run_bench(
    catalogue: pd.DataFrame,
    asked: pd.DataFrame,
    judged: pd.DataFrame,
    *,
    sweep: bool = False,
    latency_queries: int = 1000,
    cache: Path | None = None,
) -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
    import bm25s
    import numpy as np
    import Stemmer

    from tendero.bench.search_data import cached_embeddings, judged_queries
    from tendero.search.encoder import get_encoder, model_for
    from tendero.search.index import FusionParams, ProductIndex, dense_text
    from tendero.search.text import detect_language

    catalogue, asked, gains = judged_queries(catalogue, asked, judged)
    records = catalogue.to_dict("records")
    language = detect_language(catalogue["name"].astype(str).tolist())
    model = model_for(language)
    results: dict[str, dict[str, float]] = {}

    # plain bm25s, as its README does it: its tokenizer with the language's stop words and a Snowball stemmer
    log(f"bm25: indexing {len(catalogue):,} products")
    stemmer = Stemmer.Stemmer("english" if language == "en" else "spanish")
    stop = "en" if language == "en" else "es"
    started = time.perf_counter()
    plain_texts = [" ".join(str(r.get(f) or "") for f in ("name", "description", "category", "brand")) for r in records]
    plain = bm25s.BM25()
    plain.index(bm25s.tokenize(plain_texts, stopwords=stop, stemmer=stemmer, show_progress=False), show_progress=False)
    plain_seconds = time.perf_counter() - started
    ids = catalogue["product_id"].astype(str).to_numpy()

    def plain_rank(query: str, k: int) -> list[str]:
        tokens = bm25s.tokenize([query], stopwords=stop, stemmer=stemmer, show_progress=False, return_ids=False)[0]
        if not tokens:
            return []
        scores = plain.get_scores(tokens)
        top = np.argsort(-scores, kind="stable")[:k]
        return list(ids[top[scores[top] > 0]])

    results["bm25"] = evaluate(plain_rank, asked, gains, latency_queries)
    results["bm25"].update(index_seconds=plain_seconds, peak_mb=_peak_mb())

    log(f"dense: embedding {len(catalogue):,} products with {model}")
    encoder = get_encoder(model)  # loading the model is not indexing: timed apart
    encoder.embed(["warm up"])
    texts = [dense_text(r) for r in records]
    started, cpu_started = time.perf_counter(), time.process_time()
    embeddings, cached = cached_embeddings(encoder, texts, cache)
    embed_seconds, embed_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    log("tendero: lexical index")
    started = time.perf_counter()
    index = ProductIndex(catalogue, embeddings, encoder, language=language)
    lexical_seconds = time.perf_counter() - started
    settings = {"dense": FusionParams("dense"), "tendero": index.fusion}
    if sweep:
        settings.update({f"zscore_w{w}": FusionParams("zscore", w) for w in SWEEP_WEIGHTS})
        settings.update({f"rrf_k{k}": FusionParams("rrf", rrf_k=k) for k in SWEEP_RRF_K})
        settings["tendero_lexical"] = FusionParams("lexical")
    log(f"ranking {len(asked):,} queries with {len(settings)} settings (the queries embedded in one batch)")
    vectors = encoder.embed(asked["query"].astype(str).tolist())
    quality = evaluate_settings(index, asked, gains, vectors, settings)
    for name in ("dense", "tendero"):
        log(f"{name}: timing {min(latency_queries, len(asked))} queries one at a time (embedding each)")
        timed = time_queries(lambda q, f=settings[name]: index.search(q, 10, fusion=f), asked, latency_queries)
        quality[name].update(timed)
    quality["dense"].update(index_seconds=embed_seconds, peak_mb=_peak_mb())
    quality["tendero"].update(index_seconds=embed_seconds + lexical_seconds, peak_mb=_peak_mb())
    results.update({name: quality[name] for name in ("dense", "tendero")})
    results.update({name: metrics for name, metrics in quality.items() if name not in results})
    params = {
        "language": language,
        "model": model,
        "fusion": vars(index.fusion),
        "k": 10,
        "embedded_per_second": len(texts) / embed_seconds if not cached and embed_seconds > 0 else None,
        "embedded_per_cpu_second": len(texts) / embed_cpu if not cached and embed_cpu > 0 else None,
        "embeddings_cached": cached,
        "latency_queries": latency_queries,
        "latency": "one query at a time, wall and CPU per query; the machine's other load is not excluded",
    }
    return results, params


def evaluate_settings(
    index: Any, asked: pd.DataFrame, gains: dict[str, dict[str, float]], vectors: np.ndarray, settings: dict[str, Any]
) -> dict[str, dict[str, float]]:
    """Mean nDCG@10, recall@100 and MRR@10 of each fusion setting; each query's signals computed once."""
    import numpy as np

    from tendero.search.evaluation import mrr_at, ndcg_at, recall_at

    scores: dict[str, list[tuple[float, float, float]]] = {name: [] for name in settings}
    for i, (query_id, query) in enumerate(zip(asked["query_id"], asked["query"], strict=True)):
        signals = index.signals(str(query), vectors[i])
        g = gains[query_id]
        for name, fusion in settings.items():
            ranked = [index.ids[hit.row] for hit in index.rank(signals, 100, fusion=fusion, explain=False)]
            scores[name].append((ndcg_at(ranked, g, 10), recall_at(ranked, g, 100), mrr_at(ranked, g, 10)))
        if (i + 1) % 1000 == 0:
            log(f"  ranked {i + 1:,}/{len(asked):,} queries")
    out = {}
    for name, rows in scores.items():
        table = np.array(rows, dtype=float)
        out[name] = {"ndcg@10": float(np.nanmean(table[:, 0])), "recall@100": float(np.nanmean(table[:, 1])),
                     "mrr@10": float(np.nanmean(table[:, 2]))}  # fmt: skip
    return out


def time_queries(search: Any, asked: pd.DataFrame, count: int) -> dict[str, float]:
    """Wall and CPU time of the whole query path (embedding the query included), one query at a time."""
    wall, cpu = [], []
    for query in asked["query"].astype(str).head(count):
        started, cpu_started = time.perf_counter(), time.process_time()
        search(query)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return {"p50_ms": percentile_ms(wall, 50), "p95_ms": percentile_ms(wall, 95),
            "cpu_p50_ms": percentile_ms(cpu, 50), "cpu_p95_ms": percentile_ms(cpu, 95)}  # fmt: skip


def evaluate(
    rank: Any, asked: pd.DataFrame, gains: dict[str, dict[str, float]], latency_queries: int
) -> dict[str, float]:
    """Mean nDCG@10, recall@100, MRR@10 over the judged queries; p50/p95 of the first ``latency_queries``."""
    import numpy as np

    from tendero.search.evaluation import mrr_at, ndcg_at, recall_at

    ndcg, recall, mrr, wall, cpu = [], [], [], [], []
    for i, (query_id, query) in enumerate(zip(asked["query_id"], asked["query"], strict=True)):
        started, cpu_started = time.perf_counter(), time.process_time()
        ranked = rank(str(query), 100)
        if i < latency_queries:
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        g = gains[query_id]
        ndcg.append(ndcg_at(ranked, g, 10))
        recall.append(recall_at(ranked, g, 100))
        mrr.append(mrr_at(ranked, g, 10))
    out = {
        "ndcg@10": float(np.nanmean(ndcg)),
        "recall@100": float(np.nanmean(recall)),
        "mrr@10": float(np.nanmean(mrr)),
    }
    if wall:
        out.update(
            p50_ms=percentile_ms(wall, 50),
            p95_ms=percentile_ms(wall, 95),
            cpu_p50_ms=percentile_ms(cpu, 50),
            cpu_p95_ms=percentile_ms(cpu, 95),
        )
    return out


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
