"""ALS's candidates on large catalogues by a bound scan: the exact top, kept through save, load and update."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from tendero.recommend.generators.factor_index import FactorIndex, FactorScores
from tendero.recommend.hybrid import top_unblocked


def _factors(n_items: int = 3000, dim: int = 16, seed: int = 0, spread: float = 0.5) -> np.ndarray:
    """Items in a few taste clusters, of uneven length (``spread``: sigma of the log-normal lengths); ALS
    gives the items with many buyers long vectors and the long tail short ones."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(12, dim))
    which = rng.integers(0, 12, n_items)
    norms = rng.lognormal(0.0, spread, n_items)[:, None]
    return ((centres[which] + 0.4 * rng.normal(size=(n_items, dim))) * norms).astype(np.float32)


def test_the_bound_scan_finds_the_exact_top_and_reads_only_the_long_vectors_it_needs():
    factors = _factors(n_items=40_000, spread=1.0)
    index = FactorIndex.build(factors)
    assert sorted(index.order.tolist()) == list(range(len(factors)))
    assert np.all(np.diff(index.norms) <= 0)
    rng = np.random.default_rng(1)
    reads = []
    for _ in range(20):
        users = rng.normal(size=(2, factors.shape[1])).astype(np.float32)
        blocked = np.zeros(len(factors), bool)
        blocked[index.order[rng.choice(200, 40, replace=False)]] = True  # some of the longest vectors
        found, read = index.scan(users, 50, blocked)
        for user, items in zip(users, found, strict=True):
            assert sorted(items.tolist()) == sorted(top_unblocked(factors @ user, 50, blocked).tolist())
        reads.append(read)
    assert max(reads) < len(factors) / 2, reads  # the long head holds every top


def test_the_scan_reads_everything_where_the_bound_never_bites_and_returns_all_that_is_allowed():
    factors = _factors(n_items=3000)
    index = FactorIndex.build(factors)
    blocked = np.ones(len(factors), bool)
    blocked[[3, 2999, 1500]] = False
    found, read = index.scan(np.ones((1, factors.shape[1]), np.float32), 10, blocked)
    assert sorted(found[0].tolist()) == [3, 1500, 2999] and read == len(factors)
    found, read = index.scan(np.zeros((1, factors.shape[1]), np.float32), 10, np.zeros(len(factors), bool))
    assert len(found[0]) == 10 and read == len(factors)  # all scores 0: no item can be ruled out


def test_ties_at_the_cut_are_kept_as_the_full_product_keeps_them():
    """Items with equal factors score equally: the scan skips only items below the take-th best, so the top it
    returns holds the same scores as the full product's, ties at the cut included."""
    base = _factors(n_items=500, spread=1.0)
    factors = np.repeat(base, 8, axis=0)  # every score eight times
    index = FactorIndex.build(factors)
    rng = np.random.default_rng(3)
    for _ in range(10):
        user = rng.normal(size=(1, factors.shape[1])).astype(np.float32)
        blocked = np.zeros(len(factors), bool)
        blocked[rng.choice(len(factors), 300, replace=False)] = True
        found, _ = index.scan(user, 50, blocked)
        exact = top_unblocked(factors @ user[0], 50, blocked)
        assert not blocked[found[0]].any() and len(set(found[0].tolist())) == 50
        np.testing.assert_array_equal(np.sort(factors[found[0]] @ user[0]), np.sort(factors[exact] @ user[0]))


def test_the_lazy_scores_are_the_exact_dot_products():
    factors = _factors()
    users = np.random.default_rng(2).normal(size=(2, factors.shape[1])).astype(np.float32)
    scores = FactorScores(users, factors, FactorIndex.build(factors))
    items = np.array([5, 17, 2999, 0])
    assert scores.shape == (2, len(factors))
    np.testing.assert_allclose(scores[1, items], factors[items] @ users[1], rtol=1e-6)
    most = np.arange(len(factors) - 1, 100, -1)  # most of the catalogue, in the caller's order
    np.testing.assert_allclose(scores[0, most], factors[most] @ users[0], rtol=1e-5, atol=1e-6)
    blocked = np.zeros(len(factors), bool)
    assert sorted(scores.top(0, 10, blocked).tolist()) == sorted(top_unblocked(factors @ users[0], 10, blocked))


def _with_index(fitted):
    """The fitted model as if its catalogue were large enough for the scan (``als_index_items`` 0)."""
    model = copy.deepcopy(fitted)
    model.hybrid.params = model.hybrid.params.model_copy(update={"als_index_items": 0})
    model.hybrid.als.index_items(min_items=0)
    return model


def test_a_model_with_the_scan_answers_as_the_model_that_scores_every_item(fitted):
    indexed = _with_index(fitted)
    assert fitted.hybrid.als.index is None and indexed.hybrid.als.index is not None
    position = indexed.users.get("u5")
    scores = indexed.hybrid.generator_scores(indexed.history[position], position, indexed.history_at[position])
    assert isinstance(scores["als"], FactorScores)
    for user in fitted.users.ids[:40]:
        exact, found = fitted.recommend(str(user), 10), indexed.recommend(str(user), 10)
        assert [(r.item_id, r.reason, r.source) for r in found] == [(r.item_id, r.reason, r.source) for r in exact]
        np.testing.assert_allclose([r.score for r in found], [r.score for r in exact], rtol=1e-5, atol=1e-6)
    items = list(fitted.catalogue.items.ids[:15])
    np.testing.assert_allclose(indexed.score("u3", items), fitted.score("u3", items), rtol=1e-5, atol=1e-6)


def test_save_load_and_update_keep_the_index(shop, fitted):
    from test_recommend_freshness import _saved

    from tendero.kinds import Frames, RecordingProgress
    from tendero.recommend.kind import RecommenderKind

    indexed = _with_index(fitted)
    index = indexed.hybrid.als.index
    loaded = type(indexed).load(_saved(indexed))
    again = loaded.hybrid.als.index
    assert again is not None
    np.testing.assert_array_equal(again.order, index.order)
    assert [r.item_id for r in loaded.recommend("u7", 10)] == [r.item_id for r in indexed.recommend("u7", 10)]
    # A model saved before the index existed loads without one.
    plain = type(fitted).load(_saved(fitted))
    assert plain.hybrid.als.index is None
    # The update orders the new item's factors with the others.
    products = pd.concat(
        [shop["products"], pd.DataFrame([{"product_id": "nuevo", "name": "Libro nuevo", "category": "ciencia"}])],
        ignore_index=True,
    )
    at = pd.Timestamp("2024-03-01")
    buyers = pd.DataFrame(
        [{"user_id": f"n{n}", "item_id": item, "kind": "purchase", "value": np.nan, "at": at + pd.Timedelta(hours=h)}
         for n in range(6) for h, item in enumerate(("p1-0", "nuevo"))]
    )  # fmt: skip
    frames = Frames.of(
        interactions=pd.concat([shop["interactions"], buyers], ignore_index=True),
        order_lines=shop["order_lines"],
        products=products,
    )
    updated = RecommenderKind().update(indexed, frames, RecordingProgress())
    grown = updated.hybrid.als.index
    position = updated.catalogue.items.get("nuevo")
    assert grown is not None and len(grown.order) == updated.hybrid.n_items == position + 1
    assert np.abs(updated.hybrid.als.item_factors[position]).sum() > 0
    np.testing.assert_array_equal(grown.order, FactorIndex.build(updated.hybrid.als.item_factors).order)
    assert updated.hybrid.tuning["plan"]["als_candidates"]["path"] == "bound_scan"
