"""The trainer's algorithms by name (``tendero.services.algorithms.algorithm_names``; a test holds them equal),
written here so that help texts list them without loading the trainers."""

from __future__ import annotations

ALGORITHM_NAMES = ("linear_regression", "logistic_regression", "random_forest", "lightgbm", "xgboost", "mlp",
                   "kmeans", "text_classifier")  # fmt: skip
