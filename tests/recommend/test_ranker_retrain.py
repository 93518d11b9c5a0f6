"""The ranker a fitted model keeps is retrained on every inner user: the users held out for early stopping only choose
its rounds (scaled by the rows they add) and judge it against the simple blends."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from tendero.recommend.fit import FoldRows, _train_ranker
from tendero.recommend.hybrid import FEATURES, HybridParams

N_USERS, N_CANDIDATES = 300, 20


def folds_where(held: set[int], seed: int = 0) -> list[FoldRows]:
    """One fold of users, each with one relevant candidate: marked by feature 1 for most users, by feature 2 for
    ``held`` (feature 2 is 0 everywhere else, so a ranker that never saw ``held`` cannot split on it)."""
    rng = np.random.default_rng(seed)
    fold = FoldRows(valid=sp.csr_matrix((N_USERS, N_CANDIDATES)))
    for user in range(N_USERS):
        features = rng.random((N_CANDIDATES, len(FEATURES))).astype(np.float32)
        features[:, 2] = 0.0
        label = np.zeros(N_CANDIDATES, np.float32)
        hit = rng.integers(N_CANDIDATES)
        label[hit] = 1.0
        features[hit, 2 if user in held else 1] += 1.0
        fold.users.append(user)
        fold.items.append(np.arange(N_CANDIDATES))
        fold.features.append(features)
        fold.labels.append(label)
    return [fold]


def test_the_kept_ranker_learns_the_held_out_users_for_the_rounds_scaled_by_their_rows():
    params = HybridParams(ranker_min_users=10, ranker_min_leaf=20, ranker_rounds=60, ranker_patience=10)
    _, first = _train_ranker(folds_where(set()), params, lambda message: None)
    held = {int(user) for user in first["held_users"]}  # chosen from the seed alone, so the same next time
    assert 0 < len(held) < N_USERS // 2

    trained, info = _train_ranker(folds_where(held), params, lambda message: None)
    assert trained is not None
    assert list(map(int, info["held_users"])) == sorted(held)
    judged, kept = trained.judged, trained.kept
    # Only the held-out users' relevant items carry feature 2: the judged ranker never saw them, the kept one did.
    assert judged.feature_importance()[2] == 0  # type: ignore[attr-defined]
    assert kept.feature_importance()[2] > 0  # type: ignore[attr-defined]
    rows_fit = (N_USERS - len(held)) * N_CANDIDATES
    expected = int(np.ceil(judged.best_iteration * N_USERS * N_CANDIDATES / rows_fit))  # type: ignore[attr-defined]
    assert kept.current_iteration() == info["ranker_rounds"] == expected > info["ranker_rounds_held_out"]  # type: ignore[attr-defined]
