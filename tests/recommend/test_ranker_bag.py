"""The ranker a fitted model keeps is a bag of boosters: each leaves out a different share of the inner users (which
stop its boosting early and are judged by it alone), their outputs are averaged, and no member is added past the trees
a request may evaluate."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from tendero.recommend.fit import FoldRows, _train_ranker
from tendero.recommend.hybrid import FEATURES, HybridParams
from tendero.recommend.ranker_bag import RankerBag

N_USERS, N_CANDIDATES, MARKERS = 300, 20, 2  # features MARKERS.. MARKERS + 4 mark the relevant item of one share each


def folds_where(share_of_user: np.ndarray | None, seed: int = 0) -> list[FoldRows]:
    """One fold of users, each with one relevant candidate: marked by feature 1, or, given each user's share k, by
    feature MARKERS + k alone (0 everywhere else: a booster that never saw share k cannot split on its marker)."""
    rng = np.random.default_rng(seed)
    fold = FoldRows(valid=sp.csr_matrix((N_USERS, N_CANDIDATES)))
    for user in range(N_USERS):
        features = rng.random((N_CANDIDATES, len(FEATURES))).astype(np.float32)
        features[:, MARKERS : MARKERS + 5] = 0.0
        label = np.zeros(N_CANDIDATES, np.float32)
        hit = rng.integers(N_CANDIDATES)
        label[hit] = 1.0
        if share_of_user is None:
            features[hit, 1] += 0.5
        else:
            features[hit, MARKERS + share_of_user[user]] = 1.0
        fold.users.append(user)
        fold.items.append(np.arange(N_CANDIDATES))
        fold.features.append(features)
        fold.labels.append(label)
    return [fold]


def quiet(message: str) -> None:
    return None


def test_each_member_leaves_out_its_own_share_of_the_users_and_judges_them():
    params = HybridParams(ranker_min_users=10, ranker_min_leaf=20, ranker_rounds=40, ranker_patience=0)
    first, _ = _train_ranker(folds_where(None), params, quiet)
    assert first is not None and len(first.bag.members) == params.ranker_bag == 5
    shares = first.judge_of_user[:N_USERS]  # drawn from the seed alone, so the same next time
    assert set(shares.tolist()) == set(range(5))

    trained, info = _train_ranker(folds_where(shares), params, quiet)
    assert trained is not None and (trained.judge_of_user[:N_USERS] == shares).all()
    assert info["ranker_members"] == 5 and info["ranker_trees"] == trained.bag.trees == sum(info["ranker_rounds"])
    for member, booster in enumerate(trained.bag.members):
        importance = booster.feature_importance()
        # The member never saw its own share's marker, and learned every other share's.
        assert importance[MARKERS + member] == 0
        assert all(importance[MARKERS + other] > 0 for other in range(5) if other != member)


@pytest.mark.parametrize("budget", [50, 70, 95, 1000])
def test_no_member_takes_a_request_past_its_trees(budget):
    params = HybridParams(
        ranker_min_users=10, ranker_min_leaf=20, ranker_rounds=30, ranker_patience=0, ranker_request_trees=budget
    )
    trained, _ = _train_ranker(folds_where(None), params, quiet)
    assert trained is not None
    assert trained.bag.trees <= max(budget, 30)  # the first member always counts, whatever the budget
    assert len(trained.bag.members) == min(5, max(1, budget // 30))
    # Users whose share had no member are judged by none.
    members = len(trained.bag.members)
    assert set(trained.judge_of_user[:N_USERS].tolist()) == set(range(members)) | ({-1} if members < 5 else set())


def test_the_bag_predicts_the_mean_of_its_members_and_reads_back_the_same(tmp_path):
    params = HybridParams(ranker_min_users=10, ranker_min_leaf=20, ranker_rounds=40, ranker_patience=10, ranker_bag=3)
    trained, _ = _train_ranker(folds_where(None), params, quiet)
    assert trained is not None
    bag = trained.bag
    features = folds_where(None, seed=1)[0].features[0]
    each = [member.predict(features, num_threads=1) for member in bag.members]
    assert np.allclose(bag.predict(features), np.mean(each, axis=0))
    assert bag.save(tmp_path) == 3
    again = RankerBag.load(tmp_path, 3)
    assert again.trees == bag.trees
    assert np.allclose(again.predict(features), bag.predict(features), rtol=1e-6)
    # A model saved before bags holds one booster in ranker.txt: it reads as a bag of one.
    assert np.allclose(RankerBag.load(tmp_path, 1).predict(features), each[0], rtol=1e-6)


def test_the_ranker_lines_read_in_spanish():
    from tendero.catalogue.jobs import render_job_text

    said: list[str] = []
    params = HybridParams(ranker_min_users=10, ranker_min_leaf=20, ranker_rounds=20, ranker_patience=0, ranker_bag=2)
    _train_ranker(folds_where(None), params, said.append)
    assert render_job_text(said[-1], "es").startswith("ordenador: 300 usuarios, 2 modelos, 40 árboles, ndcg@10")
    # Ten users and one member: for some seeds none of them falls in the share it leaves out.
    few = folds_where(None)
    few[0].users, few[0].items = few[0].users[:10], few[0].items[:10]
    few[0].features, few[0].labels = few[0].features[:10], few[0].labels[:10]
    for seed in range(100):
        said.clear()
        trained, _ = _train_ranker(few, params.model_copy(update={"ranker_bag": 1, "seed": seed}), said.append)
        if trained is None:
            break
    assert trained is None and render_job_text(said[-1], "es") == (
        "ordenador omitido: solo 10 usuarios, demasiado pocos para reservar algunos"
    )


def test_a_booster_keeps_at_least_the_floor_of_trees_when_early_stopping_wants_fewer():
    # Labels that no feature predicts: the left-out users' NDCG peaks early (for this data, before round 40 in three
    # of the five boosters).
    folds = folds_where(None)
    rng = np.random.default_rng(3)
    for features in folds[0].features:
        features[:] = rng.random(features.shape)
    params = HybridParams(ranker_min_users=10, ranker_min_leaf=20, ranker_rounds=300, ranker_patience=40,
                          ranker_min_rounds=40)  # fmt: skip
    trained, info = _train_ranker(folds, params, quiet)
    assert trained is not None
    assert all(rounds >= 40 for rounds in info["ranker_rounds"])
    assert [member.current_iteration() for member in trained.bag.members] == info["ranker_rounds"]  # the kept alone
