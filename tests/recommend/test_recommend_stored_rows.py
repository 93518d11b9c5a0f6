"""Long histories are scored at fit time: their requests read stored rows and answer exactly as computed."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tendero.kinds import Frames, RecordingProgress
from tendero.recommend.hybrid import HybridParams
from tendero.recommend.kind import FittedRecommender, RecommenderKind, RecommenderParams
from tendero.recommend.stored_rows import StoredRows


def _answers(model: FittedRecommender) -> dict[str, list[tuple[str, float, str, str]]]:
    return {
        str(user): [(r.item_id, r.score, r.reason, r.source) for r in model.recommend(str(user), 10)]
        for user in model.users.ids
    }


def _without_stored_rows(model: FittedRecommender) -> FittedRecommender:
    assert model.hybrid is not None
    return replace(model, hybrid=replace(model.hybrid, stored=StoredRows()), _columns={})


@pytest.fixture(scope="module", params=[None, 8.0], ids=["no-recency", "recency"])
def long_model(request, shop):
    # A request may read the EASE rows of 5 history items here (shop catalogue: ~60 items), so every user
    # with a longer history has stored rows; the recency case stores the recency-weighted row too.
    covered = 62
    hybrid = HybridParams(
        split="random",
        als_trials=1,
        candidates=20,
        ranker_rounds=30,
        ranker_min_users=10,
        half_life_grid=(request.param,),
        ease_request_mb=5 * 4 * covered / 2**20,
    )
    return RecommenderKind().fit(Frames.of(**shop), RecommenderParams(hybrid=hybrid), RecordingProgress())


def test_long_histories_get_stored_rows_and_the_tuning_says_so(long_model):
    hybrid = long_model.hybrid
    report = hybrid.tuning["stored_rows"]
    covered = len(hybrid.neighbour.items)
    inside = np.isin(long_model.history.indices, hybrid.neighbour.items)
    lengths = np.add.reduceat(inside.astype(int), long_model.history.indptr[:-1])
    expected = np.flatnonzero(lengths > report["above_history_items"])
    assert len(expected) > 0 and np.array_equal(hybrid.stored.users, expected)
    assert report["users"] == len(expected) and report["mb"] == pytest.approx(hybrid.stored.megabytes(), abs=0.1)
    assert hybrid.stored.plain.shape == (len(expected), covered)
    assert len(hybrid.stored.recent) == (0 if hybrid.half_life is None else len(expected))


def test_stored_rows_answer_exactly_as_computing_them(long_model):
    stored = _answers(long_model)
    computed = _answers(_without_stored_rows(long_model))
    assert stored == computed
    user = str(long_model.users.ids[long_model.hybrid.stored.users[0]])
    items = list(long_model.catalogue.items.ids[:20])
    assert long_model.score(user, items) == _without_stored_rows(long_model).score(user, items)


def test_requests_of_long_histories_read_the_stored_rows(long_model):
    hybrid = long_model.hybrid
    user = int(hybrid.stored.users[0])
    blanked = replace(
        hybrid.stored,
        plain=np.zeros_like(hybrid.stored.plain),
        recent=np.zeros_like(hybrid.stored.recent),
        sequence=np.zeros_like(hybrid.stored.sequence),
        content=np.zeros_like(hybrid.stored.content),
    )
    changed = replace(long_model, hybrid=replace(hybrid, stored=blanked), _columns={})
    name = str(long_model.users.ids[user])
    assert changed.recommend(name, 10) != long_model.recommend(name, 10)


def test_saved_and_loaded_the_stored_rows_answer_the_same(long_model):
    folder = Path(tempfile.mkdtemp())
    long_model.save(folder)
    loaded = FittedRecommender.load(folder)
    assert np.array_equal(loaded.hybrid.stored.users, long_model.hybrid.stored.users)
    assert _answers(loaded) == _answers(long_model)


def test_the_update_stores_the_rows_of_the_changed_histories(shop, long_model):
    before = long_model.hybrid.stored
    user = str(long_model.users.ids[before.users[0]])
    seen = set(shop["interactions"].loc[shop["interactions"].user_id == user, "item_id"])
    new_items = [item for item in long_model.catalogue.items.ids if item not in seen and item != "retirado"][:3]
    later = pd.DataFrame(
        {"user_id": user, "item_id": new_items, "kind": "purchase", "value": np.nan,
         "at": pd.Timestamp("2024-06-01") + pd.to_timedelta(range(3), unit="h")}
    )  # fmt: skip
    interactions = pd.concat([shop["interactions"], later], ignore_index=True)
    frames = Frames.of(interactions=interactions, order_lines=shop["order_lines"], products=shop["products"])
    updated = RecommenderKind().update(long_model, frames, RecordingProgress())
    position = updated.users.get(user)
    row = updated.hybrid.stored.find(position)
    assert row is not None
    assert not np.array_equal(updated.hybrid.stored.plain[row], before.plain[before.find(position)])
    assert _answers(updated) == _answers(_without_stored_rows(updated))


def test_a_long_history_folded_in_adds_only_the_new_items_rows_and_answers_as_computed(long_model):
    hybrid = long_model.hybrid
    position = int(hybrid.stored.users[-1])
    user = str(long_model.users.ids[position])
    seen = set(
        long_model.history.indices[long_model.history.indptr[position] : long_model.history.indptr[position + 1]]
    )
    new = [str(long_model.catalogue.items.ids[i]) for i in range(len(long_model.catalogue)) if i not in seen][:2]
    when = pd.Timestamp(long_model.trained_until())
    recent = pd.DataFrame(
        {"item_id": new, "kind": "purchase", "value": np.nan, "at": [when + pd.Timedelta(days=d) for d in (1, 2)]}
    )
    folded = long_model.recommend(user, 10, recent=recent)
    computed = _without_stored_rows(long_model).recommend(user, 10, recent=recent)
    assert {r.source for r in folded} == {"fold_in"}
    assert [r.item_id for r in folded] == [r.item_id for r in computed]
    assert [r.score for r in folded] == pytest.approx([r.score for r in computed], abs=1e-9)
    assert not {r.item_id for r in folded} & set(new)
    # The stored rows are what it starts from: blanked, the answer changes.
    blanked = replace(hybrid.stored, plain=np.zeros_like(hybrid.stored.plain))
    changed = replace(long_model, hybrid=replace(hybrid, stored=blanked), _columns={})
    assert [r.item_id for r in changed.recommend(user, 10, recent=recent)] != [r.item_id for r in folded]


def test_a_model_saved_before_stored_rows_loads_and_answers_the_same(long_model):
    folder = Path(tempfile.mkdtemp())
    long_model.save(folder)
    with np.load(folder / "arrays.npz", allow_pickle=False) as saved:
        older = {name: saved[name] for name in saved.files if not name.startswith("h_stored_")}
    assert len(older) < len(saved.files)
    np.savez(folder / "arrays.npz", allow_pickle=False, **older)
    loaded = FittedRecommender.load(folder)
    assert len(loaded.hybrid.stored.users) == 0
    assert _answers(loaded) == _answers(long_model)
