"""The learned ranker of a fitted hybrid: several LightGBM boosters, each trained without a different share of the
inner users, their outputs averaged.

Why a bag and not one booster: a ranker boosted on a few thousand users is a high-variance fit (on MovieLens-100k one
seed's NDCG@10 moves by 0.002 with nothing but LightGBM's thread count), and an average of boosters that each left out
other users cancels much of that variance. Each member's left-out users stop its boosting early and, scored by that
member alone, judge the ranker against the simple blends. A request evaluates every member's trees, so the fit stops
adding members at a budget of trees per request (``HybridParams.ranker_request_trees``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# The first member keeps the file name a single ranker had, so models saved before bags existed load as a bag of one.
FIRST_FILE = "ranker.txt"


def member_file(index: int) -> str:
    return FIRST_FILE if index == 0 else f"ranker_{index + 1}.txt"


@dataclass
class RankerBag:
    """Boosters whose raw outputs are averaged; each holds only the trees it kept."""

    members: list[Any]  # lightgbm.Booster

    def predict(self, features: np.ndarray, num_threads: int = 1) -> np.ndarray:
        total = np.zeros(len(features))
        for member in self.members:
            total += member.predict(features, num_threads=num_threads)
        return total / len(self.members)

    @property
    def trees(self) -> int:
        """Trees one prediction evaluates, every member together: what a request pays for."""
        return sum(int(member.current_iteration()) for member in self.members)

    def save(self, folder: Path) -> int:
        """Each member as LightGBM text; returns how many were written."""
        for index, member in enumerate(self.members):
            member.save_model(str(folder / member_file(index)))
        return len(self.members)

    @classmethod
    def load(cls, folder: Path, members: int) -> RankerBag:
        import lightgbm as lgb

        return cls([lgb.Booster(model_file=str(folder / member_file(index))) for index in range(members)])
