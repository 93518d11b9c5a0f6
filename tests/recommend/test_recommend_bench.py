"""The recommend bench prints the shared JSON contract; goodbooks-10k works as a real book catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from tendero.bench import recommend as bench

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "recsys"
METHODS = {"tendero", "popularity", "item_knn", "als", "ease", "fixed_blend"}
KEYS = {
    "precision@10", "recall@10", "ndcg@10", "map@10", "coverage", "train_seconds", "p50_ms", "p99_ms", "cpu_p50_ms",
    "cpu_p99_ms",
}  # fmt: skip
FIT_KEYS = {"fit_seconds", "fit_cpu_seconds", "peak_mb"}


def _ratings_csv(path: Path) -> Path:
    rng = np.random.default_rng(0)
    rows = []
    for user in range(60):
        block = (user % 3) * 10
        for n, item in enumerate(rng.choice(10, size=7, replace=False)):
            rows.append((f"u{user}", f"i{block + item}", int(rng.integers(1, 6)), 1_700_000_000 + 86400 * n))
    pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "timestamp"]).to_csv(path, index=False)
    return path


@pytest.mark.slow  # a whole bench run: our fit (tuning, ranker folds, per-stage timing) and every baseline
def test_bench_prints_one_json_object_with_every_method_and_metric(tmp_path):
    app = typer.Typer()
    app.command()(bench.command)
    ratings = _ratings_csv(tmp_path / "ratings.csv")
    args = ["--ratings", str(ratings), "--format", "csv", "--split", "temporal", "--seeds", "1", "--json"]
    result = CliRunner().invoke(app, [*args, "--latency-users", "10"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["bench"] == "recommend" and report["data"] == str(ratings)
    assert report["params"]["split"] == "temporal"
    assert set(report["results"]) == METHODS
    for method, metrics in report["results"].items():
        assert set(metrics) == KEYS if method != "tendero" else set(metrics) >= KEYS | FIT_KEYS
        assert 0.0 <= metrics["ndcg@10"] <= 1.0
    # Our fit is timed and sized per stage: wall and CPU seconds, peak resident memory.
    ours = report["results"]["tendero"]
    for stage in ("plan", "tune_ease", "tune_als", "ranker_folds", "final"):
        assert ours[f"stage_{stage}_seconds"] >= 0 and ours[f"stage_{stage}_cpu_seconds"] >= 0
        assert 0 < ours[f"stage_{stage}_peak_mb"] <= ours["peak_mb"]
    assert ours["fit_cpu_seconds"] > 0 and ours["fit_seconds"] == ours["train_seconds"]
    # Three disjoint tastes: every personalised method beats popularity.
    results = report["results"]
    assert results["ease"]["ndcg@10"] > results["popularity"]["ndcg@10"]


def test_figures_over_seeds_are_means_with_ndcg_spread_between_seeds():
    runs = [{"ndcg@10": 0.26, "p99_ms": 4.0}, {"ndcg@10": 0.28, "p99_ms": 2.0}, {"ndcg@10": 0.27, "p99_ms": 3.0}]
    assert bench._over_seeds(runs) == pytest.approx({"ndcg@10": 0.27, "p99_ms": 3.0, "ndcg@10_sd": 0.01})
    assert bench._over_seeds(runs[:1]) == runs[0]  # one seed: no spread to speak of


@pytest.mark.slow  # a whole bench run: our fit (tuning, ranker folds) and every baseline
def test_bench_times_a_synthetic_catalogue(tmp_path):
    from tendero.recommend.datasets import synthetic_purchases

    purchases = synthetic_purchases(50, 200)
    per_user = purchases.groupby("user_id")["item_id"].agg(["size", "nunique"])
    assert per_user["size"].between(5, 60).all() and (per_user["size"] == per_user["nunique"]).all()
    app = typer.Typer()
    app.command()(bench.command)
    args = ["--synthetic", "80x100", "--split", "random", "--seeds", "1", "--latency-users", "10", "--json"]
    result = CliRunner().invoke(app, [*args, "--test-fraction", "0.25"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["data"] == "synthetic:80x100" and report["params"]["format"] == "synthetic"
    assert report["params"]["test_fraction"] == 0.25
    assert set(report["results"]) == METHODS
    ours = report["results"]["tendero"]
    assert ours["p99_ms"] > 0 and 0 < ours["cpu_p50_ms"] <= ours["cpu_p99_ms"]


def test_bench_refuses_unclear_sources_and_names_the_option(tmp_path):
    app = typer.Typer()
    app.command()(bench.command)
    for wrong in (["--synthetic", "lots"], ["--synthetic", "80x100", "--ratings", str(tmp_path / "r.csv")], []):
        refused = CliRunner().invoke(app, wrong)
        assert refused.exit_code == 2
        assert "--synthetic" in refused.output
    refused = CliRunner().invoke(app, ["--readers", "10x500"])
    assert refused.exit_code == 2 and "--items" in refused.output
    refused = CliRunner().invoke(app, ["--synthetic", "80x100", "--test-fraction", "0.9"])
    assert refused.exit_code == 2 and "--test-fraction" in refused.output


def test_simulated_readers_read_a_real_catalogue_with_taste_by_author(tmp_path):
    from tendero.recommend.datasets import simulated_readers

    rng = np.random.default_rng(0)
    authors = [f"Author {a}" for a in range(40) for _ in range(5)]
    books = pd.DataFrame(
        {
            "book_id": range(1, 201),
            "authors": authors,
            "original_publication_year": rng.integers(1950, 2017, 200),
            "ratings_count": (1e5 / np.arange(1, 201)).astype(int),
            **{f"ratings_{r}": rng.integers(10, 1000, 200) for r in range(1, 6)},
        }
    )
    readers = simulated_readers(books, n_users=30, n_ratings=1500, seed=1)
    per_reader = readers.groupby("user_id")["item_id"].agg(["size", "nunique"])
    assert len(per_reader) == 30 and (per_reader["size"] >= 20).all()
    assert (per_reader["size"] == per_reader["nunique"]).all()
    assert 20 * 30 <= len(readers) <= 1500 + 30  # heavy readers are capped at half the catalogue
    assert readers["value"].between(1, 5).all() and readers.equals(simulated_readers(books, 30, 1500, seed=1))
    # Readers come back to authors they read: two books by one author share readers more than chance.
    author_of = dict(zip(books["book_id"].astype(str), books["authors"], strict=True))
    readers["author"] = readers["item_id"].map(author_of)
    repeat = readers.groupby("user_id")["author"].apply(lambda a: a.duplicated().mean()).mean()
    assert repeat > 0.2
    with pytest.raises(ValueError, match="at least 20 ratings per reader"):
        simulated_readers(books, n_users=30, n_ratings=100)


@pytest.mark.slow
def test_goodbooks_books_csv_is_a_catalogue_for_content_neighbours_and_cold_items():
    books = DATA / "goodbooks-10k" / "books.csv"
    if not books.exists():
        pytest.skip(f"{books} is absent (shared data folder not mounted)")
    from tendero.kinds import Frames, RecordingProgress
    from tendero.recommend.datasets import read_items
    from tendero.recommend.hybrid import HybridParams
    from tendero.recommend.kind import RecommenderKind, RecommenderParams

    products = read_items(books, "csv")
    assert len(products) == 10_000
    # Readers of the first 300 books only: the other 9,700 books are cold-start items.
    rng = np.random.default_rng(0)
    rows = []
    for user in range(300):
        for item in rng.choice(300, size=8, replace=False):
            rows.append({"user_id": f"r{user}", "item_id": str(item + 1), "kind": "rating", "value": 5.0, "at": 0.0})
    params = RecommenderParams(hybrid=HybridParams(als_trials=1, ease_grid=(100.0,), ranker="none"))
    fitted = RecommenderKind().fit(
        Frames.of(interactions=pd.DataFrame(rows), products=products), params, RecordingProgress()
    )
    assert len(fitted.catalogue) == 10_000

    hunger_games = products.loc[products["name"].str.startswith("The Hunger Games ("), "product_id"].iloc[0]
    # A Harry Potter book outside the first 300: nobody rated it, so only its text can place it.
    potter = products[products["brand"].str.contains("J.K. Rowling") & (products["product_id"].astype(int) > 300)]
    cold = potter["product_id"].iloc[0]
    assert fitted.popularity[fitted.catalogue.items.get(cold)] == 0

    similar = fitted.similar(cold, 5, language="en")
    assert {r.source for r in similar} == {"content"}
    names = fitted.catalogue.names[[fitted.catalogue.items.get(r.item_id) for r in similar]]
    assert sum("Harry Potter" in n for n in names) >= 3
    catching_fire = fitted.similar(str(hunger_games), 10)
    assert catching_fire  # a rated book has neighbours too
