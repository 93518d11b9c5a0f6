"""Random forests: trained by scikit-learn in growing batches of trees, served from flat arrays in
``forest.npz`` (every tree walked at once in NumPy, exactly scikit-learn's predictions)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tendero.training.algorithms.data import TrainData
from tendero.training.algorithms.parameters import RandomForestParams
from tendero.training.algorithms.progress import Report, chunk_ends, held_out_metrics


@dataclass
class TreeEnsemble:
    """A scikit-learn forest flattened into arrays; prediction walks all trees at once."""

    left: np.ndarray
    right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    value: np.ndarray  # (nodes, k): class fractions or the regression value
    roots: np.ndarray
    classification: bool

    @classmethod
    def from_forest(cls, forest: Any, classification: bool, n_classes: int = 0) -> TreeEnsemble:
        lefts, rights, features, thresholds, values, roots = [], [], [], [], [], []
        offset = 0
        for tree in forest.estimators_:
            t = tree.tree_
            leaf = t.children_left < 0
            lefts.append(np.where(leaf, -1, t.children_left + offset))
            rights.append(np.where(leaf, -1, t.children_right + offset))
            features.append(np.where(leaf, 0, t.feature))
            thresholds.append(t.threshold)
            value = t.value[:, 0, :] if classification else t.value[:, :, 0]
            if classification:
                value = value / np.maximum(value.sum(axis=1, keepdims=True), 1e-300)
                if n_classes > value.shape[1]:  # classes absent from the training rows
                    full = np.zeros((len(value), n_classes))
                    full[:, np.asarray(forest.classes_, dtype=np.int64)] = value
                    value = full
            values.append(value)
            roots.append(offset)
            offset += t.node_count
        return cls(
            np.concatenate(lefts).astype(np.int64),
            np.concatenate(rights).astype(np.int64),
            np.concatenate(features).astype(np.int64),
            np.concatenate(thresholds).astype(np.float64),
            np.concatenate(values).astype(np.float64),
            np.asarray(roots, dtype=np.int64),
            classification,
        )

    def output(self, x: np.ndarray) -> np.ndarray:
        x32 = x.astype(np.float32).astype(np.float64)  # scikit-learn compares in float32
        nodes = np.broadcast_to(self.roots, (len(x), len(self.roots))).copy()
        rows = np.arange(len(x))[:, None]
        active = self.left[nodes] >= 0
        while active.any():
            go_left = x32[rows, self.feature[nodes]] <= self.threshold[nodes]
            step = np.where(go_left, self.left[nodes], self.right[nodes])
            nodes = np.where(active, step, nodes)
            active = self.left[nodes] >= 0
        mean = self.value[nodes].mean(axis=1)
        return mean if self.classification else mean[:, 0]

    def save(self, folder: Path) -> None:
        np.savez(
            folder / "forest.npz",
            left=self.left,
            right=self.right,
            feature=self.feature,
            threshold=self.threshold,
            value=self.value,
            roots=self.roots,
            classification=self.classification,
        )

    @classmethod
    def load(cls, folder: Path) -> TreeEnsemble:
        d = np.load(folder / "forest.npz", allow_pickle=False)
        return cls(
            d["left"],
            d["right"],
            d["feature"],
            d["threshold"],
            d["value"],
            d["roots"],
            bool(d["classification"]),
        )


def train_random_forest(hp: RandomForestParams, data: TrainData, report: Report) -> TreeEnsemble:
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    classification = data.task == "classification"
    max_features = hp.max_features if hp.max_features is not None else ("sqrt" if classification else 1.0)
    common = {
        "max_depth": hp.max_depth,
        "min_samples_leaf": hp.min_samples_leaf,
        "max_features": max_features,
        "random_state": data.seed,
        "warm_start": True,
        "n_jobs": 1,
    }
    if classification:
        forest: Any = RandomForestClassifier(class_weight=hp.class_weight, **common)
    else:
        forest = RandomForestRegressor(**common)
    steps = chunk_ends(hp.n_estimators)
    for index, trees in enumerate(steps):
        forest.set_params(n_estimators=trees)
        forest.fit(data.x_train, data.y_train)
        metrics: dict[str, float] = {}
        if data.y_val is not None and len(data.y_val):
            val = forest.predict_proba(data.x_val) if classification else forest.predict(data.x_val)
            metrics = held_out_metrics(data.task, val, data.y_val)
        report(index + 1, len(steps), message=f"{trees} trees", **metrics)
    return TreeEnsemble.from_forest(forest, classification, data.n_classes)
