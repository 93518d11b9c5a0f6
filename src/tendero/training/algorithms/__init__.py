"""The algorithms a user can train: typed hyperparameters, a trainer that reports every
epoch/iteration/tree, and a fitted estimator saved in native files (never pickle).

Every fitted estimator answers ``output(x)``: class probabilities (n, k) for classification,
values (n,) for regression, cluster ids (n,) for clustering; and ``save(folder)``.

- ``parameters``: every algorithm's hyperparameters and what ``auto`` resolves to
- ``data``, ``progress``: what a trainer gets, and how it reports
- ``linear``, ``forest``, ``boosting`` (shared by ``lightgbm_booster`` and ``xgboost_booster``),
  ``mlp``, ``kmeans``, ``text``: one family of estimators each, trainer and native files together
- ``table``: the algorithms by name, with the estimate of training time

Importing the package gives the table and what a trainer takes; the rest lives in its module.
"""

from tendero.training.algorithms.data import TrainData, threads_for
from tendero.training.algorithms.parameters import HyperParams
from tendero.training.algorithms.progress import Report
from tendero.training.algorithms.table import ALGORITHMS, Algorithm, estimate_seconds, get_algorithm

__all__ = [
    "ALGORITHMS",
    "Algorithm",
    "HyperParams",
    "Report",
    "TrainData",
    "estimate_seconds",
    "get_algorithm",
    "threads_for",
]
