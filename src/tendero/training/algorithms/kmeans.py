"""k-means: one scikit-learn run per initialisation (each reported), centroids in ``kmeans.npz``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tendero.training.algorithms.data import TrainData
from tendero.training.algorithms.parameters import KMeansParams
from tendero.training.algorithms.progress import Report


@dataclass
class Centroids:
    centers: np.ndarray

    def output(self, x: np.ndarray) -> np.ndarray:
        distances = ((x[:, None, :] - self.centers[None, :, :]) ** 2).sum(axis=2)
        return distances.argmin(axis=1)

    def save(self, folder: Path) -> None:
        np.savez(folder / "kmeans.npz", centers=self.centers)

    @classmethod
    def load(cls, folder: Path) -> Centroids:
        return cls(np.load(folder / "kmeans.npz", allow_pickle=False)["centers"])


def train_kmeans(hp: KMeansParams, data: TrainData, report: Report) -> Centroids:
    """k-means with one scikit-learn run per initialisation so each is reported; best inertia kept."""
    from sklearn.cluster import KMeans

    best: Any = None
    for init in range(hp.n_init):
        model = KMeans(n_clusters=hp.n_clusters, n_init=1, max_iter=hp.max_iter, random_state=data.seed + init)
        model.fit(data.x_train)
        if best is None or model.inertia_ < best.inertia_:
            best = model
        report(
            init + 1,
            hp.n_init,
            message=f"initialisation {init + 1}",
            loss=float(model.inertia_ / len(data.x_train)),
            best_loss=float(best.inertia_ / len(data.x_train)),
        )
    return Centroids(np.asarray(best.cluster_centers_, dtype=np.float64))
