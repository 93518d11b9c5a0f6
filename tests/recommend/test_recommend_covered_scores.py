"""EASE's request-path scores kept over the items it covers read exactly as the catalogue-wide row did."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from tendero.recommend.generators import Ease
from tendero.recommend.generators.covered_scores import CoveredScores
from tendero.recommend.generators.sparse import top_unblocked


def _ease(n_users: int = 300, n_items: int = 400, covered: int = 120) -> tuple[Ease, sp.csr_matrix]:
    rng = np.random.default_rng(0)
    dense = (rng.random((n_users, n_items)) < rng.random(n_items) ** 3 * 0.3).astype(np.float32)
    matrix = sp.csr_matrix(dense)
    return Ease(l2=50.0).fit(matrix, max_items=covered), matrix


def test_covered_scores_are_the_dense_row_restricted_to_the_covered_items():
    ease, matrix = _ease()
    assert 0 < len(ease.items) < ease.n_items
    history = matrix[7].indices.astype(np.int64)
    weights = np.vstack([np.ones(len(history)), np.linspace(0.2, 1.0, len(history))])
    covered = ease.covered_scores(history, weights)
    dense = ease.row_scores(history, weights)
    assert covered.shape == dense.shape == (2, ease.n_items)
    np.testing.assert_array_equal(np.asarray(covered), dense)
    np.testing.assert_array_equal(covered.values, dense[:, ease.items])
    wanted = np.random.default_rng(1).permutation(ease.n_items)[:150]  # covered and not, in any order
    for row in (0, 1):
        np.testing.assert_array_equal(covered[row, wanted], dense[row, wanted])
        assert covered[row, wanted].dtype == dense.dtype
    assert covered[0, np.zeros(0, np.int64)].shape == (0,)


def test_the_covered_top_is_the_dense_search_among_the_covered_items_ties_and_blocked_included():
    items = np.array([2, 5, 9, 11, 30, 31, 40, 77], np.int64)
    values = np.array([[0.5, 0.9, 0.5, 0.5, 0.1, 0.9, 0.0, 0.5]], np.float32)  # ties at the cut
    scores = CoveredScores(values, items, 100)
    dense = np.asarray(scores)
    blocked = np.zeros(100, bool)
    blocked[[5, 40, 3]] = True
    for take in (1, 3, 4, 6):
        got = scores.top(0, take, blocked)
        np.testing.assert_array_equal(got, top_unblocked(dense[0], take, blocked, items))
        assert not blocked[got].any() and len(got) == take
    # more wanted than the covered items hold: the whole catalogue is searched (zeros fill the rest)
    got = scores.top(0, 12, blocked)
    np.testing.assert_array_equal(np.sort(got), np.sort(top_unblocked(dense[0], 12, blocked)))
    assert {2, 9, 11, 31, 77}.issubset(set(got.tolist())) and not blocked[got].any()


def test_an_empty_history_or_an_ease_without_items_scores_zero():
    ease, _ = _ease()
    empty = ease.covered_scores(np.zeros(0, np.int64), np.ones((1, 0)))
    assert empty.shape == (1, ease.n_items) and not np.asarray(empty).any()
    nothing = CoveredScores(np.zeros((1, 0), np.float32), np.zeros(0, np.int64), 10)
    np.testing.assert_array_equal(nothing[0, np.array([0, 9])], [0.0, 0.0])
    assert len(nothing.top(0, 3, np.zeros(10, bool))) == 3


def test_category_share_counts_each_history_code_once():
    from tendero.recommend.hybrid import _category_share

    history = np.array([3, 3, -1, 0, 3, 7])
    items = np.array([3, 0, 7, -1, 5, 9, 3])
    expected = [3 / 6, 1 / 6, 1 / 6, 0.0, 0.0, 0.0, 3 / 6]  # unknown (-1) and unseen codes share nothing
    np.testing.assert_array_equal(_category_share(history, items), expected)
    np.testing.assert_array_equal(_category_share(np.array([-1, -1]), items), np.zeros(len(items)))
    np.testing.assert_array_equal(_category_share(np.zeros(0, np.int64), items), np.zeros(len(items)))


def test_the_request_path_picks_and_describes_candidates_as_from_the_dense_rows(fitted):
    """A request's candidates and features from EASE's covered scores equal those from the same scores spread
    over the whole catalogue (the path before), user by user, with the user's history blocked."""
    hybrid = fitted.hybrid
    assert hybrid is not None and isinstance(hybrid.neighbour, Ease)
    checked = 0
    for user in range(min(40, len(fitted.users))):
        row, at = fitted.history[user], fitted.history_at[user]
        scores = hybrid.generator_scores(row, None, at)  # folded in: EASE's rows computed for the request
        if not isinstance(scores["neighbour"], CoveredScores):
            continue
        dense = {name: np.asarray(v) if isinstance(v, CoveredScores) else v for name, v in scores.items()}
        if scores["neighbour_recent"] is scores["neighbour"]:
            dense["neighbour_recent"] = dense["neighbour"]
        blocked = np.zeros(hybrid.n_items, bool)
        blocked[row.indices] = True
        items = hybrid.candidates(scores, 0, blocked)
        np.testing.assert_array_equal(items, hybrid.candidates(dense, 0, blocked))
        np.testing.assert_array_equal(hybrid.features(scores, 0, row, items), hybrid.features(dense, 0, row, items))
        checked += 1
    assert checked >= 20
