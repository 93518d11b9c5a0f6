"""Candidate generators find the patterns they are meant to find."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from tendero.recommend.generators import (
    Als,
    ContentSimilarity,
    CoOccurrence,
    Ease,
    ItemKnn,
    Popularity,
)
from tendero.recommend.generators.sparse import sparse_rows_sum


def _two_tastes(n_users: int = 60) -> sp.csr_matrix:
    """Half the users take items 0-4, the other half items 5-9; each user has 4 of their 5."""
    rng = np.random.default_rng(0)
    rows, cols = [], []
    for user in range(n_users):
        block = 0 if user < n_users // 2 else 5
        for item in rng.choice(5, size=4, replace=False):
            rows.append(user)
            cols.append(block + item)
    return sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n_users, 10))


def _missing_item_rank(scores: np.ndarray, matrix: sp.csr_matrix, user: int) -> int:
    seen = set(matrix[user].indices.tolist())
    block = range(0, 5) if user < matrix.shape[0] // 2 else range(5, 10)
    missing = next(i for i in block if i not in seen)
    ranked = [i for i in np.argsort(-scores) if i not in seen]
    return ranked.index(missing)


def test_ease_has_zero_diagonal_and_ranks_the_missing_item_of_the_users_taste_first():
    matrix = _two_tastes()
    ease = Ease(l2=5.0).fit(matrix)
    assert np.allclose(np.diag(ease.weights), 0.0)
    scores = ease.scores(matrix[[0, 59]])
    assert _missing_item_rank(scores[0], matrix, 0) == 0
    assert _missing_item_rank(scores[1], matrix, 59) == 0


def test_ease_single_precision_cholesky_matches_the_double_precision_closed_form():
    rng = np.random.default_rng(1)
    counts = (rng.random((400, 120)) < 0.1) * rng.integers(1, 6, size=(400, 120))
    gram = (counts.T @ counts).astype(np.float64)
    precision = np.linalg.inv(gram + 30.0 * np.eye(120))
    expected = precision / (-np.diag(precision))
    np.fill_diagonal(expected, 0.0)
    weights = Ease.solve(gram.astype(np.float32), 30.0)
    assert weights.dtype == np.float32
    assert np.abs(weights - expected).max() < 1e-5 * np.abs(expected).max()
    # a matrix the Cholesky factorisation refuses (not positive definite) takes the LU fallback
    assert np.allclose(Ease.solve(-10.0 * np.eye(3, dtype=np.float32), 1.0), 0.0)


def test_item_knn_neighbours_stay_within_the_taste_block():
    knn = ItemKnn(neighbours=3, shrink=0.0).fit(_two_tastes())
    neighbours = knn.similarity[0].indices
    assert len(neighbours) == 3 and set(neighbours.tolist()) <= {1, 2, 3, 4}


def test_als_fold_in_reproduces_the_trained_user_factors():
    matrix = _two_tastes()
    als = Als(factors=8, regularization=0.1, alpha=5.0, iterations=30, seed=0).fit(matrix, threads=1)
    assert np.abs(als.fold_in(matrix) - als.user_factors).max() < 0.05
    folded = als.scores(matrix)
    assert _missing_item_rank(folded[0], matrix, 0) <= 1


@pytest.mark.parametrize("k1", [0.5, None])
def test_als_folds_in_raw_values_weighted_as_in_training(k1):
    """Users of very different history lengths and ratings 1-5: BM25 weighting changes the input a
    lot, and folding the raw values back in must weigh them exactly as the fit did."""
    rng = np.random.default_rng(3)
    rows, cols, values = [], [], []
    for user in range(80):
        for item in rng.choice(40, size=int(rng.integers(2, 35)), replace=False):
            rows.append(user)
            cols.append(int(item))
            values.append(float(rng.integers(1, 6)))
    matrix = sp.csr_matrix((np.array(values, np.float32), (rows, cols)), shape=(80, 40))
    als = Als(factors=8, regularization=1.0, alpha=3.0, iterations=30, seed=0, k1=k1).fit(matrix, threads=1)
    assert np.abs(als.fold_in(matrix) - als.user_factors).max() < 0.05
    weighted = als.weigh(matrix)
    if k1 is None:
        assert np.allclose(weighted.data, matrix.data)
    else:
        assert weighted.data.mean() == pytest.approx(1.0, rel=1e-4)  # alpha stays the mean confidence
        lengths = np.diff(matrix.indptr)
        light, heavy = int(np.argmin(lengths)), int(np.argmax(lengths))
        assert weighted[light].data.mean() > weighted[heavy].data.mean()  # heavy users count less per item
        # the formula is implicit's bm25_weight on the items x users matrix, applied row by row here so
        # that serving can weigh one user's history with the fit's item lengths
        from implicit.nearest_neighbours import bm25_weight

        reference = bm25_weight(matrix.T.tocsr(), K1=k1, B=0.75).T.tocsr()
        assert np.allclose(weighted.toarray() * als.scale, reference.toarray(), rtol=1e-5)


def test_content_similarity_links_items_sharing_words():
    texts = ["dune arrakis desierto", "dune mesías arrakis", "cocina italiana pasta", "pasta fresca cocina"]
    similarity = ContentSimilarity(neighbours=1).fit(texts).similarity
    assert similarity[0].indices.tolist() == [1]
    assert similarity[2].indices.tolist() == [3]


def test_content_similarity_of_empty_texts_is_empty_not_an_error():
    assert ContentSimilarity().fit(["", " "]).similarity.nnz == 0


def test_co_occurrence_pairs_items_from_the_same_basket():
    baskets = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0]], dtype=np.float32))
    cooc = CoOccurrence(neighbours=1).fit(baskets)
    assert cooc.similarity[0].indices.tolist() == [1]
    assert cooc.similarity[3].indices.tolist() == [2]


def test_recent_popularity_favours_recent_interactions():
    matrix = sp.csr_matrix(np.array([[1, 1], [1, 0], [0, 1]], dtype=np.float32))
    at = sp.csr_matrix(np.array([[100.0 * 86400, 100.0 * 86400], [0.0 + 1, 0], [0, 100.0 * 86400]]))
    popularity = Popularity(half_life_days=10).fit(matrix, at)
    assert popularity.counts.tolist() == [2.0, 2.0]
    assert popularity.recent[1] > popularity.recent[0]


def test_one_user_array_paths_match_the_sparse_batch_paths():
    matrix = _two_tastes()
    rng = np.random.default_rng(1)
    weighted = matrix.copy()
    weighted.data = rng.integers(1, 6, matrix.nnz).astype(np.float32)
    user = 7
    items, values = weighted[user].indices, weighted[user].data
    ease = Ease(l2=5.0).fit(matrix)
    double = ease.row_scores(items, np.vstack([np.ones(len(items)), values]))
    assert np.allclose(double[0], ease.scores(matrix[[user]])[0], atol=1e-5)
    assert np.allclose(double[1], ease.scores(weighted[[user]])[0], atol=1e-5)
    knn = ItemKnn(neighbours=3, shrink=0.0).fit(matrix)
    assert np.allclose(knn.row_scores(items, values[None, :])[0], knn.scores(weighted[[user]])[0])
    als = Als(factors=4, regularization=0.1, alpha=2.0, iterations=5, seed=0).fit(weighted, threads=1)
    assert np.allclose(als.fold_in_row(items, values), als.fold_in(weighted[[user]])[0], atol=1e-5)
    texts = [f"gusto {'a' if i < 5 else 'b'} libro {i}" for i in range(10)]
    content = ContentSimilarity(neighbours=4).fit(texts)
    assert np.allclose(content.row_scores(items), content.scores(weighted[[user]])[0])


def test_sparse_rows_sum_is_the_weighted_sum_of_the_rows():
    matrix = sp.random(30, 20, density=0.2, random_state=0, format="csr", dtype=np.float32)
    rows = np.array([3, 0, 17, 3])
    weights = np.array([0.5, 2.0, 1.0, 1.5])
    expected = (weights[:, None] * matrix[rows].toarray()).sum(axis=0)
    assert np.allclose(sparse_rows_sum(matrix, rows, weights), expected)
    assert sparse_rows_sum(matrix, np.zeros(0, np.int64), np.zeros(0)).tolist() == [0.0] * 20


def test_the_ranker_is_kept_only_when_its_paired_gain_beats_one_standard_error():
    from tendero.recommend.fit import pick_blend

    rng = np.random.default_rng(0)
    als = rng.random(400)
    # A ranker that only reshuffles the ALS users' scores ties on average: the simpler blend wins.
    tie = rng.permutation(als)
    best, report = pick_blend({"ranker": tie, "als": als, "neighbour": als - 0.05})
    assert best == "als" and report["ranker_gain_inner"]["over"] == "als"
    # A small but steady gain on almost every user is real: the ranker wins.
    steady = als + np.where(rng.random(400) < 0.9, 0.01, -0.01)
    assert pick_blend({"ranker": steady, "als": als, "neighbour": als - 0.05})[0] == "ranker"
    # The same mean gain among large swings either way (half the users +0.3, half -0.3) is within noise.
    swings = als + rng.permutation(np.repeat([-0.3, 0.3], 200)) + 0.008
    assert pick_blend({"ranker": swings, "als": als, "neighbour": als - 0.05})[0] == "als"
    # Too few users to tell: the simple blend.
    assert pick_blend({"ranker": np.array([0.9]), "neighbour": np.array([0.1])})[0] == "neighbour"


def test_ease_on_the_head_equals_ease_on_those_items_alone_and_leaves_the_tail_at_zero():
    rng = np.random.default_rng(2)
    matrix = sp.csr_matrix((rng.random((300, 40)) < np.linspace(0.4, 0.02, 40)).astype(np.float32))
    head = Ease(l2=10.0).fit(matrix, max_items=15)
    counts = np.diff(matrix.tocsc().indptr)
    assert len(head.items) == 15 and set(head.items) == set(np.argsort(-counts, kind="stable")[:15])
    alone = Ease(l2=10.0).fit(matrix[:, head.items])
    assert np.allclose(head.weights, alone.weights, atol=1e-6)
    scores = head.scores(matrix[:5])
    tail = np.setdiff1d(np.arange(40), head.items)
    assert np.all(scores[:, tail] == 0) and np.any(scores[:, head.items] != 0)
    assert np.allclose(head.row_scores(matrix[3].indices, np.ones((1, matrix[3].nnz)))[0], scores[3], atol=1e-5)


def test_the_in_place_ease_solve_gives_the_copying_solves_weights():
    from tendero.recommend.generators.ease import gram_of, solve_weights

    rng = np.random.default_rng(4)
    matrix = sp.csr_matrix((rng.random((500, 1100)) < 0.05).astype(np.float32))  # > one 512-row block
    items = np.arange(1100)
    kept = solve_weights(gram_of(matrix, items), 20.0)
    gram = gram_of(matrix, items)
    in_place = solve_weights(gram, 20.0, overwrite=True)
    assert np.shares_memory(in_place, gram) and in_place.flags.c_contiguous
    assert np.allclose(in_place, kept, atol=1e-6)
    double = np.linalg.inv(gram_of(matrix, items).astype(np.float64) + 20.0 * np.eye(1100))
    expected = double / -np.diag(double)
    np.fill_diagonal(expected, 0.0)
    assert np.abs(kept - expected).max() < 1e-4 * np.abs(expected).max()


def test_the_dual_ease_solve_gives_the_inverses_weights_with_fewer_users_than_items():
    from tendero.recommend.generators.ease import EaseSolver, gram_of, head_items, solve_weights

    rng = np.random.default_rng(7)
    matrix = sp.csr_matrix((rng.random((150, 900)) < 0.04).astype(np.float32))
    items = head_items(matrix)
    solver = EaseSolver(matrix, items)
    assert solver.method == "dual" and solver.users == 150
    for l2 in (5.0, 80.0, 1000.0):
        expected = solve_weights(gram_of(matrix, items), l2)
        dual = solver.weights(l2)
        assert dual.dtype == np.float32 and dual.flags.c_contiguous and np.all(np.diag(dual) == 0)
        assert np.abs(dual - expected).max() < 1e-4 * np.abs(expected).max()
    many_users = sp.csr_matrix((rng.random((600, 900)) < 0.04).astype(np.float32))
    assert EaseSolver(many_users, head_items(many_users)).method == "primal"
    fitted = Ease(l2=80.0).fit(matrix)
    assert np.abs(fitted.weights - solve_weights(gram_of(matrix, items), 80.0)).max() < 1e-6


def test_dual_tuning_scores_each_l2_as_the_formed_weights_would():
    from tendero.recommend.evaluation import evaluate_scorer
    from tendero.recommend.generators.ease import EaseSolver, head_items
    from tendero.recommend.tuning import tune_ease

    rng = np.random.default_rng(9)
    matrix = sp.csr_matrix((rng.random((120, 700)) < 0.06).astype(np.float32))
    holdout = rng.random(matrix.nnz) < 0.2
    coo = matrix.tocoo()
    train = sp.csr_matrix((coo.data[~holdout], (coo.row[~holdout], coo.col[~holdout])), shape=matrix.shape)
    valid = sp.csr_matrix((coo.data[holdout], (coo.row[holdout], coo.col[holdout])), shape=matrix.shape)
    solver = EaseSolver(train, head_items(train))
    history = train[:30]
    for l2 in (10.0, 300.0):
        formed = Ease(n_items=700, items=solver.items, weights=solver.weights(l2)).scores(history)
        assert np.abs(solver.scores(history, l2) - formed).max() < 1e-4 * np.abs(formed).max()
    tuned = tune_ease(train, valid, grid=(10.0, 300.0))
    assert tuned.method == "dual" and tuned.model.l2 == tuned.params["l2"]
    for trial in tuned.trials:
        alone = Ease(l2=trial["l2"]).fit(train)
        expected = evaluate_scorer(lambda u, e=alone: e.scores(train[u]), train, valid)["ndcg@10"]
        assert trial["ndcg@10"] == pytest.approx(expected, abs=1e-6)
    assert np.abs(tuned.model.weights - Ease(l2=tuned.params["l2"]).fit(train).weights).max() < 1e-6


def test_the_fit_plan_prices_the_dual_solve_by_users_and_items():
    from tendero.recommend.budget import ease_cost, plan_fit

    assert ease_cost(9000, 600, solves=7, factorisations=4) < 0.2 * ease_cost(9000, 9000, solves=7, factorisations=4)
    assert ease_cost(1000, 900, solves=7, factorisations=4) == 7 * 1000.0**3  # too many users: the inverse
    rng = np.random.default_rng(8)
    matrix = sp.csr_matrix((rng.random((100, 3000)) < 0.05).astype(np.float32))
    plan = plan_fit(matrix, grid_size=4, folds=3, budget_seconds=1e6, memory_mb=1e5, max_items=50_000)
    assert plan.ease_method == "dual" and plan.users == 100 and plan.ease_items == plan.interacted_items


def test_sparse_top_k_rows_keeps_each_rows_largest_entries():
    from tendero.recommend.generators.sparse import sparse_top_k_rows

    matrix = sp.random(50, 30, density=0.4, random_state=1, format="csr", dtype=np.float32)
    kept = sparse_top_k_rows(matrix, 3)
    for row in range(50):
        values = np.sort(matrix[row].data)[::-1][:3]
        assert np.allclose(np.sort(kept[row].data)[::-1], values)
        assert set(kept[row].indices) <= set(matrix[row].indices)


def test_one_als_run_scores_each_iteration_count_as_a_separate_fit_would():
    from tendero.recommend.tuning import tune_als

    matrix = _two_tastes()
    rng = np.random.default_rng(5)
    holdout = rng.random(matrix.nnz) < 0.25
    coo = matrix.tocoo()
    train = sp.csr_matrix((coo.data[~holdout], (coo.row[~holdout], coo.col[~holdout])), shape=matrix.shape)
    valid = sp.csr_matrix((coo.data[holdout], (coo.row[holdout], coo.col[holdout])), shape=matrix.shape)
    tuned = tune_als(train, valid, trials=2, seed=0, threads=1)
    assert {t["iterations"] for t in tuned.trials} == {15.0, 20.0} and len(tuned.trials) == 4
    from tendero.recommend.evaluation import evaluate_scorer

    first = tuned.trials[0]
    separate = Als(factors=128, regularization=30.0, alpha=3.0, iterations=15, seed=0).fit(train, threads=1)
    expected = evaluate_scorer(lambda u: separate.user_factors[u] @ separate.item_factors.T, train, valid)
    assert first["iterations"] == 15.0 and first["ndcg@10"] == pytest.approx(expected["ndcg@10"], abs=1e-6)


def test_the_fit_plan_gives_ease_the_most_interacted_items_that_fit_the_budgets():
    from tendero.recommend.budget import plan_fit

    rng = np.random.default_rng(6)
    matrix = sp.csr_matrix((rng.random((400, 3000)) < 0.02).astype(np.float32))
    generous = plan_fit(matrix, grid_size=4, folds=3, budget_seconds=1e6, memory_mb=1e5, max_items=50_000)
    assert generous.ease_items == generous.interacted_items and generous.limited_by == "nothing"
    assert generous.ease_solves == 4 + 2 + 1 and generous.ease_cpu_seconds_per_billion_cubed > 0
    by_memory = plan_fit(matrix, grid_size=4, folds=3, budget_seconds=1e6, memory_mb=12.0, max_items=50_000)
    assert by_memory.limited_by == "memory" and by_memory.predicted_ease_peak_mb <= 12.0 + 1e-6
    by_time = plan_fit(matrix, grid_size=4, folds=3, budget_seconds=1e-3, memory_mb=1e5, max_items=50_000)
    assert by_time.limited_by == "time" and by_time.ease_items < generous.ease_items
    assert by_time.predicted_ease_seconds <= 1e-3 * 1.01
    capped = plan_fit(matrix, grid_size=4, folds=1, budget_seconds=1e6, memory_mb=1e5, max_items=100)
    assert capped.ease_items == 100 and capped.limited_by == "ease_max_items" and capped.ease_solves == 5


def test_the_fit_plan_caps_als_factors_by_what_a_request_reads_and_tuning_keeps_to_it():
    from tendero.recommend.budget import als_factor_cap, plan_fit
    from tendero.recommend.tuning import ALS_FACTORS, tune_als

    assert als_factor_cap(50_000, 16.0) == 80 and als_factor_cap(10_000, 16.0) >= max(ALS_FACTORS)
    assert als_factor_cap(10**7, 16.0) == 8  # never below one block
    rng = np.random.default_rng(6)
    matrix = sp.csr_matrix((rng.random((200, 3000)) < 0.02).astype(np.float32))
    plan = plan_fit(matrix, grid_size=1, folds=1, budget_seconds=1e6, memory_mb=1e5, max_items=100, als_request_mb=1.0)
    assert plan.als_max_factors == 80 and plan.report()["als_max_factors"] == 80  # 1 MB / (3000 items × 4 bytes)
    train, valid = matrix[:, :], matrix.multiply(rng.random(matrix.shape) < 0.3).tocsr()
    below = tune_als(train, valid, trials=3, seed=0, threads=1, max_factors=80)
    assert {t["factors"] for t in below.trials} == {64.0}  # 128 would read more than a request may
    none_fit = tune_als(train, valid, trials=1, seed=0, threads=1, max_factors=40)
    assert {t["factors"] for t in none_fit.trials} == {40.0}
    unplanned = plan_fit(matrix, grid_size=1, folds=1, budget_seconds=1e6, memory_mb=1e5, max_items=100)
    assert unplanned.als_max_factors == 0  # no request budget given: no cap
    uncapped = tune_als(train, valid, trials=1, seed=0, threads=1, max_factors=unplanned.als_max_factors)
    assert {t["factors"] for t in uncapped.trials} == {128.0}


def test_als_tuning_stops_trying_settings_at_its_budget_and_says_so_in_either_language():
    from tendero.catalogue.jobs import render_job_text
    from tendero.recommend.tuning import tune_als

    rng = np.random.default_rng(7)
    matrix = sp.csr_matrix((rng.random((300, 800)) < 0.05).astype(np.float32))
    valid = matrix.multiply(rng.random(matrix.shape) < 0.3).tocsr()
    said: list[str] = []
    tight = tune_als(matrix, valid, trials=4, seed=0, threads=1, budget_seconds=1e-6, progress=said.append)
    assert len({(t["factors"], t["alpha"]) for t in tight.trials}) == 1  # the first setting always runs
    line = next(text for text in said if text.startswith("als budget"))
    assert line.startswith("als budget: 1 of 4 settings in ") and "presupuesto" in render_job_text(line, "es")
    roomy = tune_als(matrix, valid, trials=4, seed=0, threads=1, budget_seconds=1e6)
    assert len({(t["factors"], t["regularization"], t["alpha"]) for t in roomy.trials}) == 4


def test_stages_record_time_cpu_and_peak_memory_and_nest():
    from tendero.recommend.stages import Stages

    stages = Stages()
    with stages.stage("outer"):
        with stages.stage("inner"):
            block = np.ones(40 * 2**20 // 8)  # 40 MB
            block.sum()
        del block
    report = stages.report()
    assert list(report) == ["inner", "outer"]
    assert report["inner"]["peak_mb"] >= 40 and report["outer"]["peak_mb"] >= report["inner"]["peak_mb"]
    assert report["outer"]["seconds"] >= report["inner"]["seconds"] >= 0


@pytest.mark.parametrize("blocked_share", [0.0, 0.01, 0.3, 0.9, 1.0])
def test_top_unblocked_finds_the_highest_allowed_values_whatever_is_blocked(blocked_share):
    from tendero.recommend.hybrid import top_unblocked

    rng = np.random.default_rng(int(blocked_share * 100))
    for _ in range(30):
        n = int(rng.integers(1, 400))
        values = rng.standard_normal(n).astype(np.float32)
        blocked = rng.random(n) < blocked_share
        among = np.sort(rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False)) if rng.random() < 0.5 else None
        take = int(rng.integers(1, 60))
        found = top_unblocked(values, take, blocked, among)
        pool = np.arange(n) if among is None else among
        allowed = pool[~blocked[pool]]
        expected = np.sort(values[allowed])[::-1][:take]
        assert len(set(found.tolist())) == len(found) and not blocked[found].any() and np.isin(found, pool).all()
        assert np.array_equal(np.sort(values[found])[::-1], expected)
