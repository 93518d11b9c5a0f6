"""The algorithms a user can train: typed hyperparameters, a trainer that reports every
epoch/iteration/tree, and a fitted estimator saved in native files (never pickle).

Every fitted estimator answers ``output(x)``: class probabilities (n, k) for classification,
values (n,) for regression, cluster ids (n,) for clustering.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

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


class LightGBMParams(HyperParams):
    n_estimators: int = Field(100, ge=1, le=20_000)
    learning_rate: float = Field(0.1, gt=0.0, le=1.0)
    num_leaves: int = Field(31, ge=2, le=131_072)
    max_depth: int = Field(-1, ge=-1, le=64)
    min_child_samples: int = Field(20, ge=1, le=100_000)
    subsample: float = Field(1.0, gt=0.0, le=1.0)
    subsample_freq: int = Field(0, ge=0, le=100)
    colsample_bytree: float = Field(1.0, gt=0.0, le=1.0)
    reg_alpha: float = Field(0.0, ge=0.0, le=1e4)
    reg_lambda: float = Field(0.0, ge=0.0, le=1e4)
    early_stopping_rounds: int | None = Field(None, ge=1, le=10_000)


class XGBoostParams(HyperParams):
    n_estimators: int = Field(200, ge=1, le=20_000)
    learning_rate: float = Field(0.1, gt=0.0, le=1.0)
    max_depth: int = Field(6, ge=1, le=32)
    min_child_weight: float = Field(1.0, ge=0.0, le=1e4)
    subsample: float = Field(1.0, gt=0.0, le=1.0)
    colsample_bytree: float = Field(1.0, gt=0.0, le=1.0)
    reg_alpha: float = Field(0.0, ge=0.0, le=1e4)
    reg_lambda: float = Field(1.0, ge=0.0, le=1e4)
    early_stopping_rounds: int | None = Field(None, ge=1, le=10_000)


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
        10, ge=1, le=1000, description="stop after this many epochs without a better validation loss"
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


def train_linear_regression(hp: LinearRegressionParams, data: TrainData, report: Report) -> LinearModel:
    from sklearn.linear_model import LinearRegression, Ridge

    model = (
        Ridge(alpha=hp.alpha, fit_intercept=hp.fit_intercept)
        if hp.alpha > 0
        else LinearRegression(fit_intercept=hp.fit_intercept)
    )
    model.fit(data.x_train, data.y_train)
    fitted = LinearModel(np.atleast_2d(model.coef_), np.atleast_1d(model.intercept_), classification=False)
    train_mse = float(np.mean((fitted.output(data.x_train) - data.y_train) ** 2))
    report(
        1,
        1,
        message="least squares solved",
        loss=train_mse,
        **_val_metrics("regression", fitted.output(data.x_val), data.y_val),
    )
    return fitted


def _lbfgs_in_chunks(model: Any, x: Any, y: np.ndarray, max_iter: int, on_chunk: Callable[[int, int], None]) -> None:
    """Fit a warm-startable L-BFGS logistic regression in ~10 slices so each slice is reported."""
    from sklearn.exceptions import ConvergenceWarning

    done = 0
    steps = _chunks(max_iter, parts=min(100, max(1, max_iter // 10)))  # slices of about 10 iterations
    for index, upto in enumerate(steps):
        budget = upto - done
        model.set_params(max_iter=budget, warm_start=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, y)
        done = upto
        converged = int(np.max(model.n_iter_)) < budget
        on_chunk(len(steps) if converged else index + 1, len(steps))
        if converged:  # further slices would not move the weights
            return


def _logistic_weights(model: Any, n_classes: int) -> LinearModel:
    """scikit-learn's weights; classes absent from the training rows get a score of -inf."""
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    present = np.asarray(model.classes_, dtype=np.int64)
    if len(present) == n_classes:
        return LinearModel(coef, intercept, True)
    if coef.shape[0] == 1:  # binary among more classes: scores (0, z) for the two present classes
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([[0.0], intercept])
    full_coef = np.zeros((n_classes, coef.shape[1]))
    full_intercept = np.full(n_classes, -1e12)
    full_coef[present] = coef
    full_intercept[present] = intercept
    return LinearModel(full_coef, full_intercept, True)


def train_logistic_regression(hp: LogisticRegressionParams, data: TrainData, report: Report) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=hp.C, class_weight=hp.class_weight, random_state=data.seed)

    def on_chunk(step: int, total: int) -> None:
        fitted = _logistic_weights(model, data.n_classes)
        train = _val_metrics("classification", fitted.output(data.x_train), data.y_train)
        report(
            step,
            total,
            message=f"L-BFGS iterations {int(np.max(model.n_iter_))}",
            loss=train["val_loss"],
            **_val_metrics("classification", fitted.output(data.x_val), data.y_val),
        )

    _lbfgs_in_chunks(model, data.x_train, data.y_train, hp.max_iter, on_chunk)
    return _logistic_weights(model, data.n_classes)


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


def train_lightgbm(hp: LightGBMParams, data: TrainData, report: Report) -> LightGBMModel:
    import lightgbm as lgb

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
        "num_leaves": hp.num_leaves,
        "max_depth": hp.max_depth,
        "min_child_samples": hp.min_child_samples,
        "bagging_fraction": hp.subsample,
        "bagging_freq": hp.subsample_freq,
        "feature_fraction": hp.colsample_bytree,
        "lambda_l1": hp.reg_alpha,
        "lambda_l2": hp.reg_lambda,
        "seed": data.seed,
        "deterministic": True,
        "num_threads": threads_for(data.x_train),
        "verbosity": -1,
    }
    if objective == "multiclass":
        params["num_class"] = data.n_classes
    categorical = list(data.categorical) or "auto"
    train_set = lgb.Dataset(data.x_train, data.y_train, categorical_feature=categorical, free_raw_data=False)
    has_val = data.y_val is not None and len(data.y_val) > 0
    valid_sets = [train_set]
    names = ["train"]
    if has_val:
        valid_sets.append(lgb.Dataset(data.x_val, data.y_val, reference=train_set, categorical_feature=categorical))
        names.append("valid")
    due = _Due(_every(hp.n_estimators), hp.n_estimators)

    def callback(env: Any) -> None:
        iteration = env.iteration + 1
        if not due(iteration):
            return
        found: dict[str, float] = {}
        for set_name, metric, value, _ in env.evaluation_result_list:
            prefix = "" if set_name == "train" else "val_"
            if metric.endswith("logloss") or metric == "l2":
                found[f"{prefix}loss"] = float(value)
            elif metric.endswith("error") and set_name == "valid":
                found["accuracy"] = 1.0 - float(value)
        if "val_loss" in found and not classification:
            found["rmse"] = math.sqrt(found["val_loss"])
        report(iteration, hp.n_estimators, message=f"tree {iteration}", learning_rate=hp.learning_rate, **found)

    callbacks = [callback]
    if hp.early_stopping_rounds and has_val:
        callbacks.append(lgb.early_stopping(hp.early_stopping_rounds, first_metric_only=True, verbose=False))
    booster = lgb.train(
        params,
        train_set,
        num_boost_round=hp.n_estimators,
        valid_sets=valid_sets,
        valid_names=names,
        callbacks=callbacks,
    )
    return LightGBMModel(booster, data.task)


def train_xgboost(hp: XGBoostParams, data: TrainData, report: Report) -> XGBoostModel:
    import xgboost as xgb

    classification = data.task == "classification"
    if classification and data.n_classes > 2:
        objective, metrics = "multi:softprob", ["mlogloss", "merror"]
    elif classification:
        objective, metrics = "binary:logistic", ["logloss", "error"]
    else:
        objective, metrics = "reg:squarederror", ["rmse"]
    params: dict[str, Any] = {
        "objective": objective,
        "eval_metric": metrics,
        "eta": hp.learning_rate,
        "max_depth": hp.max_depth,
        "min_child_weight": hp.min_child_weight,
        "subsample": hp.subsample,
        "colsample_bytree": hp.colsample_bytree,
        "alpha": hp.reg_alpha,
        "lambda": hp.reg_lambda,
        "tree_method": "hist",
        "seed": data.seed,
        "nthread": threads_for(data.x_train),
    }
    if objective == "multi:softprob":
        params["num_class"] = data.n_classes
    train_matrix = xgb.DMatrix(data.x_train, label=data.y_train)
    evals = [(train_matrix, "train")]
    has_val = data.y_val is not None and len(data.y_val) > 0
    if has_val:
        evals.append((xgb.DMatrix(data.x_val, label=data.y_val), "valid"))
    due = _Due(_every(hp.n_estimators), hp.n_estimators)

    class Progress(xgb.callback.TrainingCallback):
        def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
            iteration = epoch + 1
            if not due(iteration):
                return False
            found: dict[str, float] = {}
            for set_name, logs in evals_log.items():
                prefix = "" if set_name == "train" else "val_"
                for metric, values in logs.items():
                    value = float(values[-1])
                    if metric.endswith("logloss"):
                        found[f"{prefix}loss"] = value
                    elif metric == "rmse":
                        found[f"{prefix}loss"] = value * value
                        if set_name == "valid":
                            found["rmse"] = value
                    elif metric.endswith("error") and set_name == "valid":
                        found["accuracy"] = 1.0 - value
            report(
                iteration,
                hp.n_estimators,
                message=f"tree {iteration}",
                learning_rate=hp.learning_rate,
                **found,
            )
            return False

    booster = xgb.train(
        params,
        train_matrix,
        num_boost_round=hp.n_estimators,
        evals=evals,
        callbacks=[Progress()],
        early_stopping_rounds=hp.early_stopping_rounds if has_val else None,
        verbose_eval=False,
    )
    if not hp.early_stopping_rounds or not has_val:
        booster.set_attr(best_iteration=str(booster.num_boosted_rounds() - 1))
    return XGBoostModel(booster, data.task)


def train_mlp(hp: MLPParams, data: TrainData, report: Report) -> NeuralNetwork:
    """A PyTorch MLP (CPU) with real dropout; best validation epoch kept; weights exported to NumPy."""
    import torch
    from torch import nn

    torch.manual_seed(data.seed)
    torch.set_num_threads(threads_for(data.x_train))
    classification = data.task == "classification"
    x_train = torch.as_tensor(np.asarray(data.x_train, dtype=np.float32))
    x_val = torch.as_tensor(np.asarray(data.x_val, dtype=np.float32))
    target_mean, target_scale = 0.0, 1.0
    if classification:
        y_train = torch.as_tensor(data.y_train, dtype=torch.long)
        outputs = data.n_classes if data.n_classes > 2 else 1
    else:
        target_mean = float(np.mean(data.y_train))
        target_scale = float(np.std(data.y_train)) or 1.0
        y_train = torch.as_tensor((data.y_train - target_mean) / target_scale, dtype=torch.float32)
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
        metrics = _val_metrics(data.task, current.output(np.asarray(x_val)), data.y_val)
        report(
            epoch,
            hp.epochs,
            message=f"epoch {epoch}",
            loss=train_loss,
            learning_rate=hp.learning_rate,
            **metrics,
        )
        val_loss = metrics.get("val_loss", train_loss)
        if val_loss < best_loss - 1e-9:
            best, best_loss, stale = current, val_loss, 0
        else:
            stale += 1
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
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        max_features=hp.max_features,
        ngram_range=(1, hp.ngram_max),
        analyzer=hp.analyzer,
        min_df=hp.min_df,
        sublinear_tf=hp.sublinear_tf,
        strip_accents="unicode",
    )
    x_train = vectorizer.fit_transform(data.x_train)
    x_val = vectorizer.transform(data.x_val)
    model = LogisticRegression(C=hp.C, random_state=data.seed)

    def on_chunk(step: int, total: int) -> None:
        fitted = TextModel(vectorizer, _logistic_weights(model, data.n_classes))
        train = _val_metrics("classification", fitted.output(data.x_train), data.y_train)
        metrics = _val_metrics("classification", fitted.output(data.x_val), data.y_val) if len(data.x_val) else {}
        report(step, total, message=f"{len(vectorizer.vocabulary_)} terms", loss=train["val_loss"], **metrics)

    del x_val
    _lbfgs_in_chunks(model, x_train, data.y_train, hp.max_iter, on_chunk)
    return TextModel(vectorizer, _logistic_weights(model, data.n_classes))


# ---------------------------------------------------------------------------------------------
# the table


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
    work: Callable[[Any], float]

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
            lambda hp: 1.0,
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
            lambda hp: 10.0,
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
            lambda hp: hp.n_estimators * 3.0,
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
            lambda hp: hp.n_estimators,
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
            lambda hp: hp.n_estimators,
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
            lambda hp: hp.epochs * (1 + sum(hp.hidden_layers) / 16) * (1 + 32 / hp.batch_size),
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
            lambda hp: hp.n_init * hp.n_clusters * 30,
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
            lambda hp: hp.ngram_max * 10.0,
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
    seconds = spec.cost * max(rows, 1) * max(features, 1) * spec.work(hp)
    preprocessing = 5e-6 * rows * features
    return float(0.2 + preprocessing + seconds)


def describe_algorithms() -> list[dict[str, Any]]:
    """Every algorithm with its tasks and its hyperparameters' JSON Schema (defaults and bounds)."""
    return [
        {"name": spec.name, "tasks": list(spec.tasks), "hyperparameters": spec.params.model_json_schema()}
        for spec in ALGORITHMS.values()
    ]
