"""Every stored metric key reads as words in both languages: a tabular classifier's plain ``recall`` and
``precision`` (no k) beside a recommender's ``recall@20``; the models page rendered a 500 on a classifier's
``recall`` when both shared one catalogue entry that wanted a k."""

from __future__ import annotations

import pytest

from tendero.catalogue.metrics import metric_label, metric_unit

KEYS = ["recall", "precision", "accuracy", "f1", "roc_auc", "ndcg@10", "recall@20", "precision@10", "hit_rate@10",
        "map@10", "als_ndcg@10", "backtest_coverage_80", "backtest_mae_bgnbd", "wape", "smape", "made_up"]  # fmt: skip


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("key", KEYS)
def test_every_metric_key_reads_without_a_placeholder_left(key, lang):
    label = metric_label(key, lang)
    assert label and "{" not in label and "}" not in label


def test_a_classifiers_recall_is_not_a_ranking_at_k():
    assert metric_label("recall", "en") == "Recall" and metric_label("recall@20", "en").endswith("top 20")
    assert metric_unit("recall") == metric_unit("recall@20") == "share"
