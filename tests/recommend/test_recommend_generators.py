"""Candidate generators find the patterns they are meant to find."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from tendero.recommend.generators import Als, ContentSimilarity, CoOccurrence, Ease, ItemKnn, Popularity


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
