"""`tendero bench search` prints the bench contract for files, the Spanish set and a synthetic catalogue."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from spanish_set import FOLDER

METRICS = {"ndcg@10", "recall@100", "mrr@10", "p50_ms", "p95_ms", "index_seconds", "peak_mb"}


def _bench(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "tendero.cli", "bench", "search", *args, "--json"],
                          capture_output=True, text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.slow  # a whole bench run: 138 queries embedded and ranked by three methods, then timed
def test_the_spanish_set_through_the_bench_prints_every_metric_per_method():
    report = _bench("--products", str(FOLDER / "products.csv"), "--queries", str(FOLDER / "queries.csv"),
                    "--labels", str(FOLDER / "labels.csv"), "--latency-queries", "20")  # fmt: skip
    assert report["bench"] == "search" and set(report["results"]) == {"tendero", "bm25", "dense"}
    for method, metrics in report["results"].items():
        assert set(metrics) >= METRICS, method
    assert report["params"]["model"] == "use-multilingual-v3" and report["params"]["queries"] == 138
    results = report["results"]
    assert results["tendero"]["ndcg@10"] >= results["bm25"]["ndcg@10"] + 0.04
    assert results["tendero"]["ndcg@10"] >= results["dense"]["ndcg@10"]


@pytest.mark.slow  # a whole bench run over every wheel encoder
def test_the_ceiling_bounds_every_setting_by_its_per_query_oracle():
    """The upper bounds behind a "blocked" goal: the oracle is at least every setting, tuning on the answers at
    least the shipped fusion, and the shipped method is reported beside them on the same queries."""
    report = _bench("--products", str(FOLDER / "products.csv"), "--queries", str(FOLDER / "queries.csv"),
                    "--labels", str(FOLDER / "labels.csv"), "--query-type", "synonym", "--ceiling")  # fmt: skip
    results, params = report["results"], report["params"]
    assert params["query_type"] == "synonym" and params["queries"] == 46
    assert {"tendero", "fusion_tuned_on_answers", "mix_tuned_on_answers", "oracle_per_query"} <= set(results)
    assert any(name.startswith("dense:all-minilm") for name in results)
    for name, metrics in results.items():
        for metric, value in metrics.items():
            assert value <= results["oracle_per_query"][metric] + 1e-12, (name, metric)
    assert results["fusion_tuned_on_answers"]["ndcg@10"] >= results["tendero"]["ndcg@10"]


@pytest.mark.slow  # a whole bench run: 400 products embedded, then timed
def test_a_synthetic_catalogue_times_search_at_size():
    report = _bench("--synthetic", "400", "--latency-queries", "20")
    assert report["data"] == "synthetic:400" and report["params"]["products"] == 400
    assert report["results"]["tendero"]["p95_ms"] > 0


def test_a_labels_file_without_its_gain_column_is_named(tmp_path: Path):
    pd.DataFrame({"product_id": ["1"], "name": ["Cerveza"]}).to_csv(tmp_path / "p.csv", index=False)
    pd.DataFrame({"query_id": ["q"], "query": ["cerveza"]}).to_csv(tmp_path / "q.csv", index=False)
    pd.DataFrame({"query_id": ["q"], "product_id": ["1"]}).to_csv(tmp_path / "l.csv", index=False)
    files = [
        "--products",
        str(tmp_path / "p.csv"),
        "--queries",
        str(tmp_path / "q.csv"),
        "--labels",
        str(tmp_path / "l.csv"),
    ]
    command = [sys.executable, "-m", "tendero.cli", "bench", "search", *files]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "l.csv: missing column(s) gain" in done.stderr


@pytest.mark.slow
def test_home_depot_reads_as_graded_judgements():
    from support import shared_data
    from tendero.bench.search import read_homedepot, select_part

    catalogue, asked, judged = read_homedepot(shared_data("search/homedepot_relevance.csv.gz"))
    assert len(catalogue) == 54_667 and len(asked) == 11_795
    assert judged["gain"].between(0, 2).all() and len(judged) <= 74_067
    tune, test = select_part(asked, "tune"), select_part(asked, "test")
    assert len(tune) + len(test) == len(asked) and not set(tune["query"]) & set(test["query"])
