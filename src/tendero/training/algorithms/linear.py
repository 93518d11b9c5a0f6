"""Linear and logistic regression: weights in ``linear.npz``, trained in steps a job can follow.

Least squares is solved chunk by chunk (a learning curve); logistic regression is minimised by
SciPy's L-BFGS-B with a report per iteration. Both reach scikit-learn's own solutions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tendero.training.algorithms.data import TrainData
from tendero.training.algorithms.parameters import LinearRegressionParams, LogisticRegressionParams
from tendero.training.algorithms.probabilities import binary_or_softmax
from tendero.training.algorithms.progress import Report, chunk_ends, held_out_metrics


@dataclass
class LinearModel:
    """Linear or logistic regression as weights; ``classification`` picks the link."""

    coef: np.ndarray  # (k, d)
    intercept: np.ndarray  # (k,)
    classification: bool

    def output(self, x: np.ndarray) -> np.ndarray:
        scores = x @ self.coef.T + self.intercept
        return binary_or_softmax(scores) if self.classification else scores[:, 0]

    def save(self, folder: Path) -> None:
        np.savez(
            folder / "linear.npz",
            coef=self.coef,
            intercept=self.intercept,
            classification=self.classification,
        )

    @classmethod
    def load(cls, folder: Path) -> LinearModel:
        data = np.load(folder / "linear.npz", allow_pickle=False)
        return cls(data["coef"], data["intercept"], bool(data["classification"]))


@dataclass
class _LeastSquares:
    """Centred co-moments of (x, y) merged chunk by chunk (Chan et al.), and the (ridge) solution they give."""

    centre: bool
    n: int = 0
    mean_x: Any = 0.0
    mean_y: float = 0.0
    sxx: Any = 0.0
    sxy: Any = 0.0
    syy: float = 0.0

    def add(self, x: np.ndarray, y: np.ndarray) -> None:
        m = len(y)
        bx = x.mean(axis=0) if self.centre else np.zeros(x.shape[1])
        by = float(y.mean()) if self.centre else 0.0
        xc, yc = x - bx, y - by
        sxx, sxy, syy = xc.T @ xc, xc.T @ yc, float(yc @ yc)
        if self.n:
            dx, dy = bx - self.mean_x, by - self.mean_y
            weight = self.n * m / (self.n + m)
            sxx = sxx + weight * np.outer(dx, dx)
            sxy = sxy + weight * dx * dy
            syy = syy + weight * dy * dy
            self.mean_x = self.mean_x + dx * m / (self.n + m)
            self.mean_y = self.mean_y + dy * m / (self.n + m)
        else:
            self.mean_x, self.mean_y = bx, by
        self.sxx, self.sxy, self.syy = self.sxx + sxx, self.sxy + sxy, self.syy + syy
        self.n += m

    def solve(self, alpha: float) -> tuple[np.ndarray, float]:
        """Ridge weights (Cholesky, as scikit-learn's Ridge), or the minimum-norm least squares one."""
        import scipy.linalg

        if alpha > 0:
            gram = self.sxx + alpha * np.eye(len(self.sxy))
            coef = scipy.linalg.solve(gram, self.sxy, assume_a="pos")
        else:  # pseudo-inverse through the eigenvalues: collinear columns (one-hot levels) get no weight
            values, vectors = np.linalg.eigh(self.sxx)
            keep = values > max(values.max(), 0.0) * len(values) * np.finfo(float).eps * 10
            coef = vectors[:, keep] @ ((vectors[:, keep].T @ self.sxy) / values[keep])
        return coef, float(self.mean_y - self.mean_x @ coef)

    def mse(self, coef: np.ndarray) -> float:
        """Mean squared error on the rows added so far, from the moments alone."""
        return max(self.syy - 2.0 * coef @ self.sxy + coef @ self.sxx @ coef, 0.0) / self.n


def train_linear_regression(hp: LinearRegressionParams, data: TrainData, report: Report) -> LinearModel:
    """Least squares over the training rows in 10 shuffled chunks: each chunk is merged into the
    moments and the model re-solved, so progress is a learning curve (validation error as rows
    accumulate) and a cancellation is seen between chunks. The last solve uses every row."""
    assert data.y_train is not None
    x = np.asarray(data.x_train, dtype=np.float64)
    y = np.asarray(data.y_train, dtype=np.float64)
    order = np.random.default_rng(data.seed).permutation(len(y))
    moments = _LeastSquares(centre=hp.fit_intercept)
    steps = chunk_ends(len(y))
    done = 0
    fitted = LinearModel(np.zeros((1, x.shape[1])), np.zeros(1), classification=False)
    for index, upto in enumerate(steps):
        rows = order[done:upto]
        moments.add(x[rows], y[rows])
        done = upto
        coef, intercept = moments.solve(hp.alpha)
        fitted = LinearModel(coef[None, :], np.array([intercept]), classification=False)
        report(
            index + 1,
            len(steps),
            message=f"least squares on {done}/{len(y)} training rows",
            loss=moments.mse(coef),
            **held_out_metrics("regression", fitted.output(data.x_val), data.y_val),
        )
    return fitted


def _class_weights(codes: np.ndarray, k: int, class_weight: str | None) -> np.ndarray:
    """Per-row weights: 1, or scikit-learn's ``balanced`` n / (k x rows of the row's class)."""
    if class_weight != "balanced":
        return np.ones(len(codes))
    return (len(codes) / (k * np.bincount(codes, minlength=k)))[codes]


def fit_logistic(
    x: Any,
    y: np.ndarray,
    n_classes: int,
    c: float,
    max_iter: int,
    on_iteration: Callable[[int, LinearModel], None],
    class_weight: str | None = None,
) -> tuple[LinearModel, int, bool]:
    """L2 logistic regression, minimised by SciPy's L-BFGS-B, reporting every iteration.

    The objective is scikit-learn's ``LogisticRegression`` (lbfgs) one: one logit for two classes,
    a softmax over the classes present otherwise, intercepts unpenalised, losses and penalty scaled
    by the summed row weights, the same tolerances. Written out (20 lines) because scikit-learn's
    solver offers no per-iteration hook: a job sees each iteration, not only the end. Classes absent
    from ``y`` get a score of -1e12. Returns the model, iterations run, and whether it converged.
    """
    from scipy.optimize import minimize
    from scipy.special import expit, logsumexp

    present = np.unique(y)
    codes = np.searchsorted(present, y)
    k = len(present)
    weights = _class_weights(codes, k, class_weight)
    total_weight = float(weights.sum())
    outputs = 1 if k == 2 else k
    d = x.shape[1]
    targets = codes[:, None].astype(float) if outputs == 1 else np.eye(k)[codes]

    def unpack(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return theta[: outputs * d].reshape(outputs, d), theta[outputs * d :]

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        coef, intercept = unpack(theta)
        z = np.asarray(x @ coef.T) + intercept
        if outputs == 1:  # log(1 + e^z) - t z, and its derivative sigmoid(z) - t
            losses = np.logaddexp(0.0, z[:, 0]) - targets[:, 0] * z[:, 0]
            dz = expit(z) - targets
        else:
            lse = logsumexp(z, axis=1)
            losses = lse - z[np.arange(len(codes)), codes]
            dz = np.exp(z - lse[:, None]) - targets
        dz *= weights[:, None]
        value = (weights @ losses + 0.5 / c * float(np.sum(coef * coef))) / total_weight
        grad_coef = (np.asarray(x.T @ dz).T + coef / c) / total_weight
        return value, np.concatenate([grad_coef.ravel(), dz.sum(axis=0) / total_weight])

    def model_of(theta: np.ndarray) -> LinearModel:
        coef, intercept = unpack(theta)
        if outputs == 1:  # scores (0, z) for the two present classes
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([[0.0], intercept])
        full_coef = np.zeros((n_classes, d))
        full_intercept = np.full(n_classes, -1e12)
        full_coef[present] = coef
        full_intercept[present] = intercept
        return LinearModel(full_coef, full_intercept, True)

    iterations = 0

    def callback(intermediate_result: Any) -> None:
        nonlocal iterations
        iterations += 1
        on_iteration(iterations, model_of(intermediate_result.x))

    result = minimize(
        objective,
        np.zeros(outputs * (d + 1)),
        jac=True,
        method="L-BFGS-B",
        callback=callback,
        options={"maxiter": max_iter, "maxls": 50, "gtol": 1e-4, "ftol": 64 * np.finfo(float).eps},
    )
    return model_of(result.x), iterations, bool(result.success)


def train_logistic_regression(hp: LogisticRegressionParams, data: TrainData, report: Report) -> LinearModel:
    assert data.y_train is not None

    def metrics(model: LinearModel) -> dict[str, float]:
        train = held_out_metrics("classification", model.output(data.x_train), data.y_train)
        return {"loss": train["val_loss"], **held_out_metrics("classification", model.output(data.x_val), data.y_val)}

    def on_iteration(iteration: int, model: LinearModel) -> None:
        report(iteration, hp.max_iter, message=f"L-BFGS iteration {iteration}", **metrics(model))

    model, iterations, converged = fit_logistic(
        data.x_train, data.y_train, data.n_classes, hp.C, hp.max_iter, on_iteration, hp.class_weight
    )
    state = "converged" if converged else "stopped without converging"
    report(hp.max_iter, hp.max_iter, message=f"L-BFGS {state} after {iterations} iterations", **metrics(model))
    return model
