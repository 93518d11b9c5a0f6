"""The algorithms a user can train: typed hyperparameters, a trainer that reports every
epoch/iteration/tree, and a fitted estimator saved in native files (never pickle).

Every fitted estimator answers ``output(x)``: class probabilities (n, k) for classification,
values (n,) for regression, cluster ids (n,) for clustering.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

TaskName = Literal["classification", "regression", "clustering", "text_classification"]
# report(step, total, **metrics): the trainer's view of progress; may raise Cancelled.
Report = Callable[..., None]


class HyperParams(BaseModel):
    """Base of every algorithm's hyperparameters: unknown names are errors."""

    model_config = ConfigDict(extra="forbid")


class LinearRegressionParams(HyperParams):
    alpha: float = Field(0.0, ge=0.0, le=1e6, description="L2 penalty (0 = ordinary least squares)")
    fit_intercept: bool = True


class LogisticRegressionParams(HyperParams):
    C: float = Field(1.0, gt=0.0, le=1e6, description="inverse L2 strength")
    max_iter: int = Field(500, ge=10, le=20_000)
    class_weight: Literal["balanced"] | None = None


class RandomForestParams(HyperParams):
    n_estimators: int = Field(200, ge=1, le=5000)
    max_depth: int | None = Field(None, ge=1, le=200)
    min_samples_leaf: int = Field(1, ge=1, le=100_000)
    max_features: Literal["sqrt", "log2"] | float | None = Field(
        None, description="share (0, 1] or sqrt/log2; default sqrt for classification, all for regression"
    )
    class_weight: Literal["balanced"] | None = None

    @field_validator("max_features")
    @classmethod
    def _share(cls, value: Any) -> Any:
        if isinstance(value, float) and not 0.0 < value <= 1.0:
            raise ValueError("max_features as a number must be a share in (0, 1]")
        return value


Auto = Literal["auto"]
# Below this many training rows LightGBM's own defaults (31 leaves, 100 rounds) overfit: "auto"
# hyperparameters then mean smaller, sampled trees and a number of rounds found by early stopping.
SMALL_DATA_ROWS = 2_000
# Early stopping holds back this share of the training rows; with fewer rows it is off.
STOPPING_SHARE = 0.2
MIN_STOPPING_ROWS = 50


class AutoBoostingParams(HyperParams):
    """What the gradient-boosting algorithms share: rounds, sampling and early stopping that ``auto``
    sizes to the training rows (see ``resolve_boosting``)."""

    learning_rate: float = Field(0.1, gt=0.0, le=1.0)
    subsample: Annotated[float, Field(gt=0.0, le=1.0)] | Auto = Field(
        "auto", description="share of rows per tree; auto: 0.8 under 2,000 training rows, else 1"
    )
    colsample_bytree: Annotated[float, Field(gt=0.0, le=1.0)] | Auto = Field(
        "auto", description="share of features per tree; auto: 0.8 under 2,000 training rows, else 1"
    )
    reg_alpha: float = Field(0.0, ge=0.0, le=1e4)
    early_stopping_rounds: Annotated[int, Field(ge=1, le=10_000)] | Auto | None = Field(
        "auto",
        description="stop when the loss on 20% of the training rows (never the validation split) has not "
        "improved for this many rounds, then refit on all training rows; "
        "auto: 20 under 2,000 training rows when n_estimators is auto, else off",
    )


def pick(value: Any, auto: Any) -> Any:
    """``auto`` when the hyperparameter says "auto", else the value given."""
    return auto if value == "auto" else value


def resolve_boosting(hp: AutoBoostingParams, n_estimators: int | str, rows: int, fixed_rounds: int) -> dict[str, Any]:
    """Rounds, sampling and early stopping for ``rows`` training rows: on small data, sampled trees and
    a number of rounds found by early stopping (at most 1000); otherwise ``fixed_rounds``."""
    small = rows < SMALL_DATA_ROWS
    stopping = hp.early_stopping_rounds
    if stopping == "auto":
        stopping = 20 if small and n_estimators == "auto" else None
    if stopping is not None and rows < MIN_STOPPING_ROWS:
        stopping = None  # too few rows to hold some back; fixed rounds instead
    return {
        "n_estimators": n_estimators if n_estimators != "auto" else (1000 if stopping else fixed_rounds),
        "subsample": pick(hp.subsample, 0.8 if small else 1.0),
        "colsample_bytree": pick(hp.colsample_bytree, 0.8 if small else 1.0),
        "early_stopping_rounds": stopping,
    }


class LightGBMParams(AutoBoostingParams):
    n_estimators: Annotated[int, Field(ge=1, le=20_000)] | Auto = Field(
        "auto", description="boosting rounds; auto: found by early stopping (at most 1000) when it is on, else 100"
    )
    num_leaves: Annotated[int, Field(ge=2, le=131_072)] | Auto = Field(
        "auto", description="auto: 31, or training rows / 100 (at least 4) under 2,000 training rows"
    )
    max_depth: int = Field(-1, ge=-1, le=64)
    min_child_samples: Annotated[int, Field(ge=1, le=100_000)] | Auto = Field(
        "auto", description="auto: 20, or training rows / 20 (at least 2) when that is smaller"
    )
    subsample_freq: int = Field(1, ge=0, le=100, description="resample rows every k rounds (0: never)")
    reg_lambda: float = Field(0.0, ge=0.0, le=1e4)
    max_bin: int = Field(255, ge=2, le=65_535, description="histogram bins per feature: fewer is faster and coarser")


def resolve_lightgbm(hp: LightGBMParams, rows: int) -> dict[str, Any]:
    """The values ``auto`` stands for on ``rows`` training rows; explicit values are kept as given."""
    small = rows < SMALL_DATA_ROWS
    shared = resolve_boosting(hp, hp.n_estimators, rows, fixed_rounds=100)
    return {
        "n_estimators": shared["n_estimators"],
        "learning_rate": hp.learning_rate,
        "num_leaves": pick(hp.num_leaves, int(np.clip(rows // 100, 4, 31)) if small else 31),
        "min_child_samples": pick(hp.min_child_samples, int(np.clip(rows // 20, 2, 20))),
        "subsample": shared["subsample"],
        "colsample_bytree": shared["colsample_bytree"],
        "early_stopping_rounds": shared["early_stopping_rounds"],
    }


class XGBoostParams(AutoBoostingParams):
    n_estimators: Annotated[int, Field(ge=1, le=20_000)] | Auto = Field(
        "auto", description="boosting rounds; auto: found by early stopping (at most 1000) when it is on, else 200"
    )
    max_depth: Annotated[int, Field(ge=1, le=32)] | Auto = Field(
        "auto", description="auto: 6, or 3 under 2,000 training rows"
    )
    min_child_weight: float = Field(1.0, ge=0.0, le=1e4)
    reg_lambda: float = Field(1.0, ge=0.0, le=1e4)


def resolve_xgboost(hp: XGBoostParams, rows: int) -> dict[str, Any]:
    """The values ``auto`` stands for on ``rows`` training rows, as ``resolve_lightgbm``: on small data
    XGBoost's own depth-6 trees and fixed rounds overfit (diabetes R² 0.20 against LightGBM's 0.37)."""
    shared = resolve_boosting(hp, hp.n_estimators, rows, fixed_rounds=200)
    return {
        "n_estimators": shared["n_estimators"],
        "max_depth": pick(hp.max_depth, 3 if rows < SMALL_DATA_ROWS else 6),
        "subsample": shared["subsample"],
        "colsample_bytree": shared["colsample_bytree"],
        "early_stopping_rounds": shared["early_stopping_rounds"],
    }


class MLPParams(HyperParams):
    epochs: int = Field(50, ge=1, le=5000)
    batch_size: int = Field(32, ge=1, le=65_536)
    learning_rate: float = Field(1e-3, gt=0.0, le=1.0)
    hidden_layers: list[int] = Field(default_factory=lambda: [64, 32], max_length=10)
    dropout: float = Field(0.1, ge=0.0, lt=1.0)
    optimizer: Literal["adam", "adamw", "sgd", "rmsprop"] = "adam"
    weight_decay: float = Field(0.0, ge=0.0, le=1.0)
    activation: Literal["relu", "tanh"] = "relu"
    early_stopping_patience: int | None = Field(
        10,
        ge=1,
        le=1000,
        description="train on 80% of the training rows and stop after this many epochs without a better loss "
        "on the other 20% (never the validation split), keeping the best epoch; off: every row, last epoch",
    )

    @field_validator("hidden_layers")
    @classmethod
    def _widths(cls, value: list[int]) -> list[int]:
        for width in value:
            if not 1 <= width <= 4096:
                raise ValueError("each hidden layer needs 1 to 4096 units")
        return value


class KMeansParams(HyperParams):
    n_clusters: int = Field(8, ge=2, le=1000)
    n_init: int = Field(10, ge=1, le=100)
    max_iter: int = Field(300, ge=1, le=10_000)


class TextClassifierParams(HyperParams):
    max_features: int = Field(50_000, ge=10, le=2_000_000)
    ngram_max: int = Field(2, ge=1, le=3)
    analyzer: Literal["word", "char_wb"] = "word"
    min_df: int = Field(1, ge=1, le=1000)
    sublinear_tf: bool = True
    C: float = Field(10.0, gt=0.0, le=1e6)
    max_iter: int = Field(1000, ge=10, le=20_000)


# ---------------------------------------------------------------------------------------------
# fitted estimators (numpy inference from native files)


class Estimator(Protocol):
    def output(self, x: Any) -> np.ndarray: ...

    def save(self, folder: Path) -> None: ...


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _binary_or_softmax(scores: np.ndarray) -> np.ndarray:
    if scores.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-scores[:, 0]))
        return np.column_stack([1.0 - p, p])
    return _softmax(scores)


@dataclass
class LinearModel:
    """Linear or logistic regression as weights; ``classification`` picks the link."""

    coef: np.ndarray  # (k, d)
    intercept: np.ndarray  # (k,)
    classification: bool

    def output(self, x: np.ndarray) -> np.ndarray:
        scores = x @ self.coef.T + self.intercept
        return _binary_or_softmax(scores) if self.classification else scores[:, 0]

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


@dataclass
class LightGBMModel:
    booster: Any
    task: str
    settings: dict[str, Any] = field(default_factory=dict)  # what "auto" resolved to (not saved)

    def output(self, x: np.ndarray) -> np.ndarray:
        raw = np.asarray(self.booster.predict(x, num_threads=threads_for(x)))
        if self.task == "classification":
            return np.column_stack([1.0 - raw, raw]) if raw.ndim == 1 else raw
        return raw

    def save(self, folder: Path) -> None:
        self.booster.save_model(str(folder / "lightgbm.txt"))

    @classmethod
    def load(cls, folder: Path, task: str) -> LightGBMModel:
        import lightgbm as lgb

        return cls(lgb.Booster(model_file=str(folder / "lightgbm.txt")), task)


@dataclass
class XGBoostModel:
    booster: Any
    task: str
    settings: dict[str, Any] = field(default_factory=dict)  # what "auto" resolved to (not saved)

    def output(self, x: np.ndarray) -> np.ndarray:
        self.booster.set_param({"nthread": threads_for(x)})
        raw = np.asarray(self.booster.inplace_predict(x, iteration_range=(0, self.booster.best_iteration + 1)))
        if self.task == "classification":
            return np.column_stack([1.0 - raw, raw]) if raw.ndim == 1 else raw
        return raw

    def save(self, folder: Path) -> None:
        self.booster.save_model(str(folder / "xgboost.json"))

    @classmethod
    def load(cls, folder: Path, task: str) -> XGBoostModel:
        import xgboost as xgb

        booster = xgb.Booster()
        booster.load_model(str(folder / "xgboost.json"))
        return cls(booster, task)


@dataclass
class NeuralNetwork:
    """A trained MLP's weights; inference in NumPy so serving needs no PyTorch."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str
    classification: bool
    target_mean: float = 0.0
    target_scale: float = 1.0

    def output(self, x: np.ndarray) -> np.ndarray:
        h = x.astype(np.float32)
        for index, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w.T + b
            if index < len(self.weights) - 1:
                h = np.maximum(h, 0.0) if self.activation == "relu" else np.tanh(h)
        h = h.astype(np.float64)
        if self.classification:
            return _binary_or_softmax(h)
        return h[:, 0] * self.target_scale + self.target_mean

    def save(self, folder: Path) -> None:
        arrays = {f"w{i}": w for i, w in enumerate(self.weights)} | {f"b{i}": b for i, b in enumerate(self.biases)}
        np.savez(folder / "mlp.npz", **arrays)
        meta = {
            "layers": len(self.weights),
            "activation": self.activation,
            "classification": self.classification,
            "target_mean": self.target_mean,
            "target_scale": self.target_scale,
        }
        (folder / "mlp.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, folder: Path) -> NeuralNetwork:
        meta = json.loads((folder / "mlp.json").read_text())
        data = np.load(folder / "mlp.npz", allow_pickle=False)
        n = meta["layers"]
        return cls(
            [data[f"w{i}"] for i in range(n)],
            [data[f"b{i}"] for i in range(n)],
            meta["activation"],
            meta["classification"],
            meta["target_mean"],
            meta["target_scale"],
        )


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


@dataclass
class TextModel:
    """TF-IDF vocabulary and idf weights plus a linear classifier; rebuilt without pickle."""

    vectorizer: Any
    linear: LinearModel

    def output(self, texts: list[str]) -> np.ndarray:
        x = self.vectorizer.transform(texts)
        scores = np.asarray(x @ self.linear.coef.T) + self.linear.intercept
        return _binary_or_softmax(scores)

    def save(self, folder: Path) -> None:
        vec = self.vectorizer
        vocabulary = {term: int(index) for term, index in vec.vocabulary_.items()}
        config = {
            "vocabulary": vocabulary,
            "ngram_range": list(vec.ngram_range),
            "analyzer": vec.analyzer,
            "sublinear_tf": vec.sublinear_tf,
            "lowercase": vec.lowercase,
            "strip_accents": vec.strip_accents,
        }
        (folder / "tfidf.json").write_text(json.dumps(config, ensure_ascii=False))
        np.savez(folder / "tfidf.npz", idf=vec.idf_)
        self.linear.save(folder)

    @classmethod
    def load(cls, folder: Path) -> TextModel:
        from sklearn.feature_extraction.text import TfidfVectorizer

        config = json.loads((folder / "tfidf.json").read_text())
        vec = TfidfVectorizer(
            vocabulary=config["vocabulary"],
            ngram_range=tuple(config["ngram_range"]),
            analyzer=config["analyzer"],
            sublinear_tf=config["sublinear_tf"],
            lowercase=config["lowercase"],
            strip_accents=config["strip_accents"],
        )
        vec.idf_ = np.load(folder / "tfidf.npz", allow_pickle=False)["idf"]
        return cls(vec, LinearModel.load(folder))


# ---------------------------------------------------------------------------------------------
# trainers


@dataclass
class TrainData:
    """What a trainer gets: preprocessed matrices (or texts), labels encoded 0..k-1 for classes."""

    task: str
    x_train: Any
    y_train: np.ndarray | None
    x_val: Any
    y_val: np.ndarray | None
    n_classes: int = 0
    categorical: tuple[int, ...] = ()
    seed: int = 0


def stopping_rows(data: TrainData) -> tuple[np.ndarray, np.ndarray] | None:
    """Training rows split into rows to fit and rows that decide when to stop (stratified by class
    when every class allows it). The validation split is never among them: it only reports.
    None when there are too few rows to hold some back."""
    from sklearn.model_selection import train_test_split

    assert data.y_train is not None
    n = len(data.y_train)
    if n < MIN_STOPPING_ROWS:
        return None
    stratify = None
    if data.task == "classification":
        counts = np.bincount(data.y_train)
        present = int((counts > 0).sum())
        n_stop = math.ceil(n * STOPPING_SHARE)
        if counts[counts > 0].min() >= 2 and n_stop >= present and n - n_stop >= present:
            stratify = data.y_train
    fit, stop = train_test_split(np.arange(n), test_size=STOPPING_SHARE, random_state=data.seed, stratify=stratify)
    return np.sort(fit), np.sort(stop)


def _val_metrics(task: str, out: np.ndarray, y: np.ndarray | None) -> dict[str, float]:
    """Validation loss and accuracy (classification) or RMSE (regression) for progress reports."""
    if y is None or len(y) == 0:
        return {}
    if task == "classification":
        p = np.clip(out[np.arange(len(y)), y], 1e-15, 1.0)
        return {"val_loss": float(-np.log(p).mean()), "accuracy": float((out.argmax(axis=1) == y).mean())}
    mse = float(np.mean((out - y) ** 2))
    return {"val_loss": mse, "rmse": math.sqrt(mse)}


def _chunks(total: int, parts: int = 10) -> list[int]:
    """Cumulative sizes splitting ``total`` into about ``parts`` steps."""
    parts = max(1, min(parts, total))
    return sorted({round(total * (i + 1) / parts) for i in range(parts)})


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
    steps = _chunks(len(y))
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
            **_val_metrics("regression", fitted.output(data.x_val), data.y_val),
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
        train = _val_metrics("classification", model.output(data.x_train), data.y_train)
        return {"loss": train["val_loss"], **_val_metrics("classification", model.output(data.x_val), data.y_val)}

    def on_iteration(iteration: int, model: LinearModel) -> None:
        report(iteration, hp.max_iter, message=f"L-BFGS iteration {iteration}", **metrics(model))

    model, iterations, converged = fit_logistic(
        data.x_train, data.y_train, data.n_classes, hp.C, hp.max_iter, on_iteration, hp.class_weight
    )
    state = "converged" if converged else "stopped without converging"
    report(hp.max_iter, hp.max_iter, message=f"L-BFGS {state} after {iterations} iterations", **metrics(model))
    return model


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
    steps = _chunks(hp.n_estimators)
    for index, trees in enumerate(steps):
        forest.set_params(n_estimators=trees)
        forest.fit(data.x_train, data.y_train)
        metrics: dict[str, float] = {}
        if data.y_val is not None and len(data.y_val):
            val = forest.predict_proba(data.x_val) if classification else forest.predict(data.x_val)
            metrics = _val_metrics(data.task, val, data.y_val)
        report(index + 1, len(steps), message=f"{trees} trees", **metrics)
    return TreeEnsemble.from_forest(forest, classification, data.n_classes)


def threads_for(x: Any) -> int:
    """One thread for small data (OpenMP start-up and spinning cost more than they save), else two."""
    rows, cols = np.shape(x) if hasattr(x, "shape") else (len(x), 1)
    return 1 if rows * cols < 2_000_000 else 2


class _Due:
    """Report every ``every`` iterations, the last one, and at least once a second (for cancellation)."""

    def __init__(self, every: int, total: int) -> None:
        self.every, self.total = every, total
        self.last = time.monotonic()

    def __call__(self, iteration: int) -> bool:
        now = time.monotonic()
        if iteration % self.every == 0 or iteration == self.total or now - self.last >= 1.0:
            self.last = now
            return True
        return False


def _every(total: int, updates: int = 100) -> int:
    return max(1, total // updates)


def _lightgbm_losses(results: list[Any]) -> dict[str, float]:
    """One set's evaluation from LightGBM as {"loss", "error"} (log loss or L2; error rate)."""
    found: dict[str, float] = {}
    for _, metric, value, _ in results:
        if metric.endswith("logloss") or metric == "l2":
            found["loss"] = float(value)
        elif metric.endswith("error"):
            found["error"] = float(value)
    return found


def _report_search(
    report: Report, iteration: int, best: int, cap: int, patience: int, scale: float, stop_rows: int,
    learning_rate: float, stopping_loss: float,
) -> None:  # fmt: skip
    """Progress while early stopping searches the number of rounds. The search ends ``patience`` rounds
    after the best so far, and the refit then takes about best × scale rounds: that is the total shown."""
    expected = min(cap, best + patience) + max(1, round(best * scale))
    report(
        iteration,
        max(expected, iteration + 1),
        message=f"tree {iteration}: finding the number of rounds on {stop_rows} training rows",
        learning_rate=learning_rate,
        stopping_loss=stopping_loss,
    )


def train_lightgbm(hp: LightGBMParams, data: TrainData, report: Report) -> LightGBMModel:
    """LightGBM with ``auto`` hyperparameters sized to the data (``resolve_lightgbm``).

    With early stopping, a first run on 80% of the training rows finds the number of rounds on the
    other 20%; the model is then refit on all training rows with that many rounds, scaled by the
    extra rows. The validation split only reports progress: it decides nothing. Boosting runs round
    by round so that metrics are computed only when they are reported.
    """
    import lightgbm as lgb

    assert data.y_train is not None
    settings = resolve_lightgbm(hp, len(data.y_train))
    classification = data.task == "classification"
    if classification and data.n_classes > 2:
        objective, metrics = "multiclass", ["multi_logloss", "multi_error"]
    elif classification:
        objective, metrics = "binary", ["binary_logloss", "binary_error"]
    else:
        objective, metrics = "regression", ["l2"]
    params: dict[str, Any] = {
        "objective": objective,
        "metric": metrics,
        "learning_rate": hp.learning_rate,
        "num_leaves": settings["num_leaves"],
        "max_depth": hp.max_depth,
        "min_child_samples": settings["min_child_samples"],
        "bagging_fraction": settings["subsample"],
        "bagging_freq": hp.subsample_freq,
        "feature_fraction": settings["colsample_bytree"],
        "lambda_l1": hp.reg_alpha,
        "lambda_l2": hp.reg_lambda,
        "max_bin": hp.max_bin,
        "seed": data.seed,
        "deterministic": True,
        "num_threads": threads_for(data.x_train),
        "verbosity": -1,
    }
    if objective == "multiclass":
        params["num_class"] = data.n_classes
    categorical = list(data.categorical) or "auto"

    def dataset(x: Any, y: np.ndarray, reference: Any = None) -> Any:
        return lgb.Dataset(
            x, y, reference=reference, categorical_feature=categorical, free_raw_data=False, params=params
        )

    rounds = int(settings["n_estimators"])
    searched = 0  # rounds run (and reported) while finding the number of rounds
    split = stopping_rows(data) if settings["early_stopping_rounds"] else None
    if split is not None:
        patience = int(settings["early_stopping_rounds"])
        fit_rows, stop_rows = split
        scale = len(data.y_train) / len(fit_rows)
        fit_set = dataset(data.x_train[fit_rows], data.y_train[fit_rows])
        search = lgb.Booster({**params, "metric": metrics[:1]}, fit_set)
        search.add_valid(dataset(data.x_train[stop_rows], data.y_train[stop_rows], fit_set), "stopping")
        due = _Due(_every(rounds), rounds)
        best_round, best_loss = 0, math.inf
        for iteration in range(1, rounds + 1):
            finished = search.update()
            stopping_loss = _lightgbm_losses(search.eval_valid())["loss"]
            if stopping_loss < best_loss:
                best_round, best_loss = iteration, stopping_loss
            searched = iteration
            if finished or iteration - best_round >= patience:
                break
            if due(iteration):
                _report_search(report, iteration, best_round, rounds, patience, scale, len(stop_rows),
                               hp.learning_rate, stopping_loss)  # fmt: skip
        settings["stopping_best_round"] = best_round
        rounds = max(1, round(best_round * scale))
        settings["n_estimators"] = rounds

    train_set = dataset(data.x_train, data.y_train)
    booster = lgb.Booster(params, train_set)
    has_val = data.y_val is not None and len(data.y_val) > 0
    if has_val:
        booster.add_valid(dataset(data.x_val, data.y_val, train_set), "valid")
    due = _Due(_every(rounds, updates=20), rounds)
    where = " on all training rows" if searched else ""
    for iteration in range(1, rounds + 1):
        finished = booster.update()  # True when no split improves any more: further rounds add nothing
        if not (finished or due(iteration)):
            continue
        found = {"loss": _lightgbm_losses(booster.eval_train())["loss"]}
        if has_val:
            valid = _lightgbm_losses(booster.eval_valid())
            found["val_loss"] = valid["loss"]
            if classification:
                found["accuracy"] = 1.0 - valid["error"]
            else:
                found["rmse"] = math.sqrt(valid["loss"])
        last = iteration if finished else rounds
        report(
            searched + iteration,
            searched + last,
            message=f"tree {iteration}/{last}{where}",
            learning_rate=hp.learning_rate,
            **found,
        )
        if finished:
            break
    return LightGBMModel(booster, data.task, settings)


def train_xgboost(hp: XGBoostParams, data: TrainData, report: Report) -> XGBoostModel:
    """XGBoost; with early stopping, the rounds are found on 20% of the training rows and the model
    refit on all of them (as LightGBM's): the validation split only reports."""
    import xgboost as xgb

    assert data.y_train is not None
    classification = data.task == "classification"
    if classification and data.n_classes > 2:
        objective, metrics = "multi:softprob", ["mlogloss", "merror"]
    elif classification:
        objective, metrics = "binary:logistic", ["logloss", "error"]
    else:
        objective, metrics = "reg:squarederror", ["rmse"]
    settings = resolve_xgboost(hp, len(data.y_train))
    params: dict[str, Any] = {
        "objective": objective,
        "eval_metric": metrics,
        "eta": hp.learning_rate,
        "max_depth": settings["max_depth"],
        "min_child_weight": hp.min_child_weight,
        "subsample": settings["subsample"],
        "colsample_bytree": settings["colsample_bytree"],
        "alpha": hp.reg_alpha,
        "lambda": hp.reg_lambda,
        "tree_method": "hist",
        "seed": data.seed,
        "nthread": threads_for(data.x_train),
    }
    if objective == "multi:softprob":
        params["num_class"] = data.n_classes

    def losses(logs: dict[str, Any]) -> dict[str, float]:
        """The latest {"loss", "error"} of one evaluated set (the loss as MSE for regression)."""
        found: dict[str, float] = {}
        for metric, values in logs.items():
            value = float(values[-1])
            if metric.endswith("logloss"):
                found["loss"] = value
            elif metric == "rmse":
                found["loss"] = value * value
            elif metric.endswith("error"):
                found["error"] = value
        return found

    rounds = int(settings["n_estimators"])
    searched = 0  # rounds run (and reported) while finding the number of rounds
    split = stopping_rows(data) if settings["early_stopping_rounds"] else None
    if split is not None:
        fit_rows, stop_rows = split
        scale = len(data.y_train) / len(fit_rows)
        fit_matrix = xgb.DMatrix(data.x_train[fit_rows], label=data.y_train[fit_rows])
        stop_matrix = xgb.DMatrix(data.x_train[stop_rows], label=data.y_train[stop_rows])
        due = _Due(_every(rounds), rounds)
        patience = int(settings["early_stopping_rounds"])

        class Searching(xgb.callback.TrainingCallback):
            def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
                iteration = epoch + 1
                if due(iteration):
                    best = int(np.argmin(next(iter(evals_log["stopping"].values())))) + 1
                    _report_search(report, iteration, best, rounds, patience, scale, len(stop_rows),
                                   hp.learning_rate, losses(evals_log["stopping"])["loss"])  # fmt: skip
                return False

        search = xgb.train(
            {**params, "eval_metric": metrics[:1]},  # early stopping watches the last metric: the loss only
            fit_matrix,
            num_boost_round=rounds,
            evals=[(stop_matrix, "stopping")],
            callbacks=[Searching()],
            early_stopping_rounds=int(settings["early_stopping_rounds"]),
            verbose_eval=False,
        )
        searched = search.num_boosted_rounds()
        settings["stopping_best_round"] = search.best_iteration + 1
        rounds = max(1, round((search.best_iteration + 1) * scale))
        settings["n_estimators"] = rounds

    train_matrix = xgb.DMatrix(data.x_train, label=data.y_train)
    evals = [(train_matrix, "train")]
    has_val = data.y_val is not None and len(data.y_val) > 0
    if has_val:
        evals.append((xgb.DMatrix(data.x_val, label=data.y_val), "valid"))
    due = _Due(_every(rounds), rounds)
    where = " on all training rows" if searched else ""

    class Fitting(xgb.callback.TrainingCallback):
        def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
            iteration = epoch + 1
            if not due(iteration):
                return False
            found = {"loss": losses(evals_log["train"])["loss"]}
            if "valid" in evals_log:
                valid = losses(evals_log["valid"])
                found["val_loss"] = valid["loss"]
                if classification:
                    found["accuracy"] = 1.0 - valid["error"]
                else:
                    found["rmse"] = math.sqrt(valid["loss"])
            report(
                searched + iteration,
                searched + rounds,
                message=f"tree {iteration}/{rounds}{where}",
                learning_rate=hp.learning_rate,
                **found,
            )
            return False

    booster = xgb.train(
        params, train_matrix, num_boost_round=rounds, evals=evals, callbacks=[Fitting()], verbose_eval=False
    )
    booster.set_attr(best_iteration=str(booster.num_boosted_rounds() - 1))
    return XGBoostModel(booster, data.task, settings)


def train_mlp(hp: MLPParams, data: TrainData, report: Report) -> NeuralNetwork:
    """A PyTorch MLP (CPU) with real dropout; weights exported to NumPy.

    With early stopping, it trains on 80% of the training rows and keeps the epoch with the best loss
    on the other 20%; the validation split only reports."""
    import torch
    from torch import nn

    assert data.y_train is not None
    torch.manual_seed(data.seed)
    torch.set_num_threads(threads_for(data.x_train))
    classification = data.task == "classification"
    x_all = np.asarray(data.x_train, dtype=np.float32)
    x_val = np.asarray(data.x_val, dtype=np.float32)
    split = stopping_rows(data) if hp.early_stopping_patience is not None else None
    fit_rows = split[0] if split is not None else np.arange(len(x_all))
    x_train = torch.as_tensor(x_all[fit_rows])
    y_fit = data.y_train[fit_rows]
    target_mean, target_scale = 0.0, 1.0
    if classification:
        y_train = torch.as_tensor(y_fit, dtype=torch.long)
        outputs = data.n_classes if data.n_classes > 2 else 1
    else:
        target_mean = float(np.mean(y_fit))
        target_scale = float(np.std(y_fit)) or 1.0
        y_train = torch.as_tensor((y_fit - target_mean) / target_scale, dtype=torch.float32)
        outputs = 1
    layers: list[nn.Module] = []
    width = x_train.shape[1]
    for units in hp.hidden_layers:
        layers += [nn.Linear(width, units), nn.ReLU() if hp.activation == "relu" else nn.Tanh()]
        if hp.dropout > 0:
            layers.append(nn.Dropout(hp.dropout))
        width = units
    layers.append(nn.Linear(width, outputs))
    net = nn.Sequential(*layers)
    optimizers = {
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
        "rmsprop": torch.optim.RMSprop,
    }
    if hp.optimizer == "sgd":
        optimizer: Any = torch.optim.SGD(
            net.parameters(), lr=hp.learning_rate, momentum=0.9, weight_decay=hp.weight_decay
        )
    else:
        optimizer = optimizers[hp.optimizer](net.parameters(), lr=hp.learning_rate, weight_decay=hp.weight_decay)
    if classification and outputs == 1:
        loss_fn: Any = nn.BCEWithLogitsLoss()
    elif classification:
        loss_fn = nn.CrossEntropyLoss()
    else:
        loss_fn = nn.MSELoss()
    generator = torch.Generator().manual_seed(data.seed)

    def export() -> NeuralNetwork:
        linear = [m for m in net if isinstance(m, nn.Linear)]
        return NeuralNetwork(
            [m.weight.detach().numpy().copy() for m in linear],
            [m.bias.detach().numpy().copy() for m in linear],
            hp.activation,
            classification,
            target_mean,
            target_scale,
        )

    best: NeuralNetwork | None = None
    best_loss = math.inf
    stale = 0
    n = len(x_train)
    for epoch in range(1, hp.epochs + 1):
        net.train()
        order = torch.randperm(n, generator=generator)
        total_loss = 0.0
        last_check = time.monotonic()
        for start in range(0, n, hp.batch_size):
            if time.monotonic() - last_check > 1.0:  # long epochs still notice a cancellation promptly
                last_check = time.monotonic()
                report(epoch - 1, hp.epochs, message=f"epoch {epoch}: row {start}/{n}")
            batch = order[start : start + hp.batch_size]
            optimizer.zero_grad()
            logits = net(x_train[batch])
            target = y_train[batch]
            if outputs == 1:
                logits = logits[:, 0]
                target = target.float() if classification else target
            loss = loss_fn(logits, target)
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(batch)
        net.eval()
        current = export()
        train_loss = total_loss / n
        if not classification:
            train_loss *= target_scale**2
        metrics = _val_metrics(data.task, current.output(x_val), data.y_val)
        if split is None:
            best = current
        else:
            stop_rows = split[1]
            stopping_loss = _val_metrics(data.task, current.output(x_all[stop_rows]), data.y_train[stop_rows])
            metrics["stopping_loss"] = stopping_loss["val_loss"]
            if metrics["stopping_loss"] < best_loss - 1e-9:
                best, best_loss, stale = current, metrics["stopping_loss"], 0
            else:
                stale += 1
        report(
            epoch,
            hp.epochs,
            message=f"epoch {epoch}",
            loss=train_loss,
            learning_rate=hp.learning_rate,
            **metrics,
        )
        if hp.early_stopping_patience is not None and stale >= hp.early_stopping_patience:
            report(hp.epochs, hp.epochs, message=f"early stop at epoch {epoch}", loss=train_loss, **metrics)
            break
    assert best is not None
    return best


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


def train_text_classifier(hp: TextClassifierParams, data: TrainData, report: Report) -> TextModel:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        max_features=hp.max_features,
        ngram_range=(1, hp.ngram_max),
        analyzer=hp.analyzer,
        min_df=hp.min_df,
        sublinear_tf=hp.sublinear_tf,
        strip_accents="unicode",
    )
    x_train = vectorizer.fit_transform(data.x_train)
    x_val = vectorizer.transform(data.x_val) if len(data.x_val) else None
    terms = len(vectorizer.vocabulary_)

    def metrics(model: LinearModel) -> dict[str, float]:
        train = _val_metrics("classification", model.output(x_train), data.y_train)
        held_out = _val_metrics("classification", model.output(x_val), data.y_val) if x_val is not None else {}
        return {"loss": train["val_loss"], **held_out}

    def on_iteration(iteration: int, model: LinearModel) -> None:
        report(iteration, hp.max_iter, message=f"L-BFGS iteration {iteration} on {terms} terms", **metrics(model))

    assert data.y_train is not None
    model, iterations, converged = fit_logistic(x_train, data.y_train, data.n_classes, hp.C, hp.max_iter, on_iteration)
    state = "converged" if converged else "stopped without converging"
    report(hp.max_iter, hp.max_iter, message=f"L-BFGS {state} after {iterations} iterations", **metrics(model))
    return TextModel(vectorizer, model)


# ---------------------------------------------------------------------------------------------
# the table


def _lightgbm_work(hp: LightGBMParams, rows: int) -> float:
    """Rounds to build: with early stopping, the search (to the cap at worst) plus the refit."""
    settings = resolve_lightgbm(hp, rows)
    if settings["early_stopping_rounds"]:
        return min(settings["n_estimators"], 300) * 2.0
    return float(settings["n_estimators"])


def _xgboost_work(hp: XGBoostParams, rows: int) -> float:
    settings = resolve_xgboost(hp, rows)
    if settings["early_stopping_rounds"]:
        return min(settings["n_estimators"], 300) * 2.0
    return float(settings["n_estimators"])


@dataclass(frozen=True)
class Algorithm:
    """An algorithm's contract: hyperparameters, tasks, preprocessing, trainer and loader."""

    name: str
    params: type[HyperParams]
    tasks: tuple[str, ...]
    encoding: Literal["onehot", "ordinal"]
    scale: bool
    train: Callable[[Any, TrainData, Report], Any]
    load: Callable[[Path, str], Any]
    # seconds per (row x feature x unit of work): rough, calibrated on `tendero bench tabular` (2 cores)
    cost: float
    work: Callable[[Any, int], float]  # (hyperparameters, rows) -> units of work

    TEXT: ClassVar[tuple[str, ...]] = ("text_classification",)


ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        Algorithm(
            "linear_regression",
            LinearRegressionParams,
            ("regression",),
            "onehot",
            True,
            train_linear_regression,
            lambda f, _t: LinearModel.load(f),
            2e-8,
            lambda hp, _rows: 1.0,
        ),
        Algorithm(
            "logistic_regression",
            LogisticRegressionParams,
            ("classification",),
            "onehot",
            True,
            train_logistic_regression,
            lambda f, _t: LinearModel.load(f),
            2e-8,
            lambda hp, _rows: 10.0,
        ),
        Algorithm(
            "random_forest",
            RandomForestParams,
            ("classification", "regression"),
            "ordinal",
            False,
            train_random_forest,
            lambda f, _t: TreeEnsemble.load(f),
            1.2e-7,
            lambda hp, _rows: hp.n_estimators * 3.0,
        ),
        Algorithm(
            "lightgbm",
            LightGBMParams,
            ("classification", "regression"),
            "ordinal",
            False,
            train_lightgbm,
            LightGBMModel.load,
            2e-8,
            _lightgbm_work,
        ),
        Algorithm(
            "xgboost",
            XGBoostParams,
            ("classification", "regression"),
            "ordinal",
            False,
            train_xgboost,
            XGBoostModel.load,
            3e-8,
            _xgboost_work,
        ),
        Algorithm(
            "mlp",
            MLPParams,
            ("classification", "regression"),
            "onehot",
            True,
            train_mlp,
            lambda f, _t: NeuralNetwork.load(f),
            1.2e-7,
            lambda hp, _rows: hp.epochs * (1 + sum(hp.hidden_layers) / 16) * (1 + 32 / hp.batch_size),
        ),
        Algorithm(
            "kmeans",
            KMeansParams,
            ("clustering",),
            "onehot",
            True,
            train_kmeans,
            lambda f, _t: Centroids.load(f),
            1.8e-8,
            lambda hp, _rows: hp.n_init * hp.n_clusters * 30,
        ),
        Algorithm(
            "text_classifier",
            TextClassifierParams,
            ("text_classification",),
            "onehot",
            False,
            train_text_classifier,
            lambda f, _t: TextModel.load(f),
            3e-4,
            lambda hp, _rows: hp.ngram_max * 10.0,
        ),
    )
}


def get_algorithm(name: str) -> Algorithm:
    if name not in ALGORITHMS:
        raise KeyError(f"unknown algorithm {name!r}; known: {', '.join(ALGORITHMS)}")
    return ALGORITHMS[name]


def estimate_seconds(algorithm: str, hyperparameters: HyperParams | dict[str, Any], rows: int, features: int) -> float:
    """Rough training time before the job starts, from data size and the algorithm's work."""
    spec = get_algorithm(algorithm)
    hp = hyperparameters if isinstance(hyperparameters, HyperParams) else spec.params.model_validate(hyperparameters)
    seconds = spec.cost * max(rows, 1) * max(features, 1) * spec.work(hp, rows)
    preprocessing = 5e-6 * rows * features
    return float(0.2 + preprocessing + seconds)


def describe_algorithms() -> list[dict[str, Any]]:
    """Every algorithm with its tasks and its hyperparameters' JSON Schema (defaults and bounds)."""
    return [
        {"name": spec.name, "tasks": list(spec.tasks), "hyperparameters": spec.params.model_json_schema()}
        for spec in ALGORITHMS.values()
    ]
