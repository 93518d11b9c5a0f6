"""ALS's candidate index on large catalogues: exact where every cell is read, kept through save, load and update."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from tendero.recommend.generators.factor_index import FactorIndex, FactorScores
from tendero.recommend.hybrid import top_unblocked


def _factors(n_items: int = 3000, dim: int = 16, seed: int = 0) -> np.ndarray:
    """Items in a few taste clusters, of uneven norm (popular items have long ALS vectors)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(12, dim))
    which = rng.integers(0, 12, n_items)
    norms = rng.lognormal(0.0, 0.5, n_items)[:, None]
    return ((centres[which] + 0.4 * rng.normal(size=(n_items, dim))) * norms).astype(np.float32)


def test_every_cell_probed_gives_the_exact_top_and_fewer_probes_give_unblocked_items_of_those_cells():
    factors = _factors()
    index = FactorIndex.build(factors)
    assert index.cells == round(np.sqrt(len(factors))) and 0 < index.probes < index.cells
    assert sorted(index.order.tolist()) == list(range(len(factors)))
    rng = np.random.default_rng(1)
    for _ in range(20):
        user = rng.normal(size=factors.shape[1]).astype(np.float32)
        blocked = np.zeros(len(factors), bool)
        blocked[rng.choice(len(factors), 40, replace=False)] = True
        exact = top_unblocked(factors @ user, 50, blocked)
        found = index.search(user, 50, blocked, probes=index.cells)[0]
        assert sorted(found.tolist()) == sorted(exact.tolist())
        few = index.search(user, 50, blocked, probes=2)[0]
        assert len(few) == 50 and not blocked[few].any()
        cells = index.probed(user, 50, probes=2)
        assert len(cells) >= 2 and np.diff(index.offsets)[cells].sum() >= 4 * 50
        assert set(cells[:2].tolist()) == set(np.argsort(-(index.centroids @ user))[:2].tolist())
        members = np.concatenate([index.order[index.offsets[c] : index.offsets[c + 1]] for c in cells])
        assert set(few.tolist()) <= set(members.tolist())


def test_the_lazy_scores_are_the_exact_dot_products_and_fall_back_to_exact_under_heavy_filters():
    factors = _factors()
    index = FactorIndex.build(factors, probes=1)
    users = np.random.default_rng(2).normal(size=(2, factors.shape[1])).astype(np.float32)
    scores = FactorScores(users, factors, index)
    items = np.array([5, 17, 2999, 0])
    assert scores.shape == (2, len(factors))
    np.testing.assert_allclose(scores[1, items], factors[items] @ users[1], rtol=1e-6)
    # Only 30 items allowed, most of them outside the one probed cell: the answer is the exact one.
    blocked = np.ones(len(factors), bool)
    blocked[np.arange(0, 3000, 100)] = False
    assert sorted(scores.top(0, 10, blocked).tolist()) == sorted(top_unblocked(factors @ users[0], 10, blocked))


def _with_index(fitted, probes: int | None = None):
    model = copy.deepcopy(fitted)
    als = model.hybrid.als
    als.index_items(min_items=0)
    if probes is not None:
        als.index.probes = probes
    return model


def test_a_model_whose_every_cell_is_probed_answers_as_the_exact_model(fitted):
    indexed = _with_index(fitted, probes=10_000)
    assert fitted.hybrid.als.index is None and indexed.hybrid.als.index is not None
    for user in fitted.users.ids[:40]:
        exact, found = fitted.recommend(str(user), 10), indexed.recommend(str(user), 10)
        assert [(r.item_id, r.reason, r.source) for r in found] == [(r.item_id, r.reason, r.source) for r in exact]
        np.testing.assert_allclose([r.score for r in found], [r.score for r in exact], rtol=1e-5, atol=1e-6)
    items = list(fitted.catalogue.items.ids[:15])
    np.testing.assert_allclose(indexed.score("u3", items), fitted.score("u3", items), rtol=1e-5, atol=1e-6)


def test_one_probed_cell_narrows_the_als_candidates(fitted):
    """The index is really read: with one cell per vector, ALS's candidates come from that cell alone."""
    indexed = _with_index(fitted, probes=1)
    hybrid = indexed.hybrid
    position = indexed.users.get("u5")
    row = indexed.history[position]
    scores = hybrid.generator_scores(row, position, indexed.history_at[position])
    assert isinstance(scores["als"], FactorScores)
    blocked = np.zeros(hybrid.n_items, bool)
    blocked[row.indices] = True
    index = hybrid.als.index
    found = scores["als"].top(0, 5, blocked)
    best = int(np.argmax(index.centroids @ hybrid.als.user_factors[position]))
    cell = index.order[index.offsets[best] : index.offsets[best + 1]]
    if (~blocked[cell]).sum() >= 5:
        assert set(found.tolist()) <= set(cell.tolist())


def test_save_load_and_update_keep_the_index(shop, fitted):
    from test_recommend_freshness import _saved

    from tendero.kinds import Frames, RecordingProgress
    from tendero.recommend.kind import RecommenderKind

    indexed = _with_index(fitted)
    index = indexed.hybrid.als.index
    loaded = type(indexed).load(_saved(indexed))
    again = loaded.hybrid.als.index
    assert again is not None and again.probes == index.probes
    np.testing.assert_array_equal(again.centroids, index.centroids)
    np.testing.assert_array_equal(again.order, index.order)
    assert [r.item_id for r in loaded.recommend("u7", 10)] == [r.item_id for r in indexed.recommend("u7", 10)]
    # A model saved before the index existed loads without one.
    plain = type(fitted).load(_saved(fitted))
    assert plain.hybrid.als.index is None
    # The update puts new items into their nearest cells and keeps the fitted cells.
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
    np.testing.assert_array_equal(grown.centroids, index.centroids)
    vector = updated.hybrid.als.item_factors[position]
    nearest = int(np.argmin(((grown.centroids - vector) ** 2).sum(axis=1)))
    where = int(np.flatnonzero(grown.order == position)[0])
    assert grown.offsets[nearest] <= where < grown.offsets[nearest + 1]
