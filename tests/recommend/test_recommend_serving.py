"""The fitted recommender answers every request path with a sensible, documented result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tendero.kinds import Cancelled, Frames, RecordingProgress
from tendero.recommend.hybrid import HybridParams
from tendero.recommend.kind import FittedRecommender, RecommenderKind, RecommenderParams
from tendero.recommend.recommender import Filters, Recommender


def _category(item_id: str) -> int | None:
    return int(item_id[1]) if item_id.startswith("p") else None


def _seen(shop, user: str) -> set[str]:
    interactions = shop["interactions"]
    lines = shop["order_lines"]
    return set(interactions.loc[interactions.user_id == user, "item_id"]) | set(
        lines.loc[lines.customer_id == user, "product_id"]
    )


def test_fit_reports_progress_and_held_out_metrics(shop):
    progress = RecordingProgress()
    params = RecommenderParams(hybrid=HybridParams(als_trials=1, candidates=20))
    fitted = RecommenderKind().fit(Frames.of(**shop), params, progress)
    assert len(progress.events) >= 5
    assert all(e.step <= e.total for e in progress.events)
    steps = [e.step for e in progress.events]
    assert steps == sorted(steps) and progress.events[-1].step == progress.events[-1].total  # staged, never back
    ranker = next(e for e in progress.events if e.message == "training ranker")
    assert ranker.step / ranker.total < 0.5  # the costly ranker stage still lies ahead, as its measured cost says
    for key in ("ndcg@10", "precision@10", "recall@10", "map@10", "coverage", "popularity_ndcg@10"):
        assert 0.0 <= fitted.metrics[key] <= 1.0


def test_fit_stops_when_the_job_is_cancelled(shop):
    with pytest.raises(Cancelled):
        RecommenderKind().fit(Frames.of(**shop), RecommenderParams(), RecordingProgress(cancel_after=2))


def test_fit_without_any_interaction_is_a_clear_error(shop):
    empty = shop["interactions"].iloc[:0]
    with pytest.raises(ValueError, match="no interactions"):
        RecommenderKind().fit(
            Frames.of(interactions=empty, products=shop["products"]), RecommenderParams(), RecordingProgress()
        )


def test_known_user_gets_k_unseen_active_items_best_first_with_reasons(shop, fitted):
    result = fitted.recommend("u0", 10)
    assert len(result) == 10
    assert len({r.item_id for r in result}) == 10
    assert not {r.item_id for r in result} & _seen(shop, "u0")
    assert "retirado" not in {r.item_id for r in result}
    scores = [r.score for r in result]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
    assert {r.source for r in result} == {"hybrid"}
    assert all(r.reason.startswith(("porque te gustó", "comprado junto con", "parecido a", "popular")) for r in result)


def test_known_user_is_mostly_recommended_their_own_category(fitted):
    shares = []
    for u in range(0, 40):
        result = fitted.recommend(f"u{u}", 5)
        shares.append(np.mean([_category(r.item_id) == u % 4 for r in result]))
    assert np.mean(shares) > 0.6


def test_reasons_follow_the_requested_language(fitted):
    english = fitted.recommend("u0", 5, language="en")
    assert all(
        r.reason.startswith(("because you liked", "bought together with", "similar to", "popular")) for r in english
    )


def test_unknown_user_gets_popular_items_in_the_requested_store(shop, fitted):
    result = fitted.recommend("nobody", 4, filters=Filters(store="tienda1"))
    assert {r.source for r in result} == {"popular"}
    assert all(r.reason == "popular en tienda1" for r in result)
    # tienda1 serves the odd users, whose favourite categories are 1 and 3.
    assert {_category(r.item_id) for r in result} <= {1, 3}


def test_cold_user_with_a_category_filter_gets_popular_items_of_that_category(fitted):
    result = fitted.recommend(None, 3, filters=Filters(categories=["cocina"]))
    assert [r.reason for r in result] == ["popular en cocina"] * 3
    assert {_category(r.item_id) for r in result} == {3}


def test_first_interactions_fold_in_without_retraining(fitted):
    result = fitted.recommend("visitante", 5, history=["p2-0", "p2-1", "p2-2"])
    assert {r.source for r in result} == {"fold_in"}
    assert not {r.item_id for r in result} & {"p2-0", "p2-1", "p2-2"}
    assert np.mean([_category(r.item_id) == 2 for r in result]) >= 0.6


def test_candidates_rank_only_those_and_ignore_unknown_ids(fitted):
    result = fitted.recommend("u1", 10, candidates=["p1-9", "p3-2", "no-such-item", "p1-12"])
    assert {r.item_id for r in result} <= {"p1-9", "p3-2", "p1-12"}
    assert len(result) == len({r.item_id for r in result}) >= 2


def test_k_larger_than_the_catalogue_returns_every_allowed_item_once(shop, fitted):
    result = fitted.recommend("u0", 1000)
    ids = [r.item_id for r in result]
    assert len(ids) == len(set(ids))
    catalogue = fitted.catalogue
    active = {str(i) for i, a in zip(catalogue.items.ids, catalogue.active, strict=True) if a}
    assert set(ids) == active - _seen(shop, "u0")


def test_zero_k_returns_nothing(fitted):
    assert fitted.recommend("u0", 0) == []


def test_business_rules_filter_before_ranking(fitted):
    filters = Filters(categories=["ciencia", "historia"], price_max=15.0, max_per_category=2)
    result = fitted.recommend("u0", 10, filters=filters, exclude=["p1-0"])
    assert len(result) == 4
    assert "p1-0" not in {r.item_id for r in result}
    assert all(_category(r.item_id) in (1, 2) for r in result)
    prices = fitted.catalogue.prices[[fitted.catalogue.items.get(r.item_id) for r in result]]
    assert (prices <= 15.0).all()


def test_seen_items_come_back_when_exclude_seen_is_off(shop, fitted):
    result = fitted.recommend("u0", 60, filters=Filters(exclude_seen=False))
    assert _seen(shop, "u0") - {"retirado"} <= {r.item_id for r in result}


def test_score_keeps_the_request_order_and_gives_zero_to_unknown_items(fitted):
    scores = fitted.score("u0", ["p0-9", "no-such-item", "p3-9", "p0-9"])
    assert len(scores) == 4 and scores[1] == 0.0 and scores[0] == scores[3]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert fitted.score("nobody", ["p0-0"])[0] > 0.0
    assert fitted.score("u0", []) == []


def test_similar_items_of_a_cold_item_come_from_content(fitted):
    result = fitted.similar("nuevo-2", 5)
    assert result and {r.source for r in result} == {"content"}
    assert all(_category(r.item_id) == 2 or r.item_id.startswith("nuevo") for r in result)
    assert result[0].reason == "parecido a Historia libro nuevo"


def test_similar_items_of_a_known_item_are_collaborative(fitted):
    result = fitted.similar("p1-0", 5, language="en")
    assert {r.source for r in result} == {"collaborative"}
    assert "p1-0" not in {r.item_id for r in result}
    assert fitted.similar("no-such-item") == []


def test_bought_together_finds_the_basket_partner(fitted):
    result = fitted.bought_together("p2-0", 3)
    assert result[0].item_id == "p2-1"
    assert result[0].reason.startswith("comprado junto con")
    assert fitted.bought_together("no-such-item") == []


def test_save_and_load_answer_identically_without_pickle(tmp_path, fitted):
    fitted.save(tmp_path)
    members = len(fitted.hybrid.ranker.members)
    boosters = {"ranker.txt", *(f"ranker_{index + 1}.txt" for index in range(1, members))}
    assert members > 1 and {p.name for p in tmp_path.iterdir()} == {"arrays.npz", "model.json", *boosters}
    with np.load(tmp_path / "arrays.npz", allow_pickle=False) as arrays:
        assert "item_ids" in arrays.files
    loaded = FittedRecommender.load(tmp_path)
    assert loaded.recommend("u3", 10) == fitted.recommend("u3", 10)
    assert loaded.score("u3", ["p3-5", "p0-1"]) == fitted.score("u3", ["p3-5", "p0-1"])
    assert loaded.metrics == fitted.metrics
    assert loaded.probe() == fitted.probe()


def _legacy_meta(meta: dict, version: int) -> dict:
    """A format-4 model.json rewritten the way formats 2 and 3 kept the generators' settings."""
    spec = meta["hybrid"]
    generators = spec.pop("generators")
    spec.update(
        ease_l2=generators["neighbour"]["l2"],
        als={k: v for k, v in generators["als"].items() if version == 3 or k not in ("k1", "b", "scale")},
        popularity_half_life_days=generators["popularity"]["half_life_days"],
        sequence_window=generators["sequence"]["window"],
    )
    return {**meta, "format": version}


def test_a_format_3_model_loads_and_answers_as_before(tmp_path, fitted):
    import json

    fitted.save(tmp_path)
    meta = json.loads((tmp_path / "model.json").read_text())
    (tmp_path / "model.json").write_text(json.dumps(_legacy_meta(meta, 3)))
    loaded = FittedRecommender.load(tmp_path)
    assert loaded.recommend("u3", 10) == fitted.recommend("u3", 10)
    assert loaded.recommend(None, 5, history=["p2-0", "p2-1"]) == fitted.recommend(None, 5, history=["p2-0", "p2-1"])


def test_a_format_2_model_from_before_bm25_weighted_als_still_loads_and_serves(tmp_path, fitted):
    import json

    fitted.save(tmp_path)
    meta = _legacy_meta(json.loads((tmp_path / "model.json").read_text()), 2)
    (tmp_path / "model.json").write_text(json.dumps(meta))
    with np.load(tmp_path / "arrays.npz", allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files if name != "h_als_item_length"}
    np.savez(tmp_path / "arrays.npz", **arrays)
    loaded = FittedRecommender.load(tmp_path)
    assert loaded.hybrid.als.k1 is None  # format 2 folded raw values in
    assert len(loaded.recommend("u3", 10)) == 10
    assert len(loaded.recommend("someone-new", 5)) == 5
    meta["format"] = 1
    (tmp_path / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="recommender format 1"):
        FittedRecommender.load(tmp_path)


def test_rules_fallback_needs_no_model_and_says_so(shop):
    rules = Recommender.rules_only(shop["interactions"], shop["order_lines"], shop["products"])
    result = rules.recommend("u2", 5)
    assert {r.source for r in result} == {"rules"}
    assert all(_category(r.item_id) == 2 or r.item_id == "nuevo-2" for r in result)
    assert result[0].reason.startswith("porque te interesa")
    assert rules.score("u2", ["p2-14", "p0-14"])[0] > rules.score("u2", ["p2-14", "p0-14"])[1]
    assert {r.source for r in rules.recommend("nobody", 3)} == {"rules"}


def test_empty_catalogue_gives_empty_answers():
    empty = pd.DataFrame({"user_id": [], "item_id": [], "kind": [], "value": [], "at": []})
    rules = Recommender.rules_only(empty, None, None)
    assert rules.recommend("anyone", 10) == []
    assert rules.score("anyone", ["x"]) == [0.0]
    assert rules.similar("x") == [] and rules.bought_together("x") == []


def test_reason_weights_are_read_for_many_items_at_once_exactly_as_the_matrices_hold_them(fitted):
    """The reasons read history × items blocks in one gather (co-bought, content, EASE): equal to slicing the
    matrices, for items with and without entries and for history items the model never saw."""
    from tendero.recommend.generators.ease import Ease

    hybrid = fitted.hybrid
    assert hybrid is not None and isinstance(hybrid.neighbour, Ease)
    n_items = len(fitted.catalogue)
    rng = np.random.default_rng(3)
    for attempt in range(6):
        seen = rng.choice(n_items, size=int(rng.integers(1, 12)), replace=False)  # a history in any order
        seen = np.sort(seen) if attempt % 2 else seen
        items = rng.choice(n_items, size=int(rng.integers(1, 20)), replace=False)
        for name, matrix in (("cooc", hybrid.cooc.similarity), ("content", hybrid.content.similarity)):
            block = fitted._weights_into(name, matrix, seen, items)
            assert np.allclose(block, matrix.tocsr()[seen][:, items].toarray())
        dense = np.zeros((n_items, n_items))
        covered = hybrid.neighbour.items
        dense[np.ix_(covered, covered)] = hybrid.neighbour.weights
        assert np.allclose(hybrid.neighbour.block(seen, items), dense[np.ix_(seen, items)])
